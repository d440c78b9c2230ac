"""A whole call in review stages through the command line: import 42 applications,
formal review (two late ones fail), 网络评审 of the other 40 with a draw,
assignment and workbooks, promotion of the top 15, 会议评审 with votes, a
weighted final result (网评 40 % + 会评 60 %) and the funding line."""

from __future__ import annotations

from stages.call_steps import (
    BATCH,
    MEETING,
    REMOTE,
    Cli,
    attach_rubric,
    combined_result,
    documents_print_the_rule,
    formal_review,
    funding_line,
    import_call,
    load_experts,
    meeting_review,
    promote_top,
    remote_review,
)


def test_a_call_from_import_to_the_funding_line(any_db, capsys, tmp_path):
    cli = Cli(capsys, any_db.url)
    numbers = import_call(cli, tmp_path, count=42)
    going_on = formal_review(cli, numbers, failed=("HD2026-041", "HD2026-042"))
    assert len(going_on) == 40
    load_experts(cli, tmp_path, count=16)
    attach_rubric(cli)

    remote = remote_review(cli, tmp_path, applications=40)
    promoted = promote_top(cli, 15, remote)

    votes = {promoted[0]: ("for",) * 7, promoted[1]: ("for", "for", "against", "against", "against", "abstain")}
    meeting_review(cli, tmp_path, promoted, votes)
    shown = cli.ok("panel", "status", "--batch", BATCH, "--stage", MEETING)
    assert "提交" in shown

    final = combined_result(cli, remote)
    assert len(final["rows"]) == 40
    view = funding_line(cli, "300", final)
    votes_shown = {a["number"]: a["vote"] for a in view["applications"]}
    assert votes_shown[promoted[0]].startswith("通过") and votes_shown[promoted[1]].startswith("未通过")

    # Every stage's results are kept: 网络评审's ranking is as it was.
    again = cli.json("scores", "ranking", "--batch", BATCH, "--stage", REMOTE)
    assert [(r["number"], r["final_score"]) for r in again["rows"]] == [
        (r["number"], r["final_score"]) for r in remote["rows"]
    ]
    text = cli.ok("funding", "show", "--batch", BATCH)
    assert f"{REMOTE} × 40%" in text and "未晋级" in text
    documents_print_the_rule(cli, tmp_path, final)
