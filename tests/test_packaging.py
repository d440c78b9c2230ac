"""A non-editable install finds its migrations and data files from any directory."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def installed(tmp_path_factory) -> Path:
    target = tmp_path_factory.mktemp("site")
    build = tmp_path_factory.mktemp("build")
    # Build from a copy so the checkout's build/ and egg-info are untouched.
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "install",
            "--quiet",
            "--no-deps",
            "--no-build-isolation",
            "--target",
            str(target),
            str(REPO),
        ],
        check=True,
        cwd=build,
        env={**os.environ, "PIP_NO_INPUT": "1"},
    )
    return target


def run_installed(site: Path, code: str, cwd: Path, **env) -> subprocess.CompletedProcess:
    environment = {**os.environ, **env, "PYTHONPATH": str(site)}
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=cwd, env=environment)


def test_installed_package_ships_migrations_and_resources(installed, tmp_path):
    result = run_installed(
        installed,
        "import reviewtool, reviewtool.paths as p;"
        "print(reviewtool.__file__); print(p.migrations_dir()); print(p.resources_dir());"
        "print(sorted(x.name for x in (p.migrations_dir() / 'versions').glob('*.py')));"
        "print((p.resource_path('plans', 'haidong-14.yaml')).is_file());"
        "print(bool(list(p.resource_path('locale', 'zh_CN', 'LC_MESSAGES').glob('*.po'))))",
        tmp_path,
    )
    assert result.returncode == 0, result.stderr
    module, migrations, resources, versions, has_plan, has_catalog = result.stdout.splitlines()
    assert module.startswith(str(installed))
    assert migrations.startswith(str(installed)) and resources.startswith(str(installed))
    assert "env.py" not in versions and any(v.startswith("2026") or v[0].isdigit() for v in versions)
    assert has_plan == "True" and has_catalog == "True"


def test_installed_cli_initialises_a_database(installed, tmp_path):
    url = f"sqlite:///{(tmp_path / 'installed.sqlite3').as_posix()}"
    result = run_installed(
        installed,
        "import sys; from reviewtool.cli.main import main; sys.exit(main(['init', '--db', sys.argv[1] if len(sys.argv) > 1 else '']))",
        tmp_path,
        REVIEWTOOL_DB=url,
    )
    # main(['init', '--db', '']) falls back to REVIEWTOOL_DB
    assert result.returncode == 0, result.stderr
    assert "53 个领域" in result.stdout


def test_installed_package_ships_the_user_guides(installed, tmp_path):
    """The Help menu (F1) finds the Chinese user guides in an installed reviewtool too."""
    result = run_installed(
        installed,
        "from reviewtool.gui.widgets import user_guide as g;"
        "print(g.guides_dir()); print(g.guide_path('intake')); print(g.guide_path('experts').is_file())",
        tmp_path,
        QT_QPA_PLATFORM="offscreen",
    )
    assert result.returncode == 0, result.stderr
    folder, intake, experts = result.stdout.splitlines()
    assert folder.startswith(str(installed)) and intake.endswith("intake.md") and experts == "True"
