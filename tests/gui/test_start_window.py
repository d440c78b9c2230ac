"""The first window appears before the data layer is imported (issue 16): in a
fresh interpreter, the start window is shown while neither SQLAlchemy nor the
models nor any service but the progress tokens is loaded; then the main
window takes its place. Checks imports, times nothing."""

from __future__ import annotations

from gui.cold_start import cold_start


def test_the_start_window_shows_before_the_data_layer_loads_then_gives_way(tmp_path):
    report = cold_start(tmp_path)
    first = report["start"]
    assert "sqlalchemy" not in first["roots"]
    assert first["data"] == ["reviewtool.services", "reviewtool.services.progress"]  # the worker's cancel tokens
    assert "reviewtool.gui.main_window" not in first["gui"]
    assert report["main_window"] and not report["start_window_left"]


def test_the_start_up_reads_the_same_environment_variable_as_the_storage():
    """gui/app.py names REVIEWTOOL_DB itself (importing storage would load SQLAlchemy first)."""
    from reviewtool.gui import app
    from reviewtool.storage import database

    assert app.ENV_VAR == database.ENV_VAR == "REVIEWTOOL_DB"
