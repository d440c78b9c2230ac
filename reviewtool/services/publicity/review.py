"""复审: an upheld objection sends its application to a re-review stage with a
freshly drawn panel that excludes the original experts.

- The batch's 复审 stage (a meeting-mode expert stage at the end of its list,
  marked ``re_review`` so that the final ranking of the others is unchanged)
  is created the first time it is needed; the application enters it with
  the objection as the reason (``StageEntry.OBJECTION``).
- Its result does not move the funding line: when the objection is closed
  the clerk states what the 复审 decided (funded, not funded, or the
  decision as published), and that is what the 公示's close applies.
- A panel of the stage is created for that application alone. Every expert
  who reviewed the application before — assigned in any stage, or with a
  sheet on it — is excluded by staff with that reason, so the draw cannot
  choose them; the draw is recorded with its seed as any other.
- The drawn experts are 待确认 as usual; the stage is then assigned, scored
  and finalised like any stage, and the objection closes after it.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session

from reviewtool.core.enums import ObjectionOutcome, PanelMode, StageEntry
from reviewtool.core.errors import Refused
from reviewtool.i18n import _
from reviewtool.services import audit
from reviewtool.services.changes import Changes
from reviewtool.services.panels.conflicts import exclude_expert
from reviewtool.services.panels.draw import DrawOutcome, draw_panel
from reviewtool.services.panels.panel import create_panel
from reviewtool.services.publicity.objections import get_objection
from reviewtool.services.stages.promotion import enter_applications
from reviewtool.services.stages.reach import batch_stages
from reviewtool.services.stages.stage import add_stage
from reviewtool.storage.models import Application, Assignment, ScoreSheet

#: The re-review stage's name: data (like 网络评审 and 会议评审), the same in every interface language.
REVIEW_STAGE = "复审"
DEFAULT_SIZE = 5


@dataclass(frozen=True)
class ReviewOutcome:
    objection_id: int
    stage_id: int
    stage: str
    panel_id: int
    excluded: tuple[int, ...]  # the original experts
    draw: DrawOutcome
    changes: Changes = field(default_factory=Changes)

    def as_json(self) -> dict:
        return {
            "objection": self.objection_id,
            "stage": self.stage,
            "panel_id": self.panel_id,
            "excluded_experts": [self.draw.names.get(e, str(e)) for e in self.excluded],
            **self.draw.as_json(),
        }


def original_experts(session: Session, application_id: int) -> list[int]:
    """Every expert who reviewed the application before: assigned in any stage, or with a sheet."""
    assigned = set(session.scalars(select(Assignment.expert_id).where(Assignment.application_id == application_id)))
    scored = set(session.scalars(select(ScoreSheet.reviewer_id).where(ScoreSheet.application_id == application_id)))
    return sorted(assigned | scored)


def review_stage(session: Session, batch_id: int, *, actor: str, name: str | None = None):
    """The batch's 复审 stage, created at the end of its stages when missing."""
    from reviewtool.services.stages.reach import get_stage

    name = (name or "").strip() or REVIEW_STAGE
    for stage in batch_stages(session, batch_id):
        if stage.name == name:
            return stage
    stage_id, _changes = add_stage(session, batch_id, name, actor=actor, mode=PanelMode.MEETING)
    stage = get_stage(session, stage_id)
    # Marked so the final ranking does not treat it as a stage every application should reach.
    stage.settings = {**(stage.settings or {}), "re_review": True}
    return stage


def send_to_review(
    session: Session,
    objection_id: int,
    *,
    actor: str,
    size: int = DEFAULT_SIZE,
    seed: str | None = None,
    stage_name: str | None = None,
) -> ReviewOutcome:
    """The upheld objection's application goes to 复审 with a new panel, the original experts excluded."""
    objection = get_objection(session, objection_id)
    if objection.closed_on is not None:
        raise Refused(_("That objection is closed."))
    if objection.outcome is not ObjectionOutcome.UPHELD:
        raise Refused(_("Only an upheld objection sends its application to re-review; decide it first."))
    if objection.review_stage_id is not None:
        raise Refused(_("That objection's application is already in re-review."))
    application = session.get(Application, objection.application_id)
    stage = review_stage(session, objection.batch_id, actor=actor, name=stage_name)
    reason = _("Objection #{id} from {who} upheld: {note}").format(
        id=objection.id, who=objection.lodged_by, note=objection.outcome_note or ""
    )
    enter_applications(session, stage.id, [application.id], StageEntry.OBJECTION, reason, actor=actor)
    panel_id, _changes = create_panel(
        session, objection.batch_id, f"{stage.name} {application.number}",
        actor=actor, mode=PanelMode.MEETING, application_ids=[application.id], stage_id=stage.id,
    )  # fmt: skip
    excluded = original_experts(session, application.id)
    for expert_id in excluded:
        exclude_expert(
            session, panel_id, expert_id, _("Reviewed {number} before (re-review after an objection)").format(
                number=application.number), actor=actor,
        )  # fmt: skip
    outcome = draw_panel(session, panel_id, size, actor=actor, seed=seed)
    objection.review_stage_id = stage.id
    names = outcome.names
    audit.record(
        session, actor=actor, action="objection.review", entity_type="objection", entity_id=objection.id,
        batch_id=objection.batch_id,
        summary=_("{number} sent to {stage} after objection #{id}: drew {drawn} (seed {seed}); excluded the "
                  "{count} original experts").format(
            number=application.number, stage=stage.name, id=objection.id,
            drawn="、".join(names[e] for e in outcome.result.drawn), seed=outcome.result.seed, count=len(excluded)),
        details={"application_id": application.id, "stage": stage.name, "panel_id": panel_id,
                 "excluded_experts": excluded, "drawn": list(outcome.result.drawn), "seed": outcome.result.seed},
    )  # fmt: skip
    return ReviewOutcome(
        objection.id, stage.id, stage.name, panel_id, tuple(excluded), outcome,
        Changes(panels=True, batches=True, applications=True,
                message=_("{number} sent to {stage}; {size} experts drawn").format(
                    number=application.number, stage=stage.name, size=size)),
    )  # fmt: skip
