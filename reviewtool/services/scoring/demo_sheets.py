"""Demonstration score sheets for the demo database: plausible points and
written opinions from a fixed seed, so the demo ranks and funds the same way
every time.
"""

from __future__ import annotations

from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from reviewtool.core.enums import Opinion, SheetSource, SheetStatus
from reviewtool.core.scoring.maths import SheetInput, evaluate_sheet
from reviewtool.core.scoring.maths import comment_reason as comment_reason_of
from reviewtool.core.scoring.rubric import RubricSpec
from reviewtool.i18n import _
from reviewtool.services import audit
from reviewtool.services.scoring.results import recompute_panel_result
from reviewtool.services.scoring.rubric_batches import select_rubric_version
from reviewtool.services.scoring.rubrics import spec_of_version
from reviewtool.services.stages.reach import first_expert_stage
from reviewtool.storage.models import Application, CriterionScore, Expert, ScoreSheet, VetoAnswer
from reviewtool.storage.models.base import utcnow

_DEMO_STRENGTHS = {
    "high": [
        "项目紧扣海东市“十四五”重点产业，立项依据充分，研究目标明确",
        "技术路线清晰可行，前期研究基础扎实，团队结构合理",
        "考核指标具体、可量化，预期经济社会效益明显，示范推广前景好",
    ],
    "mid": [
        "项目选题符合地方产业发展需要，具有一定的应用价值",
        "研究内容基本合理，承担单位具备一定的实施条件",
        "预期成果对相关产业有一定带动作用",
    ],
    "low": [
        "项目选题有一定现实意义",
        "申报材料基本齐全",
    ],
}
_DEMO_WEAKNESSES = {
    "high": ["建议进一步细化年度进度安排，加强与县区推广单位的衔接"],
    "mid": [
        "创新点提炼不够，与已有技术的区别需进一步说明",
        "部分考核指标偏笼统，建议量化并明确检测方法",
        "经费预算中设备购置比例偏高，建议压缩并提高自筹比例",
    ],
    "low": [
        "研究内容较为笼统，技术路线缺少关键环节的论证",
        "创新性不足，主要为现有技术的简单应用",
        "预算编制依据不充分，自筹经费落实情况不明",
    ],
}
_DEMO_CONCLUSION = {
    Opinion.RECOMMEND: "建议予以立项支持。",
    Opinion.RECOMMEND_AFTER_REVISION: "建议修改完善后予以支持。",
    Opinion.NOT_RECOMMEND: "建议暂不予支持。",
}


def _demo_comment(band_label: str | None, title: str) -> str:
    if band_label in ("优",):
        return f"{title}方面表现突出，依据充分。"
    if band_label in ("差",):
        return f"{title}方面明显不足，需重新论证。"
    return f"{title}方面基本符合要求。"


