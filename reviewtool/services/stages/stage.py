"""A batch's review stages (评审阶段) by name: finding one (the current one
by default), listing them with their counts, adding a stage and setting its
mode. Who is in which stage and the current stage are ``reach``.

Reads only, except ``add_stage`` and ``set_stage_mode`` (audited).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from reviewtool.core.enums import PanelMode, PanelStatus, StageKind, StageStatus
from reviewtool.core.errors import NotFound, Refused, UserError
from reviewtool.i18n import _
from reviewtool.services import audit
from reviewtool.services.batches.batch import find_batch
from reviewtool.services.changes import Changes
from reviewtool.services.stages.reach import (
    NOT_REVIEWED,
    batch_stages,
    current_stage,
    get_stage,
    stage_application_ids,
)
from reviewtool.storage.lengths import check_length
from reviewtool.storage.models import Application, Panel, Stage, StageApplication


def find_stage(session: Session, batch: str | int, name: str | int | None = None) -> Stage:
    """The batch's stage called ``name`` (an ``int``: its id); the current one when ``None``."""
    found = find_batch(session, batch)
    if name is None or (isinstance(name, str) and not name.strip()):
        return current_stage(session, found.id)
    stages = batch_stages(session, found.id)
    text = str(name).strip()
    for stage in stages:
        if (stage.id == name) if isinstance(name, int) else (stage.name == text):
            return stage
    raise NotFound(
        _("Batch {batch} has no review stage named {name} (its stages: {stages}).").format(
            batch=found.name, name=text, stages="、".join(s.name for s in stages)
        )
    )


def stage_id_of(session: Session, batch_id: int, stage: str | int | None) -> int:
    """A stage's id from a name, an id or ``None`` (the current stage)."""
    if isinstance(stage, int):
        found = get_stage(session, stage)
        if found.batch_id != batch_id:
            raise NotFound(_("That review stage belongs to another batch."))
        return found.id
    return find_stage(session, batch_id, stage).id


@dataclass(frozen=True)
class StageRow:
    """One stage as the stage list, the CLI and the pages' stage choosers show it."""

    id: int
    batch_id: int
    name: str
    order: int  # 1-based place in the batch's list
    kind: StageKind
    mode: PanelMode
    status: StageStatus
    applications: int
    panels: int
    finalised_panels: int
    current: bool
    weight: str | None  # the stage's weight in a weighted final score, e.g. "40"

    @property
    def label(self) -> str:
        return self.name

    def as_json(self) -> dict:
        return {
            "name": self.name,
            "order": self.order,
            "kind": self.kind.value,
            "status": self.status.value,
            "applications": self.applications,
            "mode": self.mode.value,
            "panels": self.panels,
            "finalised_panels": self.finalised_panels,
            "current": self.current,
            "weight": self.weight,
        }


def list_stages(session: Session, batch: str | int) -> list[StageRow]:
    """The batch's stages in order, with how many applications and panels each has."""
    from reviewtool.core.stages import rule_from_setting

    found = find_batch(session, batch)
    stages = batch_stages(session, found.id)
    experts = [s for s in stages if s.kind is StageKind.EXPERT]
    current = current_stage(session, found.id).id if experts else None
    panels: dict[int, list[PanelStatus]] = {}
    for stage_id, status in session.execute(select(Panel.stage_id, Panel.status).where(Panel.batch_id == found.id)):
        panels.setdefault(stage_id, []).append(status)
    promoted = Counter(
        dict(
            session.execute(
                select(StageApplication.stage_id, func.count(StageApplication.id))
                .join(Application, StageApplication.application_id == Application.id)
                .where(StageApplication.stage_id.in_([s.id for s in stages]), Application.status.not_in(NOT_REVIEWED))
                .group_by(StageApplication.stage_id)
            ).all()
        )
    )
    weights = dict(rule_from_setting((found.settings or {}).get("final_rule")).weights)
    rows = []
    for order, stage in enumerate(stages, start=1):
        if stage.kind is StageKind.FORMAL or (experts and stage.id == experts[0].id):
            count = len(stage_application_ids(session, stage))
        else:
            count = promoted.get(stage.id, 0)
        statuses = panels.get(stage.id, [])
        weight = weights.get(stage.name)
        rows.append(
            StageRow(
                id=stage.id,
                batch_id=found.id,
                name=stage.name,
                order=order,
                kind=stage.kind,
                mode=stage.mode,
                status=stage.status,
                applications=count,
                panels=len(statuses),
                finalised_panels=sum(1 for s in statuses if s is PanelStatus.FINALIZED),
                current=stage.id == current,
                weight=format(weight.normalize(), "f") if weight is not None else None,
            )
        )
    return rows


def _has_data(session: Session, stage: Stage) -> bool:
    return bool(
        session.scalar(select(func.count(Panel.id)).where(Panel.stage_id == stage.id))
        or session.scalar(select(func.count(StageApplication.id)).where(StageApplication.stage_id == stage.id))
    )


