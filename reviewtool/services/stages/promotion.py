"""Promotion (晋级) from one expert stage to the next, by a stated rule.

- ``top``: the first N of the stage's ranking (the batch's tie-break rule);
- ``min_score``: every application at or above a score;
- ``numbers`` with a ``reason``: chosen by hand.

Vetoed applications and those with fewer valid sheets than the batch's
minimum (评审未完成) are never promoted by a rule. ``preview_promotion``
shows who would go on and who would not, reading only; ``apply_promotion``
needs the source stage finalised, records who entered the next stage, how
and why (``stage_application``) and the rule (the stage's settings and the
audit trail). An application not promoted keeps its result from the stage
where it stopped. ``enter_applications`` is the one writer, also for an
upheld objection sent to a 复审 stage.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from reviewtool.core.enums import StageEntry, StageKind, StageStatus
from reviewtool.core.errors import NotFound, Refused, UserError
from reviewtool.core.scoring.rubric import figure_text, points_text
from reviewtool.i18n import _
from reviewtool.services import audit
from reviewtool.services.batches.batch import rules_of
from reviewtool.services.changes import Changes
from reviewtool.services.scoring.ranking import ranked_applications
from reviewtool.services.stages.reach import expert_stages, get_stage, stage_application_ids
from reviewtool.services.stages.stage import find_stage
from reviewtool.services.stages.standing import refresh_batch_scores
from reviewtool.storage.locks import lock_row
from reviewtool.storage.models import Application, Batch, Panel, Stage, StageApplication


@dataclass(frozen=True)
class Candidate:
    application_id: int
    number: str
    title: str
    position: int | None
    score: Decimal | None
    reason: str = ""  # why not promoted by the rule (vetoed, incomplete …)

    def as_json(self) -> dict:
        return {"number": self.number, "title": self.title, "position": self.position,
                "score": figure_text(self.score), "note": self.reason}  # fmt: skip


@dataclass(frozen=True)
class PromotionPreview:
    batch_id: int
    source_id: int
    source: str
    target_id: int
    target: str
    how: StageEntry
    rule: str  # the rule in words
    promoted: tuple[Candidate, ...]
    not_promoted: tuple[Candidate, ...]
    warnings: tuple[str, ...] = ()
    settings: dict = field(default_factory=dict)

    def as_json(self) -> dict:
        return {
            "promoted": [c.number for c in self.promoted],
            "not_promoted": [c.number for c in self.not_promoted],
            "rule": self.rule,
            "from": self.source,
            "to": self.target,
            "warnings": list(self.warnings),
            "details": {
                "promoted": [c.as_json() for c in self.promoted],
                "not_promoted": [c.as_json() for c in self.not_promoted],
            },
        }


def next_stage(session: Session, stage: Stage) -> Stage:
    later = [s for s in expert_stages(session, stage.batch_id) if s.position > stage.position]
    if not later:
        raise Refused(_("No expert stage follows {stage}; add one first (stage add).").format(stage=stage.name))
    return later[0]


def _rule_text(how: StageEntry, source: Stage, target: Stage, top, min_score, reason: str) -> str:
    if how is StageEntry.TOP_N:
        text = _("The top {n} of {source} go on to {target}").format(n=top, source=source.name, target=target.name)
    elif how is StageEntry.MIN_SCORE:
        text = _("Every application of {source} scoring at least {score} goes on to {target}").format(
            source=source.name, score=points_text(min_score), target=target.name
        )
    else:
        return _("Chosen by hand for {target}: {reason}").format(target=target.name, reason=reason)
    return text + _(
        " (ranked on the {source} results; vetoed applications and incomplete reviews do not go on)."
    ).format(source=source.name)


def preview_promotion(
    session: Session,
    batch: str | int,
    source: str | int | None = None,
    *,
    top: int | None = None,
    min_score: Decimal | None = None,
    numbers: list[str] | None = None,
    reason: str = "",
) -> PromotionPreview:
    """Who would go on from ``source`` (default: the current stage) to the next stage, and who would not."""
    stage = find_stage(session, batch, source)
    if stage.kind is not StageKind.EXPERT:
        raise Refused(_("Applications go on from an expert stage; {stage} is the formal review.").format(
            stage=stage.name))  # fmt: skip
    target = next_stage(session, stage)
    given = [top is not None, min_score is not None, bool(numbers)]
    if sum(given) != 1:
        raise UserError(_("Give exactly one rule: the top N, a minimum score, or application numbers with a reason."))
    if top is not None and top < 1:
        raise UserError(_("The top N needs N of at least 1."))
    reason = (reason or "").strip()
    if numbers and not reason:
        raise UserError(_("Choosing applications by hand needs a reason."))
    how = StageEntry.TOP_N if top is not None else StageEntry.MIN_SCORE if min_score is not None else StageEntry.MANUAL
    ranked = ranked_applications(session, stage.batch_id, stage_id=stage.id)
    rules = rules_of(session.get(Batch, stage.batch_id))
    chosen: list[Candidate] = []
    left: list[Candidate] = []
    warnings: list[str] = []
    if how is StageEntry.MANUAL:
        wanted = {n.strip() for n in numbers if n.strip()}
        known = {r.number for r in ranked.rows}
        unknown = sorted(wanted - known)
        if unknown:
            raise NotFound(
                _("Stage {stage} has no application numbered {numbers}.").format(
                    stage=stage.name, numbers=", ".join(unknown)
                )
            )
    for row in ranked.rows:
        candidate = Candidate(row.application_id, row.number, row.title, row.position, row.score)
        if how is StageEntry.MANUAL:
            (chosen if row.number in wanted else left).append(candidate)
            continue
        why = ""
        if row.score is None:
            why = _("no result")
        elif row.veto_count:
            why = _("one-vote veto")
        elif not rules.review_complete(row.sheet_count):
            why = _("review incomplete")
        if why:
            left.append(Candidate(row.application_id, row.number, row.title, row.position, row.score, why))
        elif (how is StageEntry.TOP_N and len(chosen) < top) or (
            how is StageEntry.MIN_SCORE and row.score >= min_score
        ):
            chosen.append(candidate)
        else:
            left.append(candidate)
    if how is StageEntry.TOP_N:
        if len(chosen) < top:
            warnings.append(_("Only {count} applications can go on, fewer than {n}.").format(count=len(chosen), n=top))
        elif left and left[0].score is not None and not left[0].reason and left[0].score == chosen[-1].score:
            warnings.append(
                _("{first} (promoted) and {second} (not promoted) have the same score {score}; the tie-break "
                  "rule decided: {rule}").format(first=chosen[-1].number, second=left[0].number,
                                                 score=figure_text(left[0].score), rule=ranked.tie_break)
            )  # fmt: skip
    settings = {"from": stage.name, "kind": how.value, "rule": ""}
    if top is not None:
        settings["top"] = top
    if min_score is not None:
        settings["min_score"] = points_text(min_score)
    text = _rule_text(how, stage, target, top, min_score, reason)
    settings["rule"] = text
    return PromotionPreview(stage.batch_id, stage.id, stage.name, target.id, target.name, how, text,
                            tuple(chosen), tuple(left), tuple(warnings), settings)  # fmt: skip


def enter_applications(
    session: Session, stage_id: int, application_ids: list[int], how: StageEntry, reason: str, *, actor: str
) -> int:
    """Put applications into a later stage (skipping those already in it); returns how many entered.
    The stage's row is locked first, so two callers at once never enter one application twice."""
    stage = lock_row(session, Stage, get_stage(session, stage_id).id)
    if stage.status is StageStatus.FINALISED:
        raise Refused(_("Stage {stage} is finalised; it takes no new application.").format(stage=stage.name))
    inside = set(session.scalars(select(StageApplication.application_id).where(StageApplication.stage_id == stage.id)))
    in_batch = set(session.scalars(select(Application.id).where(Application.batch_id == stage.batch_id)))
    stray = [a for a in application_ids if a not in in_batch]
    if stray:
        raise NotFound(_("Applications {ids} are not in this batch.").format(ids=stray))
    now = dt.datetime.now(dt.UTC)
    added = 0
    for application_id in application_ids:
        if application_id in inside:
            continue
        session.add(StageApplication(stage_id=stage.id, application_id=application_id, how=how, reason=reason,
                                     entered_by=actor, entered_at=now))  # fmt: skip
        inside.add(application_id)
        added += 1
    if added and stage.status is StageStatus.PENDING:
        stage.status = StageStatus.OPEN
    session.flush()
    return added


