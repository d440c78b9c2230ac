"""The concurrency workload of issue 15: expert and clerk processes writing one database at once.

- ``prepare(database)``: the demo data, plus two fresh assignments (no sheet yet) per expert, so
  first saves race; returns the plan (JSON-able) the workers follow.
- ``run(url, plan, writes, folder)``: starts ``EXPERTS`` expert and ``CLERKS`` clerk processes
  (this file run as a script) sharing ``writes`` writes, and returns every write's record.
- ``check(database, plan, records)``: what the database holds against what was written.

Each write goes through the real services as a screen does: it *opens* the record in one session
(reads its version and contents) and *saves* in another, passing the version it read:

- an expert saves one of their own sheets (every criterion, with a comment, submitted);
- a clerk either corrects an expert's sheet (a paper transcription) or edits an application's
  form (``intake.edit.update_application``) among a few applications the experts are scoring.

Every write records what it saved, the version it read and the one it left; a refused save its
message. ``check`` then asks for: no error but ``StaleEdit``; every refusal in Chinese, naming a
change someone else made (a successful write that read the same version); per record, the
successful writes forming one chain of versions (each read the version the previous one left: no
lost update) and the stored state equal to the last of them; every stored sheet total equal to
what its criteria give; every panel result and ``application.panel_score`` equal to a recompute.

    python tests/users/concurrency_workload.py worker URL PLAN.json ROLE INDEX WRITES SEED OUT.jsonl
"""

from __future__ import annotations

import json
import os
import random
import re
import subprocess
import sys
import time
from dataclasses import dataclass, field, replace
from decimal import Decimal
from pathlib import Path

#: 7 experts and 2 clerks, as the issue measured.
EXPERTS = 7
CLERKS = 2
#: Applications the clerks edit (the experts score them too).
HOT_APPLICATIONS = 8
STALE = re.compile(r"已被 \S+ 于 [\d: -]+ 修改")
HAN = re.compile(r"[\u4e00-\u9fff]")


# --------------------------------------------------------------------------- preparing


def prepare(database) -> dict:
    from sqlalchemy import select

    from reviewtool.core.enums import AssignmentStatus, SheetStatus
    from reviewtool.services.demo import load_demo
    from reviewtool.storage.models import Application, Assignment, PanelApplication, PanelMember, ScoreSheet

    with database.session() as session:
        load_demo(session, actor="tester")
    with database.session() as session:
        members = session.scalars(select(PanelMember).order_by(PanelMember.id)).all()
        sheets = session.scalars(select(ScoreSheet).where(ScoreSheet.status == SheetStatus.SUBMITTED)).all()
        by_reviewer: dict[int, list[ScoreSheet]] = {}
        for sheet in sheets:
            by_reviewer.setdefault(sheet.reviewer_id, []).append(sheet)
        chosen = [m for m in members if by_reviewer.get(m.expert_id)][:EXPERTS]
        assert len(chosen) == EXPERTS, "the demo panel has fewer than 7 experts with sheets"
        experts = []
        for member in chosen:
            mine = by_reviewer[member.expert_id]
            stage_id = mine[0].stage_id
            taken = {s.application_id for s in mine} | set(
                session.scalars(select(Assignment.application_id).where(Assignment.expert_id == member.expert_id))
            )
            candidates = (
                session.scalars(
                    select(PanelApplication.application_id)
                    .where(PanelApplication.panel_id == member.panel_id)
                    .order_by(PanelApplication.application_id)
                ).all()
                or session.scalars(select(Application.id).order_by(Application.id)).all()
            )
            fresh = [a for a in candidates if a not in taken][:2]
            for application_id in fresh:
                session.add(
                    Assignment(
                        stage_id=stage_id, panel_id=member.panel_id, application_id=application_id,
                        expert_id=member.expert_id, status=AssignmentStatus.ACTIVE,
                    )
                )  # fmt: skip
            targets = [[s.application_id, s.stage_id] for s in mine] + [[a, stage_id] for a in fresh]
            experts.append({"expert_id": member.expert_id, "targets": targets, "template": mine[0].id})
        session.flush()
        scored: dict[int, int] = {}
        for expert in experts:
            for application_id, _stage in expert["targets"]:
                scored[application_id] = scored.get(application_id, 0) + 1
        hot = sorted(scored, key=lambda a: (-scored[a], a))[:HOT_APPLICATIONS]
        titles = {a.id: a.title for a in session.scalars(select(Application).where(Application.id.in_(hot)))}
    return {"experts": experts, "applications": hot, "titles": {str(k): v for k, v in titles.items()}}


