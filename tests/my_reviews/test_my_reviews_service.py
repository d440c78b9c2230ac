"""我的评审 without Qt: an expert sees only their own assignments and sheets (blind review), must
accept the 回避 declaration and the 保密承诺 once per stage before a sheet opens, and a declared
conflict goes through the late-conflict service. SQLite with local users (the app's checks)."""

from __future__ import annotations

import json

import pytest
from my_reviews_world import EXPERT_LOGIN, PASSWORD, expert_world
from sqlalchemy import select

from reviewtool.core.enums import AssignmentStatus
from reviewtool.core.errors import Refused, UserError
from reviewtool.services.my_reviews import declarations, workspace
from reviewtool.services.panels.conflicts import declare_conflict
from reviewtool.services.users import login
from reviewtool.services.users.permissions import NotPermitted
from reviewtool.storage.database import Database
from reviewtool.storage.models import Assignment, AuditEvent, Batch, ReviewDeclaration, ScoreSheet


@pytest.fixture
def db(sqlite_db):
    """Local users belong to an SQLite file (on PostgreSQL the server's login roles are the users)."""
    return sqlite_db


@pytest.fixture
def world(db):
    return expert_world(db)


def _as(database: Database, name: str) -> Database:
    login.sign_in_local(database, name, PASSWORD)
    return database


def _owner(database: Database) -> Database:
    """The same file without anyone logged in (unrestricted), to check what was stored."""
    return Database(database.url)


def test_an_expert_sees_exactly_their_own_assignments_and_nothing_of_other_experts(db, world):
    expert = _as(db, EXPERT_LOGIN)
    with expert.session() as session:
        stages = workspace.my_stages(session)
    assert {a.application_id for s in stages for a in s.assignments} == world.mine
    fresh = [a for s in stages for a in s.assignments if a.application_id in world.fresh]
    assert [a.sheet_status for a in fresh] == [None, None]
    assert all(not s.declared for s in stages) and any(s.current for s in stages)
    # Blind review: their own totals only, and no other expert's name anywhere in what the page gets.
    with _owner(db).session() as session:
        own = {
            s.application_id: s.total
            for s in session.scalars(select(ScoreSheet).where(ScoreSheet.reviewer_id == world.expert_id))
        }
        summary = workspace.summary(session, world.stage_id, world.fresh[0], world.expert_id)
    assert {a.application_id: a.total for s in stages for a in s.assignments if a.total is not None} == own
    text = json.dumps([s.as_json() for s in stages] + [summary.as_json()], ensure_ascii=False)
    assert world.others and not [name for name in world.others if name in text]


def test_nobody_sees_another_experts_workspace(db, world):
    expert = _as(db, EXPERT_LOGIN)
    with pytest.raises(Refused, match="只能查看本人的评审"), expert.session() as session:
        workspace.my_stages(session, world.expert_id + 1)
    staff = _as(db, "staff1")
    with pytest.raises(Refused, match="未关联专家"), staff.session() as session:
        workspace.my_stages(session)
    with pytest.raises(Refused, match="--expert"), _owner(db).session() as session:
        workspace.my_stages(session)


def test_the_summary_shows_only_assigned_applications_and_the_attachments_the_batch_allows(db, world, tmp_path):
    from reviewtool.services.intake.attachments import add_attachment
    from reviewtool.services.stages.expert_attachments import set_expert_attachment_kinds

    with _owner(db).session() as session:
        for name, kind in (("申报书.pdf", "application_form"), ("预算表.xlsx", "budget")):
            (tmp_path / name).write_bytes(f"%PDF-1.4 {kind}".encode())
            add_attachment(session, world.fresh[0], tmp_path / name, kind=kind, actor="t")
    expert = _as(db, EXPERT_LOGIN)
    with expert.session() as session:
        shown = workspace.summary(session, world.stage_id, world.fresh[0])
    assert sorted(f for _i, _k, f in shown.attachments) == ["申报书.pdf", "预算表.xlsx"] and shown.abstract
    with _owner(db).session() as session:
        batch = session.scalars(select(Batch)).first()
        set_expert_attachment_kinds(session, batch.id, ["application_form"], actor="t")
    with expert.session() as session:
        shown = workspace.summary(session, world.stage_id, world.fresh[0])
        assert [f for _i, _k, f in shown.attachments] == ["申报书.pdf"]
        with pytest.raises(UserError, match="未分配给您"):
            workspace.summary(session, world.stage_id, max(world.mine) + 1000)


