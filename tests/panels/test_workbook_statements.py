"""A folder of workbooks is saved file by file in one batch (issue 16): the
statements sent do not grow with the rows of a file, and each application's
panel result is recomputed once per run, not once per sheet. Counts
statements and calls; times nothing."""

from __future__ import annotations

from collections import Counter

import pytest
from sqlalchemy import event, func, select

from reviewtool.core.enums import SheetStatus
from reviewtool.services.panels import assignment, draw, panel, workbook_export, workbook_import
from reviewtool.services.panels.invitations import confirm_all
from reviewtool.services.scoring import results, sheet_edits
from reviewtool.storage.models import Application, PanelResult, ScoreSheet

from .conftest import BATCH, attach_general_rubric, build_world
from .test_workbooks import fill, key_payload

EXPERTS = 7
APPS = 12


@pytest.fixture
def folder(any_db, tmp_path):
    """7 experts, each scoring all 12 applications (whole-panel mode), workbooks exported."""
    with any_db.session() as s:
        w = build_world(s, n_apps=APPS, n_experts=EXPERTS + 6)
        attach_general_rubric(s, w.batch_id)
        panel_id, _c = panel.create_panel(s, BATCH, "第一组", actor="t")
        draw.draw_panel(s, panel_id, EXPERTS, seed="stmts", actor="t")
        confirm_all(s, panel_id, actor="t")
        assignment.apply_assignment(s, panel_id, actor="t", mode="whole")
        files = workbook_export.export_workbooks(s, panel_id, tmp_path / "out", actor="clerk")
    assert len(files) == EXPERTS and all(f.applications == APPS for f in files)
    return tmp_path / "out", files


def counted_import(db, folder, monkeypatch):
    """Import the folder; the statements sent, and the applications each recompute was for."""
    statements: list[str] = []
    recomputed: Counter[int] = Counter()
    real = workbook_import.recompute_panel_results

    def counting(session, application_ids, **kwargs):
        ids = list(application_ids)
        recomputed.update(ids)
        return real(session, ids, **kwargs)

    def one_by_one(*_args, **_kwargs):
        raise AssertionError("a workbook import recomputed one application's result on its own")

    monkeypatch.setattr(workbook_import, "recompute_panel_results", counting)
    monkeypatch.setattr(sheet_edits, "recompute_panel_result", one_by_one)

    def count(_conn, _cursor, statement, _params, _context, _many):
        statements.append(statement)

    event.listen(db.engine, "before_cursor_execute", count)
    try:
        with db.session() as s:
            report = workbook_import.import_workbooks(s, [folder], actor="clerk")
    finally:
        event.remove(db.engine, "before_cursor_execute", count)
        monkeypatch.undo()
    assert report.ok, [f.errors for f in report.files]
    return len(statements), recomputed, report


def test_statements_do_not_grow_with_the_rows_and_each_result_is_recomputed_once(any_db, folder, monkeypatch):
    out, files = folder
    rows = sorted(int(r) for m in key_payload(files[0].path)["sheets"] for r in m["rows"])
    first_rows = set(rows[:2])
    for f in files:  # each expert has scored 2 of the 12 so far
        fill(f.path, rows=first_rows)
    few, recomputed, report = counted_import(any_db, out, monkeypatch)
    assert sum(f.count("new") for f in report.files) == EXPERTS * 2
    assert len(recomputed) == 2 and set(recomputed.values()) == {1}  # 7 sheets each, one recompute each

    for f in files:  # then all 12: 10 new sheets a file, 2 unchanged
        fill(f.path)
    many, recomputed, report = counted_import(any_db, out, monkeypatch)
    assert sum(f.count("new") for f in report.files) == EXPERTS * 10
    assert sum(f.count("unchanged") for f in report.files) == EXPERTS * 2
    assert len(recomputed) == 10 and set(recomputed.values()) == {1}
    # Five times the new sheets, the same statements (and two a file more: the stored sheets' scores and
    # answers, which the first import had none of) — nothing is sent per sheet, score or recompute.
    assert many <= few + 3 * EXPERTS, (few, many)
    assert many <= 30 * EXPERTS, many  # about 20 a file: its checks, one query of its sheets, one insert each

    with any_db.session() as s:
        assert s.scalar(select(func.count(ScoreSheet.id)).where(ScoreSheet.status == SheetStatus.SUBMITTED)) == (
            EXPERTS * APPS
        )
        stored = {r.application_id: r for r in s.scalars(select(PanelResult))}
        assert len(stored) == APPS and {r.sheet_count for r in stored.values()} == {EXPERTS}
        scores = dict(s.execute(select(Application.id, Application.panel_score)).all())
        assert all(r.final_score is not None and scores[a] == r.final_score for a, r in stored.items())
        # The batched recompute leaves what the one-by-one recompute computes.
        app_id, row = next(iter(stored.items()))
        before = (row.mean, row.median, row.trimmed_mean, row.final_score, row.rule, list(row.flags))
        figures = results.recompute_panel_result(s, app_id, stage_id=row.stage_id)
        assert (figures.mean, figures.median, figures.trimmed_mean, figures.final_score, figures.rule) == before[:5]
        assert list(s.get(PanelResult, (row.stage_id, app_id)).flags) == before[5]
