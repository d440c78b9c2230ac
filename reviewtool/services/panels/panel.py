"""Expert panels (专家组) themselves: finding them, creating them for a
review stage (评审阶段) of a batch or a group of its applications, their
settings, and the lookups the other panel modules share.

Every panel works in one stage (``panel.stage_id``); without a stage named,
the batch's current stage (``services.stages.reach.current_stage``).
Panel names are unique within the batch, across its stages.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from reviewtool.core.enums import (
    ApplicationStatus,
    Invitation,
    MemberStatus,
    PanelMode,
    PanelStatus,
    StageKind,
    StageStatus,
)
from reviewtool.core.errors import NotFound, Refused, UserError
from reviewtool.i18n import N_, _
from reviewtool.services import audit
from reviewtool.services.batches import batch as batches_batch
from reviewtool.services.changes import Changes
from reviewtool.services.stages.reach import first_expert_stage, get_stage, stage_application_ids
from reviewtool.services.stages.stage import find_stage
from reviewtool.storage.lengths import check_length
from reviewtool.storage.models import Application, Batch, Panel, PanelApplication, PanelMember, ScoreSheet, Stage

#: Majority rules for meeting votes: code -> title.
MAJORITY_RULES: dict[str, str] = {
    "simple": N_("Simple majority of votes cast (for > against)"),
    "absolute": N_("More than half of the panel members"),
    "two_thirds": N_("At least two thirds of the panel members"),
}
DEFAULT_MAJORITY = "simple"


#: Application statuses that never go to a panel.
_NOT_REVIEWED = (ApplicationStatus.WITHDRAWN, ApplicationStatus.FORMAL_FAILED)


def lookup(session: Session, stmt) -> dict:
    """The first column of each row mapped to the second."""
    return {key: value for key, value in session.execute(stmt)}


def find_batch(session: Session, batch: str | int) -> Batch:
    """The batch by id or name (the one lookup of ``services.batches``)."""
    return batches_batch.find_batch(session, batch)


def get_panel(session: Session, panel_id: int) -> Panel:
    panel = session.get(Panel, panel_id)
    if panel is None:
        raise NotFound(_("No panel with id {id}.").format(id=panel_id))
    return panel


def find_panel(session: Session, batch: str | int, name: str | None = None, stage: str | int | None = None) -> Panel:
    """The batch's panel called ``name``, or the only panel of the stage (default: the current one)."""
    found = find_batch(session, batch)
    stmt = select(Panel).where(Panel.batch_id == found.id).order_by(Panel.id)
    chosen = find_stage(session, found.id, stage) if (stage is not None or not name) else None
    if name:
        stmt = stmt.where(Panel.name == name)
    if chosen is not None:
        stmt = stmt.where(Panel.stage_id == chosen.id)
    panels = list(session.scalars(stmt))
    if not panels:
        if name:
            raise NotFound(_("Batch {batch} has no panel named {name}.").format(batch=found.name, name=name))
        raise NotFound(
            _("Stage {stage} of batch {batch} has no panel yet.").format(stage=chosen.name, batch=found.name)
        )
    if len(panels) > 1:
        raise UserError(
            _("Batch {batch} has several panels ({names}); name one with --panel.").format(
                batch=found.name, names=", ".join(p.name for p in panels)
            )
        )
    return panels[0]


def group_application_ids(session: Session, panel: Panel) -> list[int]:
    return list(
        session.scalars(
            select(PanelApplication.application_id)
            .where(PanelApplication.panel_id == panel.id)
            .order_by(PanelApplication.application_id)
        )
    )


def active_member_ids(session: Session, panel: Panel) -> list[int]:
    return list(
        session.scalars(
            select(PanelMember.expert_id)
            .where(PanelMember.panel_id == panel.id, PanelMember.status == MemberStatus.ACTIVE)
            .order_by(PanelMember.expert_id)
        )
    )


def confirmed_member_ids(session: Session, panel: Panel) -> list[int]:
    """Active members who confirmed the invitation (已确认): the ones that may be assigned."""
    return list(
        session.scalars(
            select(PanelMember.expert_id)
            .where(
                PanelMember.panel_id == panel.id,
                PanelMember.status == MemberStatus.ACTIVE,
                PanelMember.invitation == Invitation.CONFIRMED,
            )
            .order_by(PanelMember.expert_id)
        )
    )


def require_open(panel: Panel) -> None:
    if panel.status is PanelStatus.FINALIZED:
        raise Refused(_("Panel {name} is finalised; reopen it (with a reason) first.").format(name=panel.name))


