"""Loading plan editions into the database and reading the priority areas."""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from reviewtool.core.taxonomy import PlanEditionSpec, shipped_editions
from reviewtool.storage.models import PlanEdition, PriorityArea


@dataclass(frozen=True)
class AreaRow:
    """A priority area as services hand it to the CLI and GUI."""

    code: str
    kind: str
    title: str
    parent: str | None
    description: str
    edition: str
    section: str | None
    attributes: dict
    edition_title: str = ""

    def as_json(self) -> dict:
        return asdict(self)


def edition_hash(spec: PlanEditionSpec) -> str:
    payload = json.dumps(
        {
            "edition": [spec.code, spec.title, spec.issuer, spec.period, str(spec.published), spec.source],
            "areas": [
                [a.code, a.kind, a.title, a.parent, a.description, a.section, dict(a.attributes)] for a in spec.areas
            ],
        },
        ensure_ascii=False,
        sort_keys=True,
        default=str,
    )
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


def sync_edition(session: Session, spec: PlanEditionSpec) -> bool:
    """Insert or update one edition and its areas; returns whether anything changed.

    Areas are matched by code and updated in place, so tags that point at
    them survive a corrected data file. An area dropped from the file is
    kept (old applications may use it) and marked retired.
    """
    digest = edition_hash(spec)
    edition = session.scalar(select(PlanEdition).where(PlanEdition.code == spec.code))
    if edition is not None and edition.content_hash == digest:
        return False
    if edition is None:
        edition = PlanEdition(code=spec.code)
        session.add(edition)
    edition.title = spec.title
    edition.issuer = spec.issuer
    edition.period = spec.period
    edition.published = spec.published
    edition.source = spec.source
    edition.content_hash = digest
    session.flush()

    existing = {a.code: a for a in session.scalars(select(PriorityArea).where(PriorityArea.edition_id == edition.id))}
    by_code: dict[str, PriorityArea] = {}
    for spec_area in spec.areas:
        area = existing.pop(spec_area.code, None)
        if area is None:
            area = PriorityArea(edition_id=edition.id, code=spec_area.code)
            session.add(area)
        area.kind = spec_area.kind
        area.title = spec_area.title
        area.description = spec_area.description
        area.position = spec_area.position
        area.section = spec_area.section
        area.attributes = dict(spec_area.attributes)
        area.parent = by_code[spec_area.parent] if spec_area.parent else None
        by_code[spec_area.code] = area
    for retired in existing.values():
        retired.attributes = {**(retired.attributes or {}), "retired": True}
    session.flush()
    return True


def shipped_editions_current(session: Session) -> bool:
    """Whether every shipped plan edition is stored as it is shipped (one query): then
    ``sync_shipped_editions`` has nothing to do."""
    stored = {code: digest for code, digest in session.execute(select(PlanEdition.code, PlanEdition.content_hash))}
    return all(stored.get(spec.code) == edition_hash(spec) for spec in shipped_editions())


def sync_shipped_editions(session: Session) -> list[str]:
    """Load every plan edition shipped in resources/plans; returns the codes that changed."""
    return [spec.code for spec in shipped_editions() if sync_edition(session, spec)]


def list_areas(session: Session, *, edition: str | None = None, kind: str | None = None) -> list[AreaRow]:
    """Areas of the active editions (or one edition), in plan order."""
    parent = PriorityArea.__table__.alias("parent_area")
    stmt = (
        select(PriorityArea, PlanEdition.code, PlanEdition.title, parent.c.code)
        .join(PlanEdition, PriorityArea.edition_id == PlanEdition.id)
        .outerjoin(parent, PriorityArea.parent_id == parent.c.id)
        .where(PlanEdition.active.is_(True))
        .order_by(PlanEdition.id, PriorityArea.position)
    )
    if edition:
        stmt = stmt.where(PlanEdition.code == edition)
    if kind:
        stmt = stmt.where(PriorityArea.kind == kind)
    rows = []
    for area, edition_code, edition_title, parent_code in session.execute(stmt):
        attributes = dict(area.attributes or {})
        if attributes.get("retired"):
            continue
        rows.append(
            AreaRow(
                area.code,
                area.kind,
                area.title,
                parent_code,
                area.description,
                edition_code,
                area.section,
                attributes,
                edition_title,
            )
        )
    return rows


def list_editions(session: Session) -> list[PlanEdition]:
    return list(session.scalars(select(PlanEdition).order_by(PlanEdition.id)))


def area_ids_by_code(session: Session) -> dict[str, int]:
    """Code → id over the active editions (later editions win on a clash)."""
    stmt = (
        select(PriorityArea.code, PriorityArea.id)
        .join(PlanEdition, PriorityArea.edition_id == PlanEdition.id)
        .where(PlanEdition.active.is_(True))
        .order_by(PlanEdition.id)
    )
    return {code: area_id for code, area_id in session.execute(stmt)}
