#!/usr/bin/env bash
# Start the Debian PostgreSQL cluster and create a login role for the tests.
# Prints the URL to use as REVIEWTOOL_TEST_PG_URL. Needs root (CI and dev machines here run as root).
set -euo pipefail
version=$(ls /usr/lib/postgresql | sort -V | tail -n 1)
if ! pg_lsclusters -h | grep -q "^${version} main"; then
  pg_createcluster "$version" main >/dev/null
fi
pg_ctlcluster "$version" main start >/dev/null 2>&1 || true
for _ in $(seq 1 30); do
  pg_isready -q -h 127.0.0.1 -p 5432 && break
  sleep 1
done
su postgres -c "psql -qtAc \"SELECT 1 FROM pg_roles WHERE rolname='reviewtool'\"" | grep -q 1 ||
  su postgres -c "psql -qc \"CREATE ROLE reviewtool LOGIN CREATEDB PASSWORD 'reviewtool'\""
# The tests own their databases and create the app's login and group roles (issue 15): CREATEROLE, not superuser.
su postgres -c "psql -qc \"ALTER ROLE reviewtool CREATEDB CREATEROLE\""
# ... and drop their databases WITH (FORCE) even while a test user's connection is still open.
su postgres -c "psql -qc \"GRANT pg_signal_backend TO reviewtool\""
echo "postgresql+psycopg://reviewtool:reviewtool@127.0.0.1:5432/postgres"
