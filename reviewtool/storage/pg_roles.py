"""PostgreSQL login roles for the app's users: create, alter, grant (``users add|passwd|disable|grant``).

Runs on an administrator's connection: a role with ``CREATEROLE`` (the owner
or a 系统管理员). Passwords reach the server only as SCRAM-SHA-256 verifiers
computed here, never as clear text a statement log could keep.

Up to PostgreSQL 15 ``CREATEROLE`` may alter and grant any role but a
superuser; from 16 on, only roles one has ``ADMIN OPTION`` on, so an
administrator is given ``ADMIN OPTION`` on the group roles (without using
their privileges: ``INHERIT FALSE, SET FALSE``) and on each login role the
app creates.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets

from sqlalchemy import Connection, text

from reviewtool.core.users import Role
from reviewtool.storage.pg_security import existing_groups, quote_ident

SCRAM_ITERATIONS = 4096


def scram_verifier(password: str, *, salt: bytes | None = None, iterations: int = SCRAM_ITERATIONS) -> str:
    """``SCRAM-SHA-256$<iterations>:<salt>$<StoredKey>:<ServerKey>`` as PostgreSQL stores it (RFC 5802/7677)."""
    salt = salt or secrets.token_bytes(16)
    salted = hashlib.pbkdf2_hmac("sha256", password.encode("utf-8"), salt, iterations)
    client_key = hmac.new(salted, b"Client Key", hashlib.sha256).digest()
    stored_key = hashlib.sha256(client_key).digest()
    server_key = hmac.new(salted, b"Server Key", hashlib.sha256).digest()

    def b64(data: bytes) -> str:
        return base64.b64encode(data).decode("ascii")

    return f"SCRAM-SHA-256${iterations}:{b64(salt)}${b64(stored_key)}:{b64(server_key)}"


def server_version(connection: Connection) -> int:
    return int(connection.execute(text("SHOW server_version_num")).scalar_one())


def role_exists(connection: Connection, login: str) -> bool:
    return bool(connection.execute(text("SELECT 1 FROM pg_roles WHERE rolname = :r"), {"r": login}).scalar())


def can_create_roles(connection: Connection) -> bool:
    return bool(
        connection.execute(text("SELECT rolcreaterole OR rolsuper FROM pg_roles WHERE rolname = current_user")).scalar()
    )


def current_login(connection: Connection) -> str:
    return connection.execute(text("SELECT current_user")).scalar_one()


def _literal(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def create_login(connection: Connection, login: str, password: str, roles: set[Role]) -> None:
    """A new login role with the password, in the groups of ``roles``."""
    attributes = "LOGIN NOSUPERUSER NOCREATEDB NOREPLICATION NOBYPASSRLS INHERIT"
    if Role.ADMIN in roles:
        attributes += " CREATEROLE"
    connection.exec_driver_sql(
        f"CREATE ROLE {quote_ident(login)} {attributes} PASSWORD {_literal(scram_verifier(password))}"
    )
    if server_version(connection) >= 160000:
        admins = existing_groups(connection).get(Role.ADMIN)
        if admins:
            connection.exec_driver_sql(
                f"GRANT {quote_ident(login)} TO {quote_ident(admins)} WITH ADMIN OPTION, INHERIT FALSE, SET FALSE"
            )
    for role in roles:
        grant_role(connection, login, role)


def set_password(connection: Connection, login: str, password: str) -> None:
    connection.exec_driver_sql(f"ALTER ROLE {quote_ident(login)} PASSWORD {_literal(scram_verifier(password))}")


def set_login_allowed(connection: Connection, login: str, allowed: bool) -> None:
    connection.exec_driver_sql(f"ALTER ROLE {quote_ident(login)} {'LOGIN' if allowed else 'NOLOGIN'}")


def grant_role(connection: Connection, login: str, role: Role) -> None:
    group = existing_groups(connection)[role]
    connection.exec_driver_sql(f"GRANT {quote_ident(group)} TO {quote_ident(login)}")
    if role is Role.ADMIN:
        connection.exec_driver_sql(f"ALTER ROLE {quote_ident(login)} CREATEROLE")
        if server_version(connection) >= 160000:
            for other in existing_groups(connection).values():
                connection.exec_driver_sql(
                    f"GRANT {quote_ident(other)} TO {quote_ident(login)} WITH ADMIN OPTION, INHERIT FALSE, SET FALSE"
                )


def revoke_role(connection: Connection, login: str, role: Role) -> None:
    group = existing_groups(connection)[role]
    connection.exec_driver_sql(f"REVOKE {quote_ident(group)} FROM {quote_ident(login)}")
    if role is Role.ADMIN:
        connection.exec_driver_sql(f"ALTER ROLE {quote_ident(login)} NOCREATEROLE")
