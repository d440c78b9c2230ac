"""Run by ``test_x11_display.py`` under Xvfb: start the real application on
the X display (the ``xcb`` platform plugin), wait until the demo database is
open and the main window is drawn, then save a screenshot of the whole X
screen (not a widget grab: what a person at that display would see).

Usage: ``python x11_launch.py OUT.png``. Exit status 0 when saved, 3 when
the window did not appear in time; Qt itself aborts when the platform plugin
cannot load (its message names the missing library)."""

from __future__ import annotations

import sys

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication

from reviewtool.gui.app import Launcher, LaunchOptions

TIMEOUT_MS = 120_000
POLL_MS = 200


def main(out: str) -> int:
    app = QApplication(sys.argv[:1])
    print(f"platform: {app.platformName()}", flush=True)
    if app.platformName() != "xcb":
        return 2
    launcher = Launcher(app, LaunchOptions(database_url=None, demo=True, language="zh_CN", screenshot=None))
    state = {"waited": 0, "code": 3}

    def poll() -> None:
        window = launcher.window
        ready = window is not None and window.isVisible() and launcher.tasks.pending == 0
        if ready and window.applications_page.model.rowCount() > 0:
            QTimer.singleShot(500, shoot)
            return
        state["waited"] += POLL_MS
        if state["waited"] > TIMEOUT_MS:
            app.quit()
            return
        QTimer.singleShot(POLL_MS, poll)

    def shoot() -> None:
        screen = app.primaryScreen()
        pixmap = screen.grabWindow(0)  # the X root window: everything on the display
        window = launcher.window
        print(f"screen: {screen.size().width()}x{screen.size().height()}", flush=True)
        print(f"window: {window.frameGeometry().width()}x{window.frameGeometry().height()}", flush=True)
        print(f"rows: {window.applications_page.model.rowCount()}", flush=True)
        if pixmap.save(out):
            state["code"] = 0
        app.quit()

    QTimer.singleShot(0, launcher.start)
    QTimer.singleShot(POLL_MS, poll)
    app.exec()
    launcher.shutdown()
    return state["code"]


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