@dataclass(frozen=True)
class PanelRow:
    id: int
    batch_id: int
    batch: str
    name: str
    mode: PanelMode
    status: PanelStatus
    applications: int
    members: int
    due_date: dt.date | None
    settings: dict
    stage_id: int | None = None
    stage: str = ""

    def as_json(self) -> dict:
        return {
            "id": self.id,
            "batch": self.batch,
            "stage": self.stage,
            "name": self.name,
            "mode": self.mode.value,
            "status": self.status.value,
            "applications": self.applications,
            "members": self.members,
            "due_date": self.due_date.isoformat() if self.due_date else None,
            "settings": self.settings,
        }


def list_panels(session: Session, batch: str | int | None = None, stage_id: int | None = None) -> list[PanelRow]:
    """Panels (of a batch, of one of its stages), by batch, stage order and name."""
    stmt = (
        select(Panel, Batch.name, Stage.name)
        .join(Batch, Panel.batch_id == Batch.id)
        .join(Stage, Panel.stage_id == Stage.id)
        .order_by(Batch.name, Stage.position, Panel.name)
    )
    if batch is not None:
        stmt = stmt.where(Panel.batch_id == find_batch(session, batch).id)
    if stage_id is not None:
        stmt = stmt.where(Panel.stage_id == stage_id)
    rows = []
    for panel, batch_name, stage_name in session.execute(stmt):
        rows.append(
            PanelRow(
                panel.id,
                panel.batch_id,
                batch_name,
                panel.name,
                panel.mode,
                panel.status,
                len(group_application_ids(session, panel)),
                len(active_member_ids(session, panel)),
                panel.due_date,
                dict(panel.settings or {}),
                panel.stage_id,
                stage_name,
            )
        )
    return rows


def create_panel(
    session: Session,
    batch: str | int,
    name: str,
    *,
    actor: str,
    mode: PanelMode | None = None,
    application_ids: list[int] | None = None,
    due_date: dt.date | None = None,
    settings: dict | None = None,
    stage_id: int | None = None,
) -> tuple[int, Changes]:
    """A panel of a review stage (default: the batch's current one) for all the stage's
    applications (in the first expert stage: all not withdrawn or failed in formal
    review; later: those promoted into it), or for the group ``application_ids``.
    ``mode`` defaults to the stage's (remote or meeting)."""
    found = find_batch(session, batch)
    stage = get_stage(session, stage_id) if stage_id is not None else find_stage(session, found.id)
    if stage.batch_id != found.id:
        raise NotFound(_("That review stage belongs to another batch."))
    if stage.kind is StageKind.FORMAL:
        raise Refused(_("Stage {stage} is the formal review; panels belong to expert stages.").format(
            stage=stage.name))  # fmt: skip
    if stage.status is StageStatus.FINALISED:
        raise Refused(_("Stage {stage} is finalised; it takes no new panel.").format(stage=stage.name))
    mode = stage.mode if mode is None else mode
    name = (name or "").strip()
    if not name:
        raise UserError(_("The panel needs a name."))
    check_length(name, Panel.name, field=_("Panel name"))
    if session.scalar(select(Panel.id).where(Panel.batch_id == found.id, Panel.name == name)):
        raise Refused(_("Batch {batch} already has a panel named {name}.").format(batch=found.name, name=name))
    in_stage = stage_application_ids(session, stage)
    if application_ids is None:
        application_ids = in_stage
    else:
        in_batch = set(session.scalars(select(Application.id).where(Application.batch_id == found.id)))
        stray = [a for a in application_ids if a not in in_batch]
        if stray:
            raise UserError(_("Applications {ids} are not in batch {batch}.").format(ids=stray, batch=found.name))
        outside = sorted(set(application_ids) - set(in_stage))
        if outside:
            numbers = session.scalars(select(Application.number).where(Application.id.in_(outside)))
            raise Refused(
                _("Applications {numbers} are not in stage {stage}; promote them first.").format(
                    numbers=", ".join(sorted(numbers)), stage=stage.name
                )
            )
    if not application_ids:
        if first_expert_stage(session, found.id).id != stage.id:
            raise Refused(
                _("Stage {stage} of batch {batch} has no applications yet; promote them from the stage before.").format(
                    stage=stage.name, batch=found.name
                )
            )
        raise Refused(_("Batch {batch} has no applications to review.").format(batch=found.name))
    taken = set(
        session.scalars(
            select(PanelApplication.application_id)
            .join(Panel, PanelApplication.panel_id == Panel.id)
            .where(Panel.stage_id == stage.id, PanelApplication.application_id.in_(application_ids))
        )
    )
    if taken:
        numbers = session.scalars(
            select(Application.number).where(Application.id.in_(taken)).order_by(Application.number)
        )
        raise Refused(
            _("Applications {numbers} already belong to another panel of stage {stage}.").format(
                numbers=", ".join(numbers), stage=stage.name
            )
        )
    panel = Panel(
        batch_id=found.id, stage_id=stage.id, name=name, mode=mode, due_date=due_date,
        settings={"majority": DEFAULT_MAJORITY, **(settings or {})},
    )  # fmt: skip
    session.add(panel)
    session.flush()
    for app_id in sorted(set(application_ids)):
        session.add(PanelApplication(panel_id=panel.id, application_id=app_id))
    audit.record(
        session, actor=actor, action="panel.create", entity_type="panel", entity_id=panel.id, batch_id=found.id,
        summary=_("Created panel {name} for {count} applications").format(name=name, count=len(application_ids)),
        details={"mode": mode.value, "stage": stage.name, "stage_id": stage.id,
                 "applications": sorted(set(application_ids))},
    )  # fmt: skip
    return panel.id, Changes(panels=True, message=_("Created panel {name}").format(name=name))


