"""Experts as the documents print them: name, unit, 职称 and 专业 (never
their contact data), and the members of the panel that reviewed each
application (for the signature table of the 综合评审意见表).

Reads only.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from reviewtool.core.enums import AssignmentStatus, MemberStatus
from reviewtool.services.documents.model import PanelMemberLine
from reviewtool.storage.models import Assignment, Expert, Panel, PanelApplication, PanelMember, Unit


@dataclass(frozen=True)
class ExpertFacts:
    name: str = ""
    unit: str = ""
    title: str = ""  # 职称
    speciality: str = ""  # 从事专业


def expert_facts(session: Session, ids: set[int]) -> dict[int, ExpertFacts]:
    """Name, unit, 职称 and 专业 of experts (never their contact data)."""
    if not ids:
        return {}
    stmt = (
        select(Expert.id, Expert.name, Unit.name, Expert.title, Expert.speciality)
        .outerjoin(Unit, Expert.unit_id == Unit.id)
        .where(Expert.id.in_(ids))
    )
    return {
        eid: ExpertFacts(name, unit or "", title or "", speciality or "")
        for eid, name, unit, title, speciality in session.execute(stmt)
    }


def panel_members(session: Session, panel: Panel) -> tuple[PanelMemberLine, ...]:
    """Active members, the leader first, then in the order they joined."""
    member_ids = list(
        session.scalars(
            select(PanelMember.expert_id)
            .where(PanelMember.panel_id == panel.id, PanelMember.status == MemberStatus.ACTIVE)
            .order_by(PanelMember.id)
        )
    )
    if panel.leader_id in member_ids:
        member_ids.remove(panel.leader_id)
        member_ids.insert(0, panel.leader_id)
    facts = expert_facts(session, set(member_ids))
    return tuple(
        PanelMemberLine(facts[e].name, facts[e].unit, facts[e].title, leader=e == panel.leader_id)
        for e in member_ids
        if e in facts
    )


def panels_of(session: Session, app_ids: Sequence[int], stage_id: int | None = None) -> dict[int, Panel]:
    """The panel that reviews each application (in a review stage, or in any):
    its group (专家组的项目), else its assignments'."""
    if not app_ids:
        return {}
    found: dict[int, int] = {}
    groups = (
        select(PanelApplication.application_id, PanelApplication.panel_id)
        .join(Panel, PanelApplication.panel_id == Panel.id)
        .where(PanelApplication.application_id.in_(list(app_ids)))
        .order_by(PanelApplication.id)
    )
    assigned = (
        select(Assignment.application_id, Assignment.panel_id)
        .where(Assignment.application_id.in_(list(app_ids)), Assignment.panel_id.is_not(None))
        .order_by(Assignment.id)
    )
    if stage_id is not None:
        groups = groups.where(Panel.stage_id == stage_id)
        assigned = assigned.where(Assignment.stage_id == stage_id)
    for app_id, panel_id in session.execute(groups):
        found.setdefault(app_id, panel_id)
    for app_id, panel_id in session.execute(assigned):
        found.setdefault(app_id, panel_id)
    panels = {p.id: p for p in session.scalars(select(Panel).where(Panel.id.in_(set(found.values()))))}
    return {app_id: panels[pid] for app_id, pid in found.items() if pid in panels}


def members_by_application(
    session: Session, app_ids: Sequence[int], stage_id: int | None = None
) -> dict[int, tuple[str, tuple[PanelMemberLine, ...]]]:
    """(panel name, the experts who review the application) for each
    application that has a panel: its active assignments, in the order
    assigned, the panel leader marked; the panel's members when the
    application has no assignment (a meeting where everyone reviews all)."""
    panels = panels_of(session, app_ids, stage_id)
    assigned: dict[int, list[int]] = {}
    if panels:
        for app_id, expert_id, panel_id in session.execute(
            select(Assignment.application_id, Assignment.expert_id, Assignment.panel_id)
            .where(Assignment.application_id.in_(list(panels)), Assignment.status == AssignmentStatus.ACTIVE)
            .order_by(Assignment.id)
        ):
            if panel_id != panels[app_id].id:
                continue  # another stage's panel
            assigned.setdefault(app_id, []).append(expert_id)
    facts = expert_facts(session, {e for ids in assigned.values() for e in ids})
    cache: dict[int, tuple[PanelMemberLine, ...]] = {}
    out: dict[int, tuple[str, tuple[PanelMemberLine, ...]]] = {}
    for app_id, panel in panels.items():
        if assigned.get(app_id):
            lines = tuple(
                PanelMemberLine(facts[e].name, facts[e].unit, facts[e].title, leader=e == panel.leader_id)
                for e in assigned[app_id]
                if e in facts
            )
        else:
            if panel.id not in cache:
                cache[panel.id] = panel_members(session, panel)
            lines = cache[panel.id]
        out[app_id] = (panel.name, lines)
    return out
