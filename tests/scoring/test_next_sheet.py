"""``next_sheet``: the sheet a clerk transcribes after this one — the same
expert's next open assignment, then the next expert's first."""

from __future__ import annotations

from decimal import Decimal

from panels.conftest import attach_general_rubric, build_world
from reviewtool.core.enums import SheetStatus
from reviewtool.services.panels import assignment, membership, panel
from reviewtool.services.scoring.next_sheet import next_sheet
from reviewtool.services.scoring.rubrics import get_version
from reviewtool.storage.models import Panel, ScoreSheet


def test_the_same_expert_first_then_the_next_expert(db):
    with db.session() as s:
        w = build_world(s, n_apps=4, n_experts=8)
        panel_id, _c = panel.create_panel(s, w.batch_id, "组", actor="t")
        a, b = w.experts["专家07"], w.experts["专家08"]  # no unit: no conflict with any application
        for expert in (a, b):
            membership.add_member(s, panel_id, expert, "t", actor="t")
        for number in ("HD2026-001", "HD2026-003", "HD2026-004"):
            assignment.add_assignment(s, panel_id, w.apps[number], a, actor="t")
        assignment.add_assignment(s, panel_id, w.apps["HD2026-002"], b, actor="t")
        attach_general_rubric(s, w.batch_id)
        version_id = get_version(s, "haidong-general").id
        stage_id = s.get(Panel, panel_id).stage_id
        # 专家07 already returned HD2026-003; HD2026-004 is only a draft.
        s.add(ScoreSheet(application_id=w.apps["HD2026-003"], reviewer_id=a, rubric_version_id=version_id,
                         status=SheetStatus.SUBMITTED, total=Decimal(80), stage_id=stage_id))  # fmt: skip
        s.add(ScoreSheet(application_id=w.apps["HD2026-004"], reviewer_id=a, rubric_version_id=version_id,
                         stage_id=stage_id))  # fmt: skip
    with db.session() as s:
        first = next_sheet(s, w.apps["HD2026-001"], a)
        assert (first.number, first.reviewer) == ("HD2026-004", "专家07")
        last_of_a = next_sheet(s, w.apps["HD2026-004"], a)
        assert (last_of_a.number, last_of_a.reviewer) == ("HD2026-002", "专家08")
        assert next_sheet(s, w.apps["HD2026-002"], b).reviewer == "专家07"
        unassigned = next_sheet(s, w.apps["HD2026-001"], w.experts["专家06"])
        assert (unassigned.number, unassigned.reviewer) == ("HD2026-002", "专家06")
