"""Managing users: add, list, disable/enable, change password, grant/revoke roles, set up the server.

Each is an administrator's operation (``Permission.MANAGE_USERS``), except a
user changing their own password. On PostgreSQL the login role is created
and altered in the same transaction as the ``app_user`` row, so both or
neither change; that needs an administrator's connection (``CREATEROLE``).
On SQLite a user is a local login with a scrypt hash; the first one must be
an administrator, since from then on the app asks everyone to log in.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session, selectinload

from reviewtool.core.errors import NotFound, Refused, UserError
from reviewtool.core.users import EXPERT_ROLES, Identity, Permission, Role, check_login
from reviewtool.i18n import _
from reviewtool.services import audit
from reviewtool.services.changes import Changes
from reviewtool.services.users.passwords import check_password, hash_password
from reviewtool.services.users.permissions import current, require
from reviewtool.storage import pg_roles, pg_security
from reviewtool.storage.models import AppUser, Expert, Unit, UserRole


@dataclass(frozen=True)
class UserRow:
    id: int
    login: str
    name: str
    roles: tuple[str, ...]
    expert_id: int | None
    expert_name: str | None
    active: bool
    created_by: str
    created_at: dt.datetime

    @property
    def role_labels(self) -> str:
        return "、".join(Role(r).label for r in self.roles)

    def as_json(self) -> dict:
        return {
            "id": self.id,
            "login": self.login,
            "name": self.name,
            "roles": list(self.roles),
            "expert_id": self.expert_id,
            "expert": self.expert_name,
            "active": self.active,
            "created_by": self.created_by,
            "created_at": self.created_at.isoformat(),
        }


def _postgresql(session: Session) -> bool:
    return session.get_bind().dialect.name == "postgresql"


def _row(session: Session, user: AppUser) -> UserRow:
    expert_name = None
    if user.expert_id is not None:
        expert_name = session.scalar(select(Expert.name).where(Expert.id == user.expert_id))
    ordered = tuple(r.value for r in Role if r in user.role_set)
    return UserRow(
        user.id, user.login, user.name, ordered, user.expert_id, expert_name, user.active, user.created_by,
        user.created_at,
    )  # fmt: skip


def list_users(session: Session) -> list[UserRow]:
    require(session, Permission.READ_USERS)
    users = session.scalars(select(AppUser).options(selectinload(AppUser.roles)).order_by(AppUser.login))
    return [_row(session, u) for u in users]


def find_user(session: Session, login: str) -> AppUser:
    user = session.scalar(select(AppUser).where(AppUser.login == login.strip()))
    if user is None:
        raise NotFound(_("No user has the login name {login}.").format(login=login))
    return user


def _parse_roles(roles) -> set[Role]:
    try:
        return {Role(r) for r in roles}
    except ValueError as exc:
        raise UserError(
            _("Unknown role {role}; the roles are {roles}.").format(role=exc, roles=", ".join(r.value for r in Role))
        ) from exc


def _check_expert(session: Session, roles: set[Role], expert_id: int | None, user_id: int | None = None) -> None:
    if roles & EXPERT_ROLES and expert_id is None:
        raise UserError(_("A reviewing expert or panel leader must be linked to an expert of the pool (--expert ID)."))
    if expert_id is None:
        return
    if not roles & EXPERT_ROLES:
        raise UserError(_("Only a reviewing expert or panel leader is linked to an expert of the pool."))
    if session.scalar(select(Expert.id).where(Expert.id == expert_id)) is None:
        raise NotFound(_("No expert has the id {id}.").format(id=expert_id))
    other = session.scalar(select(AppUser.login).where(AppUser.expert_id == expert_id, AppUser.id != user_id))
    if other is not None:
        raise Refused(_("Expert {id} is already the user {login}.").format(id=expert_id, login=other))


def _server_ready(session: Session, login: str) -> None:
    connection = session.connection()
    if len(pg_security.existing_groups(connection)) < len(Role):
        raise Refused(
            _("The server is not set up for users yet: the database's owner runs reviewtool-cli users setup-server.")
        )
    if not pg_roles.can_create_roles(connection):
        raise Refused(
            _(
                "Adding users needs an administrator's connection: the PostgreSQL role {role} cannot create roles."
            ).format(role=pg_roles.current_login(connection))
        )
    if login is not None and pg_roles.role_exists(connection, login):
        raise Refused(_("The server already has a role named {login}; choose another login name.").format(login=login))


def _actor_name(session: Session, actor: str) -> str:
    identity = current(session)
    return identity.login if identity is not None and identity.kind == "user" else actor


def add_user(
    session: Session,
    login: str,
    *,
    roles,
    password: str,
    actor: str,
    name: str = "",
    expert_id: int | None = None,
) -> tuple[UserRow, Changes]:
    """Create a user with ``roles`` (PostgreSQL: a login role in the roles' groups)."""
    require(session, Permission.MANAGE_USERS)
    login = login.strip()
    problem = check_login(login)
    if problem:
        raise UserError(problem)
    wanted = _parse_roles(roles)
    if not wanted:
        raise UserError(_("Give the user at least one role."))
    check_password(password)
    if session.scalar(select(AppUser.id).where(AppUser.login == login)) is not None:
        raise Refused(_("The user {login} exists already.").format(login=login))
    _check_expert(session, wanted, expert_id)
    postgresql = _postgresql(session)
    if not postgresql and Role.ADMIN not in wanted and not _active_admins(session):
        raise Refused(
            _(
                "The first user must be an administrator: from then on everyone logs in, and only an administrator adds users."
            )
        )
    if postgresql:
        _server_ready(session, login)
        pg_roles.create_login(session.connection(), login, password, wanted)
    user = AppUser(
        login=login,
        name=name.strip(),
        expert_id=expert_id,
        password_hash=None if postgresql else hash_password(password),
        created_by=_actor_name(session, actor),
        roles=[UserRole(role=r) for r in sorted(wanted, key=list(Role).index)],
    )
    session.add(user)
    session.flush()
    audit.record(
        session, actor=actor, action="user.add", entity_type="app_user", entity_id=user.id,
        summary=_("Added the user {login} ({roles})").format(login=login, roles="、".join(r.label for r in wanted)),
        details={"login": login, "name": user.name, "roles": sorted(r.value for r in wanted), "expert_id": expert_id},
    )  # fmt: skip
    return _row(session, user), Changes(message=_("User {login} added.").format(login=login), users=True)


def _active_admins(session: Session, *, besides: int | None = None) -> int:
    stmt = (
        select(func.count())
        .select_from(AppUser)
        .join(UserRole)
        .where(AppUser.active.is_(True), UserRole.role == Role.ADMIN)
    )
    if besides is not None:
        stmt = stmt.where(AppUser.id != besides)
    return session.scalar(stmt) or 0


def _keep_an_admin(session: Session, user: AppUser) -> None:
    """SQLite: refuse to leave the file with local users and no administrator."""
    if not _postgresql(session) and Role.ADMIN in user.role_set and not _active_admins(session, besides=user.id):
        raise Refused(
            _("{login} is the last administrator; make another user an administrator first.").format(login=user.login)
        )


def set_active(session: Session, login: str, active: bool, *, actor: str) -> Changes:
    """Disable (or enable again) a user: they can no longer log in; their records stay."""
    require(session, Permission.MANAGE_USERS)
    user = find_user(session, login)
    identity: Identity | None = current(session)
    if not active and identity is not None and identity.login == user.login:
        raise Refused(_("You cannot disable your own account."))
    if user.active == active:
        return Changes()
    if not active:
        _keep_an_admin(session, user)
    if _postgresql(session):
        pg_roles.set_login_allowed(session.connection(), user.login, active)
    user.active = active
    audit.record(
        session, actor=actor, action="user.enable" if active else "user.disable", entity_type="app_user",
        entity_id=user.id,
        summary=(_("Enabled the user {login}") if active else _("Disabled the user {login}")).format(login=user.login),
    )  # fmt: skip
    return Changes(users=True)


def set_password(session: Session, login: str, password: str, *, actor: str) -> Changes:
    """A new password: an administrator for anyone, every user for themselves."""
    user = find_user(session, login)
    identity = current(session)
    if identity is None or identity.login != user.login:
        require(session, Permission.MANAGE_USERS)
    check_password(password)
    if _postgresql(session):
        pg_roles.set_password(session.connection(), user.login, password)
    else:
        user.password_hash = hash_password(password)
    audit.record(
        session, actor=actor, action="user.passwd", entity_type="app_user", entity_id=user.id,
        summary=_("Changed the password of {login}").format(login=user.login),
    )  # fmt: skip
    return Changes(users=True)


def change_roles(
    session: Session,
    login: str,
    *,
    grant=(),
    revoke=(),
    actor: str,
    expert_id: int | None = None,
) -> tuple[UserRow, Changes]:
    """Give and take roles (and link an expert when a scorer role is given)."""
    require(session, Permission.MANAGE_USERS)
    user = find_user(session, login)
    given, taken = _parse_roles(grant), _parse_roles(revoke)
    before = set(user.role_set)
    after = (before | given) - taken
    if not after:
        raise UserError(_("A user keeps at least one role; disable the user instead."))
    link = expert_id if expert_id is not None else user.expert_id
    if not after & EXPERT_ROLES:
        link = None
    _check_expert(session, after, link, user.id)
    if Role.ADMIN in before - after:
        _keep_an_admin(session, user)
    if after == before and link == user.expert_id:
        return _row(session, user), Changes()
    if _postgresql(session):
        _server_ready(session, None)
        for role in sorted(after - before, key=list(Role).index):
            pg_roles.grant_role(session.connection(), user.login, role)
        for role in sorted(before - after, key=list(Role).index):
            pg_roles.revoke_role(session.connection(), user.login, role)
    for role_row in list(user.roles):
        if role_row.role not in after:
            user.roles.remove(role_row)
    for role in sorted(after - before, key=list(Role).index):
        user.roles.append(UserRole(role=role))
    user.expert_id = link
    session.flush()
    audit.record(
        session, actor=actor, action="user.roles", entity_type="app_user", entity_id=user.id,
        summary=_("Roles of {login}: {roles}").format(login=user.login, roles="、".join(Role(r).label for r in sorted(after, key=list(Role).index))),
        details={"old": sorted(r.value for r in before), "new": sorted(r.value for r in after), "expert_id": link},
    )  # fmt: skip
    return _row(session, user), Changes(users=True)


def setup_server(session: Session, *, actor: str) -> pg_security.ServerSetup:
    """PostgreSQL: create the group roles and apply the grants and policies (the owner, with CREATEROLE)."""
    if not _postgresql(session):
        raise UserError(_("setup-server is for a PostgreSQL server; an SQLite file needs no set-up."))
    connection = session.connection()
    if not pg_security.is_owner(connection):
        raise Refused(_("Only the database's owner sets up the server (the role that ran reviewtool-cli init)."))
    if not pg_roles.can_create_roles(connection):
        raise Refused(
            _("The owner {role} needs CREATEROLE to create the group roles (ALTER ROLE {role} CREATEROLE).").format(
                role=pg_roles.current_login(connection)
            )
        )
    result = pg_security.setup_server(connection)
    audit.record(
        session, actor=actor, action="user.setup_server", entity_type="database",
        summary=_("Set up the server's group roles, grants and policies"), details={"created": result.created},
    )  # fmt: skip
    return result


@dataclass(frozen=True)
class ExpertChoice:
    id: int
    name: str
    unit: str
    user: str | None  # the login already linked to this expert


def expert_choices(session: Session) -> list[ExpertChoice]:
    """The pool's experts to link a 评审专家 / 专家组长 user to (an administrator's view)."""
    require(session, Permission.MANAGE_USERS)
    rows = session.execute(
        select(Expert.id, Expert.name, Unit.name, AppUser.login)
        .outerjoin(Unit, Unit.id == Expert.unit_id)
        .outerjoin(AppUser, AppUser.expert_id == Expert.id)
        .where(Expert.is_staff.is_(False))
        .order_by(Expert.name, Expert.id)
    ).all()
    return [ExpertChoice(i, n, u or "", login) for i, n, u, login in rows]
