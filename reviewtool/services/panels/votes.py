"""Meeting votes (会议评审): recording a member's vote and the outcome of
each application under the panel's majority rule.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from reviewtool.core.enums import AssignmentStatus, VoteChoice
from reviewtool.core.errors import Refused, UserError
from reviewtool.i18n import _
from reviewtool.services import audit
from reviewtool.services.changes import Changes
from reviewtool.services.panels.conflicts import panel_conflicts
from reviewtool.services.panels.panel import (
    DEFAULT_MAJORITY,
    active_member_ids,
    application_in_panel,
    get_panel,
    group_application_ids,
    lookup,
    require_open,
)
from reviewtool.storage.models import Application, Assignment, MeetingVote, Panel, Stage


def record_vote(
    session: Session, panel_id: int, application_id: int, expert_id: int, choice: VoteChoice, *, actor: str
) -> Changes:
    panel = get_panel(session, panel_id)
    require_open(panel)
    application = application_in_panel(session, panel, application_id)
    if expert_id not in active_member_ids(session, panel):
        raise Refused(_("Only active members of the panel vote."))
    matrix = panel_conflicts(session, panel, [expert_id])
    declared = session.scalar(
        select(Assignment.id).where(
            Assignment.stage_id == panel.stage_id,
            Assignment.application_id == application_id,
            Assignment.expert_id == expert_id,
            Assignment.status == AssignmentStatus.CONFLICT_DECLARED,
        )  # fmt: skip
    )
    if not matrix.allowed(application_id, expert_id) or declared:
        raise Refused(_("This member is in conflict with {number} and does not vote on it.").format(
            number=application.number))  # fmt: skip
    vote = session.scalar(
        select(MeetingVote).where(
            MeetingVote.panel_id == panel.id,
            MeetingVote.application_id == application_id,
            MeetingVote.expert_id == expert_id,
        )  # fmt: skip
    )
    old = vote.choice.value if vote else None
    if vote is None:
        vote = MeetingVote(panel_id=panel.id, application_id=application_id, expert_id=expert_id, choice=choice)
        session.add(vote)
    vote.choice = choice
    vote.recorded_by = actor
    audit.record(
        session, actor=actor, action="panel.vote", entity_type="application", entity_id=application_id,
        batch_id=panel.batch_id, summary=_("Vote on {number}: {choice}").format(
            number=application.number, choice=choice.label()),
        details={"panel_id": panel.id, "expert_id": expert_id, "from": old, "to": choice.value},
    )  # fmt: skip
    return Changes(panels=True)


@dataclass(frozen=True)
class VoteOutcome:
    application_id: int
    number: str
    votes_for: int
    against: int
    abstain: int
    eligible: int  # members who may vote on it
    passed: bool | None  # None: nobody voted yet
    rule: str

    @property
    def label(self) -> str:
        if self.passed is None:
            return _("No votes")
        return _("Passed") if self.passed else _("Not passed")

    def as_json(self) -> dict:
        return {
            "application_id": self.application_id,
            "number": self.number,
            "for": self.votes_for,
            "against": self.against,
            "abstain": self.abstain,
            "eligible": self.eligible,
            "passed": self.passed,
            "rule": self.rule,
        }


def majority_passes(rule: str, votes_for: int, against: int, abstain: int, eligible: int) -> bool:
    if rule == "simple":
        return votes_for > against
    if rule == "absolute":
        return votes_for * 2 > eligible
    if rule == "two_thirds":
        return votes_for * 3 >= eligible * 2
    raise UserError(_("Unknown majority rule {rule}.").format(rule=rule))


def vote_labels(session: Session, batch_id: int, stage_id: int | None = None) -> dict[int, str]:
    """Application id → its meeting-vote result as shown beside the scores in
    results and exports, e.g. "通过（赞成 5 · 反对 1 · 弃权 1）"; only applications someone voted on.
    Of one stage's panels, or (``None``) the latest stage's vote on each application."""
    labels: dict[int, str] = {}
    stmt = (
        select(Panel.id)
        .join(Stage, Panel.stage_id == Stage.id)
        .where(Panel.batch_id == batch_id)
        # Only panels someone voted in: the outcome needs each panel's conflict matrix, which
        # is most of a funding view's time and labels nothing where nobody voted.
        .where(Panel.id.in_(select(MeetingVote.panel_id).distinct()))
        .order_by(Stage.position, Panel.id)
    )
    if stage_id is not None:
        stmt = stmt.where(Panel.stage_id == stage_id)
    for panel_id in session.scalars(stmt):
        for outcome in vote_outcomes(session, panel_id):
            if outcome.passed is not None:
                labels[outcome.application_id] = _("{result} (for {f} · against {a} · abstain {b})").format(
                    result=outcome.label, f=outcome.votes_for, a=outcome.against, b=outcome.abstain
                )
    return labels


def vote_outcomes(session: Session, panel_id: int) -> list[VoteOutcome]:
    panel = get_panel(session, panel_id)
    rule = (panel.settings or {}).get("majority", DEFAULT_MAJORITY)
    apps = group_application_ids(session, panel)
    experts = active_member_ids(session, panel)
    matrix = panel_conflicts(session, panel, experts)
    declared = {
        (a, e)
        for a, e in session.execute(
            select(Assignment.application_id, Assignment.expert_id).where(
                Assignment.panel_id == panel.id, Assignment.status == AssignmentStatus.CONFLICT_DECLARED
            )
        )
    }
    tallies: dict[int, Counter] = {a: Counter() for a in apps}
    for app_id, expert_id, choice in session.execute(
        select(MeetingVote.application_id, MeetingVote.expert_id, MeetingVote.choice).where(
            MeetingVote.panel_id == panel.id
        )
    ):
        if expert_id in experts and app_id in tallies:
            tallies[app_id][choice] += 1
    numbers = lookup(session, select(Application.id, Application.number).where(Application.id.in_(apps)))
    out = []
    for a in sorted(apps, key=lambda x: numbers[x]):
        eligible = sum(1 for e in experts if matrix.allowed(a, e) and (a, e) not in declared)
        t = tallies[a]
        f, ag, ab = t[VoteChoice.FOR], t[VoteChoice.AGAINST], t[VoteChoice.ABSTAIN]
        passed = None if f + ag + ab == 0 else majority_passes(rule, f, ag, ab, eligible)
        out.append(VoteOutcome(a, numbers[a], f, ag, ab, eligible, passed, rule))
    return out
