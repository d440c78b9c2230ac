"""Column mappings (表头对应): which header of a sheet feeds which field.

A mapping is ``{header text: field key | IGNORE | EXTRA}``. The clerk gives
one with ``--map 'HEADER=FIELD'`` (FIELD as the template's Chinese label or
the key) or in the import dialog; it can be saved under a name
(``MappingProfile``, shared by every workstation) and is then reused by name,
or automatically for a sheet whose headers are those it was saved from.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from reviewtool.core.errors import NotFound, UserError
from reviewtool.core.intake.fields import EXTRA, FIELDS, FIELDS_BY_KEY, IGNORE, resolve_target
from reviewtool.core.tables.text import normalise_header
from reviewtool.i18n import _
from reviewtool.services import audit
from reviewtool.services.changes import Changes
from reviewtool.storage.models import MappingProfile

PROFILE_NAME_LIMIT = 100


def parse_map_options(items: list[str] | tuple[str, ...]) -> dict[str, str]:
    """``["资助金额=申请经费", "备注=ignore"]`` → ``{"资助金额": "requested_amount", "备注": IGNORE}``."""
    mapping: dict[str, str] = {}
    for item in items:
        header, sep, target = item.partition("=")
        if not sep or not header.strip() or not target.strip():
            raise UserError(_("--map needs HEADER=FIELD, not “{item}”.").format(item=item))
        key = resolve_target(target)
        if key is None:
            raise UserError(
                _("“{target}” is not a field of the import (fields: {fields}; or 忽略 / 附加信息).").format(
                    target=target.strip(), fields="、".join(f.header for f in FIELDS)
                )
            )
        mapping[header.strip()] = key
    return mapping


def target_label(key: str) -> str:
    if key == IGNORE:
        return _("ignore")
    if key == EXTRA:
        return _("keep as extra field")
    field = FIELDS_BY_KEY.get(key)
    return field.header if field else key


def overrides_of(mapping: dict[str, str]) -> dict[str, str | None]:
    """The reader's overrides: EXTRA becomes None (an unknown column, kept as an extra field)."""
    return {header: (None if key == EXTRA else key) for header, key in mapping.items()}


@dataclass(frozen=True)
class ProfileRow:
    id: int
    name: str
    mapping: dict[str, str]
    headers: tuple[str, ...]


def _row(profile: MappingProfile) -> ProfileRow:
    return ProfileRow(profile.id, profile.name, dict(profile.mapping or {}), tuple(profile.headers or ()))


def list_profiles(session: Session) -> list[ProfileRow]:
    return [_row(p) for p in session.scalars(select(MappingProfile).order_by(MappingProfile.name))]


def get_profile(session: Session, name: str) -> ProfileRow:
    profile = session.scalar(select(MappingProfile).where(MappingProfile.name == name.strip()))
    if profile is None:
        names = "、".join(p.name for p in list_profiles(session)) or _("none")
        raise NotFound(_("There is no saved mapping named “{name}” (saved: {names}).").format(name=name, names=names))
    return _row(profile)


def save_profile(session: Session, name: str, mapping: dict[str, str], headers: list[str], *, actor: str) -> Changes:
    """Create or replace the named mapping (audited with the old and new mapping)."""
    name = (name or "").strip()
    if not name:
        raise UserError(_("A saved mapping needs a name."))
    if len(name) > PROFILE_NAME_LIMIT:
        raise UserError(
            _("The mapping's name is too long ({length} characters; at most {limit}).").format(
                length=len(name), limit=PROFILE_NAME_LIMIT
            )
        )
    for key in mapping.values():
        if key not in FIELDS_BY_KEY and key not in (IGNORE, EXTRA):
            raise UserError(_("“{target}” is not a field of the import.").format(target=key))
    profile = session.scalar(select(MappingProfile).where(MappingProfile.name == name))
    before = dict(profile.mapping or {}) if profile else None
    if profile is None:
        profile = MappingProfile(name=name, created_by=actor)
        session.add(profile)
    profile.mapping = dict(mapping)
    profile.headers = list(headers)
    session.flush()
    audit.record(
        session,
        actor=actor,
        action="intake.mapping.save",
        entity_type="intake_mapping_profile",
        entity_id=profile.id,
        summary=_("Saved the column mapping “{name}”").format(name=name),
        details={"before": before, "after": dict(mapping), "headers": list(headers)},
    )
    return Changes(message=_("Mapping “{name}” saved.").format(name=name))


def matching_profile(session: Session, headers: list[str]) -> ProfileRow | None:
    """The saved mapping made for a sheet with exactly these headers (compared normalised), if any."""
    wanted = {normalise_header(h) for h in headers if h}
    for profile in list_profiles(session):
        if profile.headers and {normalise_header(h) for h in profile.headers} == wanted:
            return profile
    return None
