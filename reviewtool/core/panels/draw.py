"""The random draw of a panel (专家抽取): reproducible from its seed.

The draw sorts the eligible experts by id and samples them with
``random.Random(seed)``; the same pool, exclusions and seed always give the
same experts, so a recorded draw can be replayed to show it was fair.
It refuses when too few experts are eligible; it never draws fewer.

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

    def as_json(self) -> dict:
        return {
            "seed": self.seed,
            "size": self.size,
            "candidates": list(self.candidates),
            "eligible": list(self.eligible),
            "exclusions": [e.as_json() for e in self.exclusions],
            "drawn": list(self.drawn),
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
    drawn = random.Random(seed).sample(eligible, request.size)
    return DrawResult(
        seed=seed,
        size=request.size,
        candidates=tuple(sorted(c.id for c in request.pool)),
        eligible=tuple(eligible),
        exclusions=tuple(exclusions),
        drawn=tuple(drawn),
    )


def replay(eligible: Iterable[int], size: int, seed: str) -> tuple[int, ...]:
    """Repeat a recorded draw from its stored eligible list and seed."""
    return tuple(random.Random(seed).sample(sorted(eligible), size))
