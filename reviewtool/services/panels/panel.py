"""Expert panels (专家组) themselves: finding them, creating them for a batch
or a group of its applications, their settings, and the lookups the other
panel modules share.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from reviewtool.core.enums import ApplicationStatus, MemberStatus, PanelMode, PanelStatus
from reviewtool.core.errors import NotFound, Refused, UserError
from reviewtool.i18n import N_, _
from reviewtool.services import audit
from reviewtool.services.batches import batch as batches_batch
from reviewtool.services.changes import Changes
from reviewtool.storage.lengths import check_length
from reviewtool.storage.models import Application, Batch, Panel, PanelApplication, PanelMember, ScoreSheet

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


def find_panel(session: Session, batch: str | int, name: str | None = None) -> Panel:
    """The batch's panel called ``name``, or its only panel when no name is given."""
    found = find_batch(session, batch)
    stmt = select(Panel).where(Panel.batch_id == found.id).order_by(Panel.id)
    if name:
        stmt = stmt.where(Panel.name == name)
    panels = list(session.scalars(stmt))
    if not panels:
        if name:
            raise NotFound(_("Batch {batch} has no panel named {name}.").format(batch=found.name, name=name))
        raise NotFound(_("Batch {batch} has no panel yet.").format(batch=found.name))
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

    def as_json(self) -> dict:
        return {
            "id": self.id,
            "batch": self.batch,
            "name": self.name,
            "mode": self.mode.value,
            "status": self.status.value,
            "applications": self.applications,
            "members": self.members,
            "due_date": self.due_date.isoformat() if self.due_date else None,
            "settings": self.settings,
        }


def list_panels(session: Session, batch: str | int | None = None) -> list[PanelRow]:
    stmt = select(Panel, Batch.name).join(Batch, Panel.batch_id == Batch.id).order_by(Batch.name, Panel.name)
    if batch is not None:
        stmt = stmt.where(Panel.batch_id == find_batch(session, batch).id)
    rows = []
    for panel, batch_name in session.execute(stmt):
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
            )
        )
    return rows


def create_panel(
    session: Session,
    batch: str | int,
    name: str,
    *,
    actor: str,
    mode: PanelMode = PanelMode.REMOTE,
    application_ids: list[int] | None = None,
    due_date: dt.date | None = None,
    settings: dict | None = None,
) -> tuple[int, Changes]:
    """A panel for the batch's applications (all that are not withdrawn or
    failed in formal review), or for the group ``application_ids``."""
    found = find_batch(session, batch)
    name = (name or "").strip()
    if not name:
        raise UserError(_("The panel needs a name."))
    check_length(name, Panel.name, field=_("Panel name"))
    if session.scalar(select(Panel.id).where(Panel.batch_id == found.id, Panel.name == name)):
        raise Refused(_("Batch {batch} already has a panel named {name}.").format(batch=found.name, name=name))
    if application_ids is None:
        application_ids = list(
            session.scalars(
                select(Application.id)
                .where(Application.batch_id == found.id, Application.status.not_in(_NOT_REVIEWED))
                .order_by(Application.id)
            )
        )
    else:
        in_batch = set(session.scalars(select(Application.id).where(Application.batch_id == found.id)))
        stray = [a for a in application_ids if a not in in_batch]
        if stray:
            raise UserError(_("Applications {ids} are not in batch {batch}.").format(ids=stray, batch=found.name))
    if not application_ids:
        raise Refused(_("Batch {batch} has no applications to review.").format(batch=found.name))
    taken = set(
        session.scalars(
            select(PanelApplication.application_id)
            .join(Panel, PanelApplication.panel_id == Panel.id)
            .where(Panel.batch_id == found.id, PanelApplication.application_id.in_(application_ids))
        )
    )
    if taken:
        numbers = session.scalars(
            select(Application.number).where(Application.id.in_(taken)).order_by(Application.number)
        )
        raise Refused(
            _("Applications {numbers} already belong to another panel of this batch.").format(
                numbers=", ".join(numbers)
            )
        )
    panel = Panel(
        batch_id=found.id, name=name, mode=mode, due_date=due_date,
        settings={"majority": DEFAULT_MAJORITY, **(settings or {})},
    )  # fmt: skip
    session.add(panel)
    session.flush()
    for app_id in sorted(set(application_ids)):
        session.add(PanelApplication(panel_id=panel.id, application_id=app_id))
    audit.record(
        session, actor=actor, action="panel.create", entity_type="panel", entity_id=panel.id, batch_id=found.id,
        summary=_("Created panel {name} for {count} applications").format(name=name, count=len(application_ids)),
        details={"mode": mode.value, "applications": sorted(set(application_ids))},
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
) -> Panel:
    """The batch's panel (``name`` or its only one); creates it when missing
    (the CLI's ``panel draw --batch``), for the whole batch or for the group
    of ``application_numbers``."""
    found = find_batch(session, batch)
    existing = list(session.scalars(select(Panel).where(Panel.batch_id == found.id)))
    if not existing or (name and not any(p.name == name for p in existing)):
        ids = application_ids_by_number(session, found.id, application_numbers) if application_numbers else None
        panel_id, _c = create_panel(session, found.id, name or _("Panel 1"), actor=actor, application_ids=ids)
        return get_panel(session, panel_id)
    if application_numbers:
        raise Refused(_("The panel already exists; its applications cannot be chosen again here."))
    return find_panel(session, found.id, name)


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


def latest_sheet(session: Session, application_id: int, expert_id: int) -> ScoreSheet | None:
    return session.scalar(
        select(ScoreSheet)
        .where(ScoreSheet.application_id == application_id, ScoreSheet.reviewer_id == expert_id)
        .order_by(ScoreSheet.id.desc())
        .limit(1)
    )


def application_in_panel(session: Session, panel: Panel, application_id: int) -> Application:
    if application_id not in group_application_ids(session, panel):
        raise NotFound(_("That application is not in panel {name}.").format(name=panel.name))
    return session.get(Application, application_id)
