"""One call for applications in review stages, step by step, as a clerk runs it
from the command line (``reviewtool-cli``), each step checked.

Small functions so other tests can reuse the steps they need, e.g.::

    from stages.call_steps import Cli, import_call, formal_review, remote_review, promote_top, ...

    cli = Cli(capsys, db.url)
    numbers = import_call(cli, tmp_path)
    ...

The applications' titles are real project titles from tests/data/real_titles.yaml
(each with the public page it was read from). Scores are made up, deterministic,
and different per application and expert so the ranking is not flat.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

import yaml
from openpyxl import Workbook, load_workbook

from reviewtool.cli.main import main
from reviewtool.paths import resource_path

BATCH = "2026年海东市科技计划项目（分阶段评审）"
REMOTE, MEETING = "网络评审", "会议评审"
COUNTIES = ("平安区", "乐都区", "民和回族土族自治县", "互助土族自治县", "化隆回族自治县", "循化撒拉族自治县")
TITLES = Path(__file__).resolve().parents[1] / "data" / "real_titles.yaml"
#: criterion → (lowest, highest) points the made-up experts give: inside the middle
#: bands of the general rubric, so no comment is required (no lowest band, no full score).
RANGES = {"C1": (9, 14), "C2": (9, 14), "C3": (9, 14), "C4": (9, 14), "C5": (6, 9), "C6": (9, 14), "C7": (6, 9),
          "C8": (3, 4)}  # fmt: skip


@dataclass
class Cli:
    """``reviewtool-cli`` on one database, output captured by pytest's ``capsys``."""

    capsys: object
    url: str

    def __call__(self, *argv: str) -> tuple[int, str, str]:
        code = main([*argv, "--db", self.url])
        out = self.capsys.readouterr()
        return code, out.out, out.err

    def ok(self, *argv: str) -> str:
        code, out, err = self(*argv)
        assert code == 0, f"{' '.join(argv)} → {code}: {err}"
        return out

    def json(self, *argv: str):
        return json.loads(self.ok(*argv, "--json"))


def real_titles(count: int) -> list[str]:
    titles = [t["title"] for t in yaml.safe_load(TITLES.read_text(encoding="utf-8"))["titles"] if t.get("areas")]
    assert len(titles) >= count, "not enough real titles"
    return titles[:count]


def call_workbook(path: Path, count: int) -> tuple[Path, list[str]]:
    """A plain summary sheet (申报汇总表) of ``count`` applications."""
    wb = Workbook()
    ws = wb.active
    ws.title = "汇总表"
    ws.append(["序号", "申报编号", "项目名称", "承担单位", "所在县区", "项目负责人", "联系电话", "起止年限",
               "总经费", "申请经费", "自筹经费", "所属领域", "主要研究内容"])  # fmt: skip
    numbers = []
    for i, title in enumerate(real_titles(count), start=1):
        number = f"HD2026-{i:03d}"
        numbers.append(number)
        requested = 20 + (i * 7) % 41
        ws.append([i, number, title, f"海东测试单位{i % 12 + 1}", COUNTIES[i % 6], f"负责人{i:02d}",
                   f"139970{i:05d}", "2026.01-2027.12", requested * 2 + 10, requested, requested + 10, "HD-I05",
                   f"{title}：研究内容与示范推广。"])  # fmt: skip
    wb.save(path)
    return path, numbers


def import_call(cli: Cli, folder: Path, count: int = 42) -> list[str]:
    """Import the summary sheet into a new batch; its numbers."""
    path, numbers = call_workbook(folder / "申报汇总表.xlsx", count)
    result = cli.json("import", str(path), "--batch", BATCH)
    assert result["batch"] == BATCH
    assert result["counts"]["create"] == count and result["counts"]["reject"] == 0, result["counts"]
    stages = cli.json("stage", "list", "--batch", BATCH)
    assert [(s["name"], s["kind"], s["status"]) for s in stages] == [
        ("形式审查", "formal", "open"), (REMOTE, "expert", "open"), (MEETING, "expert", "pending"),
    ]  # fmt: skip
    return numbers


def formal_review(cli: Cli, numbers: list[str], failed: tuple[str, ...] = ()) -> list[str]:
    """Pass every application's checklist except ``failed`` (late); the applications that go on."""
    for number in numbers:
        if number in failed:
            out = cli.json("formal-review", number, "--batch", BATCH, "--pass-all", "--fail", "on_time", "逾期提交")
            assert out["status"] == "formal_failed"
        else:
            assert cli.json("formal-review", number, "--batch", BATCH, "--pass-all")["status"] == "formal_passed"
    cli.ok("stage", "finalize", "--batch", BATCH, "--stage", "形式审查")
    going_on = [n for n in numbers if n not in failed]
    stages = {s["name"]: s for s in cli.json("stage", "list", "--batch", BATCH)}
    assert stages["形式审查"]["status"] == "finalised"
    assert stages[REMOTE]["applications"] == len(going_on)
    return going_on


