"""The recorded, replayable draw (抽取) of a panel's members. A draw stores
its seed, candidates, exclusions and result in ``panel_draw``; the random
choice itself is ``core.panels.draw``.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session

from reviewtool.core.enums import ExpertStatus, MemberStatus, PanelStatus
from reviewtool.core.errors import Refused
from reviewtool.core.panels.draw import Candidate, DrawRequest, DrawResult, draw, eligibility
from reviewtool.i18n import _
from reviewtool.services import audit
from reviewtool.services.changes import Changes
from reviewtool.services.panels.conflicts import panel_conflicts
from reviewtool.services.panels.draw_rules import draw_rules, review_counts
from reviewtool.services.panels.field_match import area_lineage, expert_field_codes, group_area_codes
from reviewtool.services.panels.panel import active_member_ids, get_panel, group_application_ids, require_open
from reviewtool.storage.locks import lock_row
from reviewtool.storage.models import Expert, Panel, PanelDraw, PanelMember


def draw_request(session: Session, panel: Panel, size: int, seed: str | None, field_match: bool) -> DrawRequest:
    lineage = area_lineage(session)
    apps = group_application_ids(session, panel)
    codes = expert_field_codes(session)
    pool = [
        Candidate(id_, name, codes.get(id_, frozenset()), status is ExpertStatus.ACTIVE, is_staff)
        for id_, name, status, is_staff in session.execute(
            select(Expert.id, Expert.name, Expert.status, Expert.is_staff).order_by(Expert.id)
        )
    ]
    matrix = panel_conflicts(session, panel)
    conflicts: dict[int, list[str]] = {}
    for candidate in pool:
        reasons = [c.describe() for c in matrix.for_expert(candidate.id)]
        if reasons:
            conflicts[candidate.id] = list(dict.fromkeys(reasons))
    already: dict[int, str] = {}
    for expert_id, status in session.execute(
        select(PanelMember.expert_id, PanelMember.status).where(PanelMember.panel_id == panel.id)
    ):
        already[expert_id] = _("Already on the panel") if status is MemberStatus.ACTIVE else _("Declined this panel")
    rules = draw_rules(session)
    return DrawRequest(
        pool=pool, size=size, seed=seed, field_match=field_match,
        group_area_codes=group_area_codes(session, apps, lineage), conflicts=conflicts, already=already,
        include_staff=bool((panel.settings or {}).get("include_staff")),
        review_counts=review_counts(session, exclude_panel_id=panel.id), cap=rules.cap, rotation=rules.rotation,
    )  # fmt: skip


@dataclass(frozen=True)
class EligibilityView:
    """What a draw would choose from, before drawing (the draw dialog)."""

    eligible: list[tuple[int, str]]
    exclusions: list[tuple[int, str, tuple[str, ...]]]
    rule: str = ""  # the draw rule in force, in words (rotation, yearly cap)
    recent: dict[int, int] = field(default_factory=dict)  # expert id -> reviews in the last 12 months

    def as_json(self) -> dict:
        return {
            "eligible": [
                {"expert_id": i, "name": n, "recent_reviews": self.recent.get(i, 0)} for i, n in self.eligible
            ],
            "exclusions": [{"expert_id": i, "name": n, "reasons": list(r)} for i, n, r in self.exclusions],
            "rule": self.rule,
        }


def draw_preview(session: Session, panel_id: int, *, field_match: bool = False) -> EligibilityView:
    panel = get_panel(session, panel_id)
    request = draw_request(session, panel, 1, None, field_match)
    eligible, exclusions = eligibility(request)
    names = {c.id: c.name for c in request.pool}
    return EligibilityView(
        [(i, names[i]) for i in eligible],
        [(e.expert_id, e.name, e.reasons) for e in exclusions],
        draw_rules(session).describe(),
        {i: request.review_counts.get(i, 0) for i in eligible},
    )


@dataclass(frozen=True)
class DrawOutcome:
    draw_id: int
    panel_id: int
    result: DrawResult
    names: dict[int, str]
    changes: Changes = field(default_factory=Changes)

    def as_json(self) -> dict:
        data = self.result.as_json()
        data.update(
            draw_id=self.draw_id,
            panel_id=self.panel_id,
            drawn_experts=[{"expert_id": i, "name": self.names[i]} for i in self.result.drawn],
        )
        return data


def store_draw(session: Session, panel: Panel, result: DrawResult, *, redraw: bool, actor: str) -> PanelDraw:
    record = PanelDraw(
        panel_id=panel.id, seed=result.seed, size=result.size, is_redraw=redraw,
        candidates=list(result.candidates), exclusions=[e.as_json() for e in result.exclusions],
        result=list(result.drawn), drawn_by=actor, rule=dict(result.rule),
    )  # fmt: skip
    session.add(record)
    session.flush()
    for expert_id in result.drawn:
        session.add(PanelMember(panel_id=panel.id, expert_id=expert_id, draw_id=record.id))
    return record


def draw_panel(
    session: Session,
    panel_id: int,
    size: int,
    *,
    actor: str,
    seed: str | None = None,
    field_match: bool = False,
) -> DrawOutcome:
    """Draw ``size`` members at random; refuses (drawing nothing) when too few are eligible.

    The panel's row is locked first: a second draw pressed at the same time waits, then finds the
    members drawn and is refused."""
    panel = get_panel(session, panel_id)
    panel = lock_row(session, Panel, panel.id)
    require_open(panel)
    if active_member_ids(session, panel):
        raise Refused(
            _("Panel {name} already has members; replace a member who declines instead of drawing again.").format(
                name=panel.name
            )
        )
    request = draw_request(session, panel, size, seed, field_match)
    result = draw(request)
    record = store_draw(session, panel, result, redraw=False, actor=actor)
    panel.status = PanelStatus.DRAWN
    panel.settings = {**(panel.settings or {}), "field_match": field_match}
    names = {c.id: c.name for c in request.pool}
    audit.record(
        session, actor=actor, action="panel.draw", entity_type="panel", entity_id=panel.id, batch_id=panel.batch_id,
        summary=_("Drew {size} experts for panel {name} (seed {seed})").format(
            size=size, name=panel.name, seed=result.seed),
        details={**result.as_json(), "draw_id": record.id, "field_match": field_match},
    )  # fmt: skip
    return DrawOutcome(
        record.id, panel.id, result, names, Changes(panels=True, message=_("Drew {size} experts").format(size=size))
    )


def draws(session: Session, panel_id: int) -> list[PanelDraw]:
    return list(session.scalars(select(PanelDraw).where(PanelDraw.panel_id == panel_id).order_by(PanelDraw.id)))
