"""The draw's two bureau-wide rules: the yearly cap on reviews per expert and
rotation (experts with fewer recent reviews drawn first).

A *review* here is one panel an expert served on: a membership that was
not declined, dated by the draw that chose them (or the panel's creation,
for a member added by hand). Both rules count the reviews of the 12 months
before the draw. The rules are data settings shared by every workstation
(default: at most 10, rotation on); ``core.panels.draw`` applies them and
records them with the seed.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from reviewtool.core.enums import Invitation, MemberStatus
from reviewtool.core.errors import UserError
from reviewtool.core.panels.draw import WINDOW_MONTHS, rotation_text
from reviewtool.i18n import N_, _
from reviewtool.services import settings
from reviewtool.services.changes import Changes
from reviewtool.storage.models import Panel, PanelDraw, PanelMember

DEFAULT_CAP = 10
YEARLY_CAP = settings.DataSetting("expert_yearly_cap", DEFAULT_CAP, N_("Reviews per expert in 12 months, at most"))
ROTATION = settings.DataSetting("draw_rotation", True, N_("Draw experts with fewer recent reviews first"))
CAP_LIMIT = 365


@dataclass(frozen=True)
class DrawRules:
    cap: int | None  # None: no cap
    rotation: bool

    def describe(self) -> str:
        text = rotation_text({"rotation": self.rotation, "cap": self.cap})
        return text or _("a plain random draw")

    def as_json(self) -> dict:
        return {"cap": self.cap, "rotation": self.rotation, "window_months": WINDOW_MONTHS, "rule": self.describe()}


def draw_rules(session: Session) -> DrawRules:
    cap = settings.get(session, YEARLY_CAP)
    return DrawRules(int(cap) if cap not in (None, "", 0) else None, bool(settings.get(session, ROTATION)))


def set_draw_rules(
    session: Session, *, actor: str, cap: int | None | str = "keep", rotation: bool | None = None
) -> Changes:
    """Change the cap (a number from 1 to 365, or ``None`` for no cap) and/or rotation; audited."""
    changed = False
    if cap != "keep":
        if cap is not None and not (isinstance(cap, int) and 1 <= cap <= CAP_LIMIT):
            raise UserError(
                _("The yearly cap must be a whole number from 1 to {limit}, or none.").format(limit=CAP_LIMIT)
            )
        changed |= settings.put(session, YEARLY_CAP, cap if cap is not None else 0, actor=actor)
    if rotation is not None:
        changed |= settings.put(session, ROTATION, bool(rotation), actor=actor)
    rules = draw_rules(session)
    return Changes(settings=changed, message=_("Draw rule: {rule}").format(rule=rules.describe()))


def window_start(as_of: dt.datetime) -> dt.datetime:
    return as_of - dt.timedelta(days=365)


def review_counts(
    session: Session, *, as_of: dt.datetime | None = None, exclude_panel_id: int | None = None
) -> dict[int, int]:
    """Expert id → panels served in the 12 months up to ``as_of`` (default now)."""
    as_of = as_of or dt.datetime.now(dt.UTC)
    start = window_start(as_of)
    stmt = (
        select(PanelMember.expert_id, PanelDraw.drawn_at, Panel.created_at)
        .join(Panel, PanelMember.panel_id == Panel.id)
        .outerjoin(PanelDraw, PanelMember.draw_id == PanelDraw.id)
        .where(PanelMember.status == MemberStatus.ACTIVE, PanelMember.invitation != Invitation.DECLINED)
    )
    if exclude_panel_id is not None:
        stmt = stmt.where(PanelMember.panel_id != exclude_panel_id)
    counts: Counter[int] = Counter()
    for expert_id, drawn_at, created_at in session.execute(stmt):
        when = drawn_at or created_at
        if when is None:
            continue
        if when.tzinfo is None:  # SQLite returns UTC without a zone
            when = when.replace(tzinfo=dt.UTC)
        if start <= when <= as_of:
            counts[expert_id] += 1
    return dict(counts)
