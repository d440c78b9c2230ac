"""Field matching between experts and applications: an area's lineage
(itself, its ancestors and descendants), the experts' field codes, and the
cost of each application–expert pair for the assignment.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from reviewtool.core.enums import AreaRole, TagSource
from reviewtool.core.panels import assignment as solver
from reviewtool.storage.models import ApplicationArea, ExpertField, PriorityArea


def area_lineage(session: Session) -> dict[int, frozenset[str]]:
    """priority_area.id -> its code with every ancestor's and descendant's code.

    An expert in an area matches an application tagged with that area, a
    broader one containing it, or a narrower one inside it; two sibling
    areas under the same direction do not match."""
    rows = {id_: (code, parent) for id_, code, parent in session.execute(
        select(PriorityArea.id, PriorityArea.code, PriorityArea.parent_id))}  # fmt: skip
    lineage: dict[int, set[str]] = {id_: {code} for id_, (code, _p) in rows.items()}
    for id_, (code, _parent) in rows.items():
        current, depth = rows[id_][1], 0
        while current is not None and current in rows and depth < 10:
            lineage[id_].add(rows[current][0])  # ancestor of id_
            lineage[current].add(code)  # id_ is a descendant of current
            current, depth = rows[current][1], depth + 1
    return {k: frozenset(v) for k, v in lineage.items()}


def group_area_codes(
    session: Session, application_ids: list[int], lineage: dict[int, frozenset[str]]
) -> frozenset[str]:
    codes: set[str] = set()
    for area_id in session.scalars(
        select(ApplicationArea.area_id).where(
            ApplicationArea.application_id.in_(application_ids), ApplicationArea.source == TagSource.CONFIRMED
        )
    ):
        codes |= lineage.get(area_id, frozenset())
    return frozenset(codes)


def expert_field_codes(session: Session) -> dict[int, frozenset[str]]:
    """The experts' own field codes."""
    out: dict[int, set[str]] = {}
    stmt = select(ExpertField.expert_id, PriorityArea.code).join(PriorityArea, ExpertField.area_id == PriorityArea.id)
    for expert_id, code in session.execute(stmt):
        out.setdefault(expert_id, set()).add(code)
    return {k: frozenset(v) for k, v in out.items()}


def pair_costs(session: Session, application_ids: list[int], expert_ids: list[int]) -> dict[tuple[int, int], int]:
    """Field-match cost of each pair: 0 the application's primary area is
    (or a broader or narrower area) is among the expert's fields, 1 a secondary
    area is, 2 none."""
    lineage = area_lineage(session)
    codes = expert_field_codes(session)
    app_codes: dict[int, dict[str, set[str]]] = {}
    for app_id, area_id, role in session.execute(
        select(ApplicationArea.application_id, ApplicationArea.area_id, ApplicationArea.role).where(
            ApplicationArea.application_id.in_(application_ids), ApplicationArea.source == TagSource.CONFIRMED
        )
    ):
        app_codes.setdefault(app_id, {}).setdefault(role.value, set()).update(lineage.get(area_id, frozenset()))
    costs: dict[tuple[int, int], int] = {}
    for a in application_ids:
        primary = app_codes.get(a, {}).get(AreaRole.PRIMARY.value, set())
        secondary = app_codes.get(a, {}).get(AreaRole.SECONDARY.value, set())
        for e in expert_ids:
            mine = codes.get(e, frozenset())
            if mine & primary:
                costs[(a, e)] = solver.COST_PRIMARY_MATCH
            elif mine & secondary:
                costs[(a, e)] = solver.COST_SECONDARY_MATCH
            else:
                costs[(a, e)] = solver.COST_NO_MATCH
    return costs
