"""回避: the facts the conflict rules need (``core.panels.conflicts``), the
panel's conflict matrix, staff exclusions, and conflicts an expert declares
late (on opening an application), with the replacement reviewer they need.
"""

from __future__ import annotations

from collections import Counter

from sqlalchemy import select
from sqlalchemy.orm import Session

from reviewtool.core.enums import AssignmentStatus, RelationKind
from reviewtool.core.errors import NotFound, Refused, UserError
from reviewtool.core.panels.conflicts import (
    ApplicationFacts,
    ConflictMatrix,
    ExpertFacts,
    StaffExclusion,
    conflict_matrix,
    normalise_name,
)
from reviewtool.i18n import _
from reviewtool.services import audit
from reviewtool.services.changes import Changes
from reviewtool.services.panels.field_match import pair_costs
from reviewtool.services.panels.panel import (
    application_in_panel,
    confirmed_member_ids,
    get_panel,
    group_application_ids,
    lookup,
    require_open,
)
from reviewtool.services.scoring.results import recompute_panel_result
from reviewtool.storage.models import (
    Application,
    Assignment,
    AvoidRequest,
    Expert,
    ExpertRelation,
    Panel,
    ScoreSheet,
    Unit,
)


def expert_facts(session: Session, expert_ids: list[int] | None = None) -> dict[int, ExpertFacts]:
    stmt = select(Expert.id, Expert.name, Expert.unit_id, Unit.name).outerjoin(Unit, Expert.unit_id == Unit.id)
    if expert_ids is not None:
        stmt = stmt.where(Expert.id.in_(expert_ids))
    base = {row[0]: row for row in session.execute(stmt)}
    units: dict[int, set[int]] = {}
    persons: dict[int, set[str]] = {}
    own: dict[int, set[int]] = {}
    rel = select(ExpertRelation).where(ExpertRelation.expert_id.in_(list(base)))
    for relation in session.scalars(rel):
        if relation.kind is RelationKind.UNIT and relation.unit_id is not None:
            units.setdefault(relation.expert_id, set()).add(relation.unit_id)
        elif relation.kind is RelationKind.PERSON and relation.person_name:
            persons.setdefault(relation.expert_id, set()).add(normalise_name(relation.person_name))
        elif relation.kind is RelationKind.OWN_APPLICATION and relation.application_id is not None:
            own.setdefault(relation.expert_id, set()).add(relation.application_id)
    return {
        id_: ExpertFacts(
            id=id_,
            name=name,
            unit_id=unit_id,
            unit_name=unit_name,
            avoid_unit_ids=frozenset(units.get(id_, ())),
            avoid_persons=frozenset(persons.get(id_, ())),
            own_application_ids=frozenset(own.get(id_, ())),
        )  # fmt: skip
        for id_, name, unit_id, unit_name in base.values()
    }


def application_facts(session: Session, application_ids: list[int]) -> dict[int, ApplicationFacts]:
    avoid_ids: dict[int, set[int]] = {}
    avoid_names: dict[int, set[tuple[str, str | None]]] = {}
    for request in session.scalars(select(AvoidRequest).where(AvoidRequest.application_id.in_(application_ids))):
        if request.expert_id is not None:
            avoid_ids.setdefault(request.application_id, set()).add(request.expert_id)
        else:
            avoid_names.setdefault(request.application_id, set()).add(
                (normalise_name(request.expert_name), request.expert_unit or None)
            )
    stmt = select(Application.id, Application.number, Application.unit_id, Application.pi_name).where(
        Application.id.in_(application_ids)
    )
    return {
        id_: ApplicationFacts(
            id=id_,
            number=number,
            unit_id=unit_id,
            pi_name=pi_name or "",
            avoid_expert_ids=frozenset(avoid_ids.get(id_, ())),
            avoid_names=frozenset(avoid_names.get(id_, ())),
        )  # fmt: skip
        for id_, number, unit_id, pi_name in session.execute(stmt)
    }


def staff_exclusions(panel: Panel) -> list[StaffExclusion]:
    return [
        StaffExclusion(int(item["expert_id"]), str(item.get("reason") or ""), item.get("application_id"))
        for item in (panel.settings or {}).get("staff_exclusions", [])
    ]


def panel_conflicts(session: Session, panel: Panel, expert_ids: list[int] | None = None) -> ConflictMatrix:
    apps = group_application_ids(session, panel)
    batch_numbers = lookup(
        session, select(Application.id, Application.number).where(Application.batch_id == panel.batch_id)
    )
    return conflict_matrix(
        expert_facts(session, expert_ids).values(),
        application_facts(session, apps).values(),
        staff_exclusions=staff_exclusions(panel),
        batch_application_numbers=batch_numbers,
    )


