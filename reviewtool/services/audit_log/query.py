"""Reading the audit trail (审计日志): who did what, when, to what, with the
old and the new value in words.

``audit_rows(session, AuditFilter(...))`` narrows the records in SQL (batch,
action, since, the entity) and then by what the details name (an expert
drawn, declined or scoring; an application a panel event is about), and
tells each in words (``describe``). Reads only.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from reviewtool.core.errors import NotFound, UserError
from reviewtool.i18n import N_
from reviewtool.services.audit_log.describe import Names, old_and_new
from reviewtool.services.audit_log.wording import (
    _,  # i18n._, remembered per language
    action_title,
)
from reviewtool.services.batches.batch import find_batch
from reviewtool.services.experts.service_record import expert_id_of
from reviewtool.storage.models import Application, AuditEvent, Batch, Expert, FormalCheckItem, Panel

#: Entity types as a clerk names them.
ENTITY_TITLES = {
    "application": N_("Application"),
    "batch": N_("Batch"),
    "panel": N_("Panel"),
    "expert": N_("Expert"),
    "score_sheet": N_("Score sheet"),
    "rubric": N_("Rubric"),
    "objection": N_("Objection"),
    "publicity": N_("Public notice"),
    "review_stage": N_("Review stage"),
    "stage": N_("Review stage"),
    "setting": N_("Setting"),
    "list": N_("List"),
    "document": N_("Document"),
}
#: Details keys that name an expert, and an application, in the records the writers make.
EXPERT_KEYS = ("expert_id", "reviewer_id", "declined")
EXPERT_LIST_KEYS = ("drawn", "experts", "excluded_experts")
APPLICATION_KEYS = ("application_id",)
APPLICATION_LIST_KEYS = ("applications", "promoted", "application_ids", "moved_assignments")


@dataclass(frozen=True)
class AuditFilter:
    batch: str | int | None = None
    application: str | None = None  # 申报编号 (within the batch, or anywhere when unique)
    expert: str | int | None = None  # name or id
    action: str | None = None  # an action, or the start of one ("panel", "panel.draw")
    since: dt.date | None = None
    until: dt.date | None = None
    actor: str | None = None  # who did it (the login, as recorded)
    limit: int | None = None  # newest first when given


@dataclass(frozen=True)
class AuditRow:
    id: int
    at: dt.datetime  # UTC
    actor: str
    action: str
    action_title: str
    entity: str
    summary: str
    old: str
    new: str
    batch: str

    @property
    def local_time(self) -> str:
        return local_text(self.at)

    def as_json(self) -> dict:
        return {
            "at": _aware(self.at).isoformat(timespec="seconds"),
            "actor": self.actor,
            "action": self.action,
            "entity": self.entity,
            "summary": self.summary,
            "old": self.old,
            "new": self.new,
        }


def _aware(at: dt.datetime) -> dt.datetime:
    """Stored times are UTC (SQLite gives them back without a zone)."""
    return at if at.tzinfo is not None else at.replace(tzinfo=dt.UTC)


def local_text(at: dt.datetime) -> str:
    """The time on this computer's clock, to the second."""
    return _aware(at).astimezone().strftime("%Y-%m-%d %H:%M:%S")


def parse_since(text: str | None, option: str = "--since") -> dt.date | None:
    if text is None or not str(text).strip():
        return None
    try:
        return dt.date.fromisoformat(str(text).strip().replace("/", "-"))
    except ValueError:
        raise UserError(_("{option}: “{text}” is not a date (YYYY-MM-DD).").format(option=option, text=text)) from None


def _application_id(session: Session, number: str, batch_id: int | None) -> int:
    stmt = select(Application.id).where(Application.number == number.strip())
    if batch_id is not None:
        stmt = stmt.where(Application.batch_id == batch_id)
    ids = list(session.scalars(stmt))
    if not ids:
        raise NotFound(_("No application numbered {number}.").format(number=number))
    if len(ids) > 1:
        raise UserError(_("Several batches have an application {number}; give --batch too.").format(number=number))
    return ids[0]


def _ints(value: Any) -> set[int]:
    out: set[int] = set()
    for item in value if isinstance(value, (list, tuple)) else [value]:
        try:
            out.add(int(item))
        except (TypeError, ValueError):
            continue
    return out


def _mentions(details: Mapping[str, Any], keys: tuple[str, ...], list_keys: tuple[str, ...]) -> set[int]:
    found: set[int] = set()
    for key in keys:
        if key in details:
            found |= _ints(details[key])
    for key in list_keys:
        if isinstance(details.get(key), (list, tuple)):
            found |= _ints(details[key])
    pairs = details.get("pairs")
    if isinstance(pairs, list) and keys is EXPERT_KEYS:
        found |= {int(p[1]) for p in pairs if isinstance(p, (list, tuple)) and len(p) == 2}
    elif isinstance(pairs, list):
        found |= {int(p[0]) for p in pairs if isinstance(p, (list, tuple)) and len(p) == 2}
    return found


