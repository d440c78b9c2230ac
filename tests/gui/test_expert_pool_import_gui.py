"""The expert pool page's 导入…: the file is checked first, and what the check
notes (a hidden sheet not read, a hidden row read like the others, a phone
another expert has) is shown before anything is written; 导入 imports, 取消
leaves the pool as it was. A file without notes is imported at once."""

from __future__ import annotations

from modal import FileChooser, answer_next, modal_watchers  # noqa: F401 - the fixture, autouse
from openpyxl import Workbook
from sqlalchemy import select

from clicks import click
from conftest_helpers import wait_idle
from reviewtool.storage.models import Expert

HEADERS = ["姓名", "工作单位", "职称", "专业领域代码", "手机"]


def pool_file(path, *, hidden: bool):
    wb = Workbook()
    ws = wb.active
    ws.title = "专家库"
    ws.append(["专家库"])
    ws.append(HEADERS)
    ws.append(["甲一", "青海大学", "教授", "HD-I01", "13900000001"])
    ws.append(["甲二", "海东市农科院", "研究员", "HD-I01", "13900000002"])
    if hidden:
        ws.row_dimensions[4].hidden = True
        draft = wb.create_sheet("草稿（作废）")
        draft.append(HEADERS)
        draft.append(["草稿专家", "某单位", "教授", "HD-I01", "13900000009"])
        draft.sheet_state = "hidden"
    wb.save(path)
    return path


def names(ctx) -> list[str]:
    with ctx.database.session() as s:
        return sorted(s.scalars(select(Expert.name)))


def open_page(ctx, qtbot):
    from reviewtool.gui.experts.pool_page import ExpertPoolPage

    page = ExpertPoolPage(ctx)
    qtbot.addWidget(page)
    page.show()
    wait_idle(qtbot, ctx)
    return page


def test_hidden_sheets_and_rows_are_shown_before_the_import(gui_ctx, qtbot, tmp_path, monkeypatch):
    page = open_page(gui_ctx, qtbot)
    FileChooser(monkeypatch, answer=pool_file(tmp_path / "hidden.xlsx", hidden=True))
    cancelled = answer_next(qtbot, click="取消")
    click(qtbot, page.import_button)
    qtbot.waitUntil(lambda: cancelled.done, timeout=10000)
    wait_idle(qtbot, gui_ctx)
    text = cancelled.texts[0]
    assert "未读取隐藏的工作表：草稿（作废）" in text
    assert "专家库!A4" in text and "此行在工作簿中被隐藏" in text and "甲二" in text
    assert names(gui_ctx) == []  # 取消: nothing written

    imported = answer_next(qtbot, click="导入")
    click(qtbot, page.import_button)
    qtbot.waitUntil(lambda: imported.done, timeout=10000)
    wait_idle(qtbot, gui_ctx)
    qtbot.waitUntil(lambda: names(gui_ctx) == ["甲一", "甲二"], timeout=10000)


def test_a_file_without_notes_is_imported_without_asking(gui_ctx, qtbot, tmp_path, monkeypatch):
    page = open_page(gui_ctx, qtbot)
    FileChooser(monkeypatch, answer=pool_file(tmp_path / "plain.xlsx", hidden=False))
    click(qtbot, page.import_button)
    wait_idle(qtbot, gui_ctx)
    qtbot.waitUntil(lambda: names(gui_ctx) == ["甲一", "甲二"], timeout=10000)
    qtbot.waitUntil(lambda: page.model.rowCount() == 2, timeout=10000)  # the page shows them
