"""An expert's own submit on PostgreSQL (issue 15): row-level security lets a 评审专家 neither read
panel results nor update ``application``, so the submit saves the sheet and leaves the panel result
to staff, who find it stale and recompute it when they next rank (or finalise)."""

from __future__ import annotations

import pytest
from accounts_data import PASSWORD, declare, open_assignment
from sqlalchemy import select

from reviewtool.core.enums import Opinion, SheetStatus
from reviewtool.core.scoring.maths import SheetInput
from reviewtool.services.scoring import results
from reviewtool.services.scoring.ranking import ranked_applications
from reviewtool.services.scoring.rubrics import spec_of_version
from reviewtool.services.scoring.sheet_edits import save_sheet
from reviewtool.services.scoring.sheets import sheet_target
from reviewtool.services.users import login
from reviewtool.storage.models import Application, PanelResult, ScoreSheet

pytestmark = pytest.mark.pg


def _complete(session, application_id: int, expert_id: int) -> SheetInput:
    *_rest, version = sheet_target(session, application_id, expert_id, None, None)
    spec = spec_of_version(version)
    return SheetInput(
        points={c.key: spec.step * int(c.max_points / spec.step * 3 // 4) for c in spec.criteria},
        comments={c.key: "论证充分。" for c in spec.criteria},
        vetoes={v.key: False for v in spec.veto_items},
        opinion=Opinion.RECOMMEND,
        written_opinion="项目目标明确，技术路线可行，同意推荐。" * 3,
    )


def test_an_experts_own_submit_is_saved_and_staff_recompute_its_panel_result(pg_server):
    owner = pg_server.owner
    with owner.session() as session:
        expert_id, application_id = open_assignment(session)
        data = _complete(session, application_id, expert_id)
        batch_id = session.get(Application, application_id).batch_id
        before = session.get(Application, application_id).panel_score
    expert = pg_server.add_user(pg_server.login("expert"), "expert", password=PASSWORD, expert_id=expert_id)
    staff = pg_server.add_user(pg_server.login("staff"), "staff", password=PASSWORD, name="王芳")
    as_expert = login.open_server(pg_server.url_of(expert.login, PASSWORD))
    pg_server.opened.append(as_expert)
    declare(as_expert, application_id)
    with as_expert.session() as session:
        saved = save_sheet(
            session, application_id=application_id, reviewer_id=expert_id, data=data, actor=expert.login,
            submit=True, row_version=0,
        )  # fmt: skip
    assert saved.status is SheetStatus.SUBMITTED and saved.panel is None
    with owner.session() as session:
        assert session.get(ScoreSheet, saved.sheet_id).status is SheetStatus.SUBMITTED
        assert (saved.sheet_id and (session.get(ScoreSheet, saved.sheet_id).stage_id, application_id)) in set(
            results.stale_results(session, batch_id)
        )
    as_staff = login.open_server(pg_server.url_of(staff.login, PASSWORD))
    pg_server.opened.append(as_staff)
    with as_staff.session() as session:
        ranked_applications(session, batch_id)  # staff read: the stale result is recomputed first
    with owner.session() as session:
        sheet = session.get(ScoreSheet, saved.sheet_id)
        row = session.get(PanelResult, (sheet.stage_id, application_id))
        assert row is not None and row.sheet_count >= 1
        counted = results.counted_sheets(session, application_id, sheet.stage_id)
        assert sheet.id in {s.id for s in counted} and row.sheet_count == len(counted)
        assert results.stale_results(session, batch_id) == []
        assert session.get(Application, application_id).panel_score is not None or before is None
        assert session.scalar(select(PanelResult.computed_at).where(PanelResult.application_id == application_id))
