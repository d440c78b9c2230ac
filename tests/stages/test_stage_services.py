"""Review stages through the service layer: the default list, adding a stage,
promotion by each rule (previewed, refused when it cannot apply), every
stage's results kept, the final score (last stage or weighted) with its
rule in words, and an expert's earlier sheet shown only when the batch allows."""

from __future__ import annotations

from decimal import Decimal

import pytest
from sqlalchemy import select

from reviewtool.core.enums import PanelMode, SheetStatus, StageStatus
from reviewtool.core.errors import NotFound, Refused, UserError
from reviewtool.services.batches.batch import create_batch
from reviewtool.services.funding import funding_view, set_funding_settings
from reviewtool.services.scoring import sheets
from reviewtool.services.scoring.ranking import ranked_applications
from reviewtool.services.stages import finalise, promotion, visibility
from reviewtool.services.stages import stage as stages
from reviewtool.services.stages.reach import application_stage, current_stage
from reviewtool.storage.models import Application, PanelResult, ScoreSheet, StageApplication

from .staged_world import MEETING_EXPERTS, REMOTE_EXPERTS, level, meeting_stage, remote_stage, remote_total


def test_a_new_batch_has_the_default_stages_and_the_remote_one_is_current(db):
    with db.session() as s:
        batch_id, _c = create_batch(s, {"name": "2027年度测试批次"}, actor="t")
        rows = stages.list_stages(s, batch_id)
        assert [(r.name, r.kind.value, r.mode.value, r.status.value, r.current) for r in rows] == [
            ("形式审查", "formal", "remote", "open", False),
            ("网络评审", "expert", "remote", "open", True),
            ("会议评审", "expert", "meeting", "pending", False),
        ]
        assert [r.as_json()["order"] for r in rows] == [1, 2, 3]


def test_adding_a_stage_after_another_moves_the_later_ones(db):
    with db.session() as s:
        batch_id, _c = create_batch(s, {"name": "2027年度测试批次"}, actor="t")
        stages.add_stage(s, batch_id, "答辩", actor="t", after="网络评审")
        stages.add_stage(s, batch_id, "复审", actor="t", mode=PanelMode.MEETING)
        assert [r.name for r in stages.list_stages(s, batch_id)] == ["形式审查", "网络评审", "答辩", "会议评审", "复审"]
        with pytest.raises(Refused, match="复审"):
            stages.add_stage(s, batch_id, "复审", actor="t")
        with pytest.raises(NotFound, match="终审"):
            stages.add_stage(s, batch_id, "二审", actor="t", after="终审")


def test_promotion_by_each_rule_previewed_then_applied(db):
    with db.session() as s:
        world, _panel = remote_stage(s)
        ranked = ranked_applications(s, world.batch_id, stage_id=current_stage(s, world.batch_id).id)
        order = [r.number for r in ranked.rows]
        # by score: the two at level 12 (-006, -013 is out of range: 12 apps), then 11 …
        assert [remote_total(n) for n in order] == sorted((remote_total(n) for n in order), reverse=True)

        top = promotion.preview_promotion(s, world.batch_id, "网络评审", top=4)
        assert [c.number for c in top.promoted] == order[:4]
        assert [c.number for c in top.not_promoted] == order[4:]
        assert "4" in top.rule and "网络评审" in top.rule and top.target == "会议评审"
        # HD2026-003 and -010 have the same level: a cut between them is reported
        cut = next(i for i in range(1, 12) if remote_total(order[i - 1]) == remote_total(order[i]))
        tied = promotion.preview_promotion(s, world.batch_id, "网络评审", top=cut)
        assert tied.warnings and order[cut - 1] in tied.warnings[0] and order[cut] in tied.warnings[0]

        at_least = promotion.preview_promotion(s, world.batch_id, "网络评审", min_score=remote_total("HD2026-004"))
        assert {c.number for c in at_least.promoted} == {
            n for n in order if remote_total(n) >= remote_total("HD2026-004")
        }

        with pytest.raises(UserError, match="理由|reason"):
            promotion.preview_promotion(s, world.batch_id, "网络评审", numbers=["HD2026-001"])
        with pytest.raises(NotFound, match="HD2026-099"):
            promotion.preview_promotion(s, world.batch_id, "网络评审", numbers=["HD2026-099"], reason="x")
        with pytest.raises(UserError):
            promotion.preview_promotion(s, world.batch_id, "网络评审", top=3, min_score=Decimal(80))
        assert s.scalar(select(StageApplication.id)) is None, "previews store nothing"

        applied, _c = promotion.apply_promotion(s, world.batch_id, "网络评审", actor="t", top=4)
        assert [c.number for c in applied.promoted] == order[:4]
        by_hand, _c = promotion.apply_promotion(
            s, world.batch_id, "网络评审", actor="t", numbers=[order[6]], reason="申请人提出复核，组长同意"
        )
        entered = {
            (a.number, e.how.value) for e, a in s.execute(select(StageApplication, Application).join(Application))
        }
        assert entered == {(n, "top_n") for n in order[:4]} | {(order[6], "manual")}
        meeting = stages.find_stage(s, world.batch_id, "会议评审")
        assert meeting.status is StageStatus.OPEN and meeting.settings["promotion"]["kind"] == "manual"
        assert current_stage(s, world.batch_id).id == meeting.id
        assert application_stage(s, world.apps[order[0]]).id == meeting.id
        assert application_stage(s, world.apps[order[5]]).name == "网络评审"


