"""A reload made pointless by a newer one is dropped, not left to run out on
the one worker: queued, it never starts; running, it is asked to stop; either
way its result never reaches the page (gui/tasks.py, ``supersede=``)."""

from __future__ import annotations

import threading

import pytest

from reviewtool.gui.tasks import TaskManager

pytestmark = pytest.mark.gui


@pytest.fixture
def tasks(qtbot):
    manager = TaskManager()
    yield manager
    manager.shutdown()


def _blocker(tasks: TaskManager) -> threading.Event:
    """Keep the worker busy until the returned event is set."""
    release, started = threading.Event(), threading.Event()
    tasks.run(lambda _p, _c: (started.set(), release.wait(10)))
    started.wait(10)
    return release


def test_a_queued_reload_is_dropped_when_a_newer_one_is_queued(tasks, qtbot):
    release = _blocker(tasks)
    ran, shown = [], []
    tasks.run(lambda _p, _c: ran.append("old") or "old", shown.append, supersede="applications")
    tasks.run(lambda _p, _c: ran.append("new") or "new", shown.append, supersede="applications")
    tasks.run(lambda _p, _c: ran.append("other") or "other", shown.append, supersede="ranking")
    release.set()
    qtbot.waitUntil(lambda: tasks.pending == 0, timeout=10000)
    assert ran == ["new", "other"] and shown == ["new", "other"]


def test_a_running_reload_is_asked_to_stop_and_its_result_dropped(tasks, qtbot):
    started, go_on = threading.Event(), threading.Event()
    shown, stopped = [], []

    def old_load(_p, cancel):
        started.set()
        go_on.wait(10)
        stopped.append(cancel.cancelled)
        return "old"

    tasks.run(old_load, shown.append, supersede="funding")
    started.wait(10)
    tasks.run(lambda _p, _c: "new", shown.append, supersede="funding")
    go_on.set()
    qtbot.waitUntil(lambda: tasks.pending == 0, timeout=10000)
    assert stopped == [True] and shown == ["new"]