def apply_promotion(
    session: Session,
    batch: str | int,
    source: str | int | None = None,
    *,
    actor: str,
    top: int | None = None,
    min_score: Decimal | None = None,
    numbers: list[str] | None = None,
    reason: str = "",
) -> tuple[PromotionPreview, Changes]:
    """Apply the rule previewed by ``preview_promotion``: the promoted applications enter the next stage.

    The target stage's row is locked first and the rule previewed again as committed then: a second
    caller pressing the same button waits, then finds the first's applications there (a rule gives
    the same set again; by hand, those already in are not entered twice)."""
    rule = dict(top=top, min_score=min_score, numbers=numbers, reason=reason)
    lock_row(session, Stage, preview_promotion(session, batch, source, **rule).target_id)
    preview = preview_promotion(session, batch, source, **rule)
    stage, target = get_stage(session, preview.source_id), get_stage(session, preview.target_id)
    if stage.status is not StageStatus.FINALISED:
        raise Refused(
            _("Stage {stage} is not finalised; finalise it (stage finalize) before promoting from it.").format(
                stage=stage.name
            )
        )
    if target.status is StageStatus.FINALISED:
        raise Refused(_("Stage {stage} is finalised; it takes no new application.").format(stage=target.name))
    if not preview.promoted:
        raise Refused(_("No application meets the rule: {rule}").format(rule=preview.rule))
    has_panels = session.scalar(select(func.count(Panel.id)).where(Panel.stage_id == target.id))
    earlier = set(stage_application_ids(session, target))
    if preview.how is not StageEntry.MANUAL and earlier:
        if has_panels:
            raise Refused(
                _("Stage {stage} already has panels for the applications promoted before; add more by hand "
                  "(with a reason) instead of applying a rule again.").format(stage=target.name)
            )  # fmt: skip
        session.execute(delete(StageApplication).where(StageApplication.stage_id == target.id))
    entered = enter_applications(
        session, target.id, [c.application_id for c in preview.promoted], preview.how, preview.rule, actor=actor
    )
    target.settings = {
        **(target.settings or {}),
        "promotion": {**preview.settings, "at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"), "by": actor},
    }
    refresh_batch_scores(session, stage.batch_id)
    audit.record(
        session, actor=actor, action="stage.promote", entity_type="review_stage", entity_id=target.id,
        batch_id=stage.batch_id,
        summary=_("{count} applications go on from {source} to {target}: {rule}").format(
            count=len(preview.promoted), source=stage.name, target=target.name, rule=preview.rule),
        details={"from": stage.name, "to": target.name, "rule": preview.rule, **preview.settings,
                 "promoted": [c.number for c in preview.promoted],
                 "not_promoted": [c.number for c in preview.not_promoted],
                 "replaced": sorted(earlier) if preview.how is not StageEntry.MANUAL else [], "entered": entered},
    )  # fmt: skip
    message = _("{count} applications promoted to {target}").format(count=len(preview.promoted), target=target.name)
    return preview, Changes(batches=True, panels=True, applications=True, message=message)
