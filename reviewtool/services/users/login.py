"""Logging in: who is at the keyboard, for the permission checks and the audit trail.

- **PostgreSQL**: the app connects with the user's own login role and password
  (from the URL, ``PGPASSWORD``, the CLI's prompt or the GUI's login dialog);
  ``identify`` then maps the session's role to its ``app_user`` row. The
  schema's owner is unrestricted. A role that is neither is refused.
- **SQLite**: while the file has no local users, nobody logs in and the actor
  is the operating-system account. Once it has one, ``local_login`` checks a
  login and password against the stored scrypt hash (a file database protects
  nothing from whoever holds the file: the login says who acted, it does not
  keep anyone out).

Passwords are never stored by the app: ``url_without_password`` is what may
be shown or remembered.
"""

from __future__ import annotations

from sqlalchemy import exists, select, text
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

from reviewtool.core.errors import UserError
from reviewtool.core.users import Identity, Role
from reviewtool.i18n import N_, _
from reviewtool.services.audit import default_actor
from reviewtool.services.setup import init_database
from reviewtool.services.users.passwords import password_matches
from reviewtool.storage import pg_security
from reviewtool.storage.database import Database, resolve_url
from reviewtool.storage.models import AppUser

BAD_LOGIN = N_("The login name or password is not right.")


class LoginFailed(UserError):
    """The login was refused: wrong login or password, or not a user of this database."""


class WrongPassword(LoginFailed):
    """Wrong login or password (the message never says which)."""


def is_postgresql(url: str) -> bool:
    return make_url(url).get_backend_name() == "postgresql"


def url_without_password(url: str) -> str:
    """The URL to show or remember: no password in it, ever. (``URL.set(password=None)`` would keep it.)"""
    parsed = make_url(url)
    if parsed.password is None:
        return url
    bare = URL.create(parsed.drivername, parsed.username, None, parsed.host, parsed.port, parsed.database, parsed.query)
    return bare.render_as_string(hide_password=False)


def url_login(url: str) -> str | None:
    return make_url(url).username


def needs_password(url: str) -> bool:
    """A PostgreSQL URL without a password (then the GUI asks for login and password)."""
    return is_postgresql(url) and not make_url(url).password


def with_credentials(url: str, login: str, password: str) -> str:
    return make_url(url).set(username=login, password=password).render_as_string(hide_password=False)


def is_auth_failure(exc: BaseException) -> bool:
    """The server turned the login down (wrong password, unknown role, no password given)."""
    orig = getattr(exc, "orig", exc)
    if getattr(orig, "sqlstate", None) in ("28P01", "28000"):
        return True
    message = str(orig).lower()
    return (
        "password authentication failed" in message
        or "no password supplied" in message
        or ("role" in message and "does not exist" in message)
    )


def account_identity() -> Identity:
    return Identity(default_actor(), kind="account")


def identify(database: Database) -> Identity:
    """Who the PostgreSQL session is: the owner, or an app user (``LoginFailed`` if neither)."""
    with database.engine.connect() as connection:
        login = connection.execute(text("SELECT current_user")).scalar_one()
        if pg_security.is_owner(connection):
            return Identity(login, kind="owner")
        row = connection.execute(
            text("SELECT id, name, expert_id, active FROM app_user WHERE login = current_user")
        ).first()
        roles = connection.execute(
            text("SELECT r.role FROM user_role r JOIN app_user u ON u.id = r.user_id WHERE u.login = current_user")
        ).scalars()
        roles = frozenset(Role(r) for r in roles)
    if row is None or not row.active:
        raise LoginFailed(
            _("The PostgreSQL role {login} is not a user of this database, or has been disabled.").format(login=login)
        )
    return Identity(login, "user", row.name, roles, row.expert_id, row.id)


def local_users_exist(session: Session) -> bool:
    """Whether the SQLite file asks for a login (it has an active local user)."""
    return bool(session.scalar(select(exists().where(AppUser.active.is_(True), AppUser.password_hash.is_not(None)))))


def local_login(session: Session, login: str, password: str) -> Identity:
    user = session.scalar(select(AppUser).where(AppUser.login == login.strip()))
    stored = user.password_hash if user is not None else None
    # A hash is computed even for an unknown login, so timing does not tell logins apart.
    matches = password_matches(password, stored or "scrypt$16384$8$1$AAAAAAAAAAAAAAAAAAAAAA==$AAAA")
    if user is None or not matches or stored is None:
        raise WrongPassword(_(BAD_LOGIN))
    if not user.active:
        raise LoginFailed(_("The user {login} has been disabled.").format(login=user.login))
    return Identity(user.login, "user", user.name, user.role_set, user.expert_id, user.id)


def open_server(url: str) -> Database:
    """Connect to a PostgreSQL server with the URL's credentials, upgrade it if this is the owner,
    and set who is logged in. A refused login raises ``LoginFailed``."""
    database = Database(resolve_url(url))
    try:
        init_database(database)
        database.identity = identify(database)
    except OperationalError as exc:
        database.dispose()
        if is_auth_failure(exc):
            raise WrongPassword(_(BAD_LOGIN)) from exc
        raise
    except BaseException:
        database.dispose()
        raise
    return database


def sign_in_local(database: Database, login: str, password: str) -> Identity:
    """Check a local user's password (SQLite) and make them the database's user."""
    with database.session() as session:
        identity = local_login(session, login, password)
    database.identity = identity
    return identity


def needs_local_login(database: Database) -> bool:
    if not database.is_sqlite:
        return False
    with database.session() as session:
        return local_users_exist(session)
