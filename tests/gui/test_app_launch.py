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