# --------------------------------------------------------------------------- one worker


def _template(session, sheet_id: int):
    from reviewtool.services.scoring.sheets import sheet_input_of
    from reviewtool.storage.models import ScoreSheet

    return sheet_input_of(session.get(ScoreSheet, sheet_id))


def _open_sheet(database, application_id: int, reviewer_id: int, stage_id: int, template_id: int):
    """What a score-entry window holds when opened: the sheet's version (0: none yet) and input."""
    from reviewtool.services.scoring.rubrics import spec_of_version
    from reviewtool.services.scoring.sheets import find_sheet, sheet_input_of, sheet_target

    with database.session() as session:
        sheet = find_sheet(session, application_id, reviewer_id, stage_id=stage_id)
        if sheet is not None:
            return sheet.row_version, sheet_input_of(sheet), spec_of_version(sheet.rubric_version)
        _app, _reviewer, _none, version = sheet_target(session, application_id, reviewer_id, None, stage_id)
        return 0, _template(session, template_id), spec_of_version(version)


def _points(spec, rng: random.Random) -> dict:
    out = {}
    for criterion in spec.criteria:
        steps = int(criterion.max_points / spec.step)
        out[criterion.key] = spec.step * rng.randint(steps // 3, steps)
    return out


def _save_sheet(database, rng, record, *, worker, clerk, application_id, reviewer_id, stage_id, template_id) -> None:
    from reviewtool.core.enums import SheetSource
    from reviewtool.services.scoring import sheet_edits

    read, stored, spec = _open_sheet(database, application_id, reviewer_id, stage_id, template_id)
    points = _points(spec, rng)
    comments = {key: f"{worker} 评语 {rng.randint(0, 10**6)}" for key in points}
    data = replace(stored, points=points, comments=comments)
    record.update(kind="sheet", key=f"{application_id}/{reviewer_id}/{stage_id}", read=read)
    record["points"] = {k: str(v) for k, v in points.items()}
    record["comments"] = comments
    extra = {"source": SheetSource.PAPER, "entered_by": worker} if clerk else {}
    with database.session() as session:
        result = sheet_edits.save_sheet(
            session, application_id=application_id, reviewer_id=reviewer_id, data=data, actor=worker,
            stage_id=stage_id, submit=True, row_version=read, **extra,
        )  # fmt: skip
        record["new"] = result.row_version


def _edit_application(database, record, *, worker: str, application_id: int, title: str, serial: int) -> None:
    from reviewtool.services.intake import edit
    from reviewtool.storage.models import Application

    with database.session() as session:  # the form opened
        read = session.get(Application, application_id).row_version
        form = edit.load_form(session, application_id)
    form.title = f"{title}〔{worker}-{serial}〕"
    record.update(kind="application", key=str(application_id), read=read, title=form.title)
    with database.session() as session:
        edit.update_application(session, application_id, form, actor=worker, row_version=read)
        record["new"] = session.get(Application, application_id).row_version


def worker(url: str, plan_path: str, role: str, index: int, writes: int, seed: int, out_path: str) -> None:
    from reviewtool.core.errors import UserError
    from reviewtool.i18n import set_language
    from reviewtool.storage.database import Database
    from reviewtool.storage.versioning import StaleEdit

    set_language("zh_CN")
    plan = json.loads(Path(plan_path).read_text(encoding="utf-8"))
    database = Database(url)
    rng = random.Random(seed)
    name = f"{role}{index}"
    experts = plan["experts"]
    with open(out_path, "w", encoding="utf-8") as out:
        for serial in range(writes):
            started = time.perf_counter()
            record: dict = {}
            try:
                if role == "expert":
                    me = experts[index]
                    application_id, stage_id = rng.choice(me["targets"])
                    _save_sheet(
                        database, rng, record, worker=name, clerk=False, application_id=application_id,
                        reviewer_id=me["expert_id"], stage_id=stage_id, template_id=me["template"],
                    )  # fmt: skip
                elif rng.random() < 0.5:
                    application_id = rng.choice(plan["applications"])
                    _edit_application(
                        database, record, worker=name, application_id=application_id,
                        title=plan["titles"][str(application_id)], serial=serial,
                    )  # fmt: skip
                else:
                    expert = rng.choice(experts)
                    application_id, stage_id = rng.choice(expert["targets"])
                    _save_sheet(
                        database, rng, record, worker=name, clerk=True, application_id=application_id,
                        reviewer_id=expert["expert_id"], stage_id=stage_id, template_id=expert["template"],
                    )  # fmt: skip
                record["ok"] = True
            except StaleEdit as exc:
                record.update(ok=False, stale=str(exc))
            except UserError as exc:  # e.g. DatabaseBusy: not a stale edit, counted as an error
                record.update(ok=False, error=f"{type(exc).__name__}: {exc}")
            except Exception as exc:  # noqa: BLE001 - a raw database error: counted by check()
                record.update(ok=False, error=f"{type(exc).__name__}: {exc}"[:2000])
            record["worker"] = name
            record["seconds"] = round(time.perf_counter() - started, 4)
            out.write(json.dumps(record, ensure_ascii=False) + "\n")
    database.dispose()


# --------------------------------------------------------------------------- running


def run(url: str, plan: dict, writes: int, folder: Path) -> tuple[list[dict], float]:
    """Start the writers at once; wait for all; return every write's record and the wall time."""
    folder.mkdir(parents=True, exist_ok=True)
    plan_path = folder / "plan.json"
    plan_path.write_text(json.dumps(plan, ensure_ascii=False), encoding="utf-8")
    roles = [("expert", i) for i in range(EXPERTS)] + [("clerk", i) for i in range(CLERKS)]
    shares = [writes // len(roles) + (1 if i < writes % len(roles) else 0) for i in range(len(roles))]
    env = {**os.environ, "REVIEWTOOL_LANG": "zh_CN", "PYTHONPATH": str(Path(__file__).resolve().parents[2])}
    started = time.perf_counter()
    processes = []
    for (role, index), share in zip(roles, shares, strict=True):
        out = folder / f"{role}{index}.jsonl"
        command = [sys.executable, __file__, "worker", url, str(plan_path), role, str(index), str(share)]
        command += [str(1000 + len(processes)), str(out)]
        processes.append((subprocess.Popen(command, env=env, stderr=subprocess.PIPE, text=True), out))
    records: list[dict] = []
    failures = []
    for process, out in processes:
        _stdout, stderr = process.communicate()
        if process.returncode != 0:
            failures.append(stderr[-3000:])
        if out.exists():
            records += [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines() if line.strip()]
    elapsed = time.perf_counter() - started
    if failures:
        raise AssertionError("a writer process failed:\n" + "\n".join(failures))
    return records, elapsed


# --------------------------------------------------------------------------- checking


@dataclass
class Report:
    writes: int = 0
    saved: int = 0
    refused: int = 0
    refused_sheets: int = 0
    refused_applications: int = 0
    errors: list[str] = field(default_factory=list)  # anything but a StaleEdit
    not_chinese: list[str] = field(default_factory=list)  # refusals not worded as "已被 X 于 HH:MM 修改"
    unexplained: list[str] = field(default_factory=list)  # refusals nobody else's write explains
    lost: list[str] = field(default_factory=list)  # successful writes not in one chain of versions
    not_last: list[str] = field(default_factory=list)  # stored state other than the last write's
    torn: list[str] = field(default_factory=list)  # stored total other than its criteria's
    derived: list[str] = field(default_factory=list)  # panel results / panel scores off a recompute
    seconds: float = 0.0

    def summary(self) -> str:
        return (
            f"{self.writes} writes in {self.seconds:.1f} s: {self.saved} saved, {self.refused} refused as stale "
            f"({self.refused_sheets} sheets, {self.refused_applications} applications); errors {len(self.errors)}, "
            f"lost {len(self.lost)}, not last {len(self.not_last)}, torn {len(self.torn)}, "
            f"derived off {len(self.derived)}, unexplained refusals {len(self.unexplained)}, "
            f"not Chinese {len(self.not_chinese)}"
        )


def check(database, plan: dict, records: list[dict]) -> Report:
    from sqlalchemy import select

    from reviewtool.core.scoring.maths import evaluate_sheet
    from reviewtool.services.scoring.rubrics import spec_of_version
    from reviewtool.services.scoring.sheets import find_sheet, sheet_input_of
    from reviewtool.storage.models import Application, PanelResult, ScoreSheet

    report = Report(writes=len(records))
    chains: dict[tuple[str, str], list[dict]] = {}
    read_by_ok: dict[tuple[str, str], set[int]] = {}
    for r in records:
        if "error" in r:
            report.errors.append(f"{r['worker']}: {r['error']}")
        elif r["ok"]:
            report.saved += 1
            chains.setdefault((r["kind"], r["key"]), []).append(r)
            read_by_ok.setdefault((r["kind"], r["key"]), set()).add(r["read"])
        else:
            report.refused += 1
            if r.get("kind") == "sheet":
                report.refused_sheets += 1
            else:
                report.refused_applications += 1
            if not (STALE.search(r["stale"]) or ("已被" in r["stale"] and HAN.search(r["stale"]))):
                report.not_chinese.append(r["stale"])
    for r in records:
        if "stale" in r and r.get("read") not in read_by_ok.get((r.get("kind"), r.get("key")), set()):
            report.unexplained.append(f"{r['worker']} {r.get('kind')} {r.get('key')} read {r.get('read')}")
    for (kind, key), writes in chains.items():
        writes.sort(key=lambda r: r["new"])
        expected = writes[0]["read"]
        for w in writes:  # each successful write read the version the one before it left
            if w["read"] != expected or w["new"] <= w["read"]:
                report.lost.append(f"{kind} {key}: {w['worker']} read {w['read']} left {w['new']}")
            expected = w["new"]
    with database.session() as session:
        for (kind, key), writes in chains.items():
            last = writes[-1]
            if kind == "application":
                application = session.get(Application, int(key))
                if (application.title, application.row_version) != (last["title"], last["new"]):
                    report.not_last.append(f"application {key}: {application.title} v{application.row_version}")
                continue
            application_id, reviewer_id, stage_id = (int(x) for x in key.split("/"))
            sheet = find_sheet(session, application_id, reviewer_id, stage_id=stage_id)
            stored = sheet_input_of(sheet)
            want = {k: Decimal(v) for k, v in last["points"].items()}
            if stored.points != want or stored.comments != last["comments"] or sheet.row_version != last["new"]:
                report.not_last.append(f"sheet {key}: v{sheet.row_version}, last write v{last['new']}")
        for sheet in session.scalars(select(ScoreSheet)):
            evaluation = evaluate_sheet(spec_of_version(sheet.rubric_version), sheet_input_of(sheet))
            if sheet.total != evaluation.total:
                report.torn.append(f"sheet {sheet.id}: total {sheet.total}, criteria give {evaluation.total}")
        stored = {
            (r.stage_id, r.application_id): (r.sheet_count, r.mean, r.final_score)
            for r in session.scalars(select(PanelResult))
        }
        scores = dict(session.execute(select(Application.id, Application.panel_score)).all())
    try:
        with database.session() as session:  # recomputed, then rolled back
            _recompare(session, stored, scores, report)
            raise _RollBack
    except _RollBack:
        pass
    return report


class _RollBack(Exception):
    pass


def _recompare(session, stored, scores, report: Report) -> None:
    from reviewtool.services.scoring.results import recompute_panel_result
    from reviewtool.storage.models import Application

    for (stage_id, application_id), figures in stored.items():
        again = recompute_panel_result(session, application_id, stage_id=stage_id, force=True)
        if (again.sheet_count, again.mean, again.final_score) != figures:
            report.derived.append(f"panel result {application_id}/{stage_id}: {figures}, recomputed {again}")
    for application_id, score in scores.items():
        now = session.get(Application, application_id).panel_score
        if now != score:
            report.derived.append(f"application {application_id}: panel_score {score}, recomputed {now}")


if __name__ == "__main__":
    if sys.argv[1:2] == ["worker"]:
        url, plan_path, role, index, writes, seed, out_path = sys.argv[2:9]
        worker(url, plan_path, role, int(index), int(writes), int(seed), out_path)
