"""Formal review pre-filled where the data can decide (形式审查预审).

For each checklist item the data can judge, a ``Suggestion``: passed,
failed or undecided (``None``: the data is missing), with the evidence in
words. Staff then confirm it or override it with a reason
(``formal_review.record_review`` checks that).

- ``cofunding_ratio`` (自筹 : 申请): 自筹经费 / 申请专项经费 against the batch's
  minimum ratio;
- ``on_time``: the arrival date against the batch's deadline;
- ``within_limit`` (限项): the project leader's and the unit's open
  applications, counted across every open batch, against the batch's limits;
- ``unit_registered``: the unit's registration date against the batch's
  cut-off;
- ``pi_age``: the project leader's age on the deadline against the batch's
  maximum.

The batch sets the limits (``batch.settings["formal_limits"]``, with
``set_limits``); setting a registration cut-off or an age limit adds that
item to the batch's checklist (``formal_limits``). Dates the summary sheet does not have a
column for (arrival, registration, birth) come from the columns an import
kept as extra fields (申报日期 / 提交日期 …, 单位注册日期 / 成立日期 …,
负责人出生日期 / 年龄 / 身份证号 …).
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from reviewtool.core.enums import ApplicationStatus
from reviewtool.core.errors import NotFound, UserError
from reviewtool.i18n import _
from reviewtool.storage.models import Application, Batch

LIMITS_KEY = "formal_limits"
#: Items the data can decide.
AUTO_CODES = ("cofunding_ratio", "on_time", "within_limit", "unit_registered", "pi_age")
#: Statuses that no longer count as an open application (限项).
CLOSED_STATUSES = (ApplicationStatus.WITHDRAWN, ApplicationStatus.FORMAL_FAILED, ApplicationStatus.NOT_RECOMMENDED)

ARRIVAL_HEADERS = ("申报日期", "提交日期", "提交时间", "申报时间", "受理日期", "报送日期", "收件日期", "到达日期")
REGISTRATION_HEADERS = ("单位注册日期", "注册日期", "单位成立日期", "成立日期", "注册时间", "成立时间")
BIRTH_HEADERS = ("负责人出生日期", "出生日期", "负责人出生年月", "出生年月", "出生年份")
AGE_HEADERS = ("负责人年龄", "年龄")
ID_HEADERS = ("负责人身份证号", "身份证号", "身份证号码", "证件号码")


@dataclass(frozen=True)
class FormalLimits:
    """What the batch requires; ``None`` where it sets no limit."""

    cofunding_ratio: Decimal | None = None  # 自筹 at least this × 申请
    pi_limit: int | None = None  # open applications per project leader, this one included
    unit_limit: int | None = None  # open applications per unit, this one included
    registered_before: dt.date | None = None
    pi_max_age: int | None = None

    def as_json(self) -> dict:
        return {
            "cofunding_ratio": None if self.cofunding_ratio is None else format(self.cofunding_ratio, "f"),
            "pi_limit": self.pi_limit,
            "unit_limit": self.unit_limit,
            "registered_before": self.registered_before.isoformat() if self.registered_before else None,
            "pi_max_age": self.pi_max_age,
        }


@dataclass(frozen=True)
class Suggestion:
    code: str
    passed: bool | None  # None: the data cannot decide
    evidence: str

    def as_json(self) -> dict:
        return {"code": self.code, "passed": self.passed, "evidence": self.evidence}


def limits_of(batch: Batch) -> FormalLimits:
    raw = (batch.settings or {}).get(LIMITS_KEY) or {}
    ratio = raw.get("cofunding_ratio")
    before = raw.get("registered_before")
    return FormalLimits(
        cofunding_ratio=Decimal(str(ratio)) if ratio not in (None, "") else None,
        pi_limit=int(raw["pi_limit"]) if raw.get("pi_limit") else None,
        unit_limit=int(raw["unit_limit"]) if raw.get("unit_limit") else None,
        registered_before=dt.date.fromisoformat(before) if before else None,
        pi_max_age=int(raw["pi_max_age"]) if raw.get("pi_max_age") else None,
    )


def parse_limits(values: dict[str, Any]) -> FormalLimits:
    """Check what a clerk typed (text or typed values); ``UserError`` names the field."""

    def text(key: str) -> str:
        value = values.get(key)
        return "" if value is None else str(value).strip()

    ratio = None
    if text("cofunding_ratio"):
        try:
            ratio = Decimal(text("cofunding_ratio").replace("：", ":").split(":")[0])
        except InvalidOperation:
            ratio = None
        if (
            ratio is None
            or not ratio.is_finite()
            or ratio < 0
            or ratio > 100
            or ratio != ratio.quantize(Decimal("0.01"))
        ):
            raise UserError(
                _("Co-funding ratio: “{text}” is not a ratio from 0 to 100 (e.g. 1 for 1 : 1).").format(
                    text=text("cofunding_ratio")
                )
            )

    def count(key: str, title: str, high: int) -> int | None:
        if not text(key):
            return None
        if not re.fullmatch(r"\d{1,3}", text(key)) or not 1 <= int(text(key)) <= high:
            raise UserError(
                _("{field}: “{text}” must be a whole number from 1 to {high}.").format(
                    field=title, text=text(key), high=high
                )
            )
        return int(text(key))

    before = None
    if text("registered_before"):
        try:
            before = dt.date.fromisoformat(text("registered_before").replace("/", "-"))
        except ValueError:
            raise UserError(
                _("Registered on or before: “{text}” is not a date (YYYY-MM-DD).").format(
                    text=text("registered_before")
                )
            ) from None
    return FormalLimits(
        cofunding_ratio=ratio,
        pi_limit=count("pi_limit", _("Applications per project leader"), 99),
        unit_limit=count("unit_limit", _("Applications per unit"), 999),
        registered_before=before,
        pi_max_age=count("pi_max_age", _("Project leader's maximum age"), 100),
    )


def age_date(batch: Batch) -> dt.date:
    """The date ages are counted on: the batch's deadline (today when it has none)."""
    return batch.deadline or dt.date.today()


