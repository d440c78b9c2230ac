"""A small scored batch for the document, funding and GUI tests.

Units, experts and applications are inserted as rows (intake is another
feature); the rubric and the score sheets go through the scoring feature's
services (``services.scoring``), so the sheets,
totals and panel results are exactly what that feature stores.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import select

from reviewtool.core.enums import AreaRole, FundingRule, Opinion, TagSource
from reviewtool.services.scoring import rubric_batches, rubrics, sheet_edits, sheets
from reviewtool.storage.models import Application, ApplicationArea, Batch, Expert, PriorityArea, Unit

BATCH = "2026年海东市科技计划项目"
TRICKY_TITLE = '高原<b>冷水鱼</b> & 1<2 "=HYPERLINK(\\"http://x\\")" <i>养殖</i>'
LONG_ABSTRACT = "本项目围绕高原冷水鱼养殖的关键技术开展研究，" * 400
CRITERIA = ("C1", "C2", "C3", "C4", "C5", "C6", "C7", "C8")
MAX = (15, 15, 15, 15, 10, 15, 10, 5)


@dataclass(frozen=True)
class ScoredBatch:
    batch_id: int
    app_ids: dict[str, int]  # number -> id
    expert_ids: list[int]
    expert_names: list[str]
    batch_name: str = BATCH
    tricky_title: str = TRICKY_TITLE


def _points(level: int) -> dict[str, Decimal]:
    """Points that sum to a known total: every criterion scored max - level (floor 0)."""
    return {key: Decimal(max(0, m - level)) for key, m in zip(CRITERIA, MAX, strict=True)}


def build_scored_batch(session, *, budget="150", cap="50") -> ScoredBatch:
    rubrics.install_shipped_rubrics(session, actor="tester")
    batch = Batch(
        name=BATCH,
        year=2026,
        budget=Decimal(budget),
        per_project_cap=Decimal(cap),
        threshold=Decimal(70),
        funding_rule=FundingRule.STOP,
    )
    session.add(batch)
    session.flush()
    rubric_batches.attach_rubric(session, batch.id, "haidong-general", actor="tester")
    unit = Unit(name="海东市高原渔业科技有限公司")
    expert_unit = Unit(name="青海大学")
    session.add_all([unit, expert_unit])
    session.flush()
    names = ["王专家", "李专家", "赵专家"]
    experts = []
    for index, name in enumerate(names):
        expert = Expert(name=name, unit_id=expert_unit.id, phone=f"1390000000{index}", email=f"e{index}@example.cn")
        session.add(expert)
        experts.append(expert)
    session.flush()
    areas = {a.code: a.id for a in session.scalars(select(PriorityArea))}
    specs = [
        # number, title, requested, area, per-expert levels (points below max per criterion), opinions
        ("HD2026-001", TRICKY_TITLE, "80", "HD-I05", (1, 1, 2), Opinion.RECOMMEND),  # 100-8=92, 92, 84
        ("HD2026-002", "智慧农牧业物联网平台研发", "45", "HD-I06", (2, 3, 3), Opinion.RECOMMEND),  # 84, 76, 76
        (
            "HD2026-003",
            "湟水流域水生态修复示范",
            "60",
            "HD-I02",
            (1, 4, 4),
            Opinion.RECOMMEND,
        ),  # 92, 68, 68: mean 76, median 68
        ("HD2026-004", "碳化硅材料工艺改进", "30", "HD-I09", (5, 6, 6), Opinion.NOT_RECOMMEND),  # 60, 52, 52
    ]
    app_ids = {}
    for number, title, requested, area, levels, opinion in specs:
        app = Application(
            batch_id=batch.id,
            number=number,
            title=title,
            unit_id=unit.id,
            pi_name="张三",
            category="重点研发",
            requested_amount=Decimal(requested),
            abstract=LONG_ABSTRACT if number == "HD2026-001" else "简要摘要。",
        )
        session.add(app)
        session.flush()
        session.add(
            ApplicationArea(
                application_id=app.id, area_id=areas[area], role=AreaRole.PRIMARY, source=TagSource.CONFIRMED
            )
        )
        session.flush()
        app_ids[number] = app.id
        for expert, level in zip(experts, levels, strict=True):
            points = _points(level)
            comments = {key: "" for key in CRITERIA}
            comments["C2"] = "创新性<突出> & 有特色"
            if level >= 5:
                comments = {key: "不足" for key in CRITERIA}
            data = sheets.sheet_input_from_mapping(
                points=points,
                comments=comments,
                vetoes={"V1": False, "V2": False, "V3": False},
                opinion=opinion,
                written_opinion=f"第{experts.index(expert) + 1}位专家意见：研究基础较好。",
            )
            sheet_edits.save_sheet(
                session,
                application_id=app.id,
                reviewer_id=expert.id,
                data=data,
                actor="tester",
                internal_note="内部备注：勿外传",
                submit=True,
            )
    session.flush()
    return ScoredBatch(batch.id, app_ids, [e.id for e in experts], names)
