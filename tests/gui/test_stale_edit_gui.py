"""Two clerks on one application: the second save is refused naming who saved
first and when, and the clerk chooses — reload the saved version, or keep her
text in the window. Nothing is overwritten and nothing typed vanishes unasked."""

from __future__ import annotations

import pytest
from modal import answer_next, keep, modal_watchers  # noqa: F401 - the fixture, autouse

from clicks import click
from conftest_helpers import type_text, wait_idle
from reviewtool.gui.intake.application_form import ApplicationFormDialog
from reviewtool.services.intake import edit as application_edit
from reviewtool.storage.models import Application

pytestmark = pytest.mark.gui
OTHER_TITLE = "高原夏菜绿色高效栽培技术集成与示范"


def _other_clerk_saves(database, application_id: int) -> None:
    """李四 at the next desk saves the same application first."""
    with database.session() as s:
        form = application_edit.load_form(s, application_id)
        form.title = OTHER_TITLE
        version = s.get(Application, application_id).row_version
        application_edit.update_application(s, application_id, form, actor="李四", row_version=version)


def _open(ctx, qtbot) -> ApplicationFormDialog:
    dialog = ApplicationFormDialog(ctx, application_id=1)
    keep(qtbot, dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    wait_idle(qtbot, ctx)
    return dialog


def _stored(ctx) -> tuple[str, str]:
    with ctx.database.session() as s:
        a = s.get(Application, 1)
        return a.title, a.pi_name


def test_a_refused_save_names_who_and_reloading_takes_their_version(demo_ctx, qtbot):
    dialog = _open(demo_ctx, qtbot)
    _other_clerk_saves(demo_ctx.database, 1)
    type_text(qtbot, dialog.edits["pi_name"], "王")
    answer = answer_next(qtbot, click="重新载入")
    click(qtbot, dialog.save_button)
    qtbot.waitUntil(lambda: answer.done, timeout=10000)
    assert "李四" in answer.texts[0] and "修改" in answer.texts[0]
    qtbot.waitUntil(lambda: dialog.edits["title"].text() == OTHER_TITLE, timeout=10000)
    assert _stored(demo_ctx)[0] == OTHER_TITLE  # 李四's save stands

    type_text(qtbot, dialog.edits["pi_name"], "王")  # her change again, on their version
    click(qtbot, dialog.save_button)
    qtbot.waitUntil(lambda: not dialog.isVisible(), timeout=10000)
    title, pi_name = _stored(demo_ctx)
    assert title == OTHER_TITLE and pi_name.endswith("王")


def test_keep_editing_leaves_what_she_typed_and_saves_nothing(demo_ctx, qtbot):
    dialog = _open(demo_ctx, qtbot)
    _other_clerk_saves(demo_ctx.database, 1)
    type_text(qtbot, dialog.edits["pi_name"], "王")
    typed = dialog.edits["pi_name"].text()
    answer = answer_next(qtbot, click="继续编辑")
    click(qtbot, dialog.save_button)
    qtbot.waitUntil(lambda: answer.done, timeout=10000)
    wait_idle(qtbot, demo_ctx)
    assert dialog.isVisible() and dialog.edits["pi_name"].text() == typed
    assert dialog.edits["title"].text() != OTHER_TITLE  # still her window, not reloaded
    title, pi_name = _stored(demo_ctx)
    assert title == OTHER_TITLE and not pi_name.endswith("王")  # 李四's save stands, hers is not stored
