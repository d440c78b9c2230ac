"""Priority-area codes typed in a form are named with their titles under the
field (elided when short of room, whole in the tooltip), and codes that are
not areas of the plan are pointed out."""

from __future__ import annotations

from modal import answer_next, keep, modal_watchers  # noqa: F401 - the fixture, autouse
from PySide6.QtCore import Qt

from clicks import click_tab
from conftest_helpers import screenshot_dir, type_text, wait_idle
from reviewtool.gui.experts.expert_dialog import ExpertDialog


def test_the_expert_dialog_names_the_fields_typed(demo_ctx, qtbot):
    from reviewtool.gui.experts.pool_page import ExpertPoolPage

    page = ExpertPoolPage(demo_ctx)
    qtbot.addWidget(page)
    page.show()
    wait_idle(qtbot, demo_ctx)
    seen = {}

    def type_codes(dialog) -> None:
        type_text(qtbot, dialog.areas, "HD-I05、hd-c2-2、HD-X9")
        seen["text"] = dialog.area_titles.text()
        seen["tip"] = dialog.area_titles.toolTip()
        dialog.grab().save(str(screenshot_dir() / "expert_dialog_fields.png"))
        answer_next(qtbot, click="放弃")
        qtbot.keyClick(dialog.areas, Qt.Key.Key_Escape)

    answer = answer_next(qtbot, ExpertDialog, then=type_codes)
    qtbot.mouseClick(page.new_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: answer.done)
    assert seen["text"].startswith("HD-I05 特色养殖业高效生产与精深加工技术研发；HD-C2-2 ")
    assert seen["text"].endswith("不是规划中的领域：HD-X9")
    assert seen["tip"].splitlines()[0] == "HD-I05 特色养殖业高效生产与精深加工技术研发"


def test_the_application_form_names_secondary_areas(demo_ctx, qtbot):
    from reviewtool.gui.intake.application_form import ApplicationFormDialog

    dialog = ApplicationFormDialog(demo_ctx, application_id=1)
    keep(qtbot, dialog)
    dialog.show()
    wait_idle(qtbot, demo_ctx)
    click_tab(qtbot, dialog.tabs, 4)
    label = dialog.secondary_titles
    type_text(qtbot, dialog.edits["secondary_areas"], ", HD-I02")
    assert "HD-I02 加强水生态修复技术创新与示范" in label.text()
    # Short of room, the titles never widen the form: drawn elided, whole in the tooltip.
    dialog.resize(480, dialog.height())
    qtbot.waitUntil(lambda: dialog.width() == 480)
    assert label.width() < label.fontMetrics().horizontalAdvance(label.text())
    assert "HD-I02 加强水生态修复技术创新与示范" in label.toolTip().splitlines()


def test_the_rubric_editor_names_its_scope_areas(demo_ctx, qtbot):
    from reviewtool.gui.scoring.rubric_editor import RubricEditorDialog

    dialog = RubricEditorDialog(demo_ctx)
    keep(qtbot, dialog)
    dialog.show()
    wait_idle(qtbot, demo_ctx)
    type_text(qtbot, dialog.scope_areas, "HD-D1；QH-E1")
    assert dialog.scope_titles.text() == "HD-D1 科技促进生态环境保护；QH-E1 生态价值转化专项"