# -- reading the data ------------------------------------------------------


def _extra(application: Application, headers: tuple[str, ...]) -> tuple[str, str] | None:
    extra = application.extra_fields or {}
    for header in headers:
        for key, value in extra.items():
            if re.sub(r"\s+", "", str(key)) == header and value not in (None, ""):
                return header, str(value).strip()
    return None


def parse_date(text: str) -> dt.date | None:
    """2026-03-10, 2026/3/10, 2026.3.10, 2026年3月10日, 20260310, 2026-03 (the first of the month), 1975."""
    text = text.strip()
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}[ T].*", text):
        text = text[:10]
    match = re.fullmatch(r"(\d{4})[-/.年](\d{1,2})(?:[-/.月](\d{1,2})日?)?月?", text)
    if match:
        year, month, day = int(match.group(1)), int(match.group(2)), int(match.group(3) or 1)
    elif re.fullmatch(r"\d{8}", text):
        year, month, day = int(text[:4]), int(text[4:6]), int(text[6:])
    elif re.fullmatch(r"\d{4}年?", text):
        year, month, day = int(text[:4]), 1, 1
    else:
        return None
    try:
        return dt.date(year, month, day)
    except ValueError:
        return None


def _years(born: dt.date, on: dt.date) -> int:
    return on.year - born.year - ((on.month, on.day) < (born.month, born.day))


def _norm(name: str) -> str:
    return re.sub(r"\s+", "", name or "")


def _ratio_text(value: Decimal) -> str:
    return format(value.quantize(Decimal("0.01")), "f")


def cofunding(application: Application, limits: FormalLimits) -> Suggestion | None:
    requested, own = application.requested_amount or Decimal(0), application.self_funding
    if limits.cofunding_ratio is None:
        if own is None or not requested:
            return None
        return Suggestion(
            "cofunding_ratio",
            None,
            _("Self-funding {own} : requested {requested} (10k yuan) = {ratio} : 1; the batch sets no minimum.").format(
                own=own, requested=requested, ratio=_ratio_text(own / requested)
            ),
        )
    if not requested:
        return Suggestion("cofunding_ratio", None, _("No requested amount: the ratio cannot be computed."))
    if own is None:
        return Suggestion("cofunding_ratio", None, _("No self-funding (自筹经费) given: check the budget by hand."))
    ratio = own / requested
    return Suggestion(
        "cofunding_ratio",
        ratio >= limits.cofunding_ratio,
        _(
            "Self-funding {own} : requested {requested} (10k yuan) = {ratio} : 1; at least {minimum} : 1 required."
        ).format(own=own, requested=requested, ratio=_ratio_text(ratio), minimum=_ratio_text(limits.cofunding_ratio)),
    )


def on_time(application: Application, batch: Batch) -> Suggestion | None:
    found = _extra(application, ARRIVAL_HEADERS)
    if batch.deadline is None:
        return None
    if found is None:
        return Suggestion("on_time", None, _("No arrival date in the data (a 提交日期 column): check by hand."))
    header, text = found
    arrived = parse_date(text)
    if arrived is None:
        return Suggestion("on_time", None, _("{header} “{text}” is not a date: check by hand.").format(
            header=header, text=text))  # fmt: skip
    return Suggestion(
        "on_time",
        arrived <= batch.deadline,
        _("{header} {arrived}; the deadline was {deadline}.").format(
            header=header, arrived=arrived.isoformat(), deadline=batch.deadline.isoformat()
        ),
    )