def load_experts(cli: Cli, folder: Path, count: int = 16) -> list[str]:
    """An expert pool workbook of ``count`` experts, imported; their names."""
    wb = Workbook()
    ws = wb.active
    ws.append(["姓名", "工作单位", "职称", "专业", "专业领域代码", "手机"])
    names = [f"评审专家{j:02d}" for j in range(1, count + 1)]
    for j, name in enumerate(names, start=1):
        ws.append([name, f"青海专家单位{j}", "研究员", "畜牧", "HD-I05", f"1380971{j:04d}"])
    path = folder / "专家库.xlsx"
    wb.save(path)
    cli.ok("experts", "import", str(path))
    return names


def attach_rubric(cli: Cli) -> None:
    cli.ok("rubric", "import", str(resource_path("rubrics", "haidong-general.yaml")))
    cli.ok("rubric", "attach", "haidong-general", "--batch", BATCH)


def points_for(number: str, expert_id: int, key: str, salt: int) -> int:
    low, high = RANGES[key]
    index = int(number.rsplit("-", 1)[1])
    return low + (index * 7 + expert_id * 3 + int(key[1:]) + salt * 5) % (high - low + 1)


def fill_workbooks(folder: Path, *, salt: int) -> int:
    """What each expert does: type points, opinion and review opinion into the yellow cells. Rows filled."""
    rows = 0
    for path in sorted(folder.glob("*.xlsx")):
        wb = load_workbook(path)
        key_ws = wb["_key"]
        chunks, r = [], 3
        while key_ws.cell(r, 1).value:
            chunks.append(key_ws.cell(r, 1).value)
            r += 1
        payload = json.loads("".join(chunks))
        expert_id = payload["expert"]["id"]
        for meta in payload["sheets"]:
            ws = wb[meta["title"]]
            for row in meta["rows"]:
                number = ws[f"A{row}"].value
                for letter, what in meta["columns"].items():
                    kind, _sep, key = what.partition(":")
                    cell = ws[f"{letter}{row}"]
                    if kind == "veto" or kind == "avoid":
                        cell.value = "否"
                    elif kind == "points":
                        cell.value = points_for(number, expert_id, key, salt)
                    elif kind == "opinion":
                        cell.value = "推荐"
                    elif kind == "written":
                        cell.value = "立项依据充分，技术路线可行。"
                rows += 1
        wb.save(path)
    return rows


def expert_review(cli: Cli, folder: Path, *, stage: str, size: int, seed: str, assign: tuple[str, ...], salt: int):
    """Draw a panel for the stage, confirm everyone, assign, export, fill and import the workbooks."""
    drawn = cli.json("panel", "draw", "--batch", BATCH, "--stage", stage, "--size", str(size), "--seed", seed)
    assert len(drawn["drawn"]) == size and drawn["seed"] == seed
    cli.ok("panel", "confirm", "--batch", BATCH, "--stage", stage, "--all")
    plan = cli.json("panel", "assign", "--batch", BATCH, "--stage", stage, *assign)
    out = folder / stage
    files = cli.json("workbooks", "export", "--batch", BATCH, "--stage", stage, "--out", str(out))
    assert files and all(stage in Path(f["path"]).name for f in files)
    filled = fill_workbooks(out, salt=salt)
    assert filled == len(plan["pairs"])
    report = cli.json("workbooks", "import", str(out), "--batch", BATCH, "--stage", stage)
    assert report["ok"] and sum(f["new"] for f in report["files"]) == filled
    assert {f["stage"] for f in report["files"]} == {stage}
    status = cli.json("panel", "status", "--batch", BATCH, "--stage", stage)
    assert status["counts"]["submitted"] == filled and status["counts"]["missing"] == 0
    return plan


def remote_review(cli: Cli, folder: Path, applications: int) -> dict:
    """网络评审: nine experts, five sheets per application; the stage finalised."""
    plan = expert_review(cli, folder, stage=REMOTE, size=9, seed="stages-remote",
                         assign=("--per-application", "5"), salt=0)  # fmt: skip
    assert len({p["application_id"] for p in plan["pairs"]}) == applications
    done = cli.json("stage", "finalize", "--batch", BATCH, "--stage", REMOTE)
    assert (done["name"], done["status"], done["finalised_panels"]) == (REMOTE, "finalised", 1)
    ranking = cli.json("scores", "ranking", "--batch", BATCH, "--stage", REMOTE)
    assert ranking["stage"] == REMOTE and len(ranking["rows"]) == applications
    assert all(r["sheet_count"] == 5 for r in ranking["rows"])
    return ranking


def promote_top(cli: Cli, count: int, ranking: dict) -> list[str]:
    """Preview, then apply, the promotion of the top ``count`` of 网络评审; the promoted numbers."""
    preview = cli.json("stage", "promote", "--batch", BATCH, "--from", REMOTE, "--top", str(count), "--preview")
    expected = [r["number"] for r in ranking["rows"] if r["position"] is not None][:count]
    assert preview["promoted"] == expected
    assert set(preview["not_promoted"]) == {r["number"] for r in ranking["rows"]} - set(expected)
    assert str(count) in preview["rule"] and REMOTE in preview["rule"]
    stages = {s["name"]: s for s in cli.json("stage", "list", "--batch", BATCH)}
    assert stages[MEETING]["applications"] == 0, "a preview stores nothing"
    applied = cli.json("stage", "promote", "--batch", BATCH, "--from", REMOTE, "--top", str(count))
    assert applied["promoted"] == expected
    stages = {s["name"]: s for s in cli.json("stage", "list", "--batch", BATCH)}
    assert stages[MEETING]["applications"] == count and stages[MEETING]["current"]
    return applied["promoted"]