def add_stage(
    session: Session,
    batch: str | int,
    name: str,
    *,
    actor: str,
    mode: PanelMode = PanelMode.MEETING,
    after: str | None = None,
) -> tuple[int, Changes]:
    """A new expert stage, at the end of the batch's list or right after the stage ``after``.

    Stages after the new one move down; each of them must still be empty
    (no panel, no application promoted into it), and a new stage never goes
    before the first expert stage once that stage has panels."""
    found = find_batch(session, batch)
    name = (name or "").strip()
    if not name:
        raise UserError(_("The review stage needs a name."))
    check_length(name, Stage.name, field=_("Stage name"))
    stages = batch_stages(session, found.id)
    if any(s.name == name for s in stages):
        raise Refused(_("Batch {batch} already has a stage named {name}.").format(batch=found.name, name=name))
    if after is None:
        position = (stages[-1].position + 1) if stages else 0
    else:
        anchor = find_stage(session, found.id, after)
        position = anchor.position + 1
        moving = [s for s in stages if s.position >= position]
        busy = [s.name for s in moving if _has_data(session, s) or s.status is StageStatus.FINALISED]
        if busy:
            raise Refused(
                _("Stage {names} already has panels or applications; a new stage can only go after it.").format(
                    names="、".join(busy)
                )
            )
        experts = [s for s in stages if s.kind is StageKind.EXPERT]
        if experts and position <= experts[0].position and _has_data(session, experts[0]):
            raise Refused(_("The first expert stage already has panels; add the new stage after it."))
        for stage in sorted(moving, key=lambda s: -s.position):  # one by one: (batch, position) stays unique
            stage.position += 1
            session.flush()
    stage = Stage(
        batch_id=found.id, position=position, name=name, kind=StageKind.EXPERT, mode=mode,
        status=StageStatus.PENDING, settings={},
    )  # fmt: skip
    session.add(stage)
    session.flush()
    audit.record(
        session, actor=actor, action="stage.add", entity_type="review_stage", entity_id=stage.id, batch_id=found.id,
        summary=_("Added review stage {name} to batch {batch}").format(name=name, batch=found.name),
        details={"name": name, "mode": mode.value, "position": position, "after": after},
    )  # fmt: skip
    return stage.id, Changes(batches=True, panels=True, message=_("Added review stage {name}").format(name=name))


def set_stage_mode(session: Session, stage_id: int, mode: PanelMode, *, actor: str) -> Changes:
    """Remote (网络评审) or meeting (会议评审): the mode new panels of the stage get."""
    stage = get_stage(session, stage_id)
    if stage.kind is StageKind.FORMAL:
        raise Refused(_("The formal review stage has no panels and no mode."))
    if stage.mode is mode:
        return Changes()
    old = stage.mode
    stage.mode = mode
    audit.record(
        session, actor=actor, action="stage.settings", entity_type="review_stage", entity_id=stage.id,
        batch_id=stage.batch_id, summary=_("Stage {name}: {mode}").format(name=stage.name, mode=mode.label()),
        details={"mode": {"old": old.value, "new": mode.value}},
    )  # fmt: skip
    return Changes(batches=True)


def set_final_rule(
    session: Session, batch: str | int, kind: str, weights: dict[str, object] | None = None, *, actor: str
) -> Changes:
    """State the batch's final-score rule: ``last`` (the last stage reached) or
    ``weighted`` with a weight per expert stage (by name, adding up to 100)."""
    from reviewtool.core.stages import make_rule
    from reviewtool.services.stages.standing import FINAL_RULE_KEY, final_rule, refresh_batch_scores

    found = find_batch(session, batch)
    names = [s.name for s in batch_stages(session, found.id) if s.kind is StageKind.EXPERT]
    rule = make_rule(kind, weights, names)
    old = final_rule(found)
    if old == rule:
        return Changes()
    found.settings = {**(found.settings or {}), FINAL_RULE_KEY: rule.as_setting()}
    session.flush()
    changed = refresh_batch_scores(session, found.id)
    audit.record(
        session, actor=actor, action="stage.final_rule", entity_type="batch", entity_id=found.id, batch_id=found.id,
        summary=rule.text(names), details={"old": old.as_json(), "new": rule.as_json(), "scores_changed": changed},
    )  # fmt: skip
    return Changes(batches=True, applications=True, message=rule.text(names))


def stage_choices(session: Session, batch_id: int, wanted: int | None = None) -> tuple[list[StageRow], int]:
    """The batch's stages for a page's stage chooser, and the one to show: ``wanted``
    when it is one of the batch's expert stages, else the current stage."""
    rows = list_stages(session, batch_id)
    experts = [r for r in rows if r.kind is StageKind.EXPERT]
    if wanted is not None and any(r.id == wanted for r in experts):
        return rows, wanted
    return rows, current_stage(session, batch_id).id
