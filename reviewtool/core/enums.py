"""The domain's closed vocabularies, with translatable display labels.

Stored values are stable English codes; ``label()`` gives the text users see
(Simplified Chinese by default).
"""

from __future__ import annotations

import enum

from reviewtool.i18n import N_, _, in_every_language


class Labelled(str, enum.Enum):
    """A string enum whose members carry a translatable label."""

    def __new__(cls, value: str, label: str):
        member = str.__new__(cls, value)
        member._value_ = value
        member._label = label
        return member

    def label(self) -> str:
        return _(self._label)

    @classmethod
    def from_label(cls, text: str):
        """Accept a stored value or the label in any shipped language, whatever the running one."""
        text = text.strip()
        for member in cls:
            if text == member.value or text in in_every_language(member._label):
                return member
        raise ValueError(text)


class ApplicationStatus(Labelled):
    RECEIVED = "received", N_("Received")
    FORMAL_PASSED = "formal_passed", N_("Formal review passed")
    FORMAL_FAILED = "formal_failed", N_("Formal review failed")
    IN_REVIEW = "in_review", N_("In review")
    SCORED = "scored", N_("Scored")
    RECOMMENDED = "recommended", N_("Recommended")
    NOT_RECOMMENDED = "not_recommended", N_("Not recommended")
    FUNDED = "funded", N_("Funded")
    WITHDRAWN = "withdrawn", N_("Withdrawn")


class UnitType(Labelled):
    ENTERPRISE = "enterprise", N_("Enterprise")
    UNIVERSITY = "university", N_("University")
    INSTITUTE = "institute", N_("Research institute")
    OTHER = "other", N_("Other")


class AreaRole(Labelled):
    PRIMARY = "primary", N_("Primary")
    SECONDARY = "secondary", N_("Secondary")


class TagSource(Labelled):
    CONFIRMED = "confirmed", N_("Confirmed")
    SUGGESTED = "suggested", N_("Suggested")


class Opinion(Labelled):
    RECOMMEND = "recommend", N_("Recommend")
    RECOMMEND_AFTER_REVISION = "revise", N_("Recommend after revision")
    NOT_RECOMMEND = "not_recommend", N_("Do not recommend")


class SheetStatus(Labelled):
    DRAFT = "draft", N_("Draft")
    SUBMITTED = "submitted", N_("Submitted")


class SheetSource(Labelled):
    SCREEN = "screen", N_("Entered on screen")
    PAPER = "paper", N_("Transcribed from paper")
    WORKBOOK = "workbook", N_("Offline workbook")


class ExpertStatus(Labelled):
    ACTIVE = "active", N_("Active")
    SUSPENDED = "suspended", N_("Suspended")


class RelationKind(Labelled):
    UNIT = "unit", N_("Unit to avoid")
    PERSON = "person", N_("Person to avoid")
    OWN_APPLICATION = "own_application", N_("Own application")


class PanelMode(Labelled):
    REMOTE = "remote", N_("Remote review")
    MEETING = "meeting", N_("Meeting review")


class PanelStatus(Labelled):
    DRAFT = "draft", N_("Draft")
    DRAWN = "drawn", N_("Drawn")
    ASSIGNED = "assigned", N_("Assigned")
    FINALIZED = "finalized", N_("Finalised")


class MemberStatus(Labelled):
    ACTIVE = "active", N_("Active")
    DECLINED = "declined", N_("Declined")


class AssignmentStatus(Labelled):
    ACTIVE = "active", N_("Active")
    CONFLICT_DECLARED = "conflict", N_("Conflict declared")
    REMOVED = "removed", N_("Removed")


class VoteChoice(Labelled):
    FOR = "for", N_("For")
    AGAINST = "against", N_("Against")
    ABSTAIN = "abstain", N_("Abstain")


class FundingRule(Labelled):
    STOP = "stop", N_("Stop at the first that does not fit")
    SKIP = "skip", N_("Skip it and continue")


class Invitation(Labelled):
    """A drawn member's answer to the invitation (邀请确认)."""

    PENDING = "pending", N_("Awaiting confirmation")
    CONFIRMED = "confirmed", N_("Confirmed")
    DECLINED = "declined", N_("Declined")


class PublicityStatus(Labelled):
    OPEN = "open", N_("Public notice open")
    CLOSED = "closed", N_("Public notice closed")


class ObjectionOutcome(Labelled):
    PENDING = "pending", N_("Being handled")
    UPHELD = "upheld", N_("Upheld")
    REJECTED = "rejected", N_("Not upheld")
    WITHDRAWN = "withdrawn", N_("Withdrawn")


class StageKind(Labelled):
    """What a review stage (评审阶段) of a batch does."""

    FORMAL = "formal", N_("Formal review stage")
    EXPERT = "expert", N_("Expert review stage")


class StageStatus(Labelled):
    PENDING = "pending", N_("Not started")
    OPEN = "open", N_("In progress")
    FINALISED = "finalised", N_("Finalised stage")


class StageEntry(Labelled):
    """How an application entered a review stage."""

    ALL = "all", N_("Every application that passed formal review")
    TOP_N = "top_n", N_("Top N of the previous stage")
    MIN_SCORE = "min_score", N_("At or above a score in the previous stage")
    MANUAL = "manual", N_("Chosen by hand")
    OBJECTION = "objection", N_("Sent back by an upheld objection")