def meeting_review(cli: Cli, folder: Path, promoted: list[str], votes: dict[str, tuple[str, ...]]) -> dict:
    """会议评审 of the promoted applications: seven experts score all of them, then vote."""
    plan = expert_review(cli, folder, stage=MEETING, size=7, seed="stages-meeting", assign=("--whole",), salt=3)
    assert {p["application"].split()[0] for p in plan["pairs"]} == set(promoted)
    status = cli.json("panel", "status", "--batch", BATCH, "--stage", MEETING)
    experts = sorted({r["expert"] for r in status["rows"]})
    for number, choices in votes.items():
        for expert, choice in zip(experts, choices, strict=False):
            cli.ok("panel", "vote", "--batch", BATCH, "--stage", MEETING, "--application", number,
                   "--expert", expert, "--choice", choice)  # fmt: skip
    status = cli.json("panel", "status", "--batch", BATCH, "--stage", MEETING)
    cli.ok("stage", "finalize", "--batch", BATCH, "--stage", MEETING)
    return status


def weighted(value_remote: str, value_meeting: str, remote: int, meeting: int) -> Decimal:
    total = Decimal(value_remote) * remote + Decimal(value_meeting) * meeting
    return (total / 100).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def combined_result(cli: Cli, remote_ranking: dict, remote: int = 40, meeting: int = 60) -> dict:
    """State the weighted rule; the final ranking combines the two stages for the promoted ones."""
    rule = cli.json("stage", "rule", "--batch", BATCH, "--weights", f"{REMOTE}={remote},{MEETING}={meeting}")
    assert rule["kind"] == "weighted" and rule["weights"] == {REMOTE: str(remote), MEETING: str(meeting)}
    final = cli.json("scores", "ranking", "--batch", BATCH, "--final")
    assert final["final"] and f"{REMOTE} × {remote}%" in final["final_rule"]
    meeting_rows = {r["number"]: r for r in cli.json("scores", "ranking", "--batch", BATCH, "--stage", MEETING)["rows"]}
    remote_rows = {r["number"]: r for r in remote_ranking["rows"]}
    for row in final["rows"]:
        if row["number"] in meeting_rows:
            expected = weighted(remote_rows[row["number"]]["final_score"], meeting_rows[row["number"]]["final_score"],
                                remote, meeting)  # fmt: skip
            assert Decimal(row["score"]) == expected and row["rule"] == "weighted" and not row["stopped"]
        else:  # not promoted: keeps its 网络评审 score, ranks below every promoted one
            assert row["score"] == remote_rows[row["number"]]["final_score"] and row["stopped"]
            assert row["stage"] == REMOTE and not row["recommended"]
    promoted_positions = [r["position"] for r in final["rows"] if not r["stopped"]]
    stopped_positions = [r["position"] for r in final["rows"] if r["stopped"]]
    assert max(promoted_positions) < min(stopped_positions)
    return final


def funding_line(cli: Cli, budget: str, final: dict) -> dict:
    """The funding line on the final scores: only promoted applications, in final order, within the budget."""
    cli.ok("funding", "settings", "--batch", BATCH, "--budget", budget)
    view = cli.json("funding", "show", "--batch", BATCH)
    assert view["final_rule"] == final["final_rule"] and view["stage"] == MEETING and not view["draft"]
    funded = [a for a in view["applications"] if a["funded"]]
    assert funded and all(not a["not_promoted"] for a in funded)
    assert sum(Decimal(a["recommended"]) for a in funded) <= Decimal(budget)
    assert all(a["decision"] == "not_eligible" for a in view["applications"] if a["not_promoted"])
    order = [r["number"] for r in final["rows"]]
    assert [a["number"] for a in funded] == [n for n in order if n in {a["number"] for a in funded}]
    return view


def documents_print_the_rule(cli: Cli, folder: Path, final: dict) -> None:
    """The final-score rule is printed in the documents that carry the final score:
    the 评审结果汇总表 (PDF) and the 拟立项项目清单 (Excel)."""
    from documents.pdf_pages import page_texts

    rule = "".join(final["final_rule"].split())
    summary = folder / "summary.pdf"
    cli.ok("export", "summary", "--batch", BATCH, "--out", str(summary))
    assert rule[:40] in "".join(page_texts(summary)), "the rule in words on the summary"
    listing = folder / "funding.xlsx"
    cli.ok("export", "funding", "--batch", BATCH, "--out", str(listing))
    cells = [str(c) for ws in load_workbook(listing).worksheets for row in ws.iter_rows(values_only=True) for c in row]
    assert any(final["final_rule"] in c for c in cells), "the rule in words in the funding list"
