"""A batch (申报批次): create, edit, close, reopen, list, look up.

Every change is audited in the same transaction and returns ``Changes``
(``batches=True``). Values arrive as the clerk typed them (text) or typed;
``core.batches`` checks them and names the field at fault.

Changing the trimmed-mean minimum or the spread threshold recomputes the
batch's panel results (they are stored figures); it is refused while a
panel's results are locked by finalising, so a finalised result never
changes silently. The pass mark and the minimum of sheets are read live by
ranking and funding, so they take effect at once.

What an import into the batch checks, the ceiling on one amount and the name
length rule (``set_import_checks``, or ``money_ceiling`` and
``title_length_rule`` among the edited fields), is kept in
``batch.settings`` and read by the next import.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from reviewtool.core import batches as rules
from reviewtool.core.enums import PanelStatus
from reviewtool.core.errors import NotFound, Refused, UserError
from reviewtool.i18n import _
from reviewtool.services import audit
from reviewtool.services.changes import Changes
from reviewtool.storage.models import Application, Batch, BatchRubric, Panel, PanelResult, Rubric

#: Fields a clerk sets on the batch screen, in the form's order.
EDITABLE = (
    "name",
    "year",
    "deadline",
    "budget",
    "threshold",
    "min_sheets",
    "trimmed_min_sheets",
    "spread_threshold",
    "category",
    "description",
    "money_ceiling",
    "title_length_rule",
)
#: Editable fields kept in ``batch.settings`` (what an import of the batch checks), not in columns.
SETTING_FIELDS = ("money_ceiling", "title_length_rule")
#: Fields the stored panel results are computed with.
RESULT_FIELDS = ("trimmed_min_sheets", "spread_threshold")


@dataclass(frozen=True)
class BatchRow:
    """One batch as the batch screen, the CLI and the import list show it."""

    id: int
    name: str
    year: int | None
    category: str | None
    description: str
    deadline: dt.date | None
    budget: Decimal | None
    threshold: Decimal
    min_sheets: int
    trimmed_min_sheets: int
    spread_threshold: Decimal
    closed: bool
    applications: int
    panels: int
    finalised_panels: int
    rubrics: tuple[str, ...]
    money_ceiling: Decimal = rules.DEFAULT_CEILING  # 万元: an imported amount above it is refused
    title_length_rule: str = rules.LENGTH_RULE_OFF  # "warn": titles over 30, unit names over 20 汉字

    @property
    def rules(self) -> rules.BatchRules:
        return rules.BatchRules(self.threshold, self.min_sheets, self.trimmed_min_sheets, self.spread_threshold)

    def as_json(self) -> dict:
        return {
            "id": self.id,
            "name": self.name,
            "year": self.year,
            "category": self.category,
            "description": self.description,
            "deadline": self.deadline,
            "budget": self.budget,
            "threshold": self.threshold,
            "min_sheets": self.min_sheets,
            "trimmed_min_sheets": self.trimmed_min_sheets,
            "spread_threshold": self.spread_threshold,
            "closed": self.closed,
            "applications": self.applications,
            "panels": self.panels,
            "finalised_panels": self.finalised_panels,
            "rubrics": list(self.rubrics),
            "money_ceiling": self.money_ceiling,
            "title_length_rule": self.title_length_rule,
        }


def rules_of(batch: Batch) -> rules.BatchRules:
    """The batch's review rules (defaults where a value is missing)."""
    return rules.BatchRules(
        threshold=batch.threshold if batch.threshold is not None else rules.DEFAULT_THRESHOLD,
        min_sheets=batch.min_sheets or rules.DEFAULT_MIN_SHEETS,
        trimmed_min_sheets=batch.trimmed_min_sheets or rules.DEFAULT_TRIMMED_MIN_SHEETS,
        spread_threshold=(
            batch.spread_threshold if batch.spread_threshold is not None else rules.DEFAULT_SPREAD_THRESHOLD
        ),
    )


