"""Invitations (邀请确认): a drawn member is 待确认 until staff record the
expert's answer — 已确认 or 谢绝 — with the date it was given.

- ``confirm_member`` records a confirmation (``panel.member.confirm``);
- ``decline_invitation`` records a refusal: the member is marked declined
  and the recorded redraw of ``membership.decline_member`` draws the
  replacement, who is 待确认 in turn;
- ``reset_answer`` takes back an answer recorded by mistake;
- ``invitation_state`` says who is pending, and ``require_confirmed`` is the
  rule assignment checks: a panel cannot be assigned until enough members
  have confirmed (only confirmed members are assigned).

Members added by hand are confirmed when added (staff chose and asked them);
members that existed before invitations were recorded count as confirmed.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from reviewtool.core.enums import Invitation, MemberStatus
from reviewtool.core.errors import NotFound, Refused, UserError
from reviewtool.i18n import _
from reviewtool.services import audit
from reviewtool.services.changes import Changes
from reviewtool.services.panels.draw import DrawOutcome
from reviewtool.services.panels.membership import decline_member
from reviewtool.services.panels.panel import get_panel, require_open
from reviewtool.storage.models import Expert, Panel, PanelMember


@dataclass(frozen=True)
class InvitationState:
    """Where a panel's invitations stand."""

    panel: str
    confirmed: tuple[str, ...]
    pending: tuple[str, ...]
    declined: tuple[str, ...]
    pending_ids: tuple[int, ...] = field(default=())

    @property
    def active(self) -> int:
        return len(self.confirmed) + len(self.pending)

    def as_json(self) -> dict:
        return {
            "panel": self.panel,
            "confirmed": list(self.confirmed),
            "pending": list(self.pending),
            "declined": list(self.declined),
        }


def invitation_state(session: Session, panel_id: int) -> InvitationState:
    panel = get_panel(session, panel_id)
    confirmed, pending, declined, pending_ids = [], [], [], []
    for member, name in session.execute(
        select(PanelMember, Expert.name)
        .join(Expert, PanelMember.expert_id == Expert.id)
        .where(PanelMember.panel_id == panel.id)
        .order_by(PanelMember.id)
    ):
        if member.status is MemberStatus.DECLINED or member.invitation is Invitation.DECLINED:
            declined.append(name)
        elif member.invitation is Invitation.CONFIRMED:
            confirmed.append(name)
        else:
            pending.append(name)
            pending_ids.append(member.expert_id)
    return InvitationState(panel.name, tuple(confirmed), tuple(pending), tuple(declined), tuple(pending_ids))


def require_confirmed(session: Session, panel: Panel, needed: int) -> None:
    """Refuse (naming who is pending) unless at least ``needed`` members have confirmed."""
    state = invitation_state(session, panel.id)
    if len(state.confirmed) >= needed:
        return
    if state.pending:
        raise Refused(
            _(
                "Panel {name}: only {confirmed} members have confirmed and {needed} are needed; still awaiting "
                "confirmation: {pending}. Record their answers (confirmed or declined) on the Members tab first."
            ).format(name=panel.name, confirmed=len(state.confirmed), needed=needed, pending="、".join(state.pending))
        )
    raise Refused(
        _("Panel {name}: only {confirmed} members have confirmed and {needed} are needed; draw or add more.").format(
            name=panel.name, confirmed=len(state.confirmed), needed=needed
        )
    )


def member_id(session: Session, panel_id: int, name: str) -> int:
    """The expert id of the panel member named ``name`` (or given by id)."""
    panel = get_panel(session, panel_id)
    name = (name or "").strip()
    condition = Expert.name == name
    if name.isdigit():
        condition = or_(condition, Expert.id == int(name))
    ids = list(
        session.scalars(
            select(PanelMember.expert_id)
            .join(Expert, PanelMember.expert_id == Expert.id)
            .where(PanelMember.panel_id == panel.id, condition)
        )
    )
    if not ids:
        raise NotFound(_("{name} is not on panel {panel}.").format(name=name, panel=panel.name))
    if len(ids) > 1:
        raise UserError(
            _("Panel {panel} has several members named {name}; give the id.").format(panel=panel.name, name=name)
        )
    return ids[0]