def application_ids_by_number(session: Session, batch: str | int, numbers: list[str]) -> list[int]:
    """The ids of the batch's applications with these numbers; unknown numbers are refused."""
    found = find_batch(session, batch)
    wanted = {n.strip() for n in numbers if n.strip()}
    rows = lookup(
        session,
        select(Application.number, Application.id).where(
            Application.batch_id == found.id, Application.number.in_(wanted)
        ),
    )
    unknown = sorted(wanted - set(rows))
    if unknown:
        raise NotFound(
            _("Batch {batch} has no application numbered {numbers}.").format(
                batch=found.name, numbers=", ".join(unknown)
            )
        )
    return sorted(rows.values())


def ensure_panel(
    session: Session,
    batch: str | int,
    *,
    actor: str,
    name: str | None = None,
    application_numbers: list[str] | None = None,
    stage: str | int | None = None,
) -> Panel:
    """The stage's panel (``name`` or its only one; stage default: the batch's current one);
    creates it when missing (the CLI's ``panel draw --batch``), for all the stage's
    applications or for the group of ``application_numbers``."""
    found = find_batch(session, batch)
    chosen = find_stage(session, found.id, stage)
    in_batch = list(session.scalars(select(Panel).where(Panel.batch_id == found.id)))
    existing = [p for p in in_batch if p.stage_id == chosen.id]
    if not existing or (name and not any(p.name == name for p in in_batch)):
        ids = application_ids_by_number(session, found.id, application_numbers) if application_numbers else None
        default = _("Panel 1")
        if chosen.id != first_expert_stage(session, found.id).id:
            default = f"{chosen.name}{default}"
        panel_id, _c = create_panel(
            session, found.id, name or default, actor=actor, application_ids=ids, stage_id=chosen.id
        )
        return get_panel(session, panel_id)
    if application_numbers:
        raise Refused(_("The panel already exists; its applications cannot be chosen again here."))
    return find_panel(session, found.id, name, chosen.id)


def update_settings(session: Session, panel_id: int, changes: dict, *, actor: str) -> Changes:
    panel = get_panel(session, panel_id)
    if "majority" in changes and changes["majority"] not in MAJORITY_RULES:
        raise UserError(_("Unknown majority rule {rule}.").format(rule=changes["majority"]))
    panel.settings = {**(panel.settings or {}), **changes}
    if "mode" in changes:
        panel.mode = PanelMode(changes["mode"])
    audit.record(
        session, actor=actor, action="panel.settings", entity_type="panel", entity_id=panel.id,
        batch_id=panel.batch_id, summary=_("Changed the settings of panel {name}").format(name=panel.name),
        details={"changes": changes},
    )  # fmt: skip
    return Changes(panels=True)


def latest_sheet(session: Session, application_id: int, expert_id: int, stage_id: int) -> ScoreSheet | None:
    """The expert's newest sheet for the application in the stage."""
    return session.scalar(
        select(ScoreSheet)
        .where(
            ScoreSheet.stage_id == stage_id,
            ScoreSheet.application_id == application_id,
            ScoreSheet.reviewer_id == expert_id,
        )
        .order_by(ScoreSheet.id.desc())
        .limit(1)
    )


def application_in_panel(session: Session, panel: Panel, application_id: int) -> Application:
    if application_id not in group_application_ids(session, panel):
        raise NotFound(_("That application is not in panel {name}.").format(name=panel.name))
    return session.get(Application, application_id)
