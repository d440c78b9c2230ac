"""Row versions: no lost updates.

``application``, ``expert``, ``panel`` and ``score_sheet`` carry a
``row_version`` (SQLAlchemy's ``version_id_col``): every UPDATE the ORM
emits says ``WHERE row_version = <the version read>`` and bumps it, so a save
over a change someone else committed since matches no row and is refused.
On PostgreSQL the UPDATE waits for the other writer's row lock, then sees its
new version; on SQLite the writers queue on the file's lock. Two rules are
added here, in a ``before_flush`` hook of every session (``install``):

- **A score sheet is one unit**: a change to its criterion scores or veto
  answers bumps the sheet's version too, so two people saving one sheet
  cannot mix their points.
- **Derived figures never bump a version**: an application whose only
  changes are recomputed columns (``DERIVED``: the panel score) is written by
  a plain UPDATE, without the version check, so saving a score sheet never
  collides with a clerk editing the application's form, and the clerk is
  never refused because an expert saved a sheet.

A refused save raises ``StaleEdit`` (a ``Refused``, so a ``UserError``: one
line in the CLI, a message box in the GUI) naming who changed the record and
when, from its newest audit record: "已被 X 于 HH:MM 修改". ``Database.session``
turns SQLAlchemy's ``StaleDataError`` into it (``stale_edit``); a service
that knows the version its user opened calls ``check_version`` first.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import event, inspect, select
from sqlalchemy.orm import Session, attributes

from reviewtool.core.errors import Refused
from reviewtool.i18n import N_, _
from reviewtool.storage.models import Application, AuditEvent, CriterionScore, Expert, Panel, ScoreSheet, VetoAnswer
from reviewtool.storage.models.base import utcnow

VERSIONED = (Application, Expert, Panel, ScoreSheet)
#: Columns recomputed from other rows: changing only these is not an edit of the record.
DERIVED = {Application: frozenset({"panel_score", "updated_at"})}
#: What each versioned record is called in the message.
RECORD_NAMES = {
    "application": N_("application"),
    "expert": N_("expert"),
    "panel": N_("panel"),
    "score_sheet": N_("score sheet"),
}
STALE_MESSAGE = N_(
    "The {record} {name} was changed by {actor} at {time} after you opened it; your change was not saved. "
    "Reload it and make your change again."
)
STALE_UNKNOWN = N_(
    "The {record} {name} was changed by someone else after you opened it; your change was not saved. "
    "Reload it and make your change again."
)


class StaleEdit(Refused):
    """Saving a record someone else changed since it was read (a lost update refused)."""


def _changed(obj) -> set[str]:
    state = inspect(obj)
    return {a.key for a in state.mapper.column_attrs if state.attrs[a.key].history.has_changes()}


def _write_derived(session: Session, obj, columns: set[str]) -> None:
    """Write recomputed columns with a plain UPDATE (no version check, no bump), then mark them saved."""
    table = type(obj).__table__
    values = {key: getattr(obj, key) for key in columns if key != "updated_at"}
    if values:
        session.connection().execute(table.update().where(table.c.id == obj.id).values(**values))
    for key in columns:
        attributes.set_committed_value(obj, key, getattr(obj, key))


def _sheet_of(session: Session, obj) -> ScoreSheet | None:
    sheet = obj.__dict__.get("sheet")
    if sheet is None and obj.sheet_id is not None:
        sheet = session.get(ScoreSheet, obj.sheet_id)
    return sheet


def before_flush(session: Session, _flush_context, _instances) -> None:
    new, dirty, deleted = set(session.new), set(session.dirty), set(session.deleted)
    touched: dict[int, ScoreSheet] = {}
    for obj in (*new, *dirty, *deleted):
        if isinstance(obj, (CriterionScore, VetoAnswer)):
            if obj in dirty and not session.is_modified(obj, include_collections=False):
                continue
            sheet = _sheet_of(session, obj)
            if sheet is not None and sheet not in new and sheet not in deleted:
                touched[id(sheet)] = sheet
    for sheet in touched.values():
        if not _changed(sheet):
            sheet.updated_at = utcnow()  # an UPDATE of the sheet: checks and bumps its version
            dirty.add(sheet)
    for obj in dirty:
        derived = DERIVED.get(type(obj))
        if derived is None or obj in deleted:
            continue
        changed = _changed(obj)
        if changed and changed <= derived:
            _write_derived(session, obj, changed)
    versions = session.info.setdefault("versions_read", {})
    for obj in dirty | deleted:
        if isinstance(obj, VERSIONED):
            state = inspect(obj)
            if state.identity is not None:
                read = state.committed_state.get("row_version", obj.row_version)
                versions[(type(obj).__tablename__, state.identity[0])] = read


def install(sessions) -> None:
    """Hook the rules into a sessionmaker (``Database`` does it for every database)."""
    event.listen(sessions, "before_flush", before_flush)


def _local_time(at: dt.datetime) -> str:
    if at.tzinfo is None:
        at = at.replace(tzinfo=dt.UTC)
    local = at.astimezone()
    today = dt.datetime.now(local.tzinfo).date()
    return local.strftime("%H:%M") if local.date() == today else local.strftime("%Y-%m-%d %H:%M")


def _name_of(session: Session, table: str, row_id: int) -> str:
    model = {m.__tablename__: m for m in VERSIONED}[table]
    obj = session.get(model, row_id)
    if obj is None:
        return f"#{row_id}"
    if isinstance(obj, Application):
        return obj.number
    if isinstance(obj, ScoreSheet):
        reviewer = session.get(Expert, obj.reviewer_id)
        number = session.scalar(select(Application.number).where(Application.id == obj.application_id))
        return f"{reviewer.name if reviewer else obj.reviewer_id} · {number}"
    return obj.name


def refusal(session: Session, table: str, row_id: int) -> StaleEdit:
    """The ``StaleEdit`` for a record: who last changed it and when (its newest audit record)."""
    last = session.execute(
        select(AuditEvent.actor, AuditEvent.at)
        .where(AuditEvent.entity_type == table, AuditEvent.entity_id == row_id)
        .order_by(AuditEvent.seq.desc())
        .limit(1)
    ).first()
    values = {"record": _(RECORD_NAMES[table]), "name": _name_of(session, table, row_id)}
    if last is None:
        return StaleEdit(_(STALE_UNKNOWN).format(**values))
    return StaleEdit(_(STALE_MESSAGE).format(actor=last.actor, time=_local_time(last.at), **values))


def check_version(session: Session, obj, opened_version: int | None) -> None:
    """Refuse (``StaleEdit``) when ``obj`` is no longer at the version its user opened."""
    if opened_version is not None and obj.row_version != opened_version:
        raise refusal(session, type(obj).__tablename__, obj.id)


def stale_edit(fresh_session: Session, versions_read: dict[tuple[str, int], int]) -> StaleEdit:
    """After a ``StaleDataError``: the record whose version moved on (read in a fresh session)."""
    models = {m.__tablename__: m for m in VERSIONED}
    for (table, row_id), read in versions_read.items():
        model = models[table]
        now = fresh_session.scalar(select(model.row_version).where(model.id == row_id))
        if now != read:
            return refusal(fresh_session, table, row_id)
    return StaleEdit(
        _(
            "Someone else changed this record after you opened it; your change was not saved. "
            "Reload it and make your change again."
        )
    )
