"""Rubric validation without Qt or a database: each bad case named."""

from __future__ import annotations

import copy
from decimal import Decimal

import pytest
import yaml

from reviewtool.core.scoring.rubric import RubricInvalid
from reviewtool.core.scoring.rubric_check import parse_rubric, validate_rubric
from reviewtool.paths import resource_path


def problems_of(doc) -> list[str]:
    spec, problems = validate_rubric(doc)
    assert spec is None
    return [str(p) for p in problems]


def test_valid_rubric_round_trips_through_its_canonical_document(small_doc):
    spec = parse_rubric(small_doc())
    assert spec.total_points == Decimal(25)
    assert [c.key for c in spec.criteria] == ["A", "B"]
    again = parse_rubric(spec.as_dict())
    assert again == spec
    assert again.content_hash() == spec.content_hash()


@pytest.mark.parametrize("name", ["haidong-general", "haidong-ecology", "haidong-platform-talent"])
def test_shipped_rubrics_are_valid_and_total_100(name):
    doc = yaml.safe_load(resource_path("rubrics", f"{name}.yaml").read_text(encoding="utf-8"))
    spec = parse_rubric(doc, source=f"{name}.yaml")
    assert spec.code == name
    assert spec.total_points == Decimal(100)
    assert sum(c.weighted_max for c in spec.criteria) == Decimal(100)
    assert spec.veto_items
    assert sum(1 for c in spec.criteria if c.plan_fit) == 1


def test_points_not_summing_as_declared(small_doc):
    doc = small_doc()
    doc["total_points"] = 100
    messages = problems_of(doc)
    assert any("25" in m and "100" in m for m in messages), messages


def test_weighted_points_must_sum_to_declared_total(small_doc):
    doc = small_doc()
    doc["total_points"] = 40
    doc["criteria"][0]["weight"] = 2  # 15*2 + 10 = 40
    assert parse_rubric(doc).weighted
    doc["criteria"][0]["weight"] = "1.5"
    messages = problems_of(doc)
    assert any("32.5" in m and "40" in m for m in messages), messages


def test_duplicate_ids(small_doc):
    doc = small_doc()
    doc["criteria"][1]["id"] = "A"
    messages = problems_of(doc)
    assert any("“A”" in m and "B" not in m.split(":")[0] for m in messages)
    doc = small_doc()
    doc["criteria"][1]["id"] = "V1"  # clashes with a veto item
    assert any("V1" in m for m in problems_of(doc))


def test_overlapping_bands_name_the_criterion_and_bands(small_doc):
    doc = small_doc()
    doc["criteria"][0]["bands"][1]["high"] = 13
    messages = problems_of(doc)
    assert any("A" in m and "创新性" in m for m in messages), messages
    assert any("优" in m and "良" in m for m in messages), messages


def test_gap_between_bands(small_doc):
    doc = small_doc()
    doc["criteria"][0]["bands"][1]["low"] = 10  # 9 missing
    messages = problems_of(doc)
    assert any("一般" in m and "良" in m for m in messages), messages


def test_band_outside_criterion_range(small_doc):
    doc = small_doc()
    doc["criteria"][1]["bands"][0]["high"] = 12
    messages = problems_of(doc)
    assert any("预算" in m and "0–10" in m for m in messages), messages


def test_bands_must_cover_the_range(small_doc):
    doc = small_doc()
    doc["criteria"][1]["bands"][0]["high"] = 9
    assert any("9" in m for m in problems_of(doc))
    doc = small_doc()
    doc["criteria"][1]["bands"] = [{"label": "好", "low": 6, "high": 10}, {"label": "差", "low": 1, "high": 5}]
    assert any("0" in m for m in problems_of(doc))


@pytest.mark.parametrize(
    "where",
    ["top", "criterion", "band", "veto", "comment"],
)
def test_unknown_keys(where, small_doc):
    doc = small_doc()
    target = {
        "top": doc,
        "criterion": doc["criteria"][0],
        "band": doc["criteria"][0]["bands"][0],
        "veto": doc["veto_items"][0],
        "comment": doc["criteria"][0]["comment_required"],
    }[where]
    target["maxpoints"] = 3
    messages = problems_of(doc)
    assert any("maxpoints" in m for m in messages), messages


def test_missing_titles(small_doc):
    doc = small_doc()
    del doc["criteria"][1]["title"]
    messages = problems_of(doc)
    assert any("B" in m for m in messages)
    doc = small_doc()
    doc["veto_items"][0]["question"] = ""
    assert problems_of(doc)
    doc = small_doc()
    doc["name"] = ""
    assert problems_of(doc)


def test_error_message_names_source_and_criterion(small_doc):
    doc = small_doc()
    doc["criteria"][1]["bands"][0]["high"] = 12
    with pytest.raises(RubricInvalid) as info:
        parse_rubric(doc, source="bad.yaml")
    text = str(info.value)
    assert "bad.yaml" in text and "B" in text and "预算" in text
    assert info.value.problems


def test_suggested_bands_only_on_plan_fit_and_known_labels(small_doc):
    doc = small_doc()
    doc["criteria"][0]["suggested_bands"] = {"key_industry": "优"}
    assert problems_of(copy.deepcopy(doc))
    doc["criteria"][0]["plan_fit"] = True
    assert parse_rubric(copy.deepcopy(doc)).criteria[0].suggested_bands == {"key_industry": "优"}
    doc["criteria"][0]["suggested_bands"] = {"key_industry": "极好"}
    assert any("极好" in m for m in problems_of(doc))
    doc["criteria"][0]["suggested_bands"] = {"somewhere": "优"}
    assert any("somewhere" in m for m in problems_of(doc))


def test_step_of_half_points_defines_gaps(small_doc):
    doc = small_doc()
    doc["step"] = "0.5"
    # 良 9–12 then 优 13: with half points 12.5 is a gap.
    assert any("12" in m for m in problems_of(copy.deepcopy(doc)))
    doc["criteria"][0]["bands"][0]["low"] = "12.5"
    doc["criteria"][0]["bands"][1]["low"] = "8.5"
    doc["criteria"][0]["bands"][2]["low"] = "4.5"
    doc["criteria"][1]["bands"][0]["low"] = "5.5"
    assert parse_rubric(doc).step == Decimal("0.5")


def test_not_a_mapping():
    assert problems_of(["a"])
    assert problems_of({"code": "x", "name": "y"})  # no criteria