def test_the_declarations_come_before_the_first_sheet_once_per_stage_and_are_audited(db, world):
    expert = _as(db, EXPERT_LOGIN)
    with pytest.raises(Refused, match="请先接受回避声明和保密承诺"), expert.session() as session:
        declarations.require_declared(session, world.stage_id, world.fresh[0])
    with pytest.raises(UserError, match="必须接受保密承诺"), expert.session() as session:
        declarations.accept_declarations(session, world.stage_id, conflicts={}, confidentiality=False, actor="x")
    with expert.session() as session:
        declarations.accept_declarations(session, world.stage_id, conflicts={}, confidentiality=True, actor="冒名")
    with expert.session() as session:
        assert declarations.require_declared(session, world.stage_id, world.fresh[0]) == world.expert_id
        assert all(s.declared for s in workspace.my_stages(session) if s.stage_id == world.stage_id)
    with pytest.raises(Refused, match="已经作出"), expert.session() as session:
        declarations.accept_declarations(session, world.stage_id, conflicts={}, confidentiality=True, actor="x")
    with _owner(db).session() as session:
        row = session.scalars(select(ReviewDeclaration)).one()
        assert (row.expert_id, row.stage_id, row.conflicts) == (world.expert_id, world.stage_id, [])
        assert "保密" in row.confidentiality_text and "回避" not in row.confidentiality_text
        event = session.scalars(select(AuditEvent).order_by(AuditEvent.seq.desc())).first()
        assert (event.action, event.actor, event.entity_id) == ("declaration.accept", EXPERT_LOGIN, row.id)
        assert "无回避" in event.summary


def test_a_declared_conflict_goes_through_the_late_conflict_service(db, world):
    expert = _as(db, EXPERT_LOGIN)
    avoided, kept = world.fresh
    with pytest.raises(UserError, match="原因"), expert.session() as session:
        declarations.accept_declarations(
            session, world.stage_id, conflicts={avoided: " "}, confidentiality=True, actor="x"
        )
    with expert.session() as session:
        changes = declarations.accept_declarations(
            session, world.stage_id, conflicts={avoided: "本人曾参与该项目前期研究"}, confidentiality=True, actor="x"
        )
    assert changes.panels
    with expert.session() as session:
        with pytest.raises(Refused, match="已对该项目申明回避"):
            declarations.require_declared(session, world.stage_id, avoided)
        declarations.require_declared(session, world.stage_id, kept)
        states = {a.application_id: a.status for s in workspace.my_stages(session) for a in s.assignments}
    assert states[avoided] is AssignmentStatus.CONFLICT_DECLARED and states[kept] is AssignmentStatus.ACTIVE
    with _owner(db).session() as session:
        item = session.scalar(
            select(Assignment).where(Assignment.expert_id == world.expert_id, Assignment.application_id == avoided)
        )
        assert item.conflict_reason == "本人曾参与该项目前期研究"
        actions = [e.action for e in session.scalars(select(AuditEvent).order_by(AuditEvent.seq.desc()).limit(2))]
        assert actions == ["assignment.conflict", "declaration.accept"]
        row = session.scalars(select(ReviewDeclaration)).one()
        assert [c["application_id"] for c in row.conflicts] == [avoided]


def test_an_expert_cannot_declare_a_conflict_on_someone_elses_assignment(db, world):
    with _owner(db).session() as session:
        other = session.scalars(
            select(Assignment).where(
                Assignment.expert_id != world.expert_id,
                Assignment.panel_id == world.panel_id,
                Assignment.application_id.not_in(world.mine),
            )
        ).first()
        other_app, other_expert = other.application_id, other.expert_id
    expert = _as(db, EXPERT_LOGIN)
    with pytest.raises(NotPermitted), expert.session() as session:
        declare_conflict(session, world.panel_id, other_app, other_expert, "冒名回避", actor="x")
    with pytest.raises(UserError, match="未分配给您"), expert.session() as session:
        declarations.accept_declarations(
            session, world.stage_id, conflicts={other_app: "x"}, confidentiality=True, actor="x"
        )
    with _owner(db).session() as session:
        assert session.get(Assignment, other.id).status is AssignmentStatus.ACTIVE
        assert session.scalars(select(ReviewDeclaration)).all() == []