def get_batch(session: Session, batch_id: int) -> Batch:
    batch = session.get(Batch, batch_id)
    if batch is None:
        raise NotFound(_("No batch with id {id}.").format(id=batch_id))
    return batch


def find_batch(session: Session, name_or_id: str | int) -> Batch:
    """A batch by its id (a number) or its exact name; ``NotFound`` naming it otherwise."""
    if isinstance(name_or_id, int) or str(name_or_id).strip().isdigit():
        batch = session.get(Batch, int(name_or_id))
        if batch is not None:
            return batch
    batch = session.scalar(select(Batch).where(Batch.name == str(name_or_id).strip()))
    if batch is None:
        raise NotFound(_("No batch named “{name}”.").format(name=name_or_id))
    return batch


def batch_by_name(session: Session, name: str) -> Batch | None:
    """The batch of exactly this name, or ``None``."""
    return session.scalar(select(Batch).where(Batch.name == name))


def list_batches(session: Session) -> list[Batch]:
    """Every batch, newest first."""
    return list(session.scalars(select(Batch).order_by(Batch.created_at.desc(), Batch.id.desc())))


def batch_rows(session: Session, *, include_closed: bool = True) -> list[BatchRow]:
    """Every batch (newest first) with its counts and rubrics, as plain rows."""
    batches = [b for b in list_batches(session) if include_closed or not b.closed]
    if not batches:
        return []
    ids = [b.id for b in batches]
    apps = dict(
        session.execute(
            select(Application.batch_id, func.count(Application.id))
            .where(Application.batch_id.in_(ids))
            .group_by(Application.batch_id)
        ).all()
    )
    panels: dict[int, list[PanelStatus]] = {}
    for batch_id, status in session.execute(select(Panel.batch_id, Panel.status).where(Panel.batch_id.in_(ids))):
        panels.setdefault(batch_id, []).append(status)
    rubric_names: dict[int, list[str]] = {}
    for batch_id, name in session.execute(
        select(BatchRubric.batch_id, Rubric.name)
        .join(Rubric, BatchRubric.rubric_id == Rubric.id)
        .where(BatchRubric.batch_id.in_(ids))
        .order_by(BatchRubric.priority.desc(), BatchRubric.id)
    ):
        rubric_names.setdefault(batch_id, []).append(name)
    return [
        BatchRow(
            id=b.id,
            name=b.name,
            year=b.year,
            category=b.category,
            description=b.description or "",
            deadline=b.deadline,
            budget=b.budget,
            threshold=rules_of(b).threshold,
            min_sheets=rules_of(b).min_sheets,
            trimmed_min_sheets=rules_of(b).trimmed_min_sheets,
            spread_threshold=rules_of(b).spread_threshold,
            closed=b.closed,
            applications=apps.get(b.id, 0),
            panels=len(panels.get(b.id, [])),
            finalised_panels=sum(1 for s in panels.get(b.id, []) if s is PanelStatus.FINALIZED),
            rubrics=tuple(rubric_names.get(b.id, [])),
            money_ceiling=rules.money_ceiling_of(b.settings),
            title_length_rule=rules.length_rule_of(b.settings),
        )
        for b in batches
    ]


def list_open_batches(session: Session) -> list[BatchRow]:
    """Open batches, newest first: the batches an import may go into."""
    return batch_rows(session, include_closed=False)


def batch_row(session: Session, batch_id: int) -> BatchRow:
    get_batch(session, batch_id)
    return next(r for r in batch_rows(session) if r.id == batch_id)