def _member(session: Session, panel: Panel, expert_id: int) -> PanelMember:
    member = session.scalar(
        select(PanelMember).where(PanelMember.panel_id == panel.id, PanelMember.expert_id == expert_id)
    )
    if member is None or member.status is not MemberStatus.ACTIVE:
        raise NotFound(_("That expert is not an active member of panel {name}.").format(name=panel.name))
    return member


def _answer_date(on: dt.date | None) -> dt.date:
    on = on or dt.date.today()
    if on > dt.date.today():
        raise UserError(_("The date of the answer ({date}) is in the future.").format(date=on.isoformat()))
    return on


def confirm_member(
    session: Session, panel_id: int, expert_id: int, *, actor: str, on: dt.date | None = None, note: str = ""
) -> Changes:
    """The expert accepted (已确认) on ``on`` (default today)."""
    panel = get_panel(session, panel_id)
    require_open(panel)
    member = _member(session, panel, expert_id)
    on = _answer_date(on)
    if member.invitation is Invitation.CONFIRMED:
        return Changes()
    old = member.invitation
    member.invitation = Invitation.CONFIRMED
    member.answered_on = on
    member.answered_by = actor
    member.answer_note = note.strip() or None
    name = session.get(Expert, expert_id).name
    audit.record(
        session, actor=actor, action="panel.member.confirm", entity_type="panel", entity_id=panel.id,
        batch_id=panel.batch_id,
        summary=_("{name} confirmed the invitation to panel {panel} on {date}").format(
            name=name, panel=panel.name, date=on.isoformat()),
        details={"expert_id": expert_id, "from": old.value, "to": Invitation.CONFIRMED.value, "on": on.isoformat(),
                 "note": note.strip()},
    )  # fmt: skip
    return Changes(panels=True, message=_("{name} confirmed").format(name=name))


def confirm_all(session: Session, panel_id: int, *, actor: str, on: dt.date | None = None, note: str = "") -> Changes:
    """Record every pending member as confirmed (e.g. after a round of phone calls)."""
    state = invitation_state(session, panel_id)
    for expert_id in state.pending_ids:
        confirm_member(session, panel_id, expert_id, actor=actor, on=on, note=note)
    return Changes(
        panels=bool(state.pending_ids), message=_("{count} members confirmed").format(count=len(state.pending_ids))
    )


def decline_invitation(
    session: Session,
    panel_id: int,
    expert_id: int,
    reason: str,
    *,
    actor: str,
    on: dt.date | None = None,
    seed: str | None = None,
) -> DrawOutcome:
    """The expert declined (谢绝) on ``on``: the recorded redraw draws the replacement (待确认)."""
    panel = get_panel(session, panel_id)
    _member(session, panel, expert_id)
    on = _answer_date(on)
    outcome = decline_member(session, panel_id, expert_id, reason, actor=actor, seed=seed, answered_on=on)
    assert outcome is not None  # a redraw always happens here
    return outcome


def reset_answer(session: Session, panel_id: int, expert_id: int, reason: str, *, actor: str) -> Changes:
    """Take back a confirmation recorded by mistake: the member is 待确认 again."""
    panel = get_panel(session, panel_id)
    require_open(panel)
    member = _member(session, panel, expert_id)
    if not (reason or "").strip():
        raise UserError(_("Give the reason for taking back the answer."))
    if member.invitation is Invitation.PENDING:
        return Changes()
    old = member.invitation
    member.invitation = Invitation.PENDING
    member.answered_on = None
    member.answered_by = None
    member.answer_note = None
    name = session.get(Expert, expert_id).name
    audit.record(
        session, actor=actor, action="panel.member.pending", entity_type="panel", entity_id=panel.id,
        batch_id=panel.batch_id, summary=_("{name}'s answer taken back: {reason}").format(name=name, reason=reason),
        details={"expert_id": expert_id, "from": old.value, "to": Invitation.PENDING.value, "note": reason.strip()},
    )  # fmt: skip
    return Changes(panels=True)