def open_counts(session: Session, application: Application) -> tuple[int, int]:
    """(the project leader's, the unit's) open applications across every open batch, this one included."""
    open_apps = (
        select(Application.id, Application.pi_name, Application.unit_id)
        .join(Batch, Application.batch_id == Batch.id)
        .where(Batch.closed.is_(False), Application.status.not_in(CLOSED_STATUSES))
    )
    pi = _norm(application.pi_name)
    pi_count = unit_count = 0
    for _id, pi_name, _unit in session.execute(open_apps.where(Application.unit_id == application.unit_id)):
        unit_count += 1
        if _norm(pi_name) == pi:
            pi_count += 1
    # The same leader may apply through another unit (e.g. a partner's): count namesakes with the same phone.
    if application.pi_phone:
        pi_count += (
            session.scalar(
                select(func.count()).select_from(
                    open_apps.where(
                        Application.unit_id != application.unit_id, Application.pi_phone == application.pi_phone
                    ).subquery()
                )  # fmt: skip
            )
            or 0
        )
    return pi_count, unit_count


def within_limit(session: Session, application: Application, limits: FormalLimits) -> Suggestion:
    pi_count, unit_count = open_counts(session, application)
    counted = _("{pi} has {pi_count} open applications in the open batches; the unit has {unit_count}.").format(
        pi=application.pi_name, pi_count=pi_count, unit_count=unit_count
    )
    if limits.pi_limit is None and limits.unit_limit is None:
        return Suggestion("within_limit", None, counted + " " + _("The batch sets no limit."))
    over = []
    if limits.pi_limit is not None and pi_count > limits.pi_limit:
        over.append(_("at most {limit} per project leader").format(limit=limits.pi_limit))
    if limits.unit_limit is not None and unit_count > limits.unit_limit:
        over.append(_("at most {limit} per unit").format(limit=limits.unit_limit))
    if over:
        return Suggestion("within_limit", False, counted + " " + _("Over the limit: {rules}.").format(
            rules="；".join(over)))  # fmt: skip
    return Suggestion("within_limit", True, counted)


def unit_registered(application: Application, limits: FormalLimits) -> Suggestion | None:
    if limits.registered_before is None:
        return None
    found = _extra(application, REGISTRATION_HEADERS)
    if found is None:
        return Suggestion(
            "unit_registered", None, _("No registration date in the data (a 注册日期 column): check by hand.")
        )
    header, text = found
    registered = parse_date(text)
    if registered is None:
        return Suggestion("unit_registered", None, _("{header} “{text}” is not a date: check by hand.").format(
            header=header, text=text))  # fmt: skip
    return Suggestion(
        "unit_registered",
        registered <= limits.registered_before,
        _("{header} {date}; the cut-off is {cutoff}.").format(
            header=header, date=registered.isoformat(), cutoff=limits.registered_before.isoformat()
        ),
    )


def birth_date(application: Application) -> tuple[str, dt.date | None, int | None]:
    """(where it came from, the birth date or None, the stated age or None)."""
    found = _extra(application, BIRTH_HEADERS)
    if found is not None:
        return found[0], parse_date(found[1]), None
    found = _extra(application, ID_HEADERS)
    if found is not None and re.fullmatch(r"\d{17}[\dXx]", found[1]):
        return found[0], parse_date(found[1][6:14]), None
    found = _extra(application, AGE_HEADERS)
    if found is not None and re.fullmatch(r"\d{1,3}", found[1]):
        return found[0], None, int(found[1])
    return "", None, None


def pi_age(application: Application, batch: Batch, limits: FormalLimits) -> Suggestion | None:
    if limits.pi_max_age is None:
        return None
    source, born, stated = birth_date(application)
    on = age_date(batch)
    if born is None and stated is None:
        return Suggestion("pi_age", None, _("No birth date or age of the project leader in the data: check by hand."))
    age = _years(born, on) if born is not None else stated
    evidence = (
        _("{source}: born {born}, {age} years old on {date}; at most {limit}.").format(
            source=source, born=born.isoformat(), age=age, date=on.isoformat(), limit=limits.pi_max_age
        )
        if born is not None
        else _("{source}: {age} years old; at most {limit}.").format(source=source, age=age, limit=limits.pi_max_age)
    )
    return Suggestion("pi_age", age <= limits.pi_max_age, evidence)


def suggestions(session: Session, application_id: int) -> dict[str, Suggestion]:
    """Item code → what the data says, for the items it can judge."""
    application = session.get(Application, application_id)
    if application is None:
        raise NotFound(_("Application {id} does not exist.").format(id=application_id))
    batch = session.get(Batch, application.batch_id)
    limits = limits_of(batch)
    found = [
        cofunding(application, limits),
        on_time(application, batch),
        within_limit(session, application, limits),
        unit_registered(application, limits),
        pi_age(application, batch, limits),
    ]
    return {s.code: s for s in found if s is not None}