def parse_values(values: dict[str, object]) -> dict[str, object]:
    """Check the fields given (others are left alone); ``UserError`` names the first bad field."""
    unknown = sorted(set(values) - set(EDITABLE))
    if unknown:
        raise UserError(_("Unknown batch field: {fields}").format(fields=", ".join(unknown)))
    parsers = {
        "name": rules.parse_name,
        "year": rules.parse_year,
        "deadline": rules.parse_deadline,
        "budget": lambda v: rules.parse_money("budget", v),
        "threshold": lambda v: rules.parse_points("threshold", v),
        "min_sheets": lambda v: rules.parse_count("min_sheets", v, low=1),
        "trimmed_min_sheets": lambda v: rules.parse_count("trimmed_min_sheets", v, low=3),
        "spread_threshold": lambda v: rules.parse_points("spread_threshold", v),
        "category": rules.parse_category,
        "description": lambda v: "" if v is None else str(v).strip(),
        "money_ceiling": rules.parse_money_ceiling,
        "title_length_rule": rules.parse_length_rule,
    }
    return {key: parsers[key](value) for key, value in values.items()}


def _value(batch: Batch, key: str) -> object:
    """A field's current value (a setting's as it takes effect: the default when not set)."""
    if key == "money_ceiling":
        return rules.money_ceiling_of(batch.settings)
    if key == "title_length_rule":
        return rules.length_rule_of(batch.settings)
    return getattr(batch, key)


def _set(batch: Batch, key: str, value: object) -> None:
    if key not in SETTING_FIELDS:
        setattr(batch, key, value)
        return
    settings = dict(batch.settings or {})
    if key == "money_ceiling":
        settings.pop(rules.MONEY_CEILING_KEY, None)
        if value != rules.DEFAULT_CEILING:
            settings[rules.MONEY_CEILING_KEY] = _plain(value)
    else:
        settings.pop(rules.LENGTH_RULE_KEY, None)
        if value == rules.LENGTH_RULE_WARN:
            settings[rules.LENGTH_RULE_KEY] = True
    batch.settings = settings


def _plain(value: object) -> object:
    """A value as the audit trail stores it (numbers as exact text: 1500, 72.5)."""
    if isinstance(value, Decimal):
        return format(value.normalize(), "f")
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


def _check_name_free(session: Session, name: str, batch_id: int | None) -> None:
    other = batch_by_name(session, name)
    if other is not None and other.id != batch_id:
        raise UserError(
            _("{field}: a batch named “{name}” already exists.").format(field=rules.label("name"), name=name)
        )


def create_batch(session: Session, values: dict[str, object], *, actor: str) -> tuple[int, Changes]:
    """A new open batch with the given fields (name required; the rules default
    to the bureau's practice: pass mark 70, 3 sheets, trimming from 5, spread 20)."""
    if "name" not in values:
        raise UserError(_("{field}: a name is required.").format(field=rules.label("name")))
    parsed = parse_values(values)
    _check_name_free(session, parsed["name"], None)
    batch = Batch(
        name=parsed["name"],
        threshold=rules.DEFAULT_THRESHOLD,
        min_sheets=rules.DEFAULT_MIN_SHEETS,
        trimmed_min_sheets=rules.DEFAULT_TRIMMED_MIN_SHEETS,
        spread_threshold=rules.DEFAULT_SPREAD_THRESHOLD,
    )
    if parsed.get("year") is None:
        parsed["year"] = rules.year_of(parsed["name"])
    for key, value in parsed.items():
        _set(batch, key, value)
    rules.check_rules(rules_of(batch))
    session.add(batch)
    session.flush()
    audit.record(
        session,
        actor=actor,
        action="batch.create",
        entity_type="batch",
        entity_id=batch.id,
        batch_id=batch.id,
        summary=_("Batch {name} created").format(name=batch.name),
        details={key: _plain(_value(batch, key)) for key in EDITABLE},
    )
    return batch.id, Changes(batches=True, message=_("Batch {name} created.").format(name=batch.name))


def _require_open(batch: Batch) -> None:
    if batch.closed:
        raise Refused(_("Batch {name} is closed; reopen it before changing it.").format(name=batch.name))


def _locked_results(session: Session, batch_id: int) -> int:
    return (
        session.scalar(
            select(func.count(PanelResult.application_id))
            .join(Application, PanelResult.application_id == Application.id)
            .where(Application.batch_id == batch_id, PanelResult.locked.is_(True))
        )
        or 0
    )


