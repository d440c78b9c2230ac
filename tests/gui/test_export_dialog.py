"""The export dialog, driven by clicks: fonts are looked up off the GUI
thread, the new documents export, missing characters are named in a message
box, and the notice settings are edited in their own dialog."""

from __future__ import annotations

import importlib.util
import sys
import threading
from pathlib import Path

import docx
import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QMessageBox

from clicks import click, modal, retype
from conftest_helpers import screenshot_dir, type_text, wait_idle
from reviewtool.gui.documents.export_dialog import ExportDialog
from reviewtool.gui.documents.notice_settings_dialog import NoticeSettingsDialog
from reviewtool.services.documents import fonts as fonts_module
from reviewtool.services.documents.fonts import document_fonts
from reviewtool.services.documents.notice_settings import notice_settings
from reviewtool.storage.models import Application

_spec = importlib.util.spec_from_file_location(
    "documents_scored_batch_dialog", Path(__file__).resolve().parent.parent / "documents" / "scored_batch.py"
)
scored_batch = importlib.util.module_from_spec(_spec)
sys.modules[_spec.name] = scored_batch
_spec.loader.exec_module(scored_batch)


@pytest.fixture
def scored_ctx(gui_ctx):
    with gui_ctx.database.session() as session:
        gui_ctx.info = scored_batch.build_scored_batch(session)
    return gui_ctx


def open_dialog(qtbot, ctx, what="expert") -> ExportDialog:
    dialog = ExportDialog(ctx, batch_id=ctx.info.batch_id, what=what)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitUntil(lambda: dialog.batch.count() == 1, timeout=10000)
    return dialog


def choose(qtbot, combo, code) -> None:
    """Pick an entry of a combo box with the keyboard, as a person would."""
    combo.setFocus()
    target = combo.findData(code)
    while combo.currentIndex() != target:
        key = Qt.Key.Key_Down if combo.currentIndex() < target else Qt.Key.Key_Up
        qtbot.keyClick(combo, key)


def test_opening_the_dialog_looks_fonts_up_off_the_gui_thread(qtbot, scored_ctx, monkeypatch):
    expected = str(document_fonts().source)  # (found before the watch starts)
    threads = []
    real = fonts_module.system_candidates

    def watched(platform=None):
        threads.append(threading.current_thread())
        return real(platform)

    monkeypatch.setattr(fonts_module, "_cache", {})  # the lookup really runs again
    monkeypatch.setattr(fonts_module, "system_candidates", watched)
    dialog = open_dialog(qtbot, scored_ctx)
    qtbot.waitUntil(lambda: expected in dialog.font_label.text(), timeout=10000)
    assert threads and threading.main_thread() not in threads
    wait_idle(qtbot, scored_ctx)


def test_missing_characters_are_named_in_a_message(qtbot, scored_ctx, tmp_path, monkeypatch):
    main_font = document_fonts()
    with scored_ctx.database.session() as s:
        s.get(Application, scored_ctx.info.app_ids["HD2026-002"]).title = "高原𪚥𠀀冷水鱼"
    monkeypatch.setattr(fonts_module, "_cache", {})
    monkeypatch.setattr(fonts_module, "extension_candidates", lambda platform=None: [])
    monkeypatch.setattr(
        fonts_module, "system_candidates", lambda platform=None: [fonts_module.FontCandidate(main_font.source)]
    )
    dialog = open_dialog(qtbot, scored_ctx, what="blank")
    qtbot.waitUntil(lambda: str(main_font.source) in dialog.font_label.text(), timeout=10000)
    type_text(qtbot, dialog.target, str(tmp_path / "blank"))
    with qtbot.waitSignal(dialog.finished_export, timeout=30000):
        click(qtbot, dialog.export_button)
    box = modal(qtbot, QMessageBox)
    text = box.text()
    assert "𪚥" in text and "U+2A6A5" in text and "HD2026-002" in text
    box.grab().save(str(screenshot_dir() / "export-missing-characters.png"))
    click(qtbot, box.button(QMessageBox.StandardButton.Ok))
    qtbot.waitUntil(lambda: QApplication.activeModalWidget() is None, timeout=10000)
    assert "U+2A6A5" in dialog.result_label.text()
    wait_idle(qtbot, scored_ctx)


def test_the_publicity_and_letters_export_from_the_dialog(qtbot, scored_ctx, tmp_path):
    dialog = open_dialog(qtbot, scored_ctx)
    # the notice settings first, in their own dialog
    click(qtbot, dialog.notice_button)
    settings = modal(qtbot, NoticeSettingsDialog)
    qtbot.waitUntil(lambda: settings.save_button.isEnabled(), timeout=10000)
    start = settings.fields["publicity_start"]
    type_text(qtbot, start, "2026-07-01")
    type_text(qtbot, settings.fields["publicity_end"], "2026-06-01")  # ends before it starts
    type_text(qtbot, settings.fields["phone"], "0972-8612345")
    click(qtbot, settings.save_button)
    qtbot.waitUntil(lambda: "公示期" in settings.error.text(), timeout=10000)
    retype(qtbot, settings.fields["publicity_end"], "2026-07-07")
    settings.grab().save(str(screenshot_dir() / "notice-settings-dialog.png"))
    click(qtbot, settings.save_button)
    qtbot.waitUntil(lambda: not settings.isVisible(), timeout=10000)
    with scored_ctx.database.session() as s:
        stored = notice_settings(s, scored_ctx.info.batch_id)
    assert str(stored.publicity_end) == "2026-07-07" and stored.phone == "0972-8612345"

    choose(qtbot, dialog.what, "publicity_docx")
    assert not dialog.panel.isEnabled()
    retype(qtbot, dialog.target, str(tmp_path / "公示.docx"))
    with qtbot.waitSignal(dialog.finished_export, timeout=30000) as blocker:
        click(qtbot, dialog.export_button)
    document = docx.Document(str(blocker.args[0].files[0]))
    assert any("公示期：2026年7月1日至2026年7月7日" in p.text for p in document.paragraphs)

    choose(qtbot, dialog.what, "notices_pdf")
    click(qtbot, dialog.combined)
    retype(qtbot, dialog.target, str(tmp_path / "letters"))
    with qtbot.waitSignal(dialog.finished_export, timeout=30000) as blocker:
        click(qtbot, dialog.export_button)
    assert len(blocker.args[0].files) == 1 and blocker.args[0].documents == 4
    dialog.grab().save(str(screenshot_dir() / "export-dialog-letters.png"))
    assert QApplication.activeModalWidget() is None
    wait_idle(qtbot, scored_ctx)
