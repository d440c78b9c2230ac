"""The panel page's invitations (邀请确认): how a member's answer shows in the
members table, and recording it — 已确认 or 谢绝 with the date (a refusal
draws a replacement, recorded). Threading: GUI thread only; database work
goes through the page's ``ctx.run_db``.
"""

from __future__ import annotations

from reviewtool.core.enums import Invitation, MemberStatus
from reviewtool.gui.panels.invitation_dialog import InvitationAnswerDialog
from reviewtool.gui.widgets.rows_model import selected_key
from reviewtool.i18n import _
from reviewtool.services.changes import Changes
from reviewtool.services.panels import invitations, membership


def is_pending(member: membership.MemberRow) -> bool:
    return member.status is MemberStatus.ACTIVE and member.invitation is Invitation.PENDING


def invitation_text(member: membership.MemberRow) -> str:
    """待确认 / 已确认（date） / 已谢绝（date）."""
    text = member.invitation.label()
    if member.answered_on is not None and member.invitation is not Invitation.PENDING:
        text += f"（{member.answered_on.isoformat()}）"
    return text


def member_colour(member: membership.MemberRow) -> str | None:
    if member.status is MemberStatus.DECLINED:
        return "#eeeeee"
    return "#fff3cd" if is_pending(member) else None


class MemberAnswers:
    """The 成员 tab's 已确认… and 谢绝… buttons, for the selected member."""

    def __init__(self, page) -> None:
        self.page = page

    def _selected(self) -> membership.MemberRow | None:
        page = self.page
        expert_id = selected_key(page.members_view)
        if expert_id is None or page._panel_id is None or page.snapshot is None:
            return None
        return next((m for m in page.snapshot.members if m.expert_id == expert_id), None)

    def confirm(self) -> None:
        """已确认: the selected member accepted, on the date given."""
        page, member = self.page, self._selected()
        if member is None:
            return
        dialog = InvitationAnswerDialog(member.name, declined=False, parent=page)
        if not dialog.exec():
            return
        panel_id, expert_id, actor = page._panel_id, member.expert_id, page.ctx.actor
        on, note = dialog.answered_on(), dialog.text()

        def run(session, _p, _c):
            return invitations.confirm_member(session, panel_id, expert_id, actor=actor, on=on, note=note)

        page._run(run)

    def confirm_all(self) -> None:
        """全部已确认: every member still 待确认 accepted, on the date given (one call round)."""
        page = self.page
        if page._panel_id is None or page.snapshot is None:
            return
        pending = [m.name for m in page.snapshot.members if is_pending(m)]
        if not pending:
            return
        dialog = InvitationAnswerDialog("、".join(pending), declined=False, parent=page)
        if not dialog.exec():
            return
        panel_id, actor = page._panel_id, page.ctx.actor
        on, note = dialog.answered_on(), dialog.text()

        def run(session, _p, _c):
            return invitations.confirm_all(session, panel_id, actor=actor, on=on, note=note)

        page._run(run)

    def decline(self) -> None:
        """谢绝: the selected member declined on the date given; a replacement is drawn and recorded."""
        page, member = self.page, self._selected()
        if member is None:
            return
        dialog = InvitationAnswerDialog(member.name, declined=True, parent=page)
        if not dialog.exec():
            return
        panel_id, expert_id, actor = page._panel_id, member.expert_id, page.ctx.actor
        on, reason = dialog.answered_on(), dialog.text()

        def run(session, _p, _c):
            outcome = invitations.decline_invitation(session, panel_id, expert_id, reason, actor=actor, on=on)
            return Changes(
                panels=True,
                message=_("Redrew {name} (seed {seed})").format(
                    name=outcome.names[outcome.result.drawn[0]], seed=outcome.result.seed
                ),
            )

        page._run(run)