def test_promotion_needs_the_stage_finalised(db):
    from panels.conftest import attach_general_rubric, build_world

    with db.session() as s:
        world = build_world(s, n_apps=4)
        attach_general_rubric(s, world.batch_id)
        with pytest.raises(Refused, match="网络评审"):
            promotion.apply_promotion(s, world.batch_id, "网络评审", actor="t", top=2)
        with pytest.raises(Refused):  # the formal stage is not where applications are promoted from
            promotion.preview_promotion(s, world.batch_id, "形式审查", top=2)
        with pytest.raises(Refused, match="网络评审"):  # no panel yet: nothing to finalise
            finalise.finalize_stage(s, world.batch_id, "网络评审", actor="t")


def test_every_stage_keeps_its_sheets_and_results(db):
    with db.session() as s:
        world, _remote = remote_stage(s)
        before = {(r.stage_id, r.application_id): r.final_score for r in s.scalars(select(PanelResult))}
        preview, _meeting = meeting_stage(s, world)
        promoted = [world.apps[c.number] for c in preview.promoted]
        # one expert reviewed the same application in both stages? no: two sheets each stage, never one overwritten
        by_stage = {}
        for sheet in s.scalars(select(ScoreSheet).where(ScoreSheet.application_id.in_(promoted))):
            by_stage.setdefault(sheet.stage_id, []).append(sheet)
        assert len(by_stage) == 2
        assert [len(v) for v in by_stage.values()] == [len(promoted) * len(REMOTE_EXPERTS),
                                                       len(promoted) * len(MEETING_EXPERTS)]  # fmt: skip
        after = {(r.stage_id, r.application_id): r.final_score for r in s.scalars(select(PanelResult))}
        assert {k: v for k, v in after.items() if k in before} == before
        assert len(after) == len(before) + len(promoted)


def test_the_same_expert_can_score_the_same_application_again_in_the_next_stage(db):
    from panels.conftest import full_sheet
    from reviewtool.services.panels import membership
    from reviewtool.services.panels import panel as panels
    from reviewtool.services.scoring import sheet_edits

    with db.session() as s:
        world, _remote = remote_stage(s)
        promotion.apply_promotion(s, world.batch_id, "网络评审", actor="t", top=2)
        panel_id, _c = panels.create_panel(s, world.batch_id, "会评组", actor="t")
        expert = world.experts[REMOTE_EXPERTS[0]]
        membership.add_member(s, panel_id, expert, "再评", actor="t")
        app_id = panels.group_application_ids(s, panels.get_panel(s, panel_id))[0]
        number = next(k for k, v in world.apps.items() if v == app_id)
        sheet_edits.save_sheet(s, application_id=app_id, reviewer_id=expert, actor="t", panel_id=panel_id,
                               data=full_sheet(5), submit=True)  # fmt: skip
        mine = list(s.scalars(select(ScoreSheet).where(ScoreSheet.application_id == app_id,
                                                       ScoreSheet.reviewer_id == expert)))  # fmt: skip
        assert len(mine) == 2 and {m.status for m in mine} == {SheetStatus.SUBMITTED}
        assert sorted(m.total for m in mine) == sorted([Decimal(5 * 7 + 3), remote_total(number)])

        # the earlier sheet is not shown to the expert unless the batch allows it
        context = sheets.scoring_context(s, app_id, expert, stage_id=s.get(ScoreSheet, mine[0].id).stage_id)
        meeting_context = sheets.scoring_context(s, app_id, expert)
        assert meeting_context.stage_name == "会议评审" and meeting_context.earlier == ()
        visibility.set_show_earlier_sheets(s, world.batch_id, True, actor="t")
        shown = sheets.scoring_context(s, app_id, expert).earlier
        assert [(e.stage, e.total) for e in shown] == [("网络评审", remote_total(number))]
        assert context is not None


