"""Helpers for the accounts tests: users of each role on a demo database, an open assignment."""

from __future__ import annotations

from sqlalchemy import select

from reviewtool.core.enums import AssignmentStatus
from reviewtool.storage.models import Application, Assignment, Expert, PanelMember, ScoreSheet

PASSWORD = "Haidong-2026!"


def open_assignment(session, *, skip_expert: int | None = None) -> tuple[int, int]:
    """(expert_id, application_id): a new active assignment of a panel member to an application
    of their panel that they have no sheet for yet (written as the owner)."""
    for member in session.scalars(select(PanelMember).order_by(PanelMember.id)):
        if member.expert_id == skip_expert:
            continue
        done = set(session.scalars(select(ScoreSheet.application_id).where(ScoreSheet.reviewer_id == member.expert_id)))
        assigned = set(
            session.scalars(select(Assignment.application_id).where(Assignment.expert_id == member.expert_id))
        )
        for application_id in session.scalars(select(Application.id).order_by(Application.id)):
            if application_id not in done | assigned:
                fields = {}
                if hasattr(Assignment, "stage_id"):  # the review stages (issue 14)
                    fields["stage_id"] = session.scalar(
                        select(Assignment.stage_id).where(Assignment.panel_id == member.panel_id).limit(1)
                    )
                session.add(
                    Assignment(
                        panel_id=member.panel_id,
                        application_id=application_id,
                        expert_id=member.expert_id,
                        status=AssignmentStatus.ACTIVE,
                        **fields,
                    )
                )
                session.flush()
                return member.expert_id, application_id
    raise AssertionError("the demo data has no free application")


def another_expert(session, expert_id: int) -> int:
    return session.scalar(select(Expert.id).where(Expert.id != expert_id, Expert.is_staff.is_(False)).limit(1))


def declare(database, application_id: int) -> None:
    """As the logged-in expert: a save before the stage's declarations is refused; then accept them."""
    import pytest

    from reviewtool.core.errors import Refused
    from reviewtool.core.scoring.maths import SheetInput
    from reviewtool.services.my_reviews import declarations
    from reviewtool.services.scoring.sheet_edits import save_sheet
    from reviewtool.services.stages.reach import application_stage

    me = database.identity.expert_id
    with pytest.raises(Refused, match="请先接受回避声明和保密承诺"), database.session() as session:
        save_sheet(session, application_id=application_id, reviewer_id=me, data=SheetInput(), actor="x")
    with database.session() as session:
        stage_id = application_stage(session, application_id).id
        declarations.accept_declarations(session, stage_id, conflicts={}, confidentiality=True, actor="x")