def create_demo_sheets(
    session: Session, batch_id: int, *, actor: str, seed: str = "haidong-2025", stage_id: int | None = None
) -> int:
    """Submitted sheets from several demo experts for most applications of a batch,
    in one review stage (default: the batch's first expert stage).

    Deterministic: each application gets a quality level from a seeded random
    generator, each expert a leniency, each criterion some noise. About one
    application in eight stays unscored; one gets a veto, one a wide spread.
    Experts never score an application of their own unit or one that asked
    to avoid them. Returns the number of sheets written."""
    import random

    from reviewtool.storage.models import AvoidRequest

    rng = random.Random(seed)
    if stage_id is None:
        stage_id = first_expert_stage(session, batch_id).id
    applications = list(
        session.scalars(select(Application).where(Application.batch_id == batch_id).order_by(Application.number))
    )
    pool = list(session.scalars(select(Expert).where(Expert.is_staff.is_(False)).order_by(Expert.id)))
    if not applications or len(pool) < 3:
        return 0
    leniency = {e.id: rng.uniform(-5, 5) for e in pool}
    avoid = {(a.application_id, a.expert_id) for a in session.scalars(select(AvoidRequest)) if a.expert_id}
    specs: dict[int, RubricSpec] = {}
    count = 0
    for index, application in enumerate(applications):
        quality = rng.uniform(52, 93)
        if index % 8 == 7:
            continue  # not yet reviewed
        eligible = [e for e in pool if e.unit_id != application.unit_id and (application.id, e.id) not in avoid]
        size = 5 if index % 3 else 3
        panel = rng.sample(eligible, min(size, len(eligible)))
        version = select_rubric_version(session, application.id, stage_id=stage_id)
        spec = specs.get(version.id) or specs.setdefault(version.id, spec_of_version(version))
        crit_ids = {c.key: c.id for c in version.criteria}
        veto_ids = {v.key: v.id for v in version.veto_items}
        for position, expert in enumerate(panel):
            level = quality + leniency[expert.id] + rng.uniform(-4, 4)
            if index == 10 and position == 0:
                level -= 30  # one expert far from the others: a wide spread
            level = max(20.0, min(98.0, level))
            data = SheetInput()
            for c in spec.criteria:
                ratio = Decimal(str(round(max(0.0, min(1.0, level / 100 + rng.uniform(-0.08, 0.08))), 3)))
                points = (c.max_points * ratio / spec.step).to_integral_value() * spec.step
                data.points[c.key] = min(points, c.max_points)
            vetoed = index == 5 and position == 1
            data.vetoes = {v.key: (vetoed and i == 0) for i, v in enumerate(spec.veto_items)}
            for c in spec.criteria:
                points = data.points[c.key]
                if comment_reason_of(c, points):
                    band = c.band_for(points)
                    data.comments[c.key] = _demo_comment(band.label if band else None, c.title)
            total = evaluate_sheet(spec, SheetInput(points=data.points), require_written_opinion=False).running_total
            share = total / spec.total_points * 100
            tier = "high" if share >= 80 else ("mid" if share >= 65 else "low")
            data.opinion = (
                Opinion.NOT_RECOMMEND
                if vetoed or share < 62
                else Opinion.RECOMMEND
                if share >= 78
                else Opinion.RECOMMEND_AFTER_REVISION
            )
            strengths = rng.sample(_DEMO_STRENGTHS[tier], min(2, len(_DEMO_STRENGTHS[tier])))
            weakness = rng.choice(_DEMO_WEAKNESSES[tier])
            text = "该项目{}；{}。但{}。{}".format(
                strengths[0], strengths[-1] if len(strengths) > 1 else "", weakness, _DEMO_CONCLUSION[data.opinion]
            ).replace("；。", "。")
            if vetoed:
                text = "经核查，申报材料中部分前期成果与已发表文献高度重复，存在学术不端嫌疑，一票否决。"
            data.written_opinion = text
            evaluation = evaluate_sheet(spec, data)
            sheet = ScoreSheet(
                stage_id=stage_id,
                application_id=application.id,
                reviewer_id=expert.id,
                rubric_version_id=version.id,
                status=SheetStatus.SUBMITTED if evaluation.complete else SheetStatus.DRAFT,
                source=SheetSource.PAPER if position == 0 and index % 4 == 0 else SheetSource.SCREEN,
                entered_by=actor if position == 0 and index % 4 == 0 else expert.name,
                opinion=data.opinion,
                written_opinion=data.written_opinion,
                vetoed=evaluation.vetoed,
                total=evaluation.total,
                submitted_at=utcnow() if evaluation.complete else None,
            )
            sheet.scores = [
                CriterionScore(criterion_id=crit_ids[k], points=p, comment=data.comments.get(k, ""))
                for k, p in data.points.items()
            ]
            sheet.veto_answers = [VetoAnswer(veto_item_id=veto_ids[k], answer=v) for k, v in data.vetoes.items()]
            session.add(sheet)
            count += 1
        session.flush()
        recompute_panel_result(session, application.id, stage_id=stage_id)
    audit.record(
        session,
        actor=actor,
        action="demo.sheets",
        entity_type="batch",
        entity_id=batch_id,
        batch_id=batch_id,
        summary=_("Created the demonstration score sheets"),
        details={"sheets": count, "seed": seed},
    )
    return count
