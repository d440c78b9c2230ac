"""``reviewtool-cli`` as a user runs it."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from reviewtool import __version__
from reviewtool.cli.main import main


def run(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_version(capsys):
    code, out, _err = run(capsys, "--version")
    assert code == 0
    assert out.strip() == f"reviewtool-cli {__version__}"


def test_init_creates_the_database_and_reports_the_plans(capsys, empty_sqlite_url):
    code, out, err = run(capsys, "init", "--db", empty_sqlite_url)
    assert (code, err) == (0, "")
    assert "数据库已就绪" in out
    assert "海东市“十四五”科技创新发展规划（53 个领域）" in out
    code, out, _ = run(capsys, "init", "--db", empty_sqlite_url, "--json")
    assert {e["code"]: e["areas"] for e in json.loads(out)["editions"]} == {"haidong-14": 53, "qinghai-14": 19}


def test_areas_json_is_an_array_with_the_required_fields(capsys, empty_sqlite_url):
    code, out, _ = run(capsys, "--db", empty_sqlite_url, "areas", "--json")
    assert code == 0
    areas = json.loads(out)
    assert isinstance(areas, list) and len(areas) == 72
    for item in areas:
        assert {"code", "kind", "title", "parent", "description"} <= item.keys()
    hd_i04 = next(a for a in areas if a.get("code") == "HD-I04")
    assert hd_i04 == hd_i04 | {
        "kind": "industry",
        "parent": "HD-D2",
        "title": "农作物高产优质栽培与高效利用技术引进与创新",
    }
    assert "油菜、青稞、马铃薯、蚕豆" in hd_i04["description"]


def test_areas_text_output_is_an_indented_tree(capsys, empty_sqlite_url):
    code, out, _ = run(capsys, "areas", "--db", empty_sqlite_url, "--edition", "qinghai-14", "--kind", "special")
    assert code == 0
    assert out.splitlines() == ["QH-E1      生态价值转化专项", "QH-E2      国家公园建设专项"]


def test_environment_variable_selects_the_database(capsys, empty_sqlite_url, monkeypatch, tmp_path):
    monkeypatch.setenv("REVIEWTOOL_DB", empty_sqlite_url)
    code, out, _ = run(capsys, "init")
    assert code == 0 and "fresh.sqlite3" in out
    assert (tmp_path / "fresh.sqlite3").exists()


def test_default_database_lives_in_the_user_data_folder(capsys, isolated_user_dirs):
    code, out, _ = run(capsys, "init")
    assert code == 0
    assert (isolated_user_dirs / "data" / "reviewtool" / "reviewtool.sqlite3").exists()


@pytest.mark.parametrize(
    ("url", "fragment"),
    [
        ("sqlite:////nonexistent-folder/x.sqlite3", "数据库所在文件夹不存在"),
        ("postgresql://nobody@127.0.0.1:1/nothing", "无法使用数据库"),
        ("notadriver://x", "错误"),
    ],
)
def test_bad_databases_give_one_line_and_no_traceback(capsys, url, fragment):
    code, out, err = run(capsys, "areas", "--db", url)
    assert code == 1
    assert out == ""
    assert fragment in err
    assert len(err.strip().splitlines()) == 1
    assert "Traceback" not in err


def test_demo_loads_once_then_refuses_politely(capsys, empty_sqlite_url):
    code, out, err = run(capsys, "demo", "--db", empty_sqlite_url, "--json")
    assert (code, err) == (0, "")
    result = json.loads(out)
    assert result["applications"] >= 40 and result["experts"] >= 10
    code, out, err = run(capsys, "demo", "--db", empty_sqlite_url)
    assert code == 1
    assert "演示数据只能载入空数据库" in err
    assert len(err.strip().splitlines()) == 1


def test_english_messages_on_request(capsys, empty_sqlite_url):
    code, out, _ = run(capsys, "--lang", "en", "init", "--db", empty_sqlite_url)
    assert code == 0 and out.startswith("Database ready:")


def test_usage_errors_exit_2(capsys):
    code, _out, err = run(capsys, "areas", "--no-such-option")
    assert code == 2
    assert "--no-such-option" in err


def test_installed_entry_point_runs_without_qt(tmp_path):
    env = {**os.environ, "REVIEWTOOL_DB": f"sqlite:///{(tmp_path / 'x.sqlite3').as_posix()}"}
    script = (
        "import sys\n"
        "from reviewtool.cli.main import main\n"
        "code = main(['areas', '--kind', 'direction'])\n"
        "assert not any(m.startswith('PySide6') for m in sys.modules), 'Qt was imported'\n"
        "sys.exit(code)\n"
    )
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, env=env)
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[0].startswith("HD-D1")
