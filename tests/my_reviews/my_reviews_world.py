"""The demo data, plus one expert with fresh assignments (no sheets yet) and a local user for them.

``expert_world(database)``: an administrator (the first local user must be one), a staff user,
and ``zhangexpert`` (评审专家) linked to a member of the demo panel, who gets two new
assignments in the panel's stage on top of the demo's submitted sheets."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select

from reviewtool.core.enums import AssignmentStatus
from reviewtool.services.demo import load_demo
from reviewtool.services.users import accounts
from reviewtool.storage.models import Application, Assignment, Expert, PanelApplication, PanelMember, ScoreSheet

PASSWORD = "Haidong-2026!"
EXPERT_LOGIN = "zhangexpert"


@dataclass(frozen=True)
class World:
    expert_id: int
    expert_name: str
    stage_id: int
    panel_id: int
    fresh: tuple[int, ...]  # the two new assignments (application ids), no sheet yet
    mine: frozenset[int]  # every application assigned to the expert
    others: frozenset[str]  # the other experts' names


def fresh_assignments(session, count: int = 2) -> tuple[int, int, int, tuple[int, ...]]:
    """(expert_id, stage_id, panel_id, application ids): new active assignments of a panel member."""
    member = session.scalars(select(PanelMember).order_by(PanelMember.id)).first()
    stage_id = session.scalar(select(Assignment.stage_id).where(Assignment.panel_id == member.panel_id).limit(1))
    taken = set(session.scalars(select(Assignment.application_id).where(Assignment.expert_id == member.expert_id)))
    taken |= set(session.scalars(select(ScoreSheet.application_id).where(ScoreSheet.reviewer_id == member.expert_id)))
    candidates = (
        session.scalars(
            select(PanelApplication.application_id)
            .where(PanelApplication.panel_id == member.panel_id)
            .order_by(PanelApplication.application_id)
        ).all()
        or session.scalars(select(Application.id).order_by(Application.id)).all()
    )
    chosen = tuple([a for a in candidates if a not in taken][:count])
    assert len(chosen) == count, "the demo data has no free application"
    for application_id in chosen:
        session.add(
            Assignment(
                stage_id=stage_id, panel_id=member.panel_id, application_id=application_id,
                expert_id=member.expert_id, status=AssignmentStatus.ACTIVE,
            )
        )  # fmt: skip
    session.flush()
    return member.expert_id, stage_id, member.panel_id, chosen


def expert_world(database, *, demo: bool = True, users: bool = True) -> World:
    with database.session() as session:
        if demo:
            load_demo(session, actor="tester")
        expert_id, stage_id, panel_id, fresh = fresh_assignments(session)
    with database.session() as session:
        if users:
            accounts.add_user(session, "admin1", roles=["admin"], password=PASSWORD, actor="setup")
            accounts.add_user(session, "staff1", roles=["staff"], password=PASSWORD, actor="setup", name="王芳")
            accounts.add_user(
                session, EXPERT_LOGIN, roles=["expert"], password=PASSWORD, actor="setup", expert_id=expert_id,
                name="张专家",
            )  # fmt: skip
        mine = frozenset(
            session.scalars(
                select(Assignment.application_id).where(
                    Assignment.expert_id == expert_id, Assignment.status != AssignmentStatus.REMOVED
                )
            )
        )
        name = session.get(Expert, expert_id).name
        others = frozenset(session.scalars(select(Expert.name).where(Expert.id != expert_id))) - {name}
    return World(expert_id, name, stage_id, panel_id, fresh, mine, others)
