"""The application form's values and their validation (shared by the GUI, as you type, and the service)."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import asdict, dataclass, field
from decimal import Decimal

from reviewtool.core.enums import UnitType
from reviewtool.core.intake.fields import COUNTIES, TEXT_LIMITS
from reviewtool.core.intake.values import parse_money
from reviewtool.i18n import _

_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_PHONE = re.compile(r"^[\d\-+() ]{5,20}$")


@dataclass
class ApplicationForm:
    """Every field of DOMAIN.md's application summary, as the form holds them.

    Money fields are text as typed (parsed with ``parse_money``), months are
    dates (first of the month) or None.
    """

    number: str = ""
    title: str = ""
    category: str = ""
    guide_direction: str = ""
    innovation_type: str = ""
    activity_type: str = ""
    unit_name: str = ""
    unit_type: UnitType = UnitType.OTHER
    county: str = ""
    partner_units: str = ""
    pi_name: str = ""
    pi_title: str = ""
    pi_phone: str = ""
    pi_email: str = ""
    contact_name: str = ""
    contact_phone: str = ""
    team_size: int | None = None
    start_date: dt.date | None = None
    end_date: dt.date | None = None
    total_budget: str = ""
    requested_amount: str = ""
    self_funding: str = ""
    budget_lines: dict[str, str] = field(default_factory=dict)
    outputs: dict[str, str] = field(default_factory=dict)
    abstract: str = ""
    primary_area: str = ""
    secondary_areas: list[str] = field(default_factory=list)

    def as_dict(self) -> dict:
        return asdict(self)


#: Field key → label used in messages and the form (marked for translation by the GUI module).
REQUIRED = ("title", "unit_name", "pi_name", "requested_amount")


def validate_form(form: ApplicationForm, *, known_areas: set[str] | None = None) -> dict[str, str]:
    """Field key → translated problem; empty when the form can be saved."""
    problems: dict[str, str] = {}
    for key in REQUIRED:
        if not str(getattr(form, key) or "").strip():
            problems[key] = _("Required.")
    for key, limit in TEXT_LIMITS.items():
        value = getattr(form, key, None)
        if isinstance(value, str) and len(value.strip()) > limit:
            problems[key] = _("At most {limit} characters ({length} given).").format(
                limit=limit, length=len(value.strip())
            )
    money: dict[str, Decimal | None] = {}
    for key in ("total_budget", "requested_amount", "self_funding"):
        text = getattr(form, key)
        if key in problems:
            continue
        try:
            money[key] = parse_money(text or None)
        except ValueError as exc:
            problems[key] = str(exc)
    for line, text in form.budget_lines.items():
        try:
            parse_money(text or None)
        except ValueError as exc:
            problems[f"budget:{line}"] = str(exc)
    total, requested, own = money.get("total_budget"), money.get("requested_amount"), money.get("self_funding")
    if total is not None and requested is not None and requested > total:
        problems["requested_amount"] = _("More than the total budget.")
    if (
        total is not None
        and requested is not None
        and own is not None
        and requested + own != total
        and "total_budget" not in problems
    ):
        problems["total_budget"] = _("Requested plus self-funding is {sum}, not the total.").format(sum=requested + own)
    if form.start_date and form.end_date and form.end_date < form.start_date:
        problems["end_date"] = _("The end is before the start.")
    if form.county and form.county not in COUNTIES:
        problems["county"] = _("Unknown county.")
    if form.pi_email and not _EMAIL.match(form.pi_email.strip()):
        problems["pi_email"] = _("Not an e-mail address.")
    for key in ("pi_phone", "contact_phone"):
        value = getattr(form, key).strip()
        if value and not _PHONE.match(value):
            problems[key] = _("Not a telephone number.")
    if form.team_size is not None and form.team_size < 0:
        problems["team_size"] = _("Cannot be negative.")
    if known_areas is not None:
        if form.primary_area and form.primary_area not in known_areas:
            problems["primary_area"] = _("Not an area of the plan.")
        if any(code not in known_areas for code in form.secondary_areas):
            problems["secondary_areas"] = _("Not an area of the plan.")
    if form.secondary_areas and not form.primary_area:
        problems["primary_area"] = _("Choose a primary area before secondary ones.")
    return problems
