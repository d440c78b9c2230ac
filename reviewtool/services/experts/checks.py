"""What an expert's fields must look like, for the form and the pool workbook.

The 回避 rules compare the expert's name and unit with applicants', namesakes
are told apart by the ID tail, and the contact lists dial the phone and mail
the address, so these are checked, each problem naming its field:

- name: 1–64 characters with at least one letter or 汉字 (not "-1" or "123");
- unit and units to avoid: at least one letter or 汉字 (not "-5" or "-1": the
  same-unit rule would compare that number with applicants' units);
- unit, title, speciality, persons to avoid: no longer than their columns;
- phone: a mainland mobile (11 digits, 1[3-9]…), a landline with its area
  code (0972-8123456, 0972 8123456 转 801), a 7–8 digit local number, each
  optionally after +86; never negative, never a formula or a float exponent;
- e-mail: one @, a dotted domain, no spaces, at most 120 characters;
- ID tail (身份证后四位): four characters, digits with an optional final X.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from reviewtool.i18n import N_, _
from reviewtool.storage.lengths import length_problem
from reviewtool.storage.models import Expert, ExpertRelation, Unit

_MOBILE = re.compile(r"^1[3-9]\d{9}$")
_LANDLINE = re.compile(r"^0\d{2,3}[2-9]\d{6,7}$")
_LOCAL = re.compile(r"^[2-9]\d{6,7}$")
_EXTENSION = re.compile(r"(?:转|分机|ext\.?|x|#)\s*(\d{1,6})$", re.I)
_SEPARATORS = re.compile(r"[\s\-()（）]")
_EMAIL = re.compile(r"^[^@\s]+@[^@\s.]+(\.[^@\s.]+)+$")
_ID_TAIL = re.compile(r"^\d{3}[\dXx]$")

#: How messages name each field (the pool workbook's headers).
FIELD_LABELS = {
    "name": N_("name (姓名)"),
    "unit": N_("unit (工作单位)"),
    "title": N_("title (职称)"),
    "speciality": N_("speciality (专业)"),
    "phone": N_("phone (手机)"),
    "email": N_("e-mail (电子邮箱)"),
    "id_tail": N_("ID tail (身份证后四位)"),
    "avoid_persons": N_("persons to avoid (回避人员)"),
    "avoid_units": N_("units to avoid (回避单位)"),
}


def phone_problem(text: str) -> str | None:
    """Why ``text`` is not a phone number, or ``None`` when it is one."""
    raw = text.strip()
    if raw.startswith("-"):
        return _("“{value}” is negative, not a phone number").format(value=raw)
    body = _EXTENSION.sub("", raw)
    digits = _SEPARATORS.sub("", body)
    if digits.startswith("+86"):
        digits = digits[3:]
    elif digits.startswith("0086"):
        digits = digits[4:]
    if not digits.isdigit() or not digits.isascii():
        return _("“{value}” is not a phone number (digits, spaces and - only)").format(value=raw)
    if _MOBILE.match(digits) or _LANDLINE.match(digits) or _LOCAL.match(digits):
        return None
    return _("“{value}” is not a phone number (an 11-digit mobile, or a landline with its area code)").format(value=raw)


def email_problem(text: str) -> str | None:
    value = text.strip()
    if _EMAIL.match(value) and len(value) <= 120:
        return None
    return _("“{value}” is not an e-mail address").format(value=value[:40])


def id_tail_problem(text: str) -> str | None:
    value = text.strip()
    if _ID_TAIL.match(value):
        return None
    return _("“{value}” is not the last four characters of an ID number (four digits, or three and X)").format(
        value=value[:20]
    )


def unit_problem(text: str, *, field: str = "unit") -> str | None:
    """Why ``text`` is not a unit's name (``None`` when it is one, or is empty: no unit)."""
    value = text.strip()
    if value and not any(ch.isalpha() for ch in value):
        return _("“{value}” is not a unit's name (it has no letters or 汉字)").format(value=value[:20])
    return length_problem(value, Unit.name, field=_(FIELD_LABELS[field]))


def phone_key(text: str | None) -> str:
    """A phone number as compared with another: its digits, without +86 (empty for none)."""
    raw = (text or "").strip()
    digits = re.sub(r"\D", "", raw)
    if raw.startswith("+86"):
        digits = digits[2:]
    elif raw.startswith("0086"):
        digits = digits[4:]
    return digits


def email_key(text: str | None) -> str:
    return (text or "").strip().casefold()


def name_problem(text: str) -> str | None:
    value = text.strip()
    if not value:
        return _("the name is missing")
    if not any(ch.isalpha() for ch in value):
        return _("“{value}” is not a person's name").format(value=value[:20])
    return length_problem(value, Expert.name, field=_(FIELD_LABELS["name"]))


def field_problems(
    *,
    name: str,
    unit: str | None = None,
    title: str | None = None,
    speciality: str | None = None,
    phone: str | None = None,
    email: str | None = None,
    id_tail: str | None = None,
    avoid_units: Iterable[str] = (),
    avoid_persons: Iterable[str] = (),
) -> dict[str, str]:
    """Every problem of one expert's fields, by field key (empty when all is well)."""
    problems: dict[str, str] = {}

    def add(key: str, problem: str | None) -> None:
        if problem and key not in problems:
            problems[key] = problem

    add("name", name_problem(name))
    add("unit", unit_problem(unit or ""))
    add("title", length_problem((title or "").strip(), Expert.title, field=_(FIELD_LABELS["title"])))
    add(
        "speciality", length_problem((speciality or "").strip(), Expert.speciality, field=_(FIELD_LABELS["speciality"]))
    )
    if phone and phone.strip():
        add("phone", phone_problem(phone))
        add("phone", length_problem(phone.strip(), Expert.phone, field=_(FIELD_LABELS["phone"])))
    if email and email.strip():
        add("email", email_problem(email))
    if id_tail and id_tail.strip():
        add("id_tail", id_tail_problem(id_tail))
    for unit_name in avoid_units:
        add("avoid_units", unit_problem(unit_name, field="avoid_units"))
    for person in avoid_persons:
        add("avoid_persons", name_problem(person) and _("“{value}”: {problem}").format(
            value=person[:20], problem=name_problem(person)))  # fmt: skip
        add("avoid_persons", length_problem(person, ExpertRelation.person_name, field=_(FIELD_LABELS["avoid_persons"])))
    return problems
