"""A panel's members: listing them, adding one by hand (with a reason), and
a drawn member who declines, replaced by a recorded redraw.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from reviewtool.core.enums import AssignmentStatus, ExpertStatus, Invitation, MemberStatus, PanelStatus
from reviewtool.core.errors import NotFound, Refused, UserError
from reviewtool.core.panels.draw import draw
from reviewtool.i18n import _
from reviewtool.services import audit
from reviewtool.services.changes import Changes
from reviewtool.services.panels.conflicts import panel_conflicts
from reviewtool.services.panels.draw import DrawOutcome, draw_request, store_draw
from reviewtool.services.panels.panel import get_panel, latest_sheet, lookup, require_open
from reviewtool.storage.models import Assignment, Expert, Panel, PanelMember, Unit


def decline_member(
    session: Session,
    panel_id: int,
    expert_id: int,
    reason: str,
    *,
    actor: str,
    redraw: bool = True,
    seed: str | None = None,
    answered_on: dt.date | None = None,
) -> DrawOutcome | None:
    """A drawn expert declines (谢绝, on ``answered_on``, default today): mark
    them, and (by default) draw a replacement as a recorded redraw. Their
    assignments without a submitted sheet move to the replacement."""
    panel = get_panel(session, panel_id)
    require_open(panel)
    reason = (reason or "").strip()
    if not reason:
        raise UserError(_("Give the reason the expert declined."))
    member = session.scalar(
        select(PanelMember).where(PanelMember.panel_id == panel.id, PanelMember.expert_id == expert_id)
    )
    if member is None or member.status is not MemberStatus.ACTIVE:
        raise NotFound(_("That expert is not an active member of panel {name}.").format(name=panel.name))
    member.status = MemberStatus.DECLINED
    member.status_reason = reason
    member.invitation = Invitation.DECLINED
    member.answered_on = answered_on or dt.date.today()
    member.answered_by = actor
    member.answer_note = reason
    session.flush()
    outcome = None
    if redraw:
        request = draw_request(session, panel, 1, seed, bool((panel.settings or {}).get("field_match")))
        result = draw(request)
        record = store_draw(session, panel, result, redraw=True, actor=actor)
        member.replaced_by_id = result.drawn[0]
        names = {c.id: c.name for c in request.pool}
        moved = _move_assignments(session, panel, expert_id, result.drawn[0])
        audit.record(
            session, actor=actor, action="panel.redraw", entity_type="panel", entity_id=panel.id,
            batch_id=panel.batch_id,
            summary=_("{old} declined ({reason}); redrew {new} (seed {seed})").format(
                old=names.get(expert_id, expert_id), reason=reason, new=names[result.drawn[0]], seed=result.seed),
            details={**result.as_json(), "draw_id": record.id, "declined": expert_id, "reason": reason,
                     "answered_on": member.answered_on.isoformat(), "moved_assignments": moved},
        )  # fmt: skip
        outcome = DrawOutcome(record.id, panel.id, result, names, Changes(panels=True))
    else:
        audit.record(
            session, actor=actor, action="panel.decline", entity_type="panel", entity_id=panel.id,
            batch_id=panel.batch_id, summary=_("Expert {id} declined: {reason}").format(id=expert_id, reason=reason),
            details={"expert_id": expert_id, "reason": reason, "answered_on": member.answered_on.isoformat()},
        )  # fmt: skip
    return outcome


def _move_assignments(session: Session, panel: Panel, old: int, new: int) -> list[int]:
    matrix = panel_conflicts(session, panel, [new])
    moved: list[int] = []
    for item in session.scalars(
        select(Assignment).where(
            Assignment.panel_id == panel.id, Assignment.expert_id == old, Assignment.status == AssignmentStatus.ACTIVE
        )
    ):
        if latest_sheet(session, item.application_id, old, panel.stage_id) is not None:
            continue
        item.status = AssignmentStatus.REMOVED
        if matrix.allowed(item.application_id, new) and not session.scalar(
            select(Assignment.id).where(
                Assignment.stage_id == panel.stage_id,
                Assignment.application_id == item.application_id,
                Assignment.expert_id == new,
            )
        ):
            session.add(
                Assignment(
                    stage_id=panel.stage_id,
                    panel_id=panel.id,
                    application_id=item.application_id,
                    expert_id=new,
                    method=item.method,
                )  # fmt: skip
            )
            moved.append(item.application_id)
    return moved


def add_member(session: Session, panel_id: int, expert_id: int, reason: str, *, actor: str) -> Changes:
    """Staff add a member by hand (recorded with the reason); refused when in conflict."""
    panel = get_panel(session, panel_id)
    require_open(panel)
    if not (reason or "").strip():
        raise UserError(_("Give the reason for adding a member by hand."))
    expert = session.get(Expert, expert_id)
    if expert is None:
        raise NotFound(_("No expert with id {id}.").format(id=expert_id))
    if expert.status is not ExpertStatus.ACTIVE:
        raise Refused(_("{name} is suspended: {reason}").format(name=expert.name, reason=expert.status_reason or ""))
    matrix = panel_conflicts(session, panel, [expert_id])
    if matrix.group.get(expert_id):
        raise Refused(_("{name} cannot join: {reason}").format(
            name=expert.name, reason="; ".join(c.describe() for c in matrix.group[expert_id])))  # fmt: skip
    if session.scalar(
        select(PanelMember.id).where(PanelMember.panel_id == panel.id, PanelMember.expert_id == expert_id)
    ):
        raise Refused(_("{name} is already listed on this panel.").format(name=expert.name))
    # Staff chose and asked this expert: confirmed when added.
    session.add(
        PanelMember(
            panel_id=panel.id,
            expert_id=expert_id,
            status_reason=reason.strip(),
            invitation=Invitation.CONFIRMED,
            answered_on=dt.date.today(),
            answered_by=actor,
        )  # fmt: skip
    )
    if panel.status is PanelStatus.DRAFT:
        panel.status = PanelStatus.DRAWN
    audit.record(
        session, actor=actor, action="panel.member.add", entity_type="panel", entity_id=panel.id,
        batch_id=panel.batch_id, summary=_("Added {name} by hand: {reason}").format(name=expert.name, reason=reason),
        details={"expert_id": expert_id, "reason": reason},
    )  # fmt: skip
    return Changes(panels=True)


@dataclass(frozen=True)
class MemberRow:
    expert_id: int
    name: str
    unit: str | None
    title: str | None
    status: MemberStatus
    reason: str | None
    replaced_by: str | None
    assigned: int
    invitation: Invitation = Invitation.CONFIRMED
    answered_on: dt.date | None = None


def members(session: Session, panel_id: int) -> list[MemberRow]:
    panel = get_panel(session, panel_id)
    loads = Counter(
        session.scalars(
            select(Assignment.expert_id).where(
                Assignment.panel_id == panel.id, Assignment.status == AssignmentStatus.ACTIVE
            )
        )
    )
    names = lookup(session, select(Expert.id, Expert.name))
    rows = []
    for member, expert, unit in session.execute(
        select(PanelMember, Expert, Unit.name)
        .join(Expert, PanelMember.expert_id == Expert.id)
        .outerjoin(Unit, Expert.unit_id == Unit.id)
        .where(PanelMember.panel_id == panel.id)
        .order_by(PanelMember.id)
    ):
        rows.append(
            MemberRow(
                expert.id,
                expert.name,
                unit,
                expert.title,
                member.status,
                member.status_reason,
                names.get(member.replaced_by_id) if member.replaced_by_id else None,
                loads[expert.id],
                member.invitation,
                member.answered_on,
            )  # fmt: skip
        )
    return rows
