"""Migration 0007 on the demonstration data, both engines: every sheet (with its
points and veto answers), result, vote, assignment, panel and audit record is
there after the upgrade, moved into each batch's 网络评审 stage; after a
downgrade and an upgrade again too. A downgrade of a batch reviewed in two
expert stages keeps the first stage and drops the later one, saying so."""

from __future__ import annotations

from alembic import command
from alembic.script import ScriptDirectory
from sqlalchemy import inspect, select, text

from reviewtool.core.enums import VoteChoice
from reviewtool.core.errors import Refused, UserError
from reviewtool.services.demo import load_demo
from reviewtool.services.panels import membership, votes
from reviewtool.services.panels.finalise import finalize_panel
from reviewtool.storage import migrate
from reviewtool.storage.models import Application, Assignment, Panel, ScoreSheet

#: The rows the migration must keep, by the columns the old and the new schema share.
KEPT = {
    "score_sheet": "id, application_id, reviewer_id, rubric_version_id, panel_id, status, source, total, opinion, "
    "written_opinion, vetoed, locked, excluded, submitted_at",
    "criterion_score": "id, sheet_id, criterion_id, points, comment",
    "veto_answer": "id, sheet_id, veto_item_id, answer",
    "panel_result": "application_id, sheet_count, mean, median, trimmed_mean, normalised, spread, std_dev, "
    "final_score, rule, veto_count, locked",
    "meeting_vote": "id, panel_id, application_id, expert_id, choice, recorded_by",
    "assignment": "id, panel_id, application_id, expert_id, method, status, conflict_reason",
    "panel": "id, batch_id, name, mode, status, finalized_by",
    "panel_member": "id, panel_id, expert_id, draw_id, status",
    "panel_application": "id, panel_id, application_id",
    "batch_rubric": "id, batch_id, rubric_id, priority",
    "application": "id, number, status, panel_score",
    "audit_event": "*",
}
MOVED = ("panel", "assignment", "score_sheet", "panel_result")


def _rows(database) -> dict[str, list[tuple]]:
    with database.engine.connect() as conn:
        return {
            table: [tuple(r) for r in conn.execute(text(f"SELECT {cols} FROM {table} ORDER BY 1, 2"))]
            for table, cols in KEPT.items()
        }


def _below_ours(config) -> str:
    return ScriptDirectory.from_config(config).get_revision("0007").down_revision


def _demo_with_votes(database) -> int:
    """The demo data, plus three members' votes on two applications of the demo panel."""
    with database.session() as s:
        load_demo(s, actor="tester")
        panel = s.scalar(select(Panel))
        pairs = s.execute(
            select(Assignment.application_id, Assignment.expert_id)
            .where(Assignment.panel_id == panel.id)
            .order_by(Assignment.application_id, Assignment.expert_id)
        ).all()
        for (application_id, expert_id), choice in zip(
            pairs[:4], (VoteChoice.FOR, VoteChoice.FOR, VoteChoice.AGAINST, VoteChoice.ABSTAIN), strict=True
        ):
            votes.record_vote(s, panel.id, application_id, expert_id, choice, actor="tester")
        return panel.batch_id


def _stage_ids(database) -> dict[tuple[int, str], int]:
    with database.engine.connect() as conn:
        return {(b, n): i for i, b, n in conn.execute(text("SELECT id, batch_id, name FROM review_stage"))}


def _check_moved(database) -> None:
    """Every moved row sits in its batch's 网络评审 stage; each batch has 形式审查 then 网络评审."""
    stages = _stage_ids(database)
    with database.engine.connect() as conn:
        listed = conn.execute(text("SELECT batch_id, position, name, kind FROM review_stage ORDER BY 1, 2")).all()
        batches = {b for (b,) in conn.execute(text("SELECT id FROM batch"))}
        assert [tuple(r) for r in listed] == [
            x for b in sorted(batches) for x in ((b, 0, "形式审查", "formal"), (b, 1, "网络评审", "expert"))
        ]
        for table in MOVED:
            batch = (
                "batch_id" if table == "panel" else "(SELECT batch_id FROM application a WHERE a.id = application_id)"
            )
            found = conn.execute(text(f"SELECT stage_id, {batch} FROM {table}")).all()
            assert found, table
            assert all(stage == stages[(b, "网络评审")] for stage, b in found), table


