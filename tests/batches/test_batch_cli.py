"""``reviewtool-cli batch``: add, edit, list, show, close, reopen, with --json
and one-line errors naming the field."""

from __future__ import annotations

import json

from reviewtool.cli.main import main

NAME = "2026年海东市科技计划项目"


def run(capsys, *argv):
    code = main(list(argv))
    out = capsys.readouterr()
    return code, out.out, out.err


def test_a_batch_from_add_to_reopen(db, capsys):
    url = db.url
    code, out, err = run(capsys, "batch", "add", NAME, "--deadline", "2026-03-31", "--budget", "1500",
                         "--threshold", "75", "--min-sheets", "5", "--db", url, "--json")  # fmt: skip
    assert code == 0, err
    added = json.loads(out)
    assert added["name"] == NAME and added["year"] == 2026 and added["threshold"] == "75.00"
    assert added["min_sheets"] == 5 and added["budget"] == "1500.00" and not added["closed"]

    code, out, err = run(capsys, "batch", "edit", NAME, "--trimmed-min", "2", "--db", url)
    assert code == 1 and "去掉最高最低分的起始份数" in err and "Traceback" not in err
    code, out, err = run(capsys, "batch", "edit", str(added["id"]), "--spread", "15", "--budget", "none", "--db", url)
    assert code == 0, err
    assert "已保存" in out and "分差阈值 15" in out and "预算 —" in out

    code, out, err = run(capsys, "batch", "close", NAME, "--reason", "评审结束", "--db", url)
    assert code == 0 and "已关闭" in out
    code, out, err = run(capsys, "batch", "list", "--open", "--db", url, "--json")
    assert json.loads(out) == []
    code, out, err = run(capsys, "batch", "edit", NAME, "--threshold", "60", "--db", url)
    assert code == 1 and "已关闭" in err
    code, out, err = run(capsys, "batch", "reopen", NAME, "--db", url)
    assert code == 2  # --reason is required
    code, out, err = run(capsys, "batch", "reopen", NAME, "--reason", "补录", "--db", url, "--json")
    assert code == 0 and json.loads(out)["closed"] is False

    code, out, err = run(capsys, "batch", "show", NAME, "--db", url, "--json")
    shown = json.loads(out)
    assert shown["stage"] == {"panels": 0, "finalised_panels": 0, "open_panels": [], "draft": True}
    code, out, err = run(capsys, "batch", "show", NAME, "--db", url)
    assert "未定稿" in out
    code, out, err = run(capsys, "batch", "show", "2019年", "--db", url)
    assert code == 1 and "没有名为“2019年”的批次" in err


def test_exports_of_a_batch_not_finalised_warn_and_say_draft(demo_db, capsys, tmp_path):
    from openpyxl import load_workbook
    from sqlalchemy import select

    from reviewtool.core.enums import PanelStatus
    from reviewtool.services.documents.export import summary_doc
    from reviewtool.storage.models import Batch, Panel

    url = demo_db.url
    with demo_db.session() as s:
        name, batch_id = s.execute(select(Batch.name, Batch.id)).one()
    out = tmp_path / "拟立项项目清单.xlsx"
    code, stdout, err = run(capsys, "export", "funding", "--batch", name, "--out", str(out), "--db", url, "--json")
    assert code == 0, err
    assert "未定稿" in err and "1 个专家组中有 1 个未定稿" in err
    assert json.loads(stdout)["draft"] is True
    title = load_workbook(out).worksheets[0]["A1"].value
    assert "未定稿" in title
    code, stdout, err = run(capsys, "export", "summary", "--batch", name, "--out", str(tmp_path / "s.pdf"),
                            "--db", url, "--json")  # fmt: skip
    assert code == 0, err
    assert json.loads(stdout)["draft"] is True and "未定稿" in err
    with demo_db.session() as s:
        assert summary_doc(s, batch_id).draft
        for panel in s.scalars(select(Panel)):
            panel.status = PanelStatus.FINALIZED
    code, stdout, err = run(capsys, "export", "funding", "--batch", name, "--out", str(out), "--db", url, "--json")
    assert code == 0 and "未定稿" not in err and json.loads(stdout)["draft"] is False
    assert "未定稿" not in load_workbook(out).worksheets[0]["A1"].value


def test_batch_edit_sets_the_import_checks_and_refuses_an_overlong_category(db, capsys):
    url = db.url
    code, out, err = run(capsys, "batch", "add", NAME, "--db", url)
    assert code == 0, err
    code, out, err = run(capsys, "batch", "edit", NAME, "--money-ceiling", "500", "--title-length-rule", "warn",
                         "--db", url, "--json")  # fmt: skip
    assert code == 0, err
    edited = json.loads(out)
    assert (edited["money_ceiling"], edited["title_length_rule"], edited["changed"]) == ("500", "warn", True)
    code, out, err = run(capsys, "batch", "show", NAME, "--db", url)
    assert "单项金额上限 500 万元" in out and "名称长度规则：警告" in out
    code, out, err = run(capsys, "batch", "edit", NAME, "--money-ceiling", "none", "--title-length-rule", "off",
                         "--db", url, "--json")  # fmt: skip
    assert code == 0 and (json.loads(out)["money_ceiling"], json.loads(out)["title_length_rule"]) == ("100000", "off")
    code, out, err = run(capsys, "batch", "edit", NAME, "--title-length-rule", "on", "--db", url)
    assert code == 2
    code, out, err = run(capsys, "batch", "edit", NAME, "--category", "类" * 5000, "--db", url)
    assert code == 1 and "计划类别" in err and "5000" in err and "Traceback" not in err
    code, out, err = run(capsys, "batch", "show", NAME, "--db", url, "--json")
    assert json.loads(out)["category"] is None
