"""专家可查看的附件 in the 评审阶段 window: every kind ticked by default; unticking
one by a click stores the narrower list, ticking it again every kind."""

from __future__ import annotations

import pytest

from clicks import check
from conftest_helpers import wait_idle
from gui.modal import modal_watchers  # noqa: F401 - autouse: no modal window left unanswered
from gui.test_stages_gui import open_stages
from reviewtool.services.my_reviews.workspace import allowed_attachment_kinds
from reviewtool.storage.models import Batch
from stages.staged_world import remote_stage

pytestmark = pytest.mark.gui


def test_unticking_a_kind_keeps_it_from_the_experts(gui_ctx, qtbot):
    with gui_ctx.database.session() as s:
        world, _remote = remote_stage(s)

    def stored():
        with gui_ctx.database.session() as s:
            return allowed_attachment_kinds(s.get(Batch, world.batch_id))

    _page, dialog = open_stages(qtbot, gui_ctx)
    boxes = dialog.attachment_boxes
    assert all(box.isChecked() for box in boxes.values()) and stored() is None
    check(qtbot, boxes["budget"], False)
    qtbot.waitUntil(lambda: stored() == {"application_form", "certificate", "other"}, timeout=10000)
    check(qtbot, boxes["certificate"], False)
    qtbot.waitUntil(lambda: stored() == {"application_form", "other"}, timeout=10000)
    wait_idle(qtbot, gui_ctx)
    assert not boxes["budget"].isChecked() and boxes["application_form"].isChecked()  # reloaded from the database
    check(qtbot, boxes["budget"], True)
    check(qtbot, boxes["certificate"], True)
    qtbot.waitUntil(lambda: stored() is None, timeout=10000)
