"""Sorting, filtering and "导出 Excel…" on the tables: ranking, 拟立项, the
expert pool, 评审表 (by expert and by state) and the application list — by
clicking headers, typing in the filter box, choosing with the keyboard in
the choice boxes, and answering the file chooser; the workbook is read back
with openpyxl and must hold what the view shows, in the order shown."""

from __future__ import annotations

from decimal import Decimal

import pytest
from modal import FileChooser, answer_next, modal_watchers  # noqa: F401 - the fixture, autouse
from openpyxl import load_workbook
from PySide6.QtCore import QPoint, Qt

from clicks import click_tab
from conftest_helpers import screenshot_dir, type_text, wait_idle
from reviewtool.gui.widgets.table_export import shown_table


def click_header(qtbot, view, column: int) -> None:
    header = view.horizontalHeader()
    x = header.sectionViewportPosition(column) + header.sectionSize(column) // 2
    qtbot.mouseClick(header.viewport(), Qt.MouseButton.LeftButton, pos=QPoint(x, header.height() // 2))


def column_of(view, title: str) -> int:
    model = view.model()
    titles = [model.headerData(c, Qt.Orientation.Horizontal) for c in range(model.columnCount())]
    return titles.index(title)


def column_texts(view, column: int) -> list[str]:
    model = view.model()
    return [model.index(r, column).data() for r in range(model.rowCount())]


def choose(qtbot, combo, text: str) -> None:
    """Pick ``text`` in a choice box with the keyboard, as a user may."""
    index = combo.findText(text)
    assert index >= 0, f"{text!r} not offered: {[combo.itemText(i) for i in range(combo.count())]}"
    combo.setFocus()
    qtbot.keyClick(combo, Qt.Key.Key_Home)
    for _ in range(index):
        qtbot.keyClick(combo, Qt.Key.Key_Down)
    assert combo.currentText() == text


def settle(qtbot, bar) -> None:
    """Let the bar's layout catch up with its count before a screenshot."""
    qtbot.waitUntil(lambda: bar.count_label.width() >= bar.count_label.sizeHint().width())


def export_by_clicking(qtbot, ctx, monkeypatch, button, path) -> FileChooser:
    """Click the export button; the file chooser is answered with ``path``."""
    chooser = FileChooser(monkeypatch, answer=path)
    with qtbot.waitSignal(ctx.tasks.busy_changed, timeout=15000, check_params_cb=lambda busy: not busy):
        qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(path.exists)
    wait_idle(qtbot, ctx)
    ((function, caption, suggested, pattern),) = chooser.asked
    assert (function, caption, pattern) == ("getSaveFileName", "导出 Excel", "工作簿 (*.xlsx)")
    assert suggested.endswith(".xlsx")
    return chooser


def read_back(path) -> tuple[str, list[str], list[list]]:
    ws = load_workbook(path).active
    rows = [list(r) for r in ws.iter_rows(values_only=True)]
    return rows[0][0], [str(h) for h in rows[1]], rows[2:]


def numbers(texts: list[str]) -> list[Decimal]:
    return [Decimal(t.replace(",", "")) for t in texts if t not in ("", "—")]


@pytest.fixture
def ranking(demo_ctx, qtbot):
    from reviewtool.gui.scoring.ranking_page import RankingPage

    page = RankingPage(demo_ctx)
    qtbot.addWidget(page)
    page.resize(1280, 680)
    page.show()
    qtbot.waitUntil(lambda: page.model.rowCount() == 53, timeout=15000)
    return page


def test_ranking_sorts_by_a_header_click_and_back_to_rank_order(ranking, qtbot):
    view = ranking.table
    score = column_of(view, "评分")
    ranks = column_texts(view, 0)
    click_header(qtbot, view, score)
    ascending = numbers(column_texts(view, score))
    assert ascending == sorted(ascending) and len(ascending) > 10
    blanks = [t for t in column_texts(view, score) if t in ("", "—")]
    assert blanks and column_texts(view, score)[-len(blanks) :] == blanks  # unscored last
    click_header(qtbot, view, score)
    assert numbers(column_texts(view, score)) == sorted(ascending, reverse=True)
    assert column_texts(view, score)[-len(blanks) :] == blanks  # last in either direction
    click_header(qtbot, view, score)  # third click: the service's (rank) order again
    assert column_texts(view, 0) == ranks
    # The selection follows the row: what is selected is the application shown there.
    click_header(qtbot, view, column_of(view, "申报编号"))
    numbers_shown = column_texts(view, 1)
    assert numbers_shown == sorted(numbers_shown)
    rect = view.visualRect(view.model().index(4, 1))
    qtbot.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    picked = ranking.selected_application()
    assert ranking.model.rows[4].number == numbers_shown[4]
    assert picked == ranking.model.rows[4].application_id


def test_ranking_shows_areas_with_titles_and_filters_by_words(ranking, qtbot):
    view = ranking.table
    area = column_of(view, "领域")
    assert "HD-I04 农作物高产优质栽培与高效利用技术引进与创新" in column_texts(view, area)
    type_text(qtbot, ranking.filter_bar.search, "HD-I04 马铃薯")
    shown = column_texts(view, 2)
    assert shown and all("马铃薯" in title for title in shown)
    assert all(a.startswith("HD-I04") for a in column_texts(view, area))
    assert ranking.filter_bar.count_label.text() == f"显示 {len(shown)} / 53 行"
    settle(qtbot, ranking.filter_bar)
    ranking.grab().save(str(screenshot_dir() / "ranking_filtered.png"))


def test_ranking_exports_what_is_shown(ranking, qtbot, demo_ctx, tmp_path, monkeypatch):
    view = ranking.table
    type_text(qtbot, ranking.filter_bar.search, "HD-I04")
    click_header(qtbot, view, column_of(view, "评分"))
    headers, rows = shown_table(view)
    path = tmp_path / "排序.xlsx"
    button = ranking.filter_bar.action_buttons[0]
    assert button.text() == "导出 Excel…" and button.toolTip()
    export_by_clicking(qtbot, demo_ctx, monkeypatch, button, path)
    title, header_row, data = read_back(path)
    assert title.startswith("评审排序 — 2025年海东市科技计划项目") and "含“HD-I04”" in title
    assert header_row == headers
    assert len(data) == len(rows) == view.model().rowCount()
    score = headers.index("评分")
    assert [Decimal(str(d[score])) for d in data] == [Decimal(r[score]) for r in rows]  # numbers, not text
    assert [d[1] for d in data] == column_texts(view, 1)  # the numbers, in the order shown
    assert all(isinstance(d[score], (int, float)) or d[score] is None for d in data)


def test_funding_list_filters_by_decision_and_exports(demo_ctx, qtbot, tmp_path, monkeypatch):
    from reviewtool.gui.funding.funding_page import FundingPage

    page = FundingPage(demo_ctx)
    qtbot.addWidget(page)
    page.resize(1280, 680)
    page.show()
    qtbot.waitUntil(lambda: page.model.rowCount() == 53, timeout=15000)
    view = page.table
    # Amounts sort as numbers, not as text ("100.00" after "95.00"); blanks and "—" last.
    requested = column_of(view, "申请经费（万元）")
    in_rank_order = column_texts(view, 1)
    click_header(qtbot, view, requested)
    amounts = numbers(column_texts(view, requested))
    assert amounts == sorted(amounts) and amounts[0] < 100 <= amounts[-1]
    click_header(qtbot, view, requested)
    assert numbers(column_texts(view, requested)) == sorted(amounts, reverse=True)
    click_header(qtbot, view, requested)  # the third click: rank order again
    assert column_texts(view, 1) == in_rank_order
    decision = column_of(view, "结论")
    combo = page.filter_bar.combos[decision]
    choose(qtbot, combo, "拟立项")
    funded = view.model().rowCount()
    assert 0 < funded < 53 and set(column_texts(view, decision)) == {"拟立项"}
    cumulative = column_of(view, "累计经费（万元）")  # "1,020.00" after "985.00": numbers, not text
    click_header(qtbot, view, cumulative)
    sums = numbers(column_texts(view, cumulative))
    assert sums == sorted(sums) and sums[0] < 1000 <= sums[-1]
    click_header(qtbot, view, column_of(view, "建议经费（万元）"))
    amounts = numbers(column_texts(view, column_of(view, "建议经费（万元）")))
    assert amounts == sorted(amounts)
    settle(qtbot, page.filter_bar)
    page.grab().save(str(screenshot_dir() / "funding_filtered.png"))
    # Double-clicking a sorted row edits that application.
    row = page.model.rows[0]
    assert page.model.index(0, 1).data() == row.number
    path = tmp_path / "拟立项.xlsx"
    button = page.filter_bar.action_buttons[0]
    # No panel of the demo is finalised: the list is a draft, asked about first, and its title says 未定稿.
    refused = answer_next(qtbot, click="取消")
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: bool(refused.seen), timeout=10000)
    wait_idle(qtbot, demo_ctx)
    assert "未定稿" in refused.texts[0] and not path.exists()
    accepted = answer_next(qtbot, click="导出未定稿")
    export_by_clicking(qtbot, demo_ctx, monkeypatch, button, path)
    assert accepted.seen
    title, headers, data = read_back(path)
    assert "拟立项项目清单" in title and "结论：拟立项" in title and "未定稿" in title
    assert len(data) == funded
    assert [d[1] for d in data] == column_texts(view, 1)
    assert headers == [view.model().headerData(c, Qt.Orientation.Horizontal) for c in range(view.model().columnCount())]


def test_review_sheets_filter_by_expert_and_state(demo_ctx, qtbot, tmp_path, monkeypatch):
    from reviewtool.gui.panels.panel_page import PanelPage

    page = PanelPage(demo_ctx)
    qtbot.addWidget(page)
    page.resize(1280, 680)
    page.show()
    qtbot.waitUntil(lambda: page.sheets_model.rowCount() > 0, timeout=15000)
    click_tab(qtbot, page.tabs, 1)
    view = page.sheets_view
    total = view.model().rowCount()
    experts = page.sheets_filter.combos[2]
    states = page.sheets_filter.combos[3]
    expert = experts.itemText(1)
    choose(qtbot, experts, expert)
    assert set(column_texts(view, 2)) == {expert}
    mine = view.model().rowCount()
    state = states.itemText(1)
    choose(qtbot, states, state)
    assert set(column_texts(view, 2)) == {expert} and set(column_texts(view, 3)) == {state}
    assert view.model().rowCount() <= mine < total
    settle(qtbot, page.sheets_filter)
    page.grab().save(str(screenshot_dir() / "panel_sheets_filtered.png"))
    path = tmp_path / "评审表.xlsx"
    button = page.sheets_filter.action_buttons[0]
    export_by_clicking(qtbot, demo_ctx, monkeypatch, button, path)
    title, _headers, data = read_back(path)
    assert f"专家：{expert}" in title and f"状态：{state}" in title
    assert [(d[2], d[3]) for d in data] == [(expert, state)] * view.model().rowCount()


def test_expert_pool_sorts_names_in_pinyin_and_shows_fields_with_titles(demo_ctx, qtbot, tmp_path, monkeypatch):
    from reviewtool.gui.experts.pool_page import ExpertPoolPage

    page = ExpertPoolPage(demo_ctx)
    qtbot.addWidget(page)
    page.resize(1280, 680)
    page.show()
    qtbot.waitUntil(lambda: page.model.rowCount() > 10, timeout=15000)
    view = page.view
    fields = column_of(view, "专业领域")
    assert any(text.startswith("HD-I") and " " in text for text in column_texts(view, fields))
    click_header(qtbot, view, 0)
    names = column_texts(view, 0)
    from PySide6.QtCore import QCollator, QLocale

    collator = QCollator(QLocale(QLocale.Language.Chinese, QLocale.Country.China))
    assert names == sorted(names, key=collator.sortKey) and names != sorted(names)  # pinyin, not code points
    # Editing after sorting opens the expert shown in the row double-clicked.
    from reviewtool.gui.experts.expert_dialog import ExpertDialog

    opened = []
    answer = answer_next(
        qtbot, ExpertDialog, then=lambda d: (opened.append(d.name.text()), qtbot.keyClick(d, Qt.Key.Key_Escape))
    )
    rect = view.visualRect(view.model().index(2, 0))
    qtbot.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    qtbot.mouseDClick(view.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    qtbot.waitUntil(lambda: answer.done)
    assert opened == [names[2]]
    path = tmp_path / "专家.xlsx"
    export_by_clicking(qtbot, demo_ctx, monkeypatch, page.export_table_button, path)
    title, headers, data = read_back(path)
    assert title == "专家库" and headers[0] == "姓名"
    assert [d[0] for d in data] == names


def test_the_application_list_exports_every_matching_row_in_sql_order(demo_ctx, qtbot, tmp_path, monkeypatch):
    from reviewtool.gui import applications_model
    from reviewtool.gui.applications_page import ApplicationsPage

    applications_model.PAGE_SIZE, page_size = 20, applications_model.PAGE_SIZE  # fewer loaded than matching
    try:
        page = ApplicationsPage(demo_ctx)
        qtbot.addWidget(page)
        page.resize(1280, 680)
        page.show()
        qtbot.waitUntil(lambda: page.model.total == 53, timeout=15000)
        assert page.model.rowCount() < 53
        view = page.table
        amount = column_of(view, "申请经费（万元）")
        click_header(qtbot, view, amount)
        qtbot.waitUntil(lambda: page.model.query.sort_key == "requested_amount" and page.model.rowCount() >= 20)
        wait_idle(qtbot, demo_ctx)
        assert page.model.rowCount() < 53
        path = tmp_path / "申报.xlsx"
        button = page.toolbar.widgetForAction(page.export_action)
        assert button.toolTip()
        export_by_clicking(qtbot, demo_ctx, monkeypatch, button, path)
    finally:
        applications_model.PAGE_SIZE = page_size
    title, headers, data = read_back(path)
    assert title == "申报项目" and headers[amount] == "申请经费（万元）"
    assert len(data) == 53  # every matching row, not only those loaded
    amounts = [Decimal(str(d[amount])) for d in data]
    assert amounts == sorted(amounts, reverse=page.model.query.descending)
    area = headers.index("所属领域")
    assert any(str(d[area]).startswith("HD-I05 特色养殖业") for d in data)


def test_the_other_lists_filter_as_typed_and_export_as_shown(demo_ctx, qtbot, tmp_path, monkeypatch):
    """The batch list and the panel's members and calibration tables have the same bar: typing in the
    filter box keeps the matching rows, and 导出 Excel… writes exactly those."""
    from reviewtool.gui.batches.batch_page import BatchPage
    from reviewtool.gui.panels.panel_page import PanelPage

    batches = BatchPage(demo_ctx)
    qtbot.addWidget(batches)
    batches.show()
    qtbot.waitUntil(lambda: batches.model.rowCount() == 1, timeout=15000)
    path = tmp_path / "批次.xlsx"
    export_by_clicking(qtbot, demo_ctx, monkeypatch, batches.filter_bar.action_buttons[0], path)
    title, headers, data = read_back(path)
    assert title == "申报批次" and [d[0] for d in data] == column_texts(batches.view, 0)

    page = PanelPage(demo_ctx)
    qtbot.addWidget(page)
    page.resize(1280, 680)
    page.show()
    qtbot.waitUntil(lambda: page.members_model.rowCount() > 3, timeout=15000)
    view = page.members_view
    total = view.model().rowCount()
    first = view.model().index(0, 0).data()
    type_text(qtbot, page.members_filter.search, first)
    qtbot.waitUntil(lambda: view.model().rowCount() < total)
    assert set(column_texts(view, 0)) == {first}
    path = tmp_path / "成员.xlsx"
    export_by_clicking(qtbot, demo_ctx, monkeypatch, page.members_filter.action_buttons[0], path)
    title, _headers, data = read_back(path)
    assert title.startswith("专家组成员 — ") and first in title and [d[0] for d in data] == [first]
    click_tab(qtbot, page.tabs, 3)  # 校准: the results table has its own bar
    qtbot.waitUntil(lambda: page.results_model.rowCount() > 0, timeout=15000)
    bar = page.results_view.parentWidget().findChildren(type(page.members_filter))[0]
    path = tmp_path / "结果.xlsx"
    export_by_clicking(qtbot, demo_ctx, monkeypatch, bar.action_buttons[0], path)
    _title, _headers, data = read_back(path)
    assert len(data) == page.results_model.rowCount()