def test_final_score_last_stage_then_weighted_with_the_rule_printed(db):
    with db.session() as s:
        world, _remote = remote_stage(s)
        preview, _meeting = meeting_stage(s, world, points_of=lambda n: 10)
        meeting_total = Decimal(4 * 10 + 9 + 10 + 9 + 3)
        final = ranked_applications(s, world.batch_id, final=True)
        assert "会议评审" in final.final_rule and "网络评审" in final.final_rule
        rows = {r.number: r for r in final.rows}
        promoted = [c.number for c in preview.promoted]
        for number in promoted:
            assert rows[number].score == meeting_total and rows[number].stage == "会议评审"
        for number in set(rows) - set(promoted):  # keeps its 网络评审 result, ranked after, not recommended
            assert rows[number].score == remote_total(number) and rows[number].stopped
            assert not rows[number].recommended
        assert [r.number for r in final.rows[: len(promoted)]] == sorted(
            promoted, key=lambda n: n
        )  # all tie: by number

        with pytest.raises(UserError, match="100"):
            stages.set_final_rule(s, world.batch_id, "weighted", {"网络评审": "40", "会议评审": "50"}, actor="t")
        with pytest.raises(UserError, match="终审"):
            stages.set_final_rule(s, world.batch_id, "weighted", {"网络评审": "40", "终审": "60"}, actor="t")
        stages.set_final_rule(s, world.batch_id, "weighted", {"网络评审": "40", "会议评审": "60"}, actor="t")
        weighted = ranked_applications(s, world.batch_id, final=True)
        assert "网络评审 × 40% + 会议评审 × 60%" in weighted.final_rule
        rows = {r.number: r for r in weighted.rows}
        for number in promoted:
            expected = (remote_total(number) * 40 + meeting_total * 60) / 100
            assert rows[number].score == expected.quantize(Decimal("0.01")) and rows[number].rule == "weighted"
        assert s.get(Application, world.apps[promoted[0]]).panel_score == rows[promoted[0]].score

        # the funding line: only promoted applications, the rule printed with it
        set_funding_settings(s, world.batch_id, budget=Decimal(1000), actor="t")
        view = funding_view(s, world.batch_id)
        assert view.final_rule == weighted.final_rule and view.upto == "会议评审"
        assert {r.number for r in view.rows if r.funded} == set(promoted)
        assert all(r.decision.value == "not_eligible" for r in view.rows if r.stopped)

        # as of 网络评审 the same batch ranks on the first stage alone
        remote_view = funding_view(s, world.batch_id, stages.find_stage(s, world.batch_id, "网络评审").id)
        assert remote_view.upto == "网络评审" and not any(r.stopped for r in remote_view.rows)
        assert max(level(n) for n in promoted) == 12


def test_the_rules_read_in_chinese_and_in_english(db):
    """The promotion rule and the final-score rule in words, as printed beside the scores, in both languages."""
    from reviewtool.i18n import set_language

    with db.session() as s:
        world, _remote = remote_stage(s)
        chinese = promotion.preview_promotion(s, world.batch_id, "网络评审", top=5)
        assert chinese.rule.startswith("网络评审前 5 名晋级会议评审") and "一票否决" in chinese.rule
        rows = {r.name: r for r in stages.list_stages(s, world.batch_id)}
        assert rows["网络评审"].kind.label() == "专家评审阶段" and rows["网络评审"].status.label() == "已定稿"
        stages.set_final_rule(s, world.batch_id, "weighted", {"网络评审": "40", "会议评审": "60"}, actor="t")
        assert ranked_applications(s, world.batch_id, final=True).final_rule.startswith("最终得分 = 网络评审 × 40%")
        try:
            set_language("en")
            english = promotion.preview_promotion(s, world.batch_id, "网络评审", top=5)
            assert english.rule.startswith("The top 5 of 网络评审 go on to 会议评审")
            assert [c.number for c in english.promoted] == [c.number for c in chinese.promoted]
            assert rows["网络评审"].status.label() == "Finalised stage"
            final = ranked_applications(s, world.batch_id, final=True).final_rule
            assert final.startswith("Final score = 网络评审 × 40% + 会议评审 × 60%")
            with pytest.raises(UserError, match="add up to 90, not 100"):
                stages.set_final_rule(s, world.batch_id, "weighted", {"网络评审": "40", "会议评审": "50"}, actor="t")
        finally:
            set_language("zh_CN")
