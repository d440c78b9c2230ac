"""The 回避 declaration and the 保密承诺: accepted once per stage, before the first sheet opens.

An expert declares the applications of the stage they must avoid (回避), or
that there are none, and accepts the confidentiality commitment. Both are
recorded in one ``review_declaration`` row (written once, never changed)
and one audit record ``declaration.accept``. Each declared conflict goes
through the late-conflict service (``services.panels.conflicts``), so the
assignment is marked, any sheet of theirs leaves the results, and the
application shows that it needs a replacement reviewer, as when staff
record a conflict.

The score-entry window of the 我的评审 page opens only after
``require_declared`` passes.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from reviewtool.core.enums import AssignmentStatus
from reviewtool.core.errors import Refused, UserError
from reviewtool.i18n import _
from reviewtool.services import audit
from reviewtool.services.changes import Changes
from reviewtool.services.my_reviews.workspace import my_assignment, my_expert_id
from reviewtool.services.panels.conflicts import declare_conflict
from reviewtool.services.stages.reach import get_stage
from reviewtool.storage.models import Application, Batch, ReviewDeclaration


def conflict_text() -> str:
    """The 回避 statement the expert accepts (translated)."""
    return _(
        "I have checked the applications assigned to me in this stage. I have no conflict of interest with any "
        "of them other than those I name below: I am not their applicant or a member of their team, I do not work "
        "for their unit or a partner unit, and I have no close relation or interest that could bias my review. "
        "Should I find a conflict later, I will stop and declare it at once."
    )


def confidentiality_text() -> str:
    """The 保密承诺 the expert accepts (translated)."""
    return _(
        "I will keep the applications, the other experts' identities and the review's deliberations and results "
        "confidential. I will not copy, keep or pass on any material, will not contact the applicants about the "
        "review, and will use what I read only for this review."
    )


@dataclass(frozen=True)
class Declaration:
    stage_id: int
    expert_id: int
    conflicts: tuple[dict, ...]  # {"application_id", "number", "reason"}
    accepted_by: str
    accepted_at: str  # ISO time

    def as_json(self) -> dict:
        return {
            "stage_id": self.stage_id,
            "expert_id": self.expert_id,
            "conflicts": list(self.conflicts),
            "accepted_by": self.accepted_by,
            "accepted_at": self.accepted_at,
        }


def _view(row: ReviewDeclaration) -> Declaration:
    return Declaration(
        row.stage_id, row.expert_id, tuple(row.conflicts or ()), row.accepted_by, row.accepted_at.isoformat()
    )


def declaration_of(session: Session, stage_id: int, expert_id: int | None = None) -> Declaration | None:
    """The expert's declaration for the stage, or None before they accepted it."""
    expert_id = my_expert_id(session, expert_id)
    row = session.scalar(
        select(ReviewDeclaration).where(
            ReviewDeclaration.stage_id == stage_id, ReviewDeclaration.expert_id == expert_id
        )
    )
    return _view(row) if row is not None else None


def require_declared(session: Session, stage_id: int, application_id: int, expert_id: int | None = None) -> int:
    """Before a sheet opens: the application is assigned to the expert (not avoided) and the
    stage's declarations are accepted. Returns the expert's id."""
    expert_id = my_expert_id(session, expert_id)
    item = my_assignment(session, stage_id, application_id, expert_id)
    if item.status is AssignmentStatus.CONFLICT_DECLARED:
        raise Refused(_("You declared a conflict with this application; it is not yours to score."))
    if declaration_of(session, stage_id, expert_id) is None:
        raise Refused(_("Accept the conflict-of-interest declaration and the confidentiality commitment first."))
    return expert_id


def accept_declarations(
    session: Session,
    stage_id: int,
    *,
    conflicts: dict[int, str],
    confidentiality: bool,
    actor: str,
    expert_id: int | None = None,
) -> Changes:
    """Record the stage's 回避 declaration (``conflicts``: application id → reason; empty: none)
    and the 保密承诺 (``confidentiality`` must be True); once per stage."""
    expert_id = my_expert_id(session, expert_id)
    stage = get_stage(session, stage_id)
    if not confidentiality:
        raise UserError(_("The confidentiality commitment must be accepted before scoring."))
    if declaration_of(session, stage_id, expert_id) is not None:
        raise Refused(_("You have already made the declarations for this stage."))
    named = []
    for application_id, reason in sorted(conflicts.items()):
        item = my_assignment(session, stage_id, application_id, expert_id)
        number = session.scalar(select(Application.number).where(Application.id == application_id))
        reason = (reason or "").strip()
        if not reason:
            raise UserError(_("Give the reason for the conflict with {number}.").format(number=number))
        if item.panel_id is None:
            raise Refused(
                _("{number} is not reviewed by a panel; ask the bureau to record the conflict.").format(number=number)
            )
        named.append({"application_id": application_id, "number": number, "reason": reason, "panel_id": item.panel_id})
    row = ReviewDeclaration(
        stage_id=stage.id,
        expert_id=expert_id,
        conflicts=[{k: v for k, v in n.items() if k != "panel_id"} for n in named],
        conflict_text=conflict_text(),
        confidentiality_text=confidentiality_text(),
        accepted_by=actor,
    )
    session.add(row)
    session.flush()
    batch_name = session.scalar(select(Batch.name).where(Batch.id == stage.batch_id))
    summary = (
        _("Declared no conflict and accepted the confidentiality commitment for {stage}")
        if not named
        else _("Declared conflicts with {numbers} and accepted the confidentiality commitment for {stage}")
    ).format(stage=f"{batch_name} · {stage.name}", numbers="、".join(n["number"] for n in named))
    audit.record(
        session, actor=actor, action="declaration.accept", entity_type="review_declaration", entity_id=row.id,
        batch_id=stage.batch_id, summary=summary,
        details={"stage_id": stage.id, "expert_id": expert_id, "conflicts": row.conflicts, "confidentiality": True},
    )  # fmt: skip
    changes = Changes(panels=bool(named), message=summary)
    for item in named:
        done = declare_conflict(
            session, item["panel_id"], item["application_id"], expert_id, item["reason"], actor=actor
        )
        changes.sheets = changes.sheets or done.sheets
        changes.applications = changes.applications or done.applications
    return changes
