"""Validating and parsing rubric documents.

A rubric document is a plain mapping (read from YAML, Excel or the editor).
``validate_rubric`` lists every problem with the criterion it concerns;
``parse_rubric`` returns an immutable ``RubricSpec`` or raises
``RubricInvalid`` naming the file, the criterion and the problem.

Rules (see docs/scoring.md):
- criteria ids are unique (also against veto-item ids), titles are present;
- ``max_points`` are multiples of the rubric's ``step`` (default 1);
- without weights the criteria's maximum points sum to ``total_points``;
  with weights, ``sum(max_points × weight)`` does;
- bands of a criterion lie inside ``0 … max_points``, do not overlap, and
  together cover the range without gaps (the next band starts one ``step``
  above the previous one's top);
- unknown keys are errors (a typo must not be silently ignored).
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from reviewtool.core.numbers import display_number
from reviewtool.core.scoring.rubric import (
    FORMAT_VERSION,
    PLAN_MATCH_KINDS,
    ROUNDING_MODES,
    Band,
    CommentRule,
    Criterion,
    Problem,
    Rounding,
    RubricInvalid,
    RubricSpec,
    VetoItem,
    plain_number,
    to_decimal,
)
from reviewtool.i18n import _

#: No sheet has more points than this, nor a criterion a larger weight (points are stored as scaled integers).
MAX_POINTS = Decimal(10000)
MAX_WEIGHT = Decimal(1000)

TOP_KEYS = {
    "code",
    "name",
    "description",
    "total_points",
    "step",
    "rounding",
    "veto_items",
    "criteria",
    "scope",
    "format",
}
CRITERION_KEYS = {
    "id",
    "title",
    "description",
    "group",
    "max_points",
    "weight",
    "bands",
    "comment_required",
    "plan_fit",
    "suggested_bands",
}
BAND_KEYS = {"label", "low", "high", "descriptor"}
VETO_KEYS = {"id", "question"}
COMMENT_KEYS = {"always", "lowest_band", "full_score", "below", "bands"}
ROUNDING_KEYS = {"places", "mode"}
SCOPE_KEYS = {"categories", "area_codes"}


def _is_multiple(value: Decimal, step: Decimal) -> bool:
    return step > 0 and (value / step) == (value / step).to_integral_value()


def _where_criterion(index: int, raw: Any) -> str:
    key = raw.get("id") if isinstance(raw, Mapping) else None
    title = raw.get("title") if isinstance(raw, Mapping) else None
    if key and title:
        return _("criterion {key} “{title}”").format(key=key, title=title)
    if key:
        return _("criterion {key}").format(key=key)
    return _("criterion no. {number}").format(number=index + 1)


def _unknown(raw: Mapping, allowed: set[str], where: str, problems: list[Problem]) -> None:
    for key in raw:
        if key not in allowed:
            problems.append(
                Problem(
                    where,
                    _("unknown key “{key}” (allowed: {allowed})").format(key=key, allowed=", ".join(sorted(allowed))),
                )
            )


def validate_rubric(document: Any) -> tuple[RubricSpec | None, list[Problem]]:
    """Check a rubric document; return the spec (when valid) and all problems."""
    problems: list[Problem] = []
    if not isinstance(document, Mapping):
        return None, [Problem("", _("the file does not hold a rubric (expected a mapping with “criteria”)"))]
    top = _("rubric")
    _unknown(document, TOP_KEYS, top, problems)

    fmt = document.get("format", FORMAT_VERSION)
    if fmt != FORMAT_VERSION:
        problems.append(
            Problem(top, _("unsupported format {value}; expected {expected}").format(value=fmt, expected=1))
        )

    code = str(document.get("code") or "").strip()
    name = str(document.get("name") or "").strip()
    if not code:
        problems.append(Problem(top, _("the rubric has no code")))
    elif len(code) > 64 or any(ch.isspace() for ch in code):
        problems.append(
            Problem(top, _("the code “{code}” must be at most 64 characters without spaces").format(code=code))
        )
    if not name:
        problems.append(Problem(top, _("the rubric has no name")))

    total = to_decimal(document.get("total_points", 100))
    if total is None or total <= 0:
        problems.append(Problem(top, _("total_points must be a positive number")))
        total = None
    elif total > MAX_POINTS:
        problems.append(Problem(top, _("total_points {value} is more than {max}").format(
            value=display_number(total), max=plain_number(MAX_POINTS))))  # fmt: skip
        total = None
    step = to_decimal(document.get("step", 1))
    if step is None or step <= 0 or step.as_tuple().exponent < -4:
        problems.append(Problem(top, _("step must be a positive number with at most 4 decimals")))
        step = None

    rounding = Rounding()
    raw_rounding = document.get("rounding", {})
    if raw_rounding is None:
        raw_rounding = {}
    if not isinstance(raw_rounding, Mapping):
        problems.append(Problem(top, _("rounding must be a mapping with places and mode")))
    else:
        _unknown(raw_rounding, ROUNDING_KEYS, _("rounding"), problems)
        places = raw_rounding.get("places", 2)
        mode = raw_rounding.get("mode", "half_up")
        if not isinstance(places, int) or isinstance(places, bool) or not 0 <= places <= 4:
            problems.append(Problem(_("rounding"), _("places must be a whole number from 0 to 4")))
        elif mode not in ROUNDING_MODES:
            problems.append(
                Problem(
                    _("rounding"),
                    _("unknown mode “{mode}” (allowed: {allowed})").format(
                        mode=mode, allowed=", ".join(ROUNDING_MODES)
                    ),
                )
            )
        else:
            rounding = Rounding(places, mode)

    scope_categories: tuple[str, ...] = ()
    scope_areas: tuple[str, ...] = ()
    raw_scope = document.get("scope")
    if raw_scope is not None:
        if not isinstance(raw_scope, Mapping):
            problems.append(Problem(_("scope"), _("scope must be a mapping with categories and area_codes")))
        else:
            _unknown(raw_scope, SCOPE_KEYS, _("scope"), problems)
            scope_categories = tuple(str(x) for x in raw_scope.get("categories") or [])
            scope_areas = tuple(str(x) for x in raw_scope.get("area_codes") or [])

    seen_ids: set[str] = set()
    vetoes: list[VetoItem] = []
    raw_vetoes = document.get("veto_items") or []
    if not isinstance(raw_vetoes, list):
        problems.append(Problem(top, _("veto_items must be a list")))
        raw_vetoes = []
    for index, raw in enumerate(raw_vetoes):
        where = _("veto item no. {number}").format(number=index + 1)
        if not isinstance(raw, Mapping):
            problems.append(Problem(where, _("must be a mapping with id and question")))
            continue
        _unknown(raw, VETO_KEYS, where, problems)
        key = str(raw.get("id") or "").strip()
        question = str(raw.get("question") or "").strip()
        if not key:
            problems.append(Problem(where, _("has no id")))
        elif key in seen_ids:
            problems.append(Problem(where, _("duplicate id “{key}”").format(key=key)))
        seen_ids.add(key)
        if not question:
            problems.append(Problem(where, _("has no question")))
        vetoes.append(VetoItem(key, question))

    criteria: list[Criterion] = []
    raw_criteria = document.get("criteria")
    if not isinstance(raw_criteria, list) or not raw_criteria:
        problems.append(Problem(top, _("the rubric has no criteria")))
        raw_criteria = []
    for index, raw in enumerate(raw_criteria):
        criterion = _validate_criterion(index, raw, step, seen_ids, problems)
        if criterion is not None:
            criteria.append(criterion)

    maxima = [_raw_weighted_max(raw) for raw in raw_criteria]
    if total is not None and maxima and all(m is not None for m in maxima):
        weighted = any(isinstance(raw, Mapping) and raw.get("weight") is not None for raw in raw_criteria)
        declared = sum(maxima, Decimal(0))
        if declared != total:
            if weighted:
                message = _(
                    "the criteria's maximum points times their weights sum to {sum}, but total_points declares {total}"
                )
            else:
                message = _("the criteria's maximum points sum to {sum}, but total_points declares {total}")
            problems.append(Problem(top, message.format(sum=plain_number(declared), total=plain_number(total))))

    if problems:
        return None, problems
    spec = RubricSpec(
        code=code,
        name=name,
        description=str(document.get("description") or ""),
        criteria=tuple(criteria),
        total_points=total,
        step=step,
        rounding=rounding,
        veto_items=tuple(vetoes),
        scope_categories=scope_categories,
        scope_area_codes=scope_areas,
    )
    return spec, []


def _raw_weighted_max(raw: Any) -> Decimal | None:
    if not isinstance(raw, Mapping):
        return None
    top = to_decimal(raw.get("max_points"))
    weight = to_decimal(raw.get("weight")) if raw.get("weight") is not None else Decimal(1)
    if top is None or weight is None:
        return None
    return top * weight


def _validate_criterion(
    index: int, raw: Any, step: Decimal | None, seen_ids: set[str], problems: list[Problem]
) -> Criterion | None:
    where = _where_criterion(index, raw)
    if not isinstance(raw, Mapping):
        problems.append(Problem(where, _("must be a mapping with id, title, max_points and bands")))
        return None
    before = len(problems)
    _unknown(raw, CRITERION_KEYS, where, problems)
    key = str(raw.get("id") or "").strip()
    if not key:
        problems.append(Problem(where, _("has no id")))
    elif key in seen_ids:
        problems.append(Problem(where, _("duplicate id “{key}”").format(key=key)))
    elif len(key) > 64:
        problems.append(Problem(where, _("the id is longer than 64 characters")))
    seen_ids.add(key)
    title = str(raw.get("title") or "").strip()
    if not title:
        problems.append(Problem(where, _("has no title")))
    max_points = to_decimal(raw.get("max_points"))
    if max_points is None or max_points <= 0:
        problems.append(Problem(where, _("max_points must be a positive number")))
        max_points = None
    elif max_points > MAX_POINTS:
        problems.append(Problem(where, _("max_points {value} is more than {max}").format(
            value=display_number(max_points), max=plain_number(MAX_POINTS))))  # fmt: skip
        max_points = None
    elif step is not None and not _is_multiple(max_points, step):
        problems.append(
            Problem(
                where,
                _("max_points {value} is not a multiple of the step {step}").format(
                    value=plain_number(max_points), step=plain_number(step)
                ),
            )
        )
    weight = None
    if raw.get("weight") is not None:
        weight = to_decimal(raw.get("weight"))
        if weight is None or weight <= 0 or weight > MAX_WEIGHT or weight.as_tuple().exponent < -4:
            problems.append(Problem(where, _("weight must be a positive number with at most 4 decimals")))
            weight = None

    bands: list[Band] = []
    raw_bands = raw.get("bands") or []
    if not isinstance(raw_bands, list):
        problems.append(Problem(where, _("bands must be a list")))
        raw_bands = []
    labels: set[str] = set()
    for b_index, raw_band in enumerate(raw_bands):
        b_where = _("{criterion}, band no. {number}").format(criterion=where, number=b_index + 1)
        if not isinstance(raw_band, Mapping):
            problems.append(Problem(b_where, _("must be a mapping with label, low, high and descriptor")))
            continue
        _unknown(raw_band, BAND_KEYS, b_where, problems)
        label = str(raw_band.get("label") or "").strip()
        if not label:
            problems.append(Problem(b_where, _("has no label")))
        elif label in labels:
            problems.append(Problem(b_where, _("duplicate band label “{label}”").format(label=label)))
        labels.add(label)
        low = to_decimal(raw_band.get("low"))
        high = to_decimal(raw_band.get("high"))
        if low is None or high is None:
            problems.append(Problem(b_where, _("low and high must be numbers")))
            continue
        if low > high:
            problems.append(
                Problem(
                    b_where,
                    _("band “{label}” has low {low} above high {high}").format(
                        label=label, low=plain_number(low), high=plain_number(high)
                    ),
                )
            )
            continue
        if max_points is not None and (low < 0 or high > max_points):
            problems.append(
                Problem(
                    b_where,
                    _("band “{label}” ({low}–{high}) lies outside the criterion's range 0–{max}").format(
                        label=label, low=plain_number(low), high=plain_number(high), max=plain_number(max_points)
                    ),
                )
            )
            continue
        bands.append(Band(label, low, high, str(raw_band.get("descriptor") or "")))

    if bands and max_points is not None and step is not None and len(bands) == len(raw_bands):
        ordered = sorted(bands, key=lambda b: b.low)
        for prev, nxt in zip(ordered, ordered[1:], strict=False):
            if nxt.low <= prev.high:
                problems.append(
                    Problem(
                        where,
                        _("bands “{a}” ({alow}–{ahigh}) and “{b}” ({blow}–{bhigh}) overlap").format(
                            a=prev.label,
                            alow=plain_number(prev.low),
                            ahigh=plain_number(prev.high),
                            b=nxt.label,
                            blow=plain_number(nxt.low),
                            bhigh=plain_number(nxt.high),
                        ),
                    )
                )
            elif nxt.low != prev.high + step:
                problems.append(
                    Problem(
                        where,
                        _("there is a gap between bands “{a}” (up to {ahigh}) and “{b}” (from {blow})").format(
                            a=prev.label, ahigh=plain_number(prev.high), b=nxt.label, blow=plain_number(nxt.low)
                        ),
                    )
                )
        if ordered[0].low != 0:
            problems.append(
                Problem(
                    where,
                    _("the bands do not start at 0 (lowest starts at {low})").format(low=plain_number(ordered[0].low)),
                )
            )
        if ordered[-1].high != max_points:
            problems.append(
                Problem(
                    where,
                    _("the bands stop at {high}, below the criterion's maximum {max}").format(
                        high=plain_number(ordered[-1].high), max=plain_number(max_points)
                    ),
                )
            )

    rule = CommentRule()
    raw_rule = raw.get("comment_required")
    if raw_rule is not None:
        if not isinstance(raw_rule, Mapping):
            problems.append(Problem(where, _("comment_required must be a mapping")))
        else:
            _unknown(raw_rule, COMMENT_KEYS, where, problems)
            below = to_decimal(raw_rule.get("below")) if raw_rule.get("below") is not None else None
            if raw_rule.get("below") is not None and below is None:
                problems.append(Problem(where, _("comment_required.below must be a number")))
            elif below is not None and (below < 0 or below > MAX_POINTS):
                problems.append(Problem(where, _("comment_required.below {value} is outside 0–{max}").format(
                    value=display_number(below), max=plain_number(MAX_POINTS))))  # fmt: skip
                below = None
            rule_bands = tuple(str(x) for x in raw_rule.get("bands") or [])
            for label in rule_bands:
                if label not in labels:
                    problems.append(
                        Problem(where, _("comment_required names an unknown band “{label}”").format(label=label))
                    )
            rule = CommentRule(
                always=bool(raw_rule.get("always")),
                lowest_band=bool(raw_rule.get("lowest_band")),
                full_score=bool(raw_rule.get("full_score")),
                below=below,
                bands=rule_bands,
            )

    plan_fit = bool(raw.get("plan_fit"))
    suggested = raw.get("suggested_bands") or {}
    if not isinstance(suggested, Mapping):
        problems.append(Problem(where, _("suggested_bands must be a mapping")))
        suggested = {}
    if suggested and not plan_fit:
        problems.append(Problem(where, _("suggested_bands is only allowed on the plan-fit criterion (plan_fit: true)")))
    for kind, label in suggested.items():
        if kind not in PLAN_MATCH_KINDS:
            problems.append(
                Problem(
                    where,
                    _("suggested_bands: unknown match “{kind}” (allowed: {allowed})").format(
                        kind=kind, allowed=", ".join(PLAN_MATCH_KINDS)
                    ),
                )
            )
        elif str(label) not in labels:
            problems.append(Problem(where, _("suggested_bands names an unknown band “{label}”").format(label=label)))

    if len(problems) > before or max_points is None:
        return None
    group = raw.get("group")
    return Criterion(
        key=key,
        title=title,
        max_points=max_points,
        description=str(raw.get("description") or ""),
        group=str(group).strip() if group else None,
        weight=weight,
        bands=tuple(bands),
        comment_rule=rule,
        plan_fit=plan_fit,
        suggested_bands={str(k): str(v) for k, v in suggested.items()},
    )


def parse_rubric(document: Any, *, source: str = "") -> RubricSpec:
    """The validated spec, or ``RubricInvalid`` naming ``source`` and the first problem."""
    spec, problems = validate_rubric(document)
    if problems:
        raise RubricInvalid(problems, source)
    assert spec is not None
    return spec
