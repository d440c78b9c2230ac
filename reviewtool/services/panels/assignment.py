"""Assigning members to the panel's applications: the optimal plan
(``core.panels.assignment``) previewed and applied, and single assignments
added or removed by hand.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session

from reviewtool.core.enums import AssignmentStatus, ExpertStatus, PanelStatus, SheetStatus
from reviewtool.core.errors import NotFound, Refused, UserError
from reviewtool.core.panels import assignment as solver
from reviewtool.i18n import _
from reviewtool.services import audit
from reviewtool.services.changes import Changes
from reviewtool.services.panels.conflicts import panel_conflicts
from reviewtool.services.panels.field_match import pair_costs
from reviewtool.services.panels.invitations import require_confirmed
from reviewtool.services.panels.panel import (
    active_member_ids,
    application_in_panel,
    confirmed_member_ids,
    get_panel,
    group_application_ids,
    latest_sheet,
    lookup,
    require_open,
)
from reviewtool.storage.models import Application, Assignment, Expert, ScoreSheet

MIN_VALID_REVIEWS = 3


@dataclass
class AssignmentPreview:
    """A plan shown before it is applied, with names instead of ids."""

    panel_id: int
    plan: solver.AssignmentPlan
    per_application: int
    max_load: int
    applications: dict[int, str]  # id -> "number title"
    experts: dict[int, str]
    kept: list[tuple[int, int]] = field(default_factory=list)  # existing pairs with a sheet, kept

    def as_json(self) -> dict:
        data = self.plan.as_json()
        for pair in data["pairs"]:
            pair["application"] = self.applications[pair["application_id"]]
            pair["expert"] = self.experts[pair["expert_id"]]
        for item in data["shortfalls"]:
            item["application"] = self.applications[item["application_id"]]
        data["loads"] = {self.experts[int(k)]: v for k, v in data["loads"].items()}
        data.update(panel_id=self.panel_id, per_application=self.per_application, max_load=self.max_load)
        return data


def preview_assignment(
    session: Session, panel_id: int, *, mode: str = "balanced", per_application: int = 3, max_load: int | None = None
) -> AssignmentPreview:
    """Compute (without storing) the assignment of the panel's members to its applications."""
    panel = get_panel(session, panel_id)
    apps = group_application_ids(session, panel)
    members = active_member_ids(session, panel)
    if not members:
        raise Refused(_("Panel {name} has no members yet; draw the panel first.").format(name=panel.name))
    # Only members who confirmed the invitation are assigned, and only once enough of them have.
    require_confirmed(session, panel, min(per_application if mode == "balanced" else MIN_VALID_REVIEWS, len(members)))
    experts = confirmed_member_ids(session, panel)
    matrix = panel_conflicts(session, panel, experts)
    costs = pair_costs(session, apps, experts)

    declared = {
        (a, e): reason
        for a, e, reason in session.execute(
            select(Assignment.application_id, Assignment.expert_id, Assignment.conflict_reason).where(
                Assignment.panel_id == panel.id, Assignment.status == AssignmentStatus.CONFLICT_DECLARED
            )
        )
    }

    def allowed(a: int, e: int) -> bool:
        return (a, e) not in declared and matrix.allowed(a, e)

    def reasons(a: int, e: int) -> list[str]:
        found = [c.title for c in matrix.reasons(a, e)]
        if (a, e) in declared:
            found.append(_("Conflict declared"))
        return found

    # Pairs that already carry a sheet stay (a re-assignment never drops written work).
    kept = [
        (a, e)
        for a, e in session.execute(
            select(ScoreSheet.application_id, ScoreSheet.reviewer_id).where(
                ScoreSheet.stage_id == panel.stage_id,
                ScoreSheet.application_id.in_(apps),
                ScoreSheet.reviewer_id.in_(experts),
            )
        )
        if allowed(a, e)
    ]
    if mode == "whole":
        plan = solver.whole_panel(apps, experts, allowed=allowed, reasons=reasons, cost=costs,
                                  min_reviewers=min(MIN_VALID_REVIEWS, len(experts)))  # fmt: skip
    elif mode == "balanced":
        if max_load is None:
            max_load = -(-len(apps) * per_application // len(experts))  # the even share, rounded up
        plan = solver.balanced(
            apps, experts, per_application=per_application, max_load=max_load,
            allowed=allowed, cost=costs, fixed=kept, reasons=reasons,
        )  # fmt: skip
    else:
        raise UserError(_("Unknown assignment mode {mode}.").format(mode=mode))
    labels = {
        i: f"{n} {t}"
        for i, n, t in session.execute(
            select(Application.id, Application.number, Application.title).where(Application.id.in_(apps))
        )
    }
    names = lookup(session, select(Expert.id, Expert.name).where(Expert.id.in_(experts)))
    return AssignmentPreview(panel.id, plan, per_application, max_load or len(apps), labels, names, kept)


def apply_assignment(
    session: Session,
    panel_id: int,
    *,
    actor: str,
    mode: str = "balanced",
    per_application: int = 3,
    max_load: int | None = None,
) -> tuple[AssignmentPreview, Changes]:
    """Compute the plan again and store it; refuses an infeasible request
    (balanced mode) with the per-application explanation."""
    panel = get_panel(session, panel_id)
    require_open(panel)
    preview = preview_assignment(session, panel_id, mode=mode, per_application=per_application, max_load=max_load)
    plan = preview.plan
    if mode == "balanced" and not plan.feasible:
        lines = [f"{preview.applications[s.application_id]}: {s.reason}" for s in plan.shortfalls[:5]]
        more = len(plan.shortfalls) - len(lines)
        raise Refused(
            _("{count} applications cannot get {k} reviewers: {details}").format(
                count=len(plan.shortfalls), k=per_application, details=" | ".join(lines)
            )
            + (_(" (and {more} more)").format(more=more) if more > 0 else "")
        )
    wanted = set(plan.pairs)
    existing = {
        (a.application_id, a.expert_id): a
        for a in session.scalars(select(Assignment).where(Assignment.panel_id == panel.id))
    }
    added = removed = 0
    for pair, item in existing.items():
        if pair not in wanted and item.status is AssignmentStatus.ACTIVE:
            item.status = AssignmentStatus.REMOVED
            removed += 1
    for a, e in plan.pairs:
        item = existing.get((a, e))
        if item is None:
            session.add(
                Assignment(stage_id=panel.stage_id, panel_id=panel.id, application_id=a, expert_id=e, method=mode)
            )
            added += 1
        elif item.status is AssignmentStatus.REMOVED:
            item.status = AssignmentStatus.ACTIVE
            item.method = mode
            added += 1
    panel.status = PanelStatus.ASSIGNED
    panel.settings = {**(panel.settings or {}), "assignment_mode": mode, "per_application": per_application,
                      "max_load": preview.max_load}  # fmt: skip
    audit.record(
        session, actor=actor, action="panel.assign", entity_type="panel", entity_id=panel.id, batch_id=panel.batch_id,
        summary=_("Assigned {pairs} reviews in panel {name} ({mode})").format(
            pairs=len(plan.pairs), name=panel.name, mode=mode),
        details={"mode": mode, "per_application": per_application, "max_load": preview.max_load, "added": added,
                 "removed": removed, "mismatch_cost": plan.mismatch_cost, "field_matches": plan.field_matches,
                 "pairs": [list(p) for p in plan.pairs]},
    )  # fmt: skip
    return preview, Changes(panels=True, message=_("Assigned {pairs} reviews").format(pairs=len(plan.pairs)))


def add_assignment(session: Session, panel_id: int, application_id: int, expert_id: int, *, actor: str) -> Changes:
    """Assign one reviewer by hand; refused, with the reason, when in conflict."""
    panel = get_panel(session, panel_id)
    require_open(panel)
    application = application_in_panel(session, panel, application_id)
    expert = session.get(Expert, expert_id)
    if expert is None:
        raise NotFound(_("No expert with id {id}.").format(id=expert_id))
    if expert.status is not ExpertStatus.ACTIVE:
        raise Refused(_("{name} is suspended: {reason}").format(name=expert.name, reason=expert.status_reason or ""))
    matrix = panel_conflicts(session, panel, [expert_id])
    if not matrix.allowed(application_id, expert_id):
        raise Refused(
            _("{name} may not review {number}: {reason}").format(
                name=expert.name,
                number=application.number,
                reason="; ".join(c.describe() for c in matrix.reasons(application_id, expert_id)),
            )  # fmt: skip
        )
    if expert_id not in active_member_ids(session, panel):
        raise Refused(_("{name} is not an active member of panel {panel}.").format(name=expert.name, panel=panel.name))
    if expert_id not in confirmed_member_ids(session, panel):
        raise Refused(
            _("{name} has not confirmed the invitation to panel {panel} yet; record the answer first.").format(
                name=expert.name, panel=panel.name
            )
        )
    item = session.scalar(
        select(Assignment).where(
            Assignment.stage_id == panel.stage_id,
            Assignment.application_id == application_id,
            Assignment.expert_id == expert_id,
        )
    )
    if item is not None and item.status is AssignmentStatus.ACTIVE:
        raise Refused(_("{name} already reviews {number}.").format(name=expert.name, number=application.number))
    if item is not None and item.status is AssignmentStatus.CONFLICT_DECLARED:
        raise Refused(_("{name} declared a conflict with {number}: {reason}").format(
            name=expert.name, number=application.number, reason=item.conflict_reason or ""))  # fmt: skip
    if item is None:
        session.add(
            Assignment(
                stage_id=panel.stage_id,
                panel_id=panel.id,
                application_id=application_id,
                expert_id=expert_id,
                method="manual",
            )  # fmt: skip
        )
    else:
        item.status = AssignmentStatus.ACTIVE
        item.method = "manual"
    audit.record(
        session, actor=actor, action="assignment.add", entity_type="application", entity_id=application_id,
        batch_id=panel.batch_id, summary=_("Assigned {name} to {number} by hand").format(
            name=expert.name, number=application.number),
        details={"panel_id": panel.id, "expert_id": expert_id},
    )  # fmt: skip
    return Changes(panels=True)


def remove_assignment(session: Session, panel_id: int, application_id: int, expert_id: int, *, actor: str) -> Changes:
    panel = get_panel(session, panel_id)
    require_open(panel)
    item = session.scalar(
        select(Assignment).where(
            Assignment.panel_id == panel.id,
            Assignment.application_id == application_id,
            Assignment.expert_id == expert_id,
            Assignment.status == AssignmentStatus.ACTIVE,
        )  # fmt: skip
    )
    if item is None:
        raise NotFound(_("No such assignment."))
    sheet = latest_sheet(session, application_id, expert_id, panel.stage_id)
    if sheet is not None and sheet.status is SheetStatus.SUBMITTED:
        raise Refused(_("The expert already submitted a sheet for it; declare a conflict instead of removing."))
    item.status = AssignmentStatus.REMOVED
    audit.record(
        session, actor=actor, action="assignment.remove", entity_type="application", entity_id=application_id,
        batch_id=panel.batch_id, summary=_("Removed reviewer {id}").format(id=expert_id),
        details={"panel_id": panel.id, "expert_id": expert_id},
    )  # fmt: skip
    return Changes(panels=True)
