"""The random draw of a panel (专家抽取): reproducible from its seed.

The draw sorts the eligible experts by id and samples them with
``random.Random(seed)``; the same pool, exclusions and seed always give the
same experts, so a recorded draw can be replayed to show it was fair.
It refuses when too few experts are eligible; it never draws fewer.

Two rules from the bureaus' published practice (专家库管理办法):

- **the yearly cap**: an expert who already served ``cap`` times in the
  last 12 months is excluded (the reason says so);
- **rotation**: the draw prefers experts with fewer reviews in the last 12
  months. The eligible experts are grouped by that count; the draw takes the
  whole group with the fewest (in a random order) while it fits, then
  samples the rest at random from the next group. With every count equal it
  is exactly the plain draw. The counts are recorded with the seed
  (``DrawResult.rule``), so ``replay`` gives the same experts.

Pure functions, thread-safe.
"""

from __future__ import annotations

import random
import secrets
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from reviewtool.core.errors import Refused
from reviewtool.i18n import _


@dataclass(frozen=True)
class Candidate:
    id: int
    name: str
    area_codes: frozenset[str] = frozenset()  # the codes of the expert's own fields
    active: bool = True
    is_staff: bool = False


@dataclass(frozen=True)
class Exclusion:
    expert_id: int
    name: str
    reasons: tuple[str, ...]

    def as_json(self) -> dict:
        return {"expert_id": self.expert_id, "name": self.name, "reasons": list(self.reasons)}


@dataclass(frozen=True)
class DrawResult:
    seed: str
    size: int
    candidates: tuple[int, ...]  # ids of the pool considered, sorted
    eligible: tuple[int, ...]  # ids left after exclusions, sorted
    exclusions: tuple[Exclusion, ...]
    drawn: tuple[int, ...]  # in the order drawn
    rule: Mapping = field(default_factory=dict)  # rotation / cap with the counts used ({} for a plain draw)

    def as_json(self) -> dict:
        return {
            "seed": self.seed,
            "size": self.size,
            "candidates": list(self.candidates),
            "eligible": list(self.eligible),
            "exclusions": [e.as_json() for e in self.exclusions],
            "drawn": list(self.drawn),
            "rule": dict(self.rule),
        }


def new_seed() -> str:
    """A fresh random seed, recorded with the draw."""
    return secrets.token_hex(8)


@dataclass
class DrawRequest:
    """What to draw from.

    ``group_area_codes`` are the codes the group's applications are tagged
    with (with their parents); with ``field_match`` an expert is eligible
    only when one of their fields is among them. ``conflicts`` maps an
    expert id to the reasons they are barred (any application of the group).
    ``already`` are experts already on the panel or declined, not drawn again.
    """

    pool: list[Candidate]
    size: int
    seed: str | None = None
    field_match: bool = False
    group_area_codes: frozenset[str] = frozenset()
    conflicts: Mapping[int, list[str]] = field(default_factory=dict)
    already: Mapping[int, str] = field(default_factory=dict)  # id -> reason
    include_staff: bool = False
    review_counts: Mapping[int, int] = field(default_factory=dict)  # id -> reviews in the last 12 months
    cap: int | None = None  # at most this many reviews in 12 months (None: no cap)
    rotation: bool = False  # prefer experts with fewer reviews


def eligibility(request: DrawRequest) -> tuple[list[int], list[Exclusion]]:
    """The eligible expert ids (sorted) and every exclusion with its reasons."""
    eligible: list[int] = []
    exclusions: list[Exclusion] = []
    for candidate in sorted(request.pool, key=lambda c: c.id):
        reasons: list[str] = []
        if not candidate.active:
            reasons.append(_("Suspended in the pool"))
        if candidate.is_staff and not request.include_staff:
            reasons.append(_("Bureau staff, not in the external pool"))
        if candidate.id in request.already:
            reasons.append(request.already[candidate.id])
        reasons.extend(request.conflicts.get(candidate.id, []))
        if request.field_match and not (candidate.area_codes & request.group_area_codes):
            reasons.append(_("No field of expertise matches the group's priority areas"))
        served = request.review_counts.get(candidate.id, 0)
        if request.cap is not None and served >= request.cap:
            reasons.append(
                _("Reached the yearly cap: {count} reviews in the last 12 months (at most {cap})").format(
                    count=served, cap=request.cap
                )
            )
        if reasons:
            exclusions.append(Exclusion(candidate.id, candidate.name, tuple(reasons)))
        else:
            eligible.append(candidate.id)
    return eligible, exclusions


def draw(request: DrawRequest) -> DrawResult:
    """Draw ``request.size`` experts; raises ``Refused`` when too few are eligible."""
    if request.size < 1:
        raise Refused(_("The number of experts to draw must be at least 1."))
    seed = request.seed or new_seed()
    eligible, exclusions = eligibility(request)
    if len(eligible) < request.size:
        raise Refused(
            _(
                "Cannot draw {size} experts: only {eligible} of {pool} in the pool are eligible "
                "({excluded} excluded). Nothing was drawn."
            ).format(size=request.size, eligible=len(eligible), pool=len(request.pool), excluded=len(exclusions))
        )
    counts = {e: request.review_counts.get(e, 0) for e in eligible} if request.rotation else None
    drawn = _pick(eligible, request.size, seed, counts)
    rule: dict = {}
    if request.rotation or request.cap is not None:
        rule = {
            "rotation": request.rotation,
            "cap": request.cap,
            "window_months": WINDOW_MONTHS,
            "counts": {str(e): n for e, n in sorted(request.review_counts.items()) if e in set(eligible) and n},
        }
    return DrawResult(
        seed=seed,
        size=request.size,
        candidates=tuple(sorted(c.id for c in request.pool)),
        eligible=tuple(eligible),
        exclusions=tuple(exclusions),
        drawn=tuple(drawn),
        rule=rule,
    )


#: The window the cap and the rotation count reviews in.
WINDOW_MONTHS = 12


def _pick(eligible: list[int], size: int, seed: str, counts: Mapping[int, int] | None) -> list[int]:
    rng = random.Random(seed)
    if counts is None:
        return rng.sample(eligible, size)
    drawn: list[int] = []
    for level in sorted(set(counts.values())):
        need = size - len(drawn)
        if need <= 0:
            break
        group = [e for e in eligible if counts[e] == level]  # eligible is sorted by id
        drawn += rng.sample(group, min(need, len(group)))
    return drawn


def rotation_text(rule: Mapping | None) -> str:
    """The rule a draw applied, in words ('' for a plain draw)."""
    if not rule:
        return ""
    parts = []
    if rule.get("rotation"):
        parts.append(_("experts with fewer reviews in the last 12 months are drawn first"))
    if rule.get("cap") is not None:
        parts.append(_("at most {cap} reviews per expert in 12 months").format(cap=rule["cap"]))
    return "；".join(parts)


def replay(eligible: Iterable[int], size: int, seed: str, rule: Mapping | None = None) -> tuple[int, ...]:
    """Repeat a recorded draw from its stored eligible list, seed and rule (``PanelDraw.rule``)."""
    eligible = sorted(eligible)
    counts = None
    if rule and rule.get("rotation"):
        stored = {int(k): int(v) for k, v in (rule.get("counts") or {}).items()}
        counts = {e: stored.get(e, 0) for e in eligible}
    return tuple(_pick(eligible, size, seed, counts))
