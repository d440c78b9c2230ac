"""Shared rubric documents for the scoring tests."""

from __future__ import annotations

import pytest


def _small() -> dict:
    return {
        "code": "t",
        "name": "测试评分标准",
        "total_points": 25,
        "veto_items": [{"id": "V1", "question": "是否弄虚作假？"}],
        "criteria": [
            {
                "id": "A",
                "title": "创新性",
                "max_points": 15,
                "comment_required": {"lowest_band": True, "full_score": True},
                "bands": [
                    {"label": "优", "low": 13, "high": 15, "descriptor": "国内先进"},
                    {"label": "良", "low": 9, "high": 12},
                    {"label": "一般", "low": 5, "high": 8},
                    {"label": "差", "low": 0, "high": 4},
                ],
            },
            {
                "id": "B",
                "title": "预算",
                "max_points": 10,
                "bands": [{"label": "好", "low": 6, "high": 10}, {"label": "差", "low": 0, "high": 5}],
            },
        ],
    }


@pytest.fixture
def small_doc():
    """A factory for a small valid rubric document (25 points, two criteria, one veto)."""
    return _small