def load_names(session: Session) -> Names:
    names = Names(
        experts=dict(session.execute(select(Expert.id, Expert.name)).all()),
        applications=dict(session.execute(select(Application.id, Application.number)).all()),
        panels=dict(session.execute(select(Panel.id, Panel.name)).all()),
        batches=dict(session.execute(select(Batch.id, Batch.name)).all()),
    )
    for code, text in session.execute(select(FormalCheckItem.code, FormalCheckItem.text)):
        names.checklist[code] = text
    try:
        from reviewtool.storage.models.stages import Stage
    except ImportError:  # pragma: no cover - before the stages model existed
        Stage = None  # noqa: N806
    if Stage is not None:
        names.stages = dict(session.execute(select(Stage.id, Stage.name)).all())
    return names


def entity_text(event: AuditEvent, names: Names) -> str:
    kind = _(ENTITY_TITLES[event.entity_type]) if event.entity_type in ENTITY_TITLES else event.entity_type
    if event.entity_id is None:
        return kind
    lookup = {
        "application": names.applications,
        "panel": names.panels,
        "expert": names.experts,
        "batch": names.batches,
        "review_stage": names.stages,
        "stage": names.stages,
    }.get(event.entity_type)
    label = lookup.get(event.entity_id) if lookup is not None else None
    if label is None and event.entity_type == "score_sheet":
        application = (event.details or {}).get("application")
        reviewer = (event.details or {}).get("reviewer")
        label = " / ".join(str(x) for x in (application, reviewer) if x)
    return f"{kind} {label or event.entity_id}"


def audit_rows(session: Session, wanted: AuditFilter = AuditFilter()) -> list[AuditRow]:
    """The records that match, oldest first (the newest ``limit`` when a limit is given)."""
    stmt = select(AuditEvent)
    batch_id = None
    if wanted.batch is not None and str(wanted.batch).strip():
        batch_id = find_batch(session, wanted.batch).id
        stmt = stmt.where(AuditEvent.batch_id == batch_id)
    if wanted.action:
        action = wanted.action.strip()
        stmt = stmt.where(or_(AuditEvent.action == action, AuditEvent.action.startswith(action.rstrip(".") + ".")))
    if wanted.actor and wanted.actor.strip():
        stmt = stmt.where(AuditEvent.actor == wanted.actor.strip())
    if wanted.since is not None:
        start = dt.datetime.combine(wanted.since, dt.time.min, tzinfo=dt.UTC)
        stmt = stmt.where(AuditEvent.at >= start)
    if wanted.until is not None:
        end = dt.datetime.combine(wanted.until + dt.timedelta(days=1), dt.time.min, tzinfo=dt.UTC)
        stmt = stmt.where(AuditEvent.at < end)
    application_id = expert_id = None
    if wanted.application:
        application_id = _application_id(session, wanted.application, batch_id)
        app_batch = session.get(Application, application_id).batch_id
        stmt = stmt.where(AuditEvent.batch_id == app_batch)
    if wanted.expert is not None and str(wanted.expert).strip():
        expert_id = expert_id_of(session, wanted.expert)
    stmt = stmt.order_by(AuditEvent.at, AuditEvent.id)
    events = list(session.scalars(stmt))
    if application_id is not None:
        events = [
            e
            for e in events
            if (e.entity_type == "application" and e.entity_id == application_id)
            or application_id in _mentions(e.details or {}, APPLICATION_KEYS, APPLICATION_LIST_KEYS)
            or (e.entity_type == "score_sheet" and (e.details or {}).get("application") == wanted.application.strip())
        ]
    if expert_id is not None:
        expert_name = session.get(Expert, expert_id).name
        events = [
            e
            for e in events
            if (e.entity_type == "expert" and e.entity_id == expert_id)
            or expert_id in _mentions(e.details or {}, EXPERT_KEYS, EXPERT_LIST_KEYS)
            or (e.entity_type == "score_sheet" and (e.details or {}).get("reviewer") == expert_name)
        ]
    if wanted.limit is not None:
        events = events[-wanted.limit :]
    names = load_names(session)
    rows = []
    for event in events:
        old, new = old_and_new(event.action, event.details or {}, names)
        rows.append(
            AuditRow(
                id=event.id,
                at=event.at,
                actor=event.actor,
                action=event.action,
                action_title=action_title(event.action),
                entity=entity_text(event, names),
                summary=event.summary or "",
                old=old,
                new=new,
                batch=names.batches.get(event.batch_id, "") if event.batch_id is not None else "",
            )
        )
    return rows