def exclude_expert(
    session: Session, panel_id: int, expert_id: int, reason: str, *, actor: str, application_id: int | None = None
) -> Changes:
    """Staff exclude an expert from this panel (or one of its applications) without being asked."""
    panel = get_panel(session, panel_id)
    require_open(panel)
    reason = (reason or "").strip()
    if not reason:
        raise UserError(_("Give the reason for excluding the expert."))
    expert = session.get(Expert, expert_id)
    if expert is None:
        raise NotFound(_("No expert with id {id}.").format(id=expert_id))
    items = list((panel.settings or {}).get("staff_exclusions", []))
    items.append({"expert_id": expert_id, "reason": reason, "application_id": application_id})
    panel.settings = {**(panel.settings or {}), "staff_exclusions": items}
    audit.record(
        session, actor=actor, action="panel.exclude", entity_type="panel", entity_id=panel.id,
        batch_id=panel.batch_id, summary=_("Excluded {name}: {reason}").format(name=expert.name, reason=reason),
        details={"expert_id": expert_id, "application_id": application_id, "reason": reason},
    )  # fmt: skip
    return Changes(panels=True)


def declare_conflict(
    session: Session, panel_id: int, application_id: int, expert_id: int, reason: str, *, actor: str
) -> Changes:
    """An expert declares a conflict on opening an application: the
    assignment is marked, any sheet of theirs is excluded from the results,
    and the application shows that it needs a replacement reviewer."""
    panel = get_panel(session, panel_id)
    application = application_in_panel(session, panel, application_id)
    reason = (reason or "").strip()
    if not reason:
        raise UserError(_("Give the reason for the conflict."))
    item = session.scalar(
        select(Assignment).where(
            Assignment.panel_id == panel.id,
            Assignment.application_id == application_id,
            Assignment.expert_id == expert_id,
        )  # fmt: skip
    )
    if item is None or item.status is AssignmentStatus.REMOVED:
        raise NotFound(_("That expert is not assigned to {number}.").format(number=application.number))
    item.status = AssignmentStatus.CONFLICT_DECLARED
    item.conflict_reason = reason
    excluded = []
    for sheet in session.scalars(
        select(ScoreSheet).where(
            ScoreSheet.stage_id == panel.stage_id,
            ScoreSheet.application_id == application_id,
            ScoreSheet.reviewer_id == expert_id,
        )
    ):
        sheet.excluded = True
        sheet.excluded_reason = reason
        excluded.append(sheet.id)
    session.flush()
    if excluded:  # the figures count sheets only: without one excluded nothing changes (and an expert
        # declaring before their first sheet, services/my_reviews, may not read the panel results)
        recompute_panel_result(session, application_id, stage_id=panel.stage_id)
    audit.record(
        session, actor=actor, action="assignment.conflict", entity_type="application", entity_id=application_id,
        batch_id=panel.batch_id,
        summary=_("Conflict declared on {number}: {reason}; a replacement reviewer is needed").format(
            number=application.number, reason=reason),
        details={"panel_id": panel.id, "expert_id": expert_id, "reason": reason, "excluded_sheets": excluded},
    )  # fmt: skip
    return Changes(panels=True, sheets=bool(excluded), applications=True)


def replace_reviewer(session: Session, panel_id: int, application_id: int, *, actor: str) -> tuple[int, Changes]:
    """Give an application one more reviewer from the panel: the best
    field match without a conflict, the least loaded among equals."""
    panel = get_panel(session, panel_id)
    require_open(panel)
    application = application_in_panel(session, panel, application_id)
    experts = confirmed_member_ids(session, panel)  # only members who accepted the invitation
    taken = set(
        session.scalars(
            select(Assignment.expert_id).where(
                Assignment.stage_id == panel.stage_id, Assignment.application_id == application_id
            )
        )
    )
    matrix = panel_conflicts(session, panel, experts)
    candidates = [e for e in experts if e not in taken and matrix.allowed(application_id, e)]
    if not candidates:
        raise Refused(
            _("No member of panel {name} is free of conflict and not yet on {number}; add a member first.").format(
                name=panel.name, number=application.number
            )
        )
    costs = pair_costs(session, [application_id], candidates)
    loads = Counter(
        session.scalars(
            select(Assignment.expert_id).where(
                Assignment.panel_id == panel.id, Assignment.status == AssignmentStatus.ACTIVE
            )
        )
    )
    best = min(candidates, key=lambda e: (costs[(application_id, e)], loads[e], e))
    session.add(
        Assignment(
            stage_id=panel.stage_id, panel_id=panel.id, application_id=application_id, expert_id=best, method="manual"
        )
    )
    audit.record(
        session, actor=actor, action="assignment.replace", entity_type="application", entity_id=application_id,
        batch_id=panel.batch_id, summary=_("Added replacement reviewer {id} to {number}").format(
            id=best, number=application.number),
        details={"panel_id": panel.id, "expert_id": best},
    )  # fmt: skip
    return best, Changes(panels=True)