def test_upgrade_moves_everything_into_the_remote_stage_and_back(any_db):
    batch_id = _demo_with_votes(any_db)
    with any_db.session() as s:
        old = {a.number: a.panel_score for a in s.scalars(select(Application))}
    at_head = _rows(any_db)
    assert len(at_head["meeting_vote"]) == 4 and at_head["score_sheet"] and at_head["criterion_score"]
    config = migrate.alembic_config(any_db.engine)

    command.downgrade(config, _below_ours(config))
    assert "review_stage" not in inspect(any_db.engine).get_table_names()
    assert "stage_id" not in {c["name"] for c in inspect(any_db.engine).get_columns("score_sheet")}
    before = _rows(any_db)
    assert before == at_head, "the downgrade of one expert stage loses nothing"

    command.upgrade(config, "head")
    after = _rows(any_db)
    assert after == before
    _check_moved(any_db)
    with any_db.engine.connect() as conn:
        statuses = dict(
            conn.execute(text("SELECT name, status FROM review_stage WHERE batch_id = :b"), {"b": batch_id}).all()
        )
    # demo: no application waits for formal review; the panel is not finalised
    assert statuses == {"形式审查": "finalised", "网络评审": "open"}

    command.downgrade(config, _below_ours(config))
    assert _rows(any_db) == before
    command.upgrade(config, "head")
    assert _rows(any_db) == after
    _check_moved(any_db)

    # The upgraded data works: the same ranking figures, the panel still in its stage.
    from reviewtool.services.scoring.ranking import ranked_applications

    with any_db.session() as s:
        view = ranked_applications(s, batch_id)
        assert view.stage == "网络评审"
        scores = {r.number: r.final_score for r in view.rows}
        assert scores == {n: old[n] for n in scores} and any(v is not None for v in scores.values())


def _meeting_stage_with_data(database, batch_id: int) -> dict[str, int]:
    """Finalise 网络评审, promote its top five to 会议评审 and review them there: sheets, results, votes."""
    from panels.conftest import full_sheet
    from reviewtool.services.panels import panel as panels
    from reviewtool.services.scoring import sheet_edits
    from reviewtool.services.stages import finalise, promotion

    with database.session() as s:
        remote_panel = s.scalar(select(Panel))
        finalize_panel(s, remote_panel.id, actor="tester", allow_missing=True)
        finalise.finalize_stage(s, batch_id, "网络评审", actor="tester")
        preview, _c = promotion.apply_promotion(s, batch_id, "网络评审", actor="tester", top=5)
        panel_id, _c = panels.create_panel(s, batch_id, "会评组", actor="tester")
        members = []
        for (expert_id,) in s.execute(select(Assignment.expert_id).distinct().order_by(Assignment.expert_id)):
            try:
                with s.begin_nested():  # an expert of an applicant unit cannot join: try the next
                    membership.add_member(s, panel_id, expert_id, "会评", actor="tester")
                members.append(expert_id)
            except Refused:
                continue
            if len(members) == 3:
                break
        count = 0
        for candidate in preview.promoted:
            for expert_id in members:
                try:
                    with s.begin_nested():  # the general rubric's sheet; an ecology application refuses it
                        sheet_edits.save_sheet(s, application_id=candidate.application_id, reviewer_id=expert_id,
                                               data=full_sheet(), actor="tester", panel_id=panel_id, submit=True)  # fmt: skip
                    count += 1
                except UserError:
                    break
        assert count >= 6
        votes.record_vote(s, panel_id, preview.promoted[0].application_id, members[0], VoteChoice.FOR, actor="t")
        return {"sheets": count, "panel": panel_id}


def test_downgrade_drops_a_later_stage_and_keeps_the_first(any_db, capfd):
    batch_id = _demo_with_votes(any_db)
    made = _meeting_stage_with_data(any_db, batch_id)
    full = _rows(any_db)
    with any_db.session() as s:
        later = set(s.scalars(select(ScoreSheet.id).where(ScoreSheet.panel_id == made["panel"])))
    assert len(later) == made["sheets"]
    remote = {
        "score_sheet": [r for r in full["score_sheet"] if r[0] not in later],
        "criterion_score": [r for r in full["criterion_score"] if r[1] not in later],
        "veto_answer": [r for r in full["veto_answer"] if r[1] not in later],
        "meeting_vote": [r for r in full["meeting_vote"] if r[1] != made["panel"]],
        "panel_application": [r for r in full["panel_application"] if r[1] != made["panel"]],
        "panel": [r for r in full["panel"] if r[0] != made["panel"]],
    }
    assert all(len(remote[t]) < len(full[t]) for t in remote if t != "veto_answer")
    config = migrate.alembic_config(any_db.engine)
    command.downgrade(config, _below_ours(config))
    err = capfd.readouterr().err
    assert "dropping stage 会议评审" in err and f"{made['sheets']} sheets" in err
    down = _rows(any_db)
    for table in ("score_sheet", "criterion_score", "veto_answer", "meeting_vote", "panel_application"):
        assert down[table] == remote[table], table
    assert [r[0] for r in down["panel"]] == [r[0] for r in remote["panel"]]
    with any_db.engine.connect() as conn:
        finals = dict(conn.execute(text(
            "SELECT a.id, r.final_score FROM panel_result r JOIN application a ON a.id = r.application_id")).all())  # fmt: skip
    scores = {app_id: score for app_id, _n, _s, score in down["application"]}
    assert finals and all(scores[a] == finals[a] for a in finals), "panel_score is the 网络评审 figure again"
    command.upgrade(config, "head")
    _check_moved(any_db)
