"""The command line loads a command's module only when the command is used (cli/lazy.py).

Nothing here times anything: the structure that keeps ``--version`` and
``--help`` fast is checked instead. The map in ``cli/main.py`` must name every
command exactly as the modules build it, and a fresh interpreter answering
``--version`` or ``--help`` must not have imported the heavy libraries.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from reviewtool.cli.main import COMMANDS, main

HEAVY = ("sqlalchemy", "openpyxl", "reportlab", "jieba", "PySide6", "sklearn", "scipy", "alembic", "docx")

#: Run in a fresh interpreter: every ``reviewtool.cli`` module is purged between the builds,
#: so a command that only appears complete because another module was imported first is caught.
COMPARE_SCRIPT = r"""
import importlib, json, pkgutil, sys
import click
import reviewtool.cli as package
from reviewtool.cli.main import COMMANDS, build_cli
from reviewtool.i18n import _, set_language

KEEP = {"reviewtool.cli", "reviewtool.cli.main", "reviewtool.cli.lazy"}

def purge():
    for name in [m for m in sys.modules if m.startswith("reviewtool.cli.") and m not in KEEP]:
        del sys.modules[name]

def tree(command):
    return {
        "help": command.help,
        "params": sorted(p.name or "" for p in command.params),
        "commands": {n: tree(c) for n, c in sorted(getattr(command, "commands", {}).items())},
    }

registering = sorted(
    m.name for m in pkgutil.iter_modules(package.__path__)
    if hasattr(importlib.import_module(f"reviewtool.cli.{m.name}"), "register")
)
problems = []
mapped = sorted({module for entry in COMMANDS.values() for module in entry.modules})
if mapped != registering:
    problems.append(f"modules with register(): {registering}, in the map: {mapped}")
for language in ("zh_CN", "en"):
    set_language(language)
    purge()
    everything = click.Group("all")
    for module in registering:
        importlib.import_module(f"reviewtool.cli.{module}").register(everything)
    full = {name: tree(command) for name, command in everything.commands.items()}
    if sorted(full) != sorted(COMMANDS):
        problems.append(f"commands built: {sorted(full)}, in the map: {sorted(COMMANDS)}")
    for name in sorted(set(full) & set(COMMANDS)):
        if _(COMMANDS[name].help) != full[name]["help"]:
            problems.append(f"{language} {name}: the map's help differs from the command's")
        purge()
        lazy = build_cli(lazy=True)
        alone = lazy.get_command(click.Context(lazy), name)
        if alone is None or tree(alone) != full[name]:
            problems.append(f"{language} {name}: loaded alone it differs from the full build")
print(json.dumps(problems, ensure_ascii=False))
"""


def _python(script: str, tmp_path, *args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "HOME": str(tmp_path), "XDG_CACHE_HOME": str(tmp_path / "cache")}
    return subprocess.run([sys.executable, "-c", script, *args], capture_output=True, text=True, env=env)


def test_the_map_names_every_command_exactly_as_the_modules_build_it(tmp_path):
    result = _python(COMPARE_SCRIPT, tmp_path)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == []


LOADED_SCRIPT = r"""
import json, sys
from reviewtool.cli.main import main
code = main(sys.argv[1:])
roots = sorted({m.split(".")[0] for m in sys.modules})
print(json.dumps({"code": code, "roots": roots, "cli": sorted(m for m in sys.modules if m.startswith("reviewtool.cli.")),
                  "loaded": sorted(m for m in sys.modules if m.startswith("reviewtool."))}))
"""


def _loaded(tmp_path, *args: str) -> dict:
    result = _python(LOADED_SCRIPT, tmp_path, *args)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.splitlines()[-1])


@pytest.mark.parametrize("args", [["--version"], ["--help"], ["--lang", "en", "--help"]])
def test_version_and_help_import_no_heavy_library(tmp_path, args):
    loaded = _loaded(tmp_path, *args)
    assert loaded["code"] == 0
    assert set(HEAVY) & set(loaded["roots"]) == set()
    assert loaded["cli"] == ["reviewtool.cli.lazy", "reviewtool.cli.main"]


def test_the_second_start_reads_the_compiled_catalogs_without_babel(tmp_path):
    first = _loaded(tmp_path, "--version")
    second = _loaded(tmp_path, "--version")
    assert "babel" in first["roots"]  # the first start compiles and caches the catalogs
    assert "babel" not in second["roots"]


def test_a_command_loads_only_its_own_modules(tmp_path):
    loaded = _loaded(tmp_path, "backup", "--help")
    assert "reviewtool.cli.backup" in loaded["cli"]
    assert "reviewtool.cli.documents" not in loaded["cli"]
    assert "reportlab" not in loaded["roots"]


def test_help_lists_every_command_with_its_translated_short_help(capsys):
    assert main(["--help"]) == 0
    out = capsys.readouterr().out
    listed = [line.split()[0] for line in out.split("Commands:")[1].splitlines() if line.strip()]
    assert listed == sorted(COMMANDS)
    assert "创建数据库，或将其升级到最新结构。" in out


def test_the_lazy_help_is_the_full_builds_help():
    import click

    from reviewtool.cli.main import build_cli

    def root_help(group):
        return group.get_help(click.Context(group, info_name="reviewtool-cli", terminal_width=100))

    assert root_help(build_cli(lazy=True)) == root_help(build_cli())


def test_a_loaded_command_still_runs_and_unknown_ones_fail_in_one_line(capsys):
    assert main(["panel", "--help"]) == 0
    assert "invitations" in capsys.readouterr().out  # added to the group by cli/panels_members.py
    assert main(["no-such-command"]) == 2
    err = capsys.readouterr().err
    assert "no-such-command" in err and "Traceback" not in err


def test_one_title_on_an_unchanged_sqlite_file_answers_without_the_data_layer(tmp_path):
    """suggest-areas: the first call opens the database and stamps the file; the next, with nothing
    written since, answers the same from the cached model without SQLAlchemy or the models."""
    url = f"sqlite:///{(tmp_path / 'quick.sqlite3').as_posix()}"
    assert _loaded(tmp_path, "init", "--db", url)["code"] == 0
    title = "基于深度学习的高原牦牛疾病智能诊断系统研发"

    def suggest() -> tuple[dict, list[str]]:
        result = _python(LOADED_SCRIPT, tmp_path, "suggest-areas", "--db", url, "--title", title, "--json")
        assert result.returncode == 0, result.stderr
        *answer, loaded = result.stdout.splitlines()
        return json.loads(loaded), answer

    full, full_answer = suggest()
    assert "sqlalchemy" in full["roots"]  # opened (and checked) the database, built and cached the model
    quick, quick_answer = suggest()
    assert quick["code"] == 0 and quick_answer == full_answer
    assert set(HEAVY) & set(quick["roots"]) == set()
    assert not any(m.startswith("reviewtool.storage") for m in quick["loaded"])
    # A write to the file (here a new batch) sends the next call through the database again.
    assert _loaded(tmp_path, "batch", "add", "2026年测试批次", "--db", url)["code"] == 0
    again, again_answer = suggest()
    assert "sqlalchemy" in again["roots"] and again_answer == full_answer
