"""A small, hand-built world for the panel tests: one batch, units,
applications with priority areas, and an expert pool."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

import pytest

from reviewtool.core.enums import AreaRole, TagSource
from reviewtool.services.taxonomy import area_ids_by_code
from reviewtool.storage.models import Application, ApplicationArea, Batch, Expert, ExpertField, Unit

BATCH = "2026年度海东市科技计划（测试）"


@dataclass
class World:
    batch_id: int
    units: dict[str, int] = field(default_factory=dict)
    apps: dict[str, int] = field(default_factory=dict)  # number -> id
    experts: dict[str, int] = field(default_factory=dict)  # name -> id


def build_world(session, *, n_apps: int = 8, n_experts: int = 12) -> World:
    areas = area_ids_by_code(session)
    batch = Batch(name=BATCH, year=2026)
    session.add(batch)
    units = [Unit(name=f"测试单位{i}") for i in range(1, 7)]
    session.add_all(units)
    session.flush()
    world = World(batch.id, {u.name: u.id for u in units})
    codes = ["HD-I01", "HD-I02", "HD-I03", "HD-I04"]
    for i in range(1, n_apps + 1):
        app = Application(
            batch_id=batch.id,
            number=f"HD2026-{i:03d}",
            title=f"测试项目{i}",
            unit_id=units[(i - 1) % 6].id,
            pi_name=f"负责人{i}",
            requested_amount=Decimal("30"),
            abstract=f"项目{i}的主要研究内容。",
        )
        app.areas = [
            ApplicationArea(area_id=areas[codes[(i - 1) % 4]], role=AreaRole.PRIMARY, source=TagSource.CONFIRMED)
        ]
        session.add(app)
        session.flush()
        world.apps[app.number] = app.id
    for j in range(1, n_experts + 1):
        expert = Expert(name=f"专家{j:02d}", unit_id=units[(j - 1) % 6].id if j <= 6 else None, title="研究员")
        expert.fields = [ExpertField(area_id=areas[codes[(j - 1) % 4]])]
        session.add(expert)
        session.flush()
        world.experts[expert.name] = expert.id
    return world


@pytest.fixture
def world(db):
    with db.session() as session:
        return build_world(session)


def attach_general_rubric(session, batch_id: int) -> None:
    from reviewtool.services.scoring.rubric_batches import attach_rubric
    from reviewtool.services.scoring.rubrics import install_shipped_rubrics

    install_shipped_rubrics(session, actor="t")
    attach_rubric(session, batch_id, "haidong-general", actor="t")


def full_sheet(points: int = 11, opinion=None):
    """A complete sheet for the general rubric: every criterion in a middle band."""
    from reviewtool.core.enums import Opinion
    from reviewtool.core.scoring.maths import SheetInput

    data = SheetInput(opinion=opinion or Opinion.RECOMMEND, written_opinion="项目可行，建议立项。")
    for key, top in (("C1", 15), ("C2", 15), ("C3", 15), ("C4", 15), ("C5", 10), ("C6", 15), ("C7", 10), ("C8", 5)):
        data.points[key] = Decimal(min(points, top - 1) if top > 5 else 3)
    for key in ("V1", "V2", "V3"):
        data.vetoes[key] = False
    return data