def update_batch(session: Session, batch_id: int, values: dict[str, object], *, actor: str) -> Changes:
    """Change the given fields of an open batch; unchanged values are no change."""
    batch = get_batch(session, batch_id)
    _require_open(batch)
    parsed = parse_values(values)
    changed = {key: (_value(batch, key), value) for key, value in parsed.items() if _value(batch, key) != value}
    if not changed:
        return Changes()
    if "name" in changed:
        _check_name_free(session, parsed["name"], batch.id)
    proposed = {**{k: getattr(batch, k) for k in RESULT_FIELDS + ("threshold", "min_sheets")}, **parsed}
    rules.check_rules(
        rules.BatchRules(
            proposed["threshold"], proposed["min_sheets"], proposed["trimmed_min_sheets"], proposed["spread_threshold"]
        )
    )
    recompute = any(key in changed for key in RESULT_FIELDS)
    if recompute and _locked_results(session, batch.id):
        raise Refused(
            _(
                "Batch {name}: a panel is finalised, so its results are locked; reopen the panel before "
                "changing the trimmed-mean rule or the spread threshold."
            ).format(name=batch.name)
        )
    for key, (_old, new) in changed.items():
        _set(batch, key, new)
    session.flush()
    recomputed = 0
    if recompute:
        from reviewtool.services.scoring.results import recompute_batch

        recomputed = recompute_batch(session, batch.id)
    audit.record(
        session,
        actor=actor,
        action="batch.edit",
        entity_type="batch",
        entity_id=batch.id,
        batch_id=batch.id,
        summary=_("Batch {name} changed: {fields}").format(
            name=batch.name, fields=", ".join(rules.label(k) for k in changed)
        ),
        details={k: {"old": _plain(o), "new": _plain(n)} for k, (o, n) in changed.items()},
    )
    return Changes(
        batches=True,
        sheets=recompute,
        message=_("Batch {name} saved.").format(name=batch.name),
        details={"recomputed": recomputed},
    )


def set_import_checks(
    session: Session,
    batch_id: int,
    *,
    actor: str,
    money_ceiling: object = None,
    title_length_rule: object = None,
) -> Changes:
    """Set what an import into the batch checks: the ceiling on one amount (万元; ``""`` for the default
    100,000) and the name length rule (``"off"`` or ``"warn"``); None leaves one as it is. An edit of the
    batch like any other (``update_batch``): an open batch only, audited as ``batch.edit``."""
    values = {"money_ceiling": money_ceiling, "title_length_rule": title_length_rule}
    return update_batch(session, batch_id, {k: v for k, v in values.items() if v is not None}, actor=actor)


def _set_closed(session: Session, batch_id: int, closed: bool, reason: str, *, actor: str) -> Changes:
    batch = get_batch(session, batch_id)
    if batch.closed == closed:
        return Changes()
    batch.closed = closed
    audit.record(
        session,
        actor=actor,
        action="batch.close" if closed else "batch.reopen",
        entity_type="batch",
        entity_id=batch.id,
        batch_id=batch.id,
        summary=(_("Batch {name} closed") if closed else _("Batch {name} reopened")).format(name=batch.name),
        details={"reason": reason},
    )
    session.flush()
    message = _("Batch {name} closed.") if closed else _("Batch {name} reopened.")
    return Changes(batches=True, message=message.format(name=batch.name))


def close_batch(session: Session, batch_id: int, *, actor: str, reason: str = "") -> Changes:
    """Close a batch: no more imports into it, no more edits of its rules or funding."""
    return _set_closed(session, batch_id, True, reason.strip(), actor=actor)


def reopen_batch(session: Session, batch_id: int, *, actor: str, reason: str) -> Changes:
    """Reopen a closed batch; the reason is required and recorded."""
    if not (reason or "").strip():
        raise UserError(_("Give a reason for reopening the batch."))
    return _set_closed(session, batch_id, False, reason.strip(), actor=actor)
