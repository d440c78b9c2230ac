"""The panel, expert and workbook commands as a clerk runs them, end to end:
draw, assign, export workbooks, fill them in by script, import, finalise."""

from __future__ import annotations

import json

from openpyxl import load_workbook

from reviewtool.cli.main import main

from .conftest import BATCH, attach_general_rubric, build_world
from .test_workbooks import fill


def run(capsys, *argv):
    code = main(list(argv))
    out = capsys.readouterr()
    return code, out.out, out.err


def test_whole_review_from_the_command_line(db, capsys, tmp_path):
    url = db.url
    with db.session() as s:
        w = build_world(s, n_apps=10, n_experts=14)
        attach_general_rubric(s, w.batch_id)

    code, out, err = run(capsys, "panel", "draw", "--batch", BATCH, "--size", "20", "--db", url)
    assert code == 1 and "无法抽取 20 位专家" in err

    code, out, err = run(
        capsys, "panel", "draw", "--batch", BATCH, "--size", "7", "--seed", "cli-1", "--db", url, "--json"
    )
    assert code == 0, err
    first = json.loads(out)
    assert first["seed"] == "cli-1" and len(first["drawn"]) == 7
    assert {x["name"] for x in first["exclusions"]} >= {"专家01", "专家06"}
    code, out, err = run(capsys, "panel", "confirm", "--batch", BATCH, "--all", "--db", url)  # all seven accepted
    assert code == 0, err

    code, out, err = run(capsys, "panel", "assign", "--batch", BATCH, "--per-application", "8", "--max-load", "2",
                         "--db", url)  # fmt: skip
    assert code == 1 and "无法分配到 8 位" in err

    code, out, err = run(capsys, "panel", "assign", "--batch", BATCH, "--per-application", "5", "--max-load", "8",
                         "--db", url, "--json")  # fmt: skip
    assert code == 0, err
    assert len(json.loads(out)["pairs"]) == 50

    code, out, err = run(
        capsys, "workbooks", "export", "--batch", BATCH, "--out", str(tmp_path / "wb"), "--db", url, "--json"
    )
    assert code == 0, err
    files = json.loads(out)
    assert len(files) == 7
    for f in files:
        fill(__import__("pathlib").Path(f["path"]))

    code, out, err = run(capsys, "workbooks", "import", str(tmp_path / "wb"), "--dry-run", "--db", url)
    assert code == 0, err
    assert "试运行" in out and "新增 10" not in err

    code, out, err = run(capsys, "workbooks", "import", str(tmp_path / "wb"), "--db", url, "--json")
    assert code == 0, err
    report = json.loads(out)
    assert sum(f["new"] for f in report["files"]) == 50

    code, out, err = run(capsys, "panel", "status", "--batch", BATCH, "--db", url, "--json")
    assert json.loads(out)["counts"]["submitted"] == 50

    code, out, err = run(capsys, "panel", "finalize", "--batch", BATCH, "--db", url)
    assert code == 0, err
    assert "定稿" in out

    code, out, err = run(capsys, "panel", "calibration", "--batch", BATCH, "--db", url, "--json")
    assert code == 0, err
    assert len(json.loads(out)["results"]) == 10

    code, out, err = run(capsys, "experts", "list", "--db", url)
    assert code == 0 and "专家01" in out and "@" not in out
    code, out, err = run(capsys, "experts", "export", str(tmp_path / "pool.xlsx"), "--db", url)
    assert code == 0, err
    assert load_workbook(tmp_path / "pool.xlsx").active.max_row >= 15
    code, out, err = run(capsys, "experts", "import", str(tmp_path / "pool.xlsx"), "--db", url, "--json")
    assert code == 0, err
    assert json.loads(out)["unchanged"] == 14


def test_draw_for_a_group_of_applications(db, capsys):
    with db.session() as s:
        build_world(s, n_apps=10, n_experts=14)
    args = ["panel", "draw", "--batch", BATCH, "--panel", "第二组", "--size", "3", "--seed", "g", "--db", db.url]
    code, out, err = run(capsys, *args, "--applications", "HD2026-001,HD2026-099")
    assert code == 1 and "HD2026-099" in err
    code, out, err = run(capsys, *args, "--applications", "HD2026-001，HD2026-002", "--json")
    assert code == 0, err
    # only the experts of the group's units (单位1, 单位2) are excluded now
    assert {x["name"] for x in json.loads(out)["exclusions"]} == {"专家01", "专家02"}
    code, out, err = run(capsys, "panel", "status", "--batch", BATCH, "--panel", "第二组", "--db", db.url, "--json")
    assert code == 0, err
    from reviewtool.services.panels import panel as panels_panel

    with db.session() as s:
        panel = panels_panel.find_panel(s, BATCH, "第二组")
        assert len(panels_panel.group_application_ids(s, panel)) == 2
