#!/usr/bin/env bash
# Install the test tools into .venv and run the whole check: ruff, the import
# contracts, and the test suite (extra arguments go to pytest).
# PostgreSQL tests run when REVIEWTOOL_TEST_PG_URL is set (.ci/run sets it).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup-system.sh --test
[ -x .venv/bin/python ] || python3 -m venv .venv
.venv/bin/python -m pip install --quiet --upgrade pip
.venv/bin/python -m pip install --quiet -e ".[test]"
.venv/bin/ruff check .
.venv/bin/ruff format --check .
.venv/bin/lint-imports
QT_QPA_PLATFORM=offscreen .venv/bin/python -m pytest "$@"
