"""Who is in which review stage (评审阶段), and the batch's current stage.

- The stages are ordered by ``position``: 形式审查 (formal) first, then the
  expert stages (网络评审, 会议评审, 复审 …).
- **Who is in a stage.** The formal stage: every application of the batch.
  The first expert stage: every application not withdrawn and not failed in
  formal review. A later stage: the applications promoted into it
  (``stage_application``).
- **The batch's current stage**: among its expert stages that have
  applications (the first always counts), the first not finalised, else the
  last. A later stage nobody was promoted to yet is not current, so a batch
  that holds no 会议评审 ends with its 网络评审. Commands and pages that work on
  one stage use the current stage unless told otherwise.
- **An application's own stage**: the last expert stage it entered (where its
  sheets go by default).

Reads only, and only the storage models: the scoring and panel services
build on it (``stage.py`` adds the lookups by batch name and the changes).
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from reviewtool.core.enums import ApplicationStatus, StageKind, StageStatus
from reviewtool.core.errors import NotFound
from reviewtool.i18n import _
from reviewtool.storage.models import Application, Batch, Stage, StageApplication

#: Application statuses that never enter an expert stage.
NOT_REVIEWED = (ApplicationStatus.WITHDRAWN, ApplicationStatus.FORMAL_FAILED)


def batch_stages(session: Session, batch_id: int) -> list[Stage]:
    """Every stage of the batch, in order."""
    return list(session.scalars(select(Stage).where(Stage.batch_id == batch_id).order_by(Stage.position)))


def expert_stages(session: Session, batch_id: int) -> list[Stage]:
    return [s for s in batch_stages(session, batch_id) if s.kind is StageKind.EXPERT]


def get_stage(session: Session, stage_id: int) -> Stage:
    stage = session.get(Stage, stage_id)
    if stage is None:
        raise NotFound(_("No review stage with id {id}.").format(id=stage_id))
    return stage


def first_expert_stage(session: Session, batch_id: int) -> Stage:
    stages = expert_stages(session, batch_id)
    if not stages:
        batch = session.get(Batch, batch_id)
        raise NotFound(
            _("Batch {batch} has no expert review stage; add one first.").format(
                batch=batch.name if batch else batch_id
            )
        )
    return stages[0]


def current_stage(session: Session, batch_id: int) -> Stage:
    """Of the expert stages with applications, the first not finalised, else the last."""
    stages = expert_stages(session, batch_id)
    if not stages:
        first_expert_stage(session, batch_id)  # raises, naming the batch
    occupied = set(
        session.scalars(
            select(StageApplication.stage_id).where(StageApplication.stage_id.in_([s.id for s in stages[1:]]))
        )
    )
    stages = [stages[0]] + [s for s in stages[1:] if s.id in occupied]
    for stage in stages:
        if stage.status is not StageStatus.FINALISED:
            return stage
    return stages[-1]


def is_first_expert(session: Session, stage: Stage) -> bool:
    return stage.kind is StageKind.EXPERT and first_expert_stage(session, stage.batch_id).id == stage.id


def stage_application_ids(session: Session, stage: Stage) -> list[int]:
    """The applications in the stage, by id."""
    if stage.kind is StageKind.FORMAL:
        stmt = select(Application.id).where(Application.batch_id == stage.batch_id)
    elif is_first_expert(session, stage):
        stmt = select(Application.id).where(
            Application.batch_id == stage.batch_id, Application.status.not_in(NOT_REVIEWED)
        )
    else:
        stmt = (
            select(StageApplication.application_id)
            .join(Application, StageApplication.application_id == Application.id)
            .where(StageApplication.stage_id == stage.id, Application.status.not_in(NOT_REVIEWED))
        )
    return sorted(session.scalars(stmt))


def stages_reached(session: Session, batch_id: int) -> dict[int, list[Stage]]:
    """Application id → the expert stages it is in, in order (three queries for the whole batch)."""
    stages = expert_stages(session, batch_id)
    if not stages:
        return {}
    by_id = {s.id: s for s in stages}
    out: dict[int, list[Stage]] = {
        a: [stages[0]]
        for a in session.scalars(
            select(Application.id).where(Application.batch_id == batch_id, Application.status.not_in(NOT_REVIEWED))
        )
    }
    for app_id, stage_id in session.execute(
        select(StageApplication.application_id, StageApplication.stage_id).where(
            StageApplication.stage_id.in_(list(by_id))
        )
    ):
        if app_id in out and stage_id != stages[0].id and by_id[stage_id] not in out[app_id]:
            out[app_id].append(by_id[stage_id])
    for reached in out.values():
        reached.sort(key=lambda s: s.position)
    return out


def application_stage(session: Session, application_id: int) -> Stage:
    """The last expert stage the application entered (its sheets go there by default)."""
    application = session.get(Application, application_id)
    if application is None:
        raise NotFound(_("No application with id {id}.").format(id=application_id))
    stages = expert_stages(session, application.batch_id)
    if not stages:
        first_expert_stage(session, application.batch_id)
    entered = set(
        session.scalars(select(StageApplication.stage_id).where(StageApplication.application_id == application_id))
    )
    later = [s for s in stages[1:] if s.id in entered]
    return later[-1] if later else stages[0]


def application_in_stage(session: Session, stage: Stage, application_id: int) -> bool:
    if stage.kind is StageKind.FORMAL or is_first_expert(session, stage):
        application = session.get(Application, application_id)
        return application is not None and application.batch_id == stage.batch_id
    return (
        session.scalar(
            select(StageApplication.id).where(
                StageApplication.stage_id == stage.id, StageApplication.application_id == application_id
            )
        )
        is not None
    )
