"""The call's last steps from the command line, each with --json: the draw rules, the dashboard
and reminders, 公示, an objection upheld and sent to 复审 (with a decline and a redraw), the
复审 scored through workbooks and finalised, the 公示 closed, and the audit log read back."""

from __future__ import annotations

import datetime as dt

from openpyxl import load_workbook

from stages.call_steps import Cli, fill_workbooks

BATCH = "2025年海东市科技计划项目"  # the demonstration batch: 网络评审 scored, every sheet in
START, END = "2026-11-20", "2026-11-27"


def test_publicity_objection_review_and_audit_from_the_command_line(demo_db, capsys, tmp_path):
    cli = Cli(capsys, demo_db.url)
    rules = cli.json("panel", "rules", "--cap", "8", "--rotation")
    assert rules["cap"] == 8 and rules["rotation"] is True
    limits = cli.json("formal-limits", "--batch", BATCH, "--cofunding-ratio", "0.5", "--pi-limit", "2")
    assert limits["cofunding_ratio"] == "0.5" and limits["pi_limit"] == 2

    board = cli.json("dashboard", "--batch", BATCH)
    assert board["received"] == 53 and board["formal_review"]["pending"] == 0
    remote = board["stages"][0]
    assert remote["name"] == "网络评审" and remote["sheets_submitted"] == remote["sheets_due"] > 0
    assert board["publicity"]["status"] == "none"
    assert {s["key"] for s in board["steps"]} >= {"received", "formal", "funding", "publicity", "objections"}
    assert cli.json("reminders", "--batch", BATCH) == []

    code, _out, err = cli("publicity", "open", "--batch", BATCH, "--from", START, "--to", END)
    assert code == 1 and BATCH in err and "定稿" in err  # the review is not final yet
    cli.ok("stage", "finalize", "--batch", BATCH, "--stage", "网络评审")
    opened = cli.json("publicity", "open", "--batch", BATCH, "--from", START, "--to", END)
    assert opened["status"] == "open" and len(opened["rows"]) == 23
    target = opened["rows"][-1]["number"]
    steps = {s["title"]: s for s in cli.json("dashboard", "--batch", BATCH)["steps"]}
    assert steps["会议评审"]["state"] == "waiting"  # nobody reached it: the call ended with 网评
    assert steps["公示"]["state"] == "doing" and steps["经费线"]["state"] == "done"

    objection = cli.json("objection", "add", "--batch", BATCH, "--application", target, "--by", "海东市某公司",
                         "--received", "2026-11-22", "--grounds", "评审专家与申报单位有合作关系")  # fmt: skip
    oid = str(objection["id"])
    assert objection["deadline"] == "2026-12-07" and objection["outcome"] == "pending"
    handled = cli.json("objection", "handle", oid, "--step", "核查专家回避情况", "--on", "2026-11-23")
    assert handled["handling"] == "2026-11-23 核查专家回避情况"
    assert cli.json("objection", "decide", oid, "--outcome", "upheld", "--note", "回避不当")["outcome"] == "upheld"
    review = cli.json("objection", "review", oid, "--size", "3", "--seed", "fs-cli")
    assert review["stage"] == "复审" and len(review["drawn"]) == 3 and len(review["excluded_experts"]) >= 3
    assert not set(review["drawn"]) & {e["expert_id"] for e in review["exclusions"]}

    state = cli.json("panel", "invitations", "--batch", BATCH, "--stage", "复审")
    assert len(state["pending"]) == 3 and state["confirmed"] == []
    declined = cli.json("panel", "decline", "--batch", BATCH, "--stage", "复审", "--expert", state["pending"][0],
                        "--reason", "出差", "--seed", "fs-cli-2")  # fmt: skip
    assert len(declined["drawn"]) == 1 and declined["drawn"][0] not in review["drawn"]
    confirmed = cli.json("panel", "confirm", "--batch", BATCH, "--stage", "复审", "--all")
    assert len(confirmed["confirmed"]) == 3 and confirmed["declined"] == [state["pending"][0]]
    board = cli.json("dashboard", "--batch", BATCH)
    again = next(s for s in board["stages"] if s["name"] == "复审")
    assert (again["applications"], again["members_confirmed"], again["members_declined"]) == (1, 3, 1)
    assert board["objections"]["pending"] == 1 and board["publicity"]["status"] == "open"

    # The 复审 panel scores through the offline workbooks, and the stage is finalised.
    cli.ok("panel", "assign", "--batch", BATCH, "--stage", "复审", "--per-application", "3")
    out = tmp_path / "复审"
    cli.json("workbooks", "export", "--batch", BATCH, "--stage", "复审", "--out", str(out))
    assert fill_workbooks(out, salt=3) == 3
    assert cli.json("workbooks", "import", str(out), "--batch", BATCH, "--stage", "复审")["ok"]
    code, _out, err = cli("publicity", "close", "--batch", BATCH, "--on", END)
    assert code == 1 and target in err  # its objection is still open
    cli.ok("stage", "finalize", "--batch", BATCH, "--stage", "复审")
    closed = cli.json("objection", "close", oid, "--decision", "not_funded", "--on", END)
    assert closed["closed_on"] == END and closed["decision"] == "not_funded"

    final = cli.json("publicity", "close", "--batch", BATCH, "--on", "2026-11-28")
    assert final["status"] == "closed" and sum(v == "funded" for v in final["decisions"].values()) == 22
    code, _out, err = cli("publicity", "amend", "--batch", BATCH, "--application", target, "--funded",
                          "--reason", "  ")  # fmt: skip
    assert code == 1
    amended = cli.json("publicity", "amend", "--batch", BATCH, "--application", target, "--funded",
                       "--reason", "复审后重新认定")  # fmt: skip
    assert amended["decision"] == "funded"

    # The audit log tells the objection's story in order, and exports it.
    story = cli.json("audit", "list", "--batch", BATCH, "--action", "objection")
    assert [r["action"] for r in story] == ["objection.register", "objection.handle", "objection.decide",
                                            "objection.review", "objection.close"]  # fmt: skip
    assert all(set(r) == {"at", "actor", "action", "entity", "summary", "old", "new"} for r in story)
    about = cli.json("audit", "list", "--application", target)
    actions = {r["action"] for r in about}
    assert {"objection.register", "decision.amend"} <= actions
    draws = cli.json(
        "audit", "list", "--batch", BATCH, "--action", "panel.draw", "--since", dt.date.today().isoformat()
    )
    assert any("fs-cli" in r["summary"] + r["new"] for r in draws)
    mine = cli.json("audit", "list", "--user", "tester", "--limit", "5")
    assert len(mine) == 5 and {r["actor"] for r in mine} == {"tester"}
    assert cli.json("audit", "list", "--user", "nobody") == []
    code, _out, err = cli("audit", "list", "--until", "明天")
    assert code == 1 and "--until" in err
    text = cli.ok("audit", "list", "--batch", BATCH, "--action", "objection", "--xlsx", str(tmp_path / "a.xlsx"))
    assert str(tmp_path / "a.xlsx") in text
    rows = list(load_workbook(tmp_path / "a.xlsx").active.iter_rows(values_only=True))
    # On PostgreSQL the trigger stamps every record with the session's login (here the owner's).
    who = "tester" if demo_db.engine.dialect.name == "sqlite" else demo_db.engine.url.username
    assert sum(1 for r in rows if r[1] == who) == 5, rows[:3]


def test_the_dashboard_and_audit_log_speak_chinese_and_english(demo_db, capsys):
    cli = Cli(capsys, demo_db.url)
    chinese = cli.ok("dashboard", "--batch", BATCH)
    assert "受理申报" in chinese and "经费线" in chinese and "公示" in chinese
    english = cli.ok("--lang", "en", "dashboard", "--batch", BATCH)
    assert "Applications received" in english and "Funding line" in english and "受理申报" not in english
    zh_log = cli.json("audit", "list", "--action", "rubric.create")
    en_log = cli.json("--lang", "en", "audit", "list", "--action", "rubric.create")
    assert len(zh_log) == len(en_log) == 3
    assert "名称：" in zh_log[0]["new"] and "Name:" in en_log[0]["new"].replace("：", ":")
    code, _out, err = cli("--lang", "en", "objection", "handle", "99", "--step", "x")
    assert code == 1 and "No objection with id 99." in err
    code, _out, err = cli("objection", "handle", "99", "--step", "x")
    assert code == 1 and "没有编号为 99 的异议" in err
