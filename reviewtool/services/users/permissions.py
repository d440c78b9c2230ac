"""Checking what the logged-in user may do, with a clear message when not.

The identity is ``session.info["identity"]`` (set by ``Database.session``):
``None`` or an unrestricted one (the PostgreSQL owner, or an SQLite file
without local users) may do everything, as before accounts existed. Two
checks cover every service without each having to remember:

- every row the session writes, by its table (``check_flush``, before each
  flush: ``core.users.TABLE_PERMISSIONS``), so nothing reaches the database
  that the role may not write;
- every audited change, by its action (``check_action``, called by
  ``services.audit.record``), which also covers bulk Core inserts.

A service may call ``require`` first so a refusal comes before any work. On
PostgreSQL the server enforces the same rules itself (``storage/pg_security.py``).
"""

from __future__ import annotations

from sqlalchemy import event, inspect, select
from sqlalchemy.orm import Session

from reviewtool.core.enums import AssignmentStatus
from reviewtool.core.errors import Refused
from reviewtool.core.users import (
    DERIVED_COLUMNS,
    OWN_ACCOUNT_ACTIONS,
    OWN_ASSIGNMENT_ACTIONS,
    OWN_SHEET_ACTIONS,
    SHEET,
    TABLE_PERMISSIONS,
    Identity,
    Permission,
    Role,
    permission_for_action,
)
from reviewtool.i18n import _
from reviewtool.storage.models import Assignment, ScoreSheet, Setting


class NotPermitted(Refused):
    """The logged-in user's roles do not allow the operation."""


def current(session: Session) -> Identity | None:
    return session.info.get("identity")


def _refuse(identity: Identity, what: str) -> NotPermitted:
    roles = "、".join(Role(r).label for r in sorted(identity.roles, key=list(Role).index)) or _("no role")
    return NotPermitted(
        _("{user} may not {what} (roles: {roles}).").format(user=identity.login, what=what, roles=roles)
    )


def require(session: Session, permission: Permission) -> None:
    """Raise ``NotPermitted`` unless the logged-in user holds ``permission``."""
    identity = current(session)
    if identity is None or identity.can(permission):
        return
    raise _refuse(identity, permission.label)


def may_transcribe(session: Session) -> bool:
    """Whether this session may fill in anyone's sheet (staff, or nobody logged in), not only its own."""
    identity = current(session)
    return identity is None or identity.can(Permission.TRANSCRIBE_SHEETS)


def require_sheet_of(session: Session, reviewer_id: int) -> None:
    """Before touching a score sheet: staff transcribe anyone's; an expert only their own."""
    identity = current(session)
    if identity is None or identity.can(Permission.TRANSCRIBE_SHEETS):
        return
    if identity.can(Permission.SCORE_OWN) and identity.expert_id is not None and identity.expert_id == reviewer_id:
        return
    if identity.can(Permission.SCORE_OWN):
        raise NotPermitted(_("{user} may only fill in their own score sheets.").format(user=identity.login))
    raise _refuse(identity, Permission.TRANSCRIBE_SHEETS.label)


def check_action(session: Session, action: str, entity_type: str, entity_id: int | None) -> None:
    """Whether the logged-in user may take an audited ``action`` (raises ``NotPermitted`` if not)."""
    identity = current(session)
    if identity is None or identity.unrestricted:
        return
    if action in OWN_ACCOUNT_ACTIONS and entity_type == "app_user" and entity_id == identity.user_id:
        return
    if (
        action in OWN_SHEET_ACTIONS
        and entity_type == "score_sheet"
        and identity.can(Permission.SCORE_OWN)
        and not identity.can(Permission.TRANSCRIBE_SHEETS)
    ):
        reviewer = session.scalar(select(ScoreSheet.reviewer_id).where(ScoreSheet.id == entity_id))
        if identity.expert_id is not None and reviewer == identity.expert_id:
            return
        raise NotPermitted(_("{user} may only fill in their own score sheets.").format(user=identity.login))
    if (
        action in OWN_ASSIGNMENT_ACTIONS
        and entity_type == "application"
        and _own_conflict(identity, session, entity_id)
    ):
        return
    permission = permission_for_action(action)
    if permission is None:
        raise _refuse(identity, _("do “{action}”").format(action=action))
    require(session, permission)


def _own_conflict(identity: Identity, session: Session, application_id: int | None) -> bool:
    """An expert declaring a conflict (回避) on their own assignment to ``application_id``
    (services/my_reviews): the assignment, marked in this session, is theirs."""
    if identity.expert_id is None or not identity.can(Permission.SCORE_OWN) or identity.can(Permission.PANELS):
        return False
    return any(
        isinstance(obj, Assignment)
        and obj.expert_id == identity.expert_id
        and obj.application_id == application_id
        and obj.status is AssignmentStatus.CONFLICT_DECLARED
        for obj in session.identity_map.values()
    )


def _changed_columns(obj) -> set[str]:
    state = inspect(obj)
    return {a.key for a in state.mapper.column_attrs if state.attrs[a.key].history.has_changes()}


def _sheet_reviewer(session: Session, obj) -> int | None:
    if isinstance(obj, ScoreSheet):
        return obj.reviewer_id
    sheet = getattr(obj, "sheet", None)
    if sheet is not None:
        return sheet.reviewer_id
    return session.scalar(select(ScoreSheet.reviewer_id).where(ScoreSheet.id == obj.sheet_id))


def _check_row(session: Session, identity: Identity, obj, *, new: bool) -> None:
    table = obj.__table__.name
    rule = TABLE_PERMISSIONS.get(table, Permission.MANAGE_USERS)  # a table nobody named: administrators only
    if rule is None:
        return
    changed = set() if new else _changed_columns(obj)
    if not new and changed and changed <= DERIVED_COLUMNS.get(table, frozenset()):
        return
    if (
        isinstance(obj, Assignment)
        and not new
        and changed <= {"status", "conflict_reason"}
        and obj.status is AssignmentStatus.CONFLICT_DECLARED
        and identity.can(Permission.SCORE_OWN)
        and obj.expert_id == identity.expert_id
    ):
        return  # an expert declaring a conflict on their own assignment (services/my_reviews)
    if rule == SHEET:
        require_sheet_of(session, _sheet_reviewer(session, obj))
        return
    if isinstance(obj, Setting) and str(obj.key).startswith("workbooks."):
        rule = Permission.PANELS
    if table == "app_user" and not new and obj.id == identity.user_id and changed <= {"password_hash", "updated_at"}:
        return  # one's own password
    require(session, rule)


def check_flush(session: Session, _flush_context, _instances) -> None:
    """``before_flush`` of every session: refuse a row the logged-in user may not write."""
    identity = current(session)
    if identity is None or identity.unrestricted:
        return
    for obj in list(session.new):
        _check_row(session, identity, obj, new=True)
    for obj in list(session.dirty):
        if session.is_modified(obj, include_collections=False):
            _check_row(session, identity, obj, new=False)
    for obj in list(session.deleted):
        _check_row(session, identity, obj, new=True)


event.listen(Session, "before_flush", check_flush)
