"""The GUI tests' QSettings are private to each test (the app uses QSettings(org, app), the native format)."""

from __future__ import annotations

from PySide6.QtCore import QSettings


def test_a_setting_written_by_one_test(tmp_path):
    settings = QSettings("HaidongKJJ", "reviewtool")
    settings.setValue("isolation/probe", "written")
    settings.sync()
    assert str(tmp_path) in settings.fileName()


def test_is_not_seen_by_the_next():
    assert QSettings("HaidongKJJ", "reviewtool").value("isolation/probe") is None
