"""Documents that draw on the expert panel: meeting votes beside the scores
(funding view, Excel list, 评审结果汇总表, 项目综合评审意见表) and blank sheets
per assigned expert."""

from __future__ import annotations

import pypdf
from openpyxl import load_workbook
from sqlalchemy import select

from reviewtool.core.enums import VoteChoice
from reviewtool.services.documents.export import SheetKind, export_sheets, export_summary
from reviewtool.services.exports.workbooks import export_funding_workbook
from reviewtool.services.funding import funding_view
from reviewtool.services.panels import conflicts, votes
from reviewtool.services.panels import panel as panels_panel
from reviewtool.storage.models import Application, Batch, Panel


def _pdf_text(path) -> str:
    text = "".join(page.extract_text() for page in pypdf.PdfReader(path).pages)
    return text.replace(" ", "").replace("\n", "")


def test_vote_is_shown_beside_the_scores_everywhere(demo_db, tmp_path):
    with demo_db.session() as session:
        batch_id = session.scalar(select(Batch.id))
        panel = session.scalar(select(Panel))
        members = panels_panel.active_member_ids(session, panel)
        application = session.scalar(select(Application).where(Application.number == "HDKJ2025-011"))
        allowed = [e for e in members if conflicts.panel_conflicts(session, panel, [e]).allowed(application.id, e)]
        choices = [VoteChoice.FOR] * 5 + [VoteChoice.AGAINST, VoteChoice.ABSTAIN]
        assert len(allowed) >= len(choices)
        for expert_id, choice in zip(allowed, choices, strict=False):
            votes.record_vote(session, panel.id, application.id, expert_id, choice, actor="tester")
        application_id = application.id

    with demo_db.session() as session:
        row = next(r for r in funding_view(session, batch_id).rows if r.application_id == application_id)
        assert row.vote == "通过（赞成 5 · 反对 1 · 弃权 1）"
        others = [r for r in funding_view(session, batch_id).rows if r.application_id != application_id]
        assert all(r.vote == "" for r in others)

        workbook = export_funding_workbook(session, batch_id, tmp_path / "funding.xlsx")
        sheet = load_workbook(workbook).worksheets[0]
        header_row = next(r for r in sheet.iter_rows(values_only=True) if r and "会议表决" in r)
        column = header_row.index("会议表决")
        values = [r[column] for r in sheet.iter_rows(values_only=True) if r and r[1] == "HDKJ2025-011"]
        assert values == ["通过（赞成 5 · 反对 1 · 弃权 1）"]

        export_summary(session, batch_id, tmp_path / "summary.pdf")
        assert "会议表决：通过（赞成5·反对1·弃权1）" in _pdf_text(tmp_path / "summary.pdf")

        result = export_sheets(
            session, batch_id, tmp_path / "panel", kind=SheetKind.PANEL, combined=True, application_ids=[application_id]
        )
        text = _pdf_text(result.files[0])
        assert "会议表决" in text and "通过（赞成5·反对1·弃权1）" in text


def test_the_funding_view_builds_no_conflict_matrix_where_nobody_voted(demo_db, monkeypatch):
    """Labelling votes needs each voting panel's conflict matrix; a panel without votes needs none."""
    built: list[int] = []
    matrix = votes.panel_conflicts
    monkeypatch.setattr(
        votes, "panel_conflicts", lambda s, panel, *a, **k: built.append(panel.id) or matrix(s, panel, *a, **k)
    )
    with demo_db.session() as session:
        batch_id = session.scalar(select(Batch.id))
        funding_view(session, batch_id)
        assert built == []
        panel = session.scalar(select(Panel))
        application = session.scalar(select(Application).where(Application.number == "HDKJ2025-011"))
        expert_id = next(
            e for e in panels_panel.active_member_ids(session, panel)
            if conflicts.panel_conflicts(session, panel, [e]).allowed(application.id, e)
        )  # fmt: skip
        votes.record_vote(session, panel.id, application.id, expert_id, VoteChoice.FOR, actor="tester")
        built.clear()
        funding_view(session, batch_id)
        assert built == [panel.id]


def test_blank_sheets_one_per_assigned_expert(demo_db, tmp_path):
    """For a paper meeting: one blank 专家评审表 per expert per application, named for the expert."""
    from reviewtool.core.enums import AssignmentStatus
    from reviewtool.storage.models import Assignment, Expert

    with demo_db.session() as session:
        batch_id = session.scalar(select(Batch.id))
        application = session.scalar(select(Application).where(Application.number == "HDKJ2025-011"))
        assigned = session.scalars(
            select(Expert.name)
            .join(Assignment, Assignment.expert_id == Expert.id)
            .where(Assignment.application_id == application.id, Assignment.status == AssignmentStatus.ACTIVE)
        ).all()
        assert len(assigned) == 5
        per_expert = export_sheets(
            session,
            batch_id,
            tmp_path / "per-expert",
            kind=SheetKind.BLANK,
            per_expert=True,
            combined=True,
            application_ids=[application.id],
        )
        one = export_sheets(
            session, batch_id, tmp_path / "one", kind=SheetKind.BLANK, combined=True, application_ids=[application.id]
        )
    assert per_expert.documents == 5 and one.documents == 1
    text = _pdf_text(per_expert.files[0])
    assert all(name in text for name in assigned)
    assert text.count("马铃薯脱毒种薯三级繁育体系") >= 5
