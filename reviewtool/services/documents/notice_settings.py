"""Per-batch settings of the documents sent out: the 公示 notice, the
letters to applicants, and the meeting paperwork.

Stored in ``Batch.settings["documents"]`` (JSON, no schema change), so
every workstation on the database prints the same notice. Dates are ISO
text there; money (the per-expert fee, in 元) is Decimal text.

- ``notice_settings(session, batch_id)`` reads them (defaults filled in);
- ``set_notice_settings(session, batch, changes, actor=)`` validates and
  stores a partial change, audited, and returns ``Changes``.

Bad values raise ``UserError`` naming the field; nothing is stored then.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import asdict, dataclass, fields, replace
from decimal import Decimal, InvalidOperation
from typing import Any

from sqlalchemy.orm import Session

from reviewtool.core.errors import UserError
from reviewtool.i18n import N_, _
from reviewtool.services import audit
from reviewtool.services.changes import Changes
from reviewtool.services.scoring.ranking import find_batch
from reviewtool.storage.models import Batch

SETTINGS_KEY = "documents"

DEFAULT_OBJECTION = N_(
    "Any unit or person who objects to a listed project may lodge an objection in writing with the bureau "
    "during the notice period, with the facts and supporting material. A unit's objection must bear its seal; "
    "a person's must be signed with their real name and give a contact address. Anonymous objections and "
    "objections received after the period are not accepted."
)


@dataclass(frozen=True)
class NoticeSettings:
    """What the notices and letters of one batch say."""

    publicity_start: dt.date | None = None  # 公示期 from
    publicity_end: dt.date | None = None  # 公示期 to
    objection: str = ""  # how to lodge an 异议; "" prints the standard text
    contact: str = ""  # 联系人
    phone: str = ""  # 联系电话
    address: str = ""  # 通讯地址 / 受理地点
    issued: dt.date | None = None  # the date printed under the bureau's name; None: the day of export
    show_amount: bool = False  # the 公示名单 shows the recommended amount
    review_days: int = 15  # days after the date of issue to ask for 复核
    fee_per_expert: Decimal = Decimal("800")  # 专家评审费, 元 per expert and meeting
    meeting_date: dt.date | None = None
    meeting_place: str = ""

    def objection_text(self) -> str:
        return self.objection or _(DEFAULT_OBJECTION)

    def issue_date(self, today: dt.date | None = None) -> dt.date:
        return self.issued or today or dt.date.today()

    def review_deadline(self, today: dt.date | None = None) -> dt.date:
        return self.issue_date(today) + dt.timedelta(days=self.review_days)

    def as_json(self) -> dict[str, Any]:
        out = asdict(self)
        for key, value in out.items():
            if isinstance(value, dt.date):
                out[key] = value.isoformat()
            elif isinstance(value, Decimal):
                out[key] = f"{value:f}"
        return out


#: field → (label for messages, kind)
FIELDS: dict[str, tuple[str, str]] = {
    "publicity_start": (N_("Notice period from"), "date"),
    "publicity_end": (N_("Notice period to"), "date"),
    "objection": (N_("How to lodge an objection"), "text"),
    "contact": (N_("Contact person"), "text"),
    "phone": (N_("Contact phone"), "text"),
    "address": (N_("Address"), "text"),
    "issued": (N_("Date of issue"), "date"),
    "show_amount": (N_("Show the amount in the notice list"), "bool"),
    "review_days": (N_("Days to ask for re-review"), "int"),
    "fee_per_expert": (N_("Review fee per expert (yuan)"), "money"),
    "meeting_date": (N_("Meeting date"), "date"),
    "meeting_place": (N_("Meeting place"), "text"),
}


def _parse(name: str, value: Any) -> Any:
    label, kind = FIELDS[name]
    if value is None or (isinstance(value, str) and not value.strip() and kind != "text"):
        default = getattr(NoticeSettings(), name)
        return default
    try:
        if kind == "date":
            return value if isinstance(value, dt.date) else dt.date.fromisoformat(str(value).strip())
        if kind == "int":
            number = int(str(value).strip())
            if not 0 <= number <= 365:
                raise ValueError
            return number
        if kind == "money":
            amount = Decimal(str(value).strip().replace(",", ""))
            if not amount.is_finite() or amount < 0:
                raise ValueError
            return amount.quantize(Decimal("0.01"))
        if kind == "bool":
            if isinstance(value, bool):
                return value
            text = str(value).strip().lower()
            if text in ("1", "true", "yes", "on", "是"):
                return True
            if text in ("0", "false", "no", "off", "否"):
                return False
            raise ValueError
    except (ValueError, InvalidOperation) as exc:
        raise UserError(_("{field}: “{value}” is not valid.").format(field=_(label), value=value)) from exc
    return str(value).strip()


def parse_fee(value: object) -> Decimal:
    """A review fee in 元 (``UserError`` naming the field when it is not one)."""
    return _parse("fee_per_expert", value)


def _from_stored(stored: Mapping[str, Any]) -> NoticeSettings:
    values = {}
    for f in fields(NoticeSettings):
        if f.name in stored:
            try:
                values[f.name] = _parse(f.name, stored[f.name])
            except UserError:
                continue  # an unreadable stored value falls back to its default
    return NoticeSettings(**values)


def settings_of(batch: Batch) -> NoticeSettings:
    return _from_stored((batch.settings or {}).get(SETTINGS_KEY) or {})


def notice_settings(session: Session, batch_id: int) -> NoticeSettings:
    batch = session.get(Batch, batch_id)
    if batch is None:
        raise UserError(_("No batch with id {id}.").format(id=batch_id))
    return settings_of(batch)


def set_notice_settings(session: Session, batch: str | int, changes: Mapping[str, Any], *, actor: str) -> Changes:
    """Store some of the batch's notice settings (the others are kept)."""
    found = find_batch(session, batch)
    unknown = sorted(set(changes) - set(FIELDS))
    if unknown:
        raise UserError(_("Unknown notice setting: {names}.").format(names=", ".join(unknown)))
    old = settings_of(found)
    new = replace(old, **{name: _parse(name, value) for name, value in changes.items()})
    if new.publicity_start and new.publicity_end and new.publicity_end < new.publicity_start:
        raise UserError(
            _("{field}: the notice period ends before it starts.").format(field=_(FIELDS["publicity_end"][0]))
        )
    if new == old:
        return Changes(message=_("Nothing changed."))
    stored = new.as_json()
    found.settings = {**(found.settings or {}), SETTINGS_KEY: stored}
    before = old.as_json()
    diff = {k: {"from": before[k], "to": v} for k, v in stored.items() if before[k] != v}
    audit.record(
        session,
        actor=actor,
        action="documents.notice_settings",
        entity_type="batch",
        entity_id=found.id,
        batch_id=found.id,
        summary=_("Changed the notice settings of {batch}").format(batch=found.name),
        details=diff,
    )
    return Changes(batches=True, message=_("Notice settings saved."), details=diff)
