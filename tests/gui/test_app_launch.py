"""``reviewtool --demo`` from a clean user profile, as a newcomer starts it."""

from __future__ import annotations

import os
import subprocess
import sys

from PySide6.QtGui import QImage

from conftest_helpers import screenshot_dir


def test_demo_start_creates_migrates_fills_and_shows_the_window(tmp_path, isolated_user_dirs):
    shot = screenshot_dir() / "reviewtool_demo_start.png"
    shot.unlink(missing_ok=True)
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    result = subprocess.run(
        [sys.executable, "-m", "reviewtool.gui.app", "--demo", "--screenshot", str(shot)],
        capture_output=True,
        text=True,
        env=env,
        timeout=180,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    demo_file = isolated_user_dirs / "data" / "reviewtool" / "demo.sqlite3"
    assert demo_file.exists()
    image = QImage(str(shot))
    assert image.width() >= 800 and image.height() >= 500
    # Not a blank or one-colour picture: the list's rows, the navigation and the toolbar are drawn.
    colours = {image.pixel(x, y) for x in range(0, image.width(), 7) for y in range(0, image.height(), 7)}
    assert len(colours) > 20
    # A second start reuses the filled database instead of refusing or duplicating.
    again = subprocess.run(
        [sys.executable, "-m", "reviewtool.gui.app", "--demo", "--screenshot", str(tmp_path / "again.png")],
        capture_output=True,
        text=True,
        env=env,
        timeout=180,
    )
    assert again.returncode == 0, again.stderr[-2000:]
    from reviewtool.storage.database import Database

    database = Database(f"sqlite:///{demo_file.as_posix()}")
    with database.engine.connect() as connection:
        assert connection.exec_driver_sql("SELECT count(*) FROM application").scalar() == 53
    database.dispose()


def test_the_demo_opens_on_the_populated_application_list(isolated_user_dirs, qtbot):
    """``reviewtool --demo`` in the test's own process: the window opens on the
    application list with every demonstration application, in Chinese."""
    import yaml
    from PySide6.QtCore import Qt
    from PySide6.QtWidgets import QApplication

    from reviewtool.gui import options
    from reviewtool.gui.app import Launcher, LaunchOptions
    from reviewtool.services.demo import demo_file

    first = yaml.safe_load(demo_file().read_text(encoding="utf-8"))["applications"][0]
    # A newcomer's profile: no page, geometry or database remembered. (QSettings(org, app) is in the
    # native format, whose folder Qt fixes at its first use in the process, so earlier tests' keys are there.)
    stale = options.open_settings()
    stale.clear()
    stale.sync()
    launcher = Launcher(QApplication.instance(), LaunchOptions(None, True, "zh_CN", None))
    launcher.start()
    try:
        qtbot.waitUntil(lambda: launcher.window is not None, timeout=60000)
        window = launcher.window
        page = window.applications_page
        qtbot.waitUntil(lambda: page.model.total == 53 and page.model.rowCount() > 0, timeout=60000)
        assert window.pages.currentWidget() is page
        assert window.nav.currentItem().text() == "申报项目"
        model = page.model
        headers = [model.headerData(c, Qt.Orientation.Horizontal) for c in range(model.columnCount())]
        assert headers[:2] == ["申报编号", "项目名称"]
        texts = {model.index(0, c).data() for c in range(model.columnCount())}
        assert {first["number"], first["title"]} <= texts, texts
        assert "53" in page.count_label.text()
        qtbot.waitUntil(lambda: "53" in window.statusBar().currentMessage(), timeout=10000)
        window.grab().save(str(screenshot_dir() / "reviewtool_demo_list.png"))
    finally:
        if launcher.window is not None:
            launcher.window.close()
        launcher.shutdown()
