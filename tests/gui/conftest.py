"""GUI fixtures: a real main window on a migrated database, private
QSettings, and a check that no worker thread outlives its test."""

from __future__ import annotations

import threading

import pytest
from PySide6.QtCore import QSettings

from reviewtool.gui.context import ChangeBus, GuiContext
from reviewtool.gui.tasks import TaskManager

pytestmark = pytest.mark.gui


@pytest.fixture(autouse=True)
def private_qsettings(tmp_path):
    QSettings.setDefaultFormat(QSettings.Format.IniFormat)
    # QSettings(org, app) uses the native format whatever the default, and Qt
    # remembers its folder from the first use: point both formats here.
    for settings_format in (QSettings.Format.IniFormat, QSettings.Format.NativeFormat):
        QSettings.setPath(settings_format, QSettings.Scope.UserScope, str(tmp_path / "qsettings"))
    yield


@pytest.fixture(autouse=True)
def no_dangling_threads():
    before = {t.ident for t in threading.enumerate()}
    yield
    leftover = [t.name for t in threading.enumerate() if t.ident not in before and t.is_alive()]
    assert leftover == [], f"threads left running: {leftover}"


def make_context(database, qtbot) -> GuiContext:
    tasks = TaskManager()
    settings = QSettings("HaidongKJJ", "reviewtool")
    ctx = GuiContext(database, tasks, settings, ChangeBus(), "测试员")
    return ctx


@pytest.fixture
def gui_ctx(db, qtbot):
    ctx = make_context(db, qtbot)
    yield ctx
    ctx.tasks.shutdown()


@pytest.fixture
def demo_ctx(demo_db, qtbot):
    ctx = make_context(demo_db, qtbot)
    yield ctx
    ctx.tasks.shutdown()
