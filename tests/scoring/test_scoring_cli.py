"""``reviewtool-cli rubric …`` and ``scores …`` end to end."""

from __future__ import annotations

import json

import yaml

from reviewtool.cli.main import main

BATCH = "2025年海东市科技计划项目"


def run(capsys, *args) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def test_rubric_list_show_export_import(demo_db, capsys, tmp_path):
    url = demo_db.url
    code, out, _err = run(capsys, "rubric", "list", "--db", url, "--json")
    assert code == 0
    rows = {r["code"]: r for r in json.loads(out)}
    assert set(rows) == {"haidong-general", "haidong-ecology", "haidong-platform-talent"}
    assert rows["haidong-general"]["sheets"] > 0 and rows["haidong-general"]["total_points"] == "100"

    code, out, _err = run(capsys, "rubric", "show", "haidong-general", "--db", url)
    assert code == 0 and "与海东“十四五”重点领域契合度" in out and "优" in out and "一票否决" in out

    target = tmp_path / "general.yaml"
    assert run(capsys, "rubric", "export", "haidong-general", str(target), "--db", url)[0] == 0
    doc = yaml.safe_load(target.read_text(encoding="utf-8"))
    assert doc["code"] == "haidong-general" and len(doc["criteria"]) == 8

    # A bad edit: nothing changes, the message names the file and the criterion.
    doc["criteria"][2]["bands"][0]["low"] = 11
    target.write_text(yaml.safe_dump(doc, allow_unicode=True), encoding="utf-8")
    code, _out, err = run(capsys, "rubric", "import", str(target), "--db", url)
    assert code == 1
    assert "general.yaml" in err and "C3" in err and "重叠" in err
    assert len(err.strip().splitlines()) == 1

    # A good edit to a used rubric creates version 2.
    doc["criteria"][2]["bands"][0]["low"] = 13
    doc["criteria"][2]["description"] = "修订后的说明"
    target.write_text(yaml.safe_dump(doc, allow_unicode=True), encoding="utf-8")
    code, out, _err = run(capsys, "rubric", "import", str(target), "--db", url, "--json")
    assert code == 0 and json.loads(out)["version"] == 2 and json.loads(out)["created_version"]

    xlsx = tmp_path / "general.xlsx"
    assert run(capsys, "rubric", "export", "haidong-general", str(xlsx), "--db", url)[0] == 0
    code, out, _err = run(capsys, "rubric", "import", str(xlsx), "--db", url, "--json")
    assert code == 0 and json.loads(out)["changed"] is False


def test_scores_export_json(demo_db, capsys):
    code, out, _err = run(capsys, "scores", "export", "--batch", BATCH, "--db", demo_db.url, "--json")
    assert code == 0
    data = json.loads(out)
    assert len(data["sheets"]) > 100
    sheet = data["sheets"][0]
    assert {"application", "reviewer", "points", "total", "opinion", "written_opinion", "entered_by"} <= set(sheet)
    results = data["results"]
    assert results["threshold"] == "70"
    ranked = [r for r in results["rows"] if r["position"]]
    assert ranked[0]["position"] == 1
    assert all(r["rule"] in ("mean", "trimmed_mean") for r in ranked)
    scores = [r["score"] for r in ranked if not r["veto_count"]]
    assert [float(s) for s in scores] == sorted((float(s) for s in scores), reverse=True)


def test_scores_ranking_filters_by_area(demo_db, capsys):
    code, out, _err = run(
        capsys,
        "scores",
        "ranking",
        "--batch",
        BATCH,
        "--area",
        "HD-D1",
        "--threshold",
        "80",
        "--db",
        demo_db.url,
        "--json",
    )
    assert code == 0
    data = json.loads(out)
    assert data["threshold"] == "80" and data["area"] == "HD-D1"
    assert data["rows"] and all(r["primary_area"].startswith(("HD-I0", "HD-C1", "QH-")) for r in data["rows"])
    assert all(
        r["recommended"] == (r["score"] is not None and float(r["score"]) >= 80 and not r["veto_count"])
        for r in data["rows"]
    )
    code, _out, err = run(capsys, "scores", "ranking", "--batch", "没有这个批次", "--db", demo_db.url)
    assert code == 1 and "没有这个批次" in err
