"""Loading plan editions into the database and reading them back."""

from __future__ import annotations

import dataclasses
from collections import Counter

from sqlalchemy import func, select

from reviewtool.core.taxonomy import shipped_editions
from reviewtool.services.taxonomy import area_ids_by_code, list_areas, sync_edition
from reviewtool.storage.models import PlanEdition, PriorityArea


def test_every_database_has_both_plans_with_their_hierarchy(any_db):
    with any_db.session() as session:
        rows = list_areas(session)
    kinds = Counter(row.kind for row in rows)
    assert kinds == {
        "direction": 4,
        "industry": 14,
        "column_task": 19,
        "key_task": 3,
        "support": 5,
        "target": 17,
        "special": 2,
        "special_task": 8,
    }
    by_code = {row.code: row for row in rows}
    assert by_code["HD-I05"].parent == "HD-D2"
    assert by_code["HD-C3-6"].parent == "HD-D3"
    assert by_code["QH-E2-4"].parent == "QH-E2"
    assert by_code["HD-D4"].title == "科技扶持改善民生福祉"
    assert by_code["HD-T2"].attributes["nature"] == "约束性"
    # Parents come before their children, as the tree needs.
    seen = set()
    for row in rows:
        assert row.parent is None or row.parent in seen
        seen.add(row.code)


def test_a_corrected_edition_updates_areas_in_place(db):
    spec = next(s for s in shipped_editions() if s.code == "haidong-14")
    with db.session() as session:
        before = area_ids_by_code(session)
        renamed = tuple(
            dataclasses.replace(a, title=a.title + "（修订）") if a.code == "HD-I01" else a
            for a in spec.areas
            if a.code != "HD-S5"
        )
        assert sync_edition(session, dataclasses.replace(spec, areas=renamed)) is True
    with db.session() as session:
        assert area_ids_by_code(session)["HD-I01"] == before["HD-I01"]  # tags keep pointing at it
        rows = {r.code: r for r in list_areas(session)}
        assert rows["HD-I01"].title.endswith("（修订）")
        assert "HD-S5" not in rows  # retired, still stored for old tags
        assert session.scalar(select(func.count()).select_from(PriorityArea).where(PriorityArea.code == "HD-S5")) == 1


def test_syncing_the_same_edition_twice_changes_nothing(db):
    spec = shipped_editions()[0]
    with db.session() as session:
        assert sync_edition(session, spec) is False
        assert session.scalar(select(func.count()).select_from(PlanEdition)) == 2


def test_a_new_plan_edition_loads_beside_the_old_one(db):
    spec = next(s for s in shipped_editions() if s.code == "haidong-14")
    next_plan = dataclasses.replace(spec, code="haidong-15", title="海东市“十五五”科技创新规划", period="十五五")
    with db.session() as session:
        assert sync_edition(session, next_plan) is True
    with db.session() as session:
        assert {r.edition for r in list_areas(session, kind="direction")} == {"haidong-14", "haidong-15"}
        assert len(list_areas(session, edition="haidong-15")) == len(spec.areas)
