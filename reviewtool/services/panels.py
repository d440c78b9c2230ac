"""Expert panels (专家组): draw, members, assignment, late conflicts,
finalising and reopening, meeting votes, and the sheet-status view.

Every change writes an audit record; a draw also stores its seed,
candidates, exclusions and result in ``panel_draw``, so it can be replayed.
The 回避 decisions come from ``core.conflicts``, the draw from
``core.draw`` and the optimal assignment from ``core.assignment``.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session

from reviewtool.core import assignment as solver
from reviewtool.core.conflicts import (
    ApplicationFacts,
    ConflictMatrix,
    ExpertFacts,
    StaffExclusion,
    conflict_matrix,
    normalise_name,
)
from reviewtool.core.draw import Candidate, DrawRequest, DrawResult, draw, eligibility
from reviewtool.core.enums import (
    ApplicationStatus,
    AreaRole,
    AssignmentStatus,
    ExpertStatus,
    MemberStatus,
    PanelMode,
    PanelStatus,
    RelationKind,
    SheetStatus,
    TagSource,
    VoteChoice,
)
from reviewtool.core.errors import NotFound, Refused, UserError
from reviewtool.i18n import N_, _
from reviewtool.services import audit
from reviewtool.services.changes import Changes
from reviewtool.storage.models import (
    Application,
    ApplicationArea,
    Assignment,
    AvoidRequest,
    Batch,
    Expert,
    ExpertField,
    ExpertRelation,
    MeetingVote,
    Panel,
    PanelApplication,
    PanelDraw,
    PanelMember,
    PanelResult,
    PriorityArea,
    ScoreSheet,
    Unit,
)

#: Majority rules for meeting votes: code -> title.
MAJORITY_RULES: dict[str, str] = {
    "simple": N_("Simple majority of votes cast (for > against)"),
    "absolute": N_("More than half of the panel members"),
    "two_thirds": N_("At least two thirds of the panel members"),
}
DEFAULT_MAJORITY = "simple"
MIN_VALID_REVIEWS = 3

#: Application statuses that never go to a panel.
_NOT_REVIEWED = (ApplicationStatus.WITHDRAWN, ApplicationStatus.FORMAL_FAILED)


# -- looking things up -----------------------------------------------------


def _mapping(session: Session, stmt) -> dict:
    """The first column of each row mapped to the second."""
    return {key: value for key, value in session.execute(stmt)}


def find_batch(session: Session, batch: str | int) -> Batch:
    found = session.get(Batch, batch) if isinstance(batch, int) else None
    if found is None:
        found = session.scalar(select(Batch).where(Batch.name == str(batch)))
    if found is None:
        raise NotFound(_("No batch named {name}.").format(name=batch))
    return found


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


def _require_open(panel: Panel) -> None:
    if panel.status is PanelStatus.FINALIZED:
        raise Refused(_("Panel {name} is finalised; reopen it (with a reason) first.").format(name=panel.name))


# -- panels ----------------------------------------------------------------


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
    rows = _mapping(
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


# -- facts for the 回避 rules -------------------------------------------


def _area_lineage(session: Session) -> dict[int, frozenset[str]]:
    """priority_area.id -> its code with every ancestor's and descendant's code.

    An expert in an area matches an application tagged with that area, a
    broader one containing it, or a narrower one inside it; two sibling
    areas under the same direction do not match."""
    rows = {id_: (code, parent) for id_, code, parent in session.execute(
        select(PriorityArea.id, PriorityArea.code, PriorityArea.parent_id))}  # fmt: skip
    lineage: dict[int, set[str]] = {id_: {code} for id_, (code, _p) in rows.items()}
    for id_, (code, _parent) in rows.items():
        current, depth = rows[id_][1], 0
        while current is not None and current in rows and depth < 10:
            lineage[id_].add(rows[current][0])  # ancestor of id_
            lineage[current].add(code)  # id_ is a descendant of current
            current, depth = rows[current][1], depth + 1
    return {k: frozenset(v) for k, v in lineage.items()}


def expert_facts(session: Session, expert_ids: list[int] | None = None) -> dict[int, ExpertFacts]:
    stmt = select(Expert.id, Expert.name, Expert.unit_id, Unit.name).outerjoin(Unit, Expert.unit_id == Unit.id)
    if expert_ids is not None:
        stmt = stmt.where(Expert.id.in_(expert_ids))
    base = {row[0]: row for row in session.execute(stmt)}
    units: dict[int, set[int]] = {}
    persons: dict[int, set[str]] = {}
    own: dict[int, set[int]] = {}
    rel = select(ExpertRelation).where(ExpertRelation.expert_id.in_(list(base)))
    for relation in session.scalars(rel):
        if relation.kind is RelationKind.UNIT and relation.unit_id is not None:
            units.setdefault(relation.expert_id, set()).add(relation.unit_id)
        elif relation.kind is RelationKind.PERSON and relation.person_name:
            persons.setdefault(relation.expert_id, set()).add(normalise_name(relation.person_name))
        elif relation.kind is RelationKind.OWN_APPLICATION and relation.application_id is not None:
            own.setdefault(relation.expert_id, set()).add(relation.application_id)
    return {
        id_: ExpertFacts(
            id=id_,
            name=name,
            unit_id=unit_id,
            unit_name=unit_name,
            avoid_unit_ids=frozenset(units.get(id_, ())),
            avoid_persons=frozenset(persons.get(id_, ())),
            own_application_ids=frozenset(own.get(id_, ())),
        )  # fmt: skip
        for id_, name, unit_id, unit_name in base.values()
    }


def application_facts(session: Session, application_ids: list[int]) -> dict[int, ApplicationFacts]:
    avoid_ids: dict[int, set[int]] = {}
    avoid_names: dict[int, set[tuple[str, str | None]]] = {}
    for request in session.scalars(select(AvoidRequest).where(AvoidRequest.application_id.in_(application_ids))):
        if request.expert_id is not None:
            avoid_ids.setdefault(request.application_id, set()).add(request.expert_id)
        else:
            avoid_names.setdefault(request.application_id, set()).add(
                (normalise_name(request.expert_name), request.expert_unit or None)
            )
    stmt = select(Application.id, Application.number, Application.unit_id, Application.pi_name).where(
        Application.id.in_(application_ids)
    )
    return {
        id_: ApplicationFacts(
            id=id_,
            number=number,
            unit_id=unit_id,
            pi_name=pi_name or "",
            avoid_expert_ids=frozenset(avoid_ids.get(id_, ())),
            avoid_names=frozenset(avoid_names.get(id_, ())),
        )  # fmt: skip
        for id_, number, unit_id, pi_name in session.execute(stmt)
    }


def staff_exclusions(panel: Panel) -> list[StaffExclusion]:
    return [
        StaffExclusion(int(item["expert_id"]), str(item.get("reason") or ""), item.get("application_id"))
        for item in (panel.settings or {}).get("staff_exclusions", [])
    ]


def panel_conflicts(session: Session, panel: Panel, expert_ids: list[int] | None = None) -> ConflictMatrix:
    apps = group_application_ids(session, panel)
    batch_numbers = _mapping(
        session, select(Application.id, Application.number).where(Application.batch_id == panel.batch_id)
    )
    return conflict_matrix(
        expert_facts(session, expert_ids).values(),
        application_facts(session, apps).values(),
        staff_exclusions=staff_exclusions(panel),
        batch_application_numbers=batch_numbers,
    )


def exclude_expert(
    session: Session, panel_id: int, expert_id: int, reason: str, *, actor: str, application_id: int | None = None
) -> Changes:
    """Staff exclude an expert from this panel (or one of its applications) without being asked."""
    panel = get_panel(session, panel_id)
    _require_open(panel)
    reason = (reason or "").strip()
    if not reason:
        raise UserError(_("Give the reason for excluding the expert."))
    expert = session.get(Expert, expert_id)
    if expert is None:
        raise NotFound(_("No expert with id {id}.").format(id=expert_id))
    items = list((panel.settings or {}).get("staff_exclusions", []))
    items.append({"expert_id": expert_id, "reason": reason, "application_id": application_id})
    panel.settings = {**(panel.settings or {}), "staff_exclusions": items}
    audit.record(
        session, actor=actor, action="panel.exclude", entity_type="panel", entity_id=panel.id,
        batch_id=panel.batch_id, summary=_("Excluded {name}: {reason}").format(name=expert.name, reason=reason),
        details={"expert_id": expert_id, "application_id": application_id, "reason": reason},
    )  # fmt: skip
    return Changes(panels=True)


# -- the draw ----------------------------------------------------------


def _group_area_codes(
    session: Session, application_ids: list[int], lineage: dict[int, frozenset[str]]
) -> frozenset[str]:
    codes: set[str] = set()
    for area_id in session.scalars(
        select(ApplicationArea.area_id).where(
            ApplicationArea.application_id.in_(application_ids), ApplicationArea.source == TagSource.CONFIRMED
        )
    ):
        codes |= lineage.get(area_id, frozenset())
    return frozenset(codes)


def _expert_codes(session: Session) -> dict[int, frozenset[str]]:
    """The experts' own field codes."""
    out: dict[int, set[str]] = {}
    stmt = select(ExpertField.expert_id, PriorityArea.code).join(PriorityArea, ExpertField.area_id == PriorityArea.id)
    for expert_id, code in session.execute(stmt):
        out.setdefault(expert_id, set()).add(code)
    return {k: frozenset(v) for k, v in out.items()}


def _draw_request(session: Session, panel: Panel, size: int, seed: str | None, field_match: bool) -> DrawRequest:
    lineage = _area_lineage(session)
    apps = group_application_ids(session, panel)
    codes = _expert_codes(session)
    pool = [
        Candidate(id_, name, codes.get(id_, frozenset()), status is ExpertStatus.ACTIVE, is_staff)
        for id_, name, status, is_staff in session.execute(
            select(Expert.id, Expert.name, Expert.status, Expert.is_staff).order_by(Expert.id)
        )
    ]
    matrix = panel_conflicts(session, panel)
    conflicts: dict[int, list[str]] = {}
    for candidate in pool:
        reasons = [c.describe() for c in matrix.for_expert(candidate.id)]
        if reasons:
            conflicts[candidate.id] = list(dict.fromkeys(reasons))
    already: dict[int, str] = {}
    for expert_id, status in session.execute(
        select(PanelMember.expert_id, PanelMember.status).where(PanelMember.panel_id == panel.id)
    ):
        already[expert_id] = _("Already on the panel") if status is MemberStatus.ACTIVE else _("Declined this panel")
    return DrawRequest(
        pool=pool, size=size, seed=seed, field_match=field_match,
        group_area_codes=_group_area_codes(session, apps, lineage), conflicts=conflicts, already=already,
        include_staff=bool((panel.settings or {}).get("include_staff")),
    )  # fmt: skip


@dataclass(frozen=True)
class EligibilityView:
    """What a draw would choose from, before drawing (the draw dialog)."""

    eligible: list[tuple[int, str]]
    exclusions: list[tuple[int, str, tuple[str, ...]]]

    def as_json(self) -> dict:
        return {
            "eligible": [{"expert_id": i, "name": n} for i, n in self.eligible],
            "exclusions": [{"expert_id": i, "name": n, "reasons": list(r)} for i, n, r in self.exclusions],
        }


def draw_preview(session: Session, panel_id: int, *, field_match: bool = False) -> EligibilityView:
    panel = get_panel(session, panel_id)
    request = _draw_request(session, panel, 1, None, field_match)
    eligible, exclusions = eligibility(request)
    names = {c.id: c.name for c in request.pool}
    return EligibilityView([(i, names[i]) for i in eligible], [(e.expert_id, e.name, e.reasons) for e in exclusions])


@dataclass(frozen=True)
class DrawOutcome:
    draw_id: int
    panel_id: int
    result: DrawResult
    names: dict[int, str]
    changes: Changes = field(default_factory=Changes)

    def as_json(self) -> dict:
        data = self.result.as_json()
        data.update(
            draw_id=self.draw_id,
            panel_id=self.panel_id,
            drawn_experts=[{"expert_id": i, "name": self.names[i]} for i in self.result.drawn],
        )
        return data


def _store_draw(session: Session, panel: Panel, result: DrawResult, *, redraw: bool, actor: str) -> PanelDraw:
    record = PanelDraw(
        panel_id=panel.id, seed=result.seed, size=result.size, is_redraw=redraw,
        candidates=list(result.candidates), exclusions=[e.as_json() for e in result.exclusions],
        result=list(result.drawn), drawn_by=actor,
    )  # fmt: skip
    session.add(record)
    session.flush()
    for expert_id in result.drawn:
        session.add(PanelMember(panel_id=panel.id, expert_id=expert_id, draw_id=record.id))
    return record


def draw_panel(
    session: Session,
    panel_id: int,
    size: int,
    *,
    actor: str,
    seed: str | None = None,
    field_match: bool = False,
) -> DrawOutcome:
    """Draw ``size`` members at random; refuses (drawing nothing) when too few are eligible."""
    panel = get_panel(session, panel_id)
    _require_open(panel)
    if active_member_ids(session, panel):
        raise Refused(
            _("Panel {name} already has members; replace a member who declines instead of drawing again.").format(
                name=panel.name
            )
        )
    request = _draw_request(session, panel, size, seed, field_match)
    result = draw(request)
    record = _store_draw(session, panel, result, redraw=False, actor=actor)
    panel.status = PanelStatus.DRAWN
    panel.settings = {**(panel.settings or {}), "field_match": field_match}
    names = {c.id: c.name for c in request.pool}
    audit.record(
        session, actor=actor, action="panel.draw", entity_type="panel", entity_id=panel.id, batch_id=panel.batch_id,
        summary=_("Drew {size} experts for panel {name} (seed {seed})").format(
            size=size, name=panel.name, seed=result.seed),
        details={**result.as_json(), "draw_id": record.id, "field_match": field_match},
    )  # fmt: skip
    return DrawOutcome(
        record.id, panel.id, result, names, Changes(panels=True, message=_("Drew {size} experts").format(size=size))
    )


def decline_member(
    session: Session,
    panel_id: int,
    expert_id: int,
    reason: str,
    *,
    actor: str,
    redraw: bool = True,
    seed: str | None = None,
) -> DrawOutcome | None:
    """A drawn expert declines: mark them, and (by default) draw a
    replacement as a recorded redraw. Their assignments without a submitted
    sheet move to the replacement."""
    panel = get_panel(session, panel_id)
    _require_open(panel)
    reason = (reason or "").strip()
    if not reason:
        raise UserError(_("Give the reason the expert declined."))
    member = session.scalar(
        select(PanelMember).where(PanelMember.panel_id == panel.id, PanelMember.expert_id == expert_id)
    )
    if member is None or member.status is not MemberStatus.ACTIVE:
        raise NotFound(_("That expert is not an active member of panel {name}.").format(name=panel.name))
    member.status = MemberStatus.DECLINED
    member.status_reason = reason
    session.flush()
    outcome = None
    if redraw:
        request = _draw_request(session, panel, 1, seed, bool((panel.settings or {}).get("field_match")))
        result = draw(request)
        record = _store_draw(session, panel, result, redraw=True, actor=actor)
        member.replaced_by_id = result.drawn[0]
        names = {c.id: c.name for c in request.pool}
        moved = _move_assignments(session, panel, expert_id, result.drawn[0])
        audit.record(
            session, actor=actor, action="panel.redraw", entity_type="panel", entity_id=panel.id,
            batch_id=panel.batch_id,
            summary=_("{old} declined ({reason}); redrew {new} (seed {seed})").format(
                old=names.get(expert_id, expert_id), reason=reason, new=names[result.drawn[0]], seed=result.seed),
            details={**result.as_json(), "draw_id": record.id, "declined": expert_id, "reason": reason,
                     "moved_assignments": moved},
        )  # fmt: skip
        outcome = DrawOutcome(record.id, panel.id, result, names, Changes(panels=True))
    else:
        audit.record(
            session, actor=actor, action="panel.decline", entity_type="panel", entity_id=panel.id,
            batch_id=panel.batch_id, summary=_("Expert {id} declined: {reason}").format(id=expert_id, reason=reason),
            details={"expert_id": expert_id, "reason": reason},
        )  # fmt: skip
    return outcome


def _move_assignments(session: Session, panel: Panel, old: int, new: int) -> list[int]:
    matrix = panel_conflicts(session, panel, [new])
    moved: list[int] = []
    for item in session.scalars(
        select(Assignment).where(
            Assignment.panel_id == panel.id, Assignment.expert_id == old, Assignment.status == AssignmentStatus.ACTIVE
        )
    ):
        if _sheet(session, item.application_id, old) is not None:
            continue
        item.status = AssignmentStatus.REMOVED
        if matrix.allowed(item.application_id, new) and not session.scalar(
            select(Assignment.id).where(Assignment.application_id == item.application_id, Assignment.expert_id == new)
        ):
            session.add(
                Assignment(panel_id=panel.id, application_id=item.application_id, expert_id=new, method=item.method)
            )
            moved.append(item.application_id)
    return moved


def draws(session: Session, panel_id: int) -> list[PanelDraw]:
    return list(session.scalars(select(PanelDraw).where(PanelDraw.panel_id == panel_id).order_by(PanelDraw.id)))


def add_member(session: Session, panel_id: int, expert_id: int, reason: str, *, actor: str) -> Changes:
    """Staff add a member by hand (recorded with the reason); refused when in conflict."""
    panel = get_panel(session, panel_id)
    _require_open(panel)
    if not (reason or "").strip():
        raise UserError(_("Give the reason for adding a member by hand."))
    expert = session.get(Expert, expert_id)
    if expert is None:
        raise NotFound(_("No expert with id {id}.").format(id=expert_id))
    if expert.status is not ExpertStatus.ACTIVE:
        raise Refused(_("{name} is suspended: {reason}").format(name=expert.name, reason=expert.status_reason or ""))
    matrix = panel_conflicts(session, panel, [expert_id])
    if matrix.group.get(expert_id):
        raise Refused(_("{name} cannot join: {reason}").format(
            name=expert.name, reason="; ".join(c.describe() for c in matrix.group[expert_id])))  # fmt: skip
    if session.scalar(
        select(PanelMember.id).where(PanelMember.panel_id == panel.id, PanelMember.expert_id == expert_id)
    ):
        raise Refused(_("{name} is already listed on this panel.").format(name=expert.name))
    session.add(PanelMember(panel_id=panel.id, expert_id=expert_id, status_reason=reason.strip()))
    if panel.status is PanelStatus.DRAFT:
        panel.status = PanelStatus.DRAWN
    audit.record(
        session, actor=actor, action="panel.member.add", entity_type="panel", entity_id=panel.id,
        batch_id=panel.batch_id, summary=_("Added {name} by hand: {reason}").format(name=expert.name, reason=reason),
        details={"expert_id": expert_id, "reason": reason},
    )  # fmt: skip
    return Changes(panels=True)


@dataclass(frozen=True)
class MemberRow:
    expert_id: int
    name: str
    unit: str | None
    title: str | None
    status: MemberStatus
    reason: str | None
    replaced_by: str | None
    assigned: int


def members(session: Session, panel_id: int) -> list[MemberRow]:
    panel = get_panel(session, panel_id)
    loads = Counter(
        session.scalars(
            select(Assignment.expert_id).where(
                Assignment.panel_id == panel.id, Assignment.status == AssignmentStatus.ACTIVE
            )
        )
    )
    names = _mapping(session, select(Expert.id, Expert.name))
    rows = []
    for member, expert, unit in session.execute(
        select(PanelMember, Expert, Unit.name)
        .join(Expert, PanelMember.expert_id == Expert.id)
        .outerjoin(Unit, Expert.unit_id == Unit.id)
        .where(PanelMember.panel_id == panel.id)
        .order_by(PanelMember.id)
    ):
        rows.append(
            MemberRow(
                expert.id,
                expert.name,
                unit,
                expert.title,
                member.status,
                member.status_reason,
                names.get(member.replaced_by_id) if member.replaced_by_id else None,
                loads[expert.id],
            )  # fmt: skip
        )
    return rows


# -- assignment ----------------------------------------------------------


def _pair_costs(session: Session, application_ids: list[int], expert_ids: list[int]) -> dict[tuple[int, int], int]:
    """Field-match cost of each pair: 0 the application's primary area is
    (or a broader or narrower area) is among the expert's fields, 1 a secondary
    area is, 2 none."""
    lineage = _area_lineage(session)
    codes = _expert_codes(session)
    app_codes: dict[int, dict[str, set[str]]] = {}
    for app_id, area_id, role in session.execute(
        select(ApplicationArea.application_id, ApplicationArea.area_id, ApplicationArea.role).where(
            ApplicationArea.application_id.in_(application_ids), ApplicationArea.source == TagSource.CONFIRMED
        )
    ):
        app_codes.setdefault(app_id, {}).setdefault(role.value, set()).update(lineage.get(area_id, frozenset()))
    costs: dict[tuple[int, int], int] = {}
    for a in application_ids:
        primary = app_codes.get(a, {}).get(AreaRole.PRIMARY.value, set())
        secondary = app_codes.get(a, {}).get(AreaRole.SECONDARY.value, set())
        for e in expert_ids:
            mine = codes.get(e, frozenset())
            if mine & primary:
                costs[(a, e)] = solver.COST_PRIMARY_MATCH
            elif mine & secondary:
                costs[(a, e)] = solver.COST_SECONDARY_MATCH
            else:
                costs[(a, e)] = solver.COST_NO_MATCH
    return costs


@dataclass
class AssignmentPreview:
    """A plan shown before it is applied, with names instead of ids."""

    panel_id: int
    plan: solver.AssignmentPlan
    per_application: int
    max_load: int
    applications: dict[int, str]  # id -> "number title"
    experts: dict[int, str]
    kept: list[tuple[int, int]] = field(default_factory=list)  # existing pairs with a sheet, kept

    def as_json(self) -> dict:
        data = self.plan.as_json()
        for pair in data["pairs"]:
            pair["application"] = self.applications[pair["application_id"]]
            pair["expert"] = self.experts[pair["expert_id"]]
        for item in data["shortfalls"]:
            item["application"] = self.applications[item["application_id"]]
        data["loads"] = {self.experts[int(k)]: v for k, v in data["loads"].items()}
        data.update(panel_id=self.panel_id, per_application=self.per_application, max_load=self.max_load)
        return data


def preview_assignment(
    session: Session, panel_id: int, *, mode: str = "balanced", per_application: int = 3, max_load: int | None = None
) -> AssignmentPreview:
    """Compute (without storing) the assignment of the panel's members to its applications."""
    panel = get_panel(session, panel_id)
    apps = group_application_ids(session, panel)
    experts = active_member_ids(session, panel)
    if not experts:
        raise Refused(_("Panel {name} has no members yet; draw the panel first.").format(name=panel.name))
    matrix = panel_conflicts(session, panel, experts)
    costs = _pair_costs(session, apps, experts)

    declared = {
        (a, e): reason
        for a, e, reason in session.execute(
            select(Assignment.application_id, Assignment.expert_id, Assignment.conflict_reason).where(
                Assignment.panel_id == panel.id, Assignment.status == AssignmentStatus.CONFLICT_DECLARED
            )
        )
    }

    def allowed(a: int, e: int) -> bool:
        return (a, e) not in declared and matrix.allowed(a, e)

    def reasons(a: int, e: int) -> list[str]:
        found = [c.title for c in matrix.reasons(a, e)]
        if (a, e) in declared:
            found.append(_("Conflict declared"))
        return found

    # Pairs that already carry a sheet stay (a re-assignment never drops written work).
    kept = [
        (a, e)
        for a, e in session.execute(
            select(ScoreSheet.application_id, ScoreSheet.reviewer_id).where(
                ScoreSheet.application_id.in_(apps), ScoreSheet.reviewer_id.in_(experts)
            )
        )
        if allowed(a, e)
    ]
    if mode == "whole":
        plan = solver.whole_panel(apps, experts, allowed=allowed, reasons=reasons, cost=costs,
                                  min_reviewers=min(MIN_VALID_REVIEWS, len(experts)))  # fmt: skip
    elif mode == "balanced":
        if max_load is None:
            max_load = -(-len(apps) * per_application // len(experts))  # the even share, rounded up
        plan = solver.balanced(
            apps, experts, per_application=per_application, max_load=max_load,
            allowed=allowed, cost=costs, fixed=kept, reasons=reasons,
        )  # fmt: skip
    else:
        raise UserError(_("Unknown assignment mode {mode}.").format(mode=mode))
    labels = {
        i: f"{n} {t}"
        for i, n, t in session.execute(
            select(Application.id, Application.number, Application.title).where(Application.id.in_(apps))
        )
    }
    names = _mapping(session, select(Expert.id, Expert.name).where(Expert.id.in_(experts)))
    return AssignmentPreview(panel.id, plan, per_application, max_load or len(apps), labels, names, kept)


def apply_assignment(
    session: Session,
    panel_id: int,
    *,
    actor: str,
    mode: str = "balanced",
    per_application: int = 3,
    max_load: int | None = None,
) -> tuple[AssignmentPreview, Changes]:
    """Compute the plan again and store it; refuses an infeasible request
    (balanced mode) with the per-application explanation."""
    panel = get_panel(session, panel_id)
    _require_open(panel)
    preview = preview_assignment(session, panel_id, mode=mode, per_application=per_application, max_load=max_load)
    plan = preview.plan
    if mode == "balanced" and not plan.feasible:
        lines = [f"{preview.applications[s.application_id]}: {s.reason}" for s in plan.shortfalls[:5]]
        more = len(plan.shortfalls) - len(lines)
        raise Refused(
            _("{count} applications cannot get {k} reviewers: {details}").format(
                count=len(plan.shortfalls), k=per_application, details=" | ".join(lines)
            )
            + (_(" (and {more} more)").format(more=more) if more > 0 else "")
        )
    wanted = set(plan.pairs)
    existing = {
        (a.application_id, a.expert_id): a
        for a in session.scalars(select(Assignment).where(Assignment.panel_id == panel.id))
    }
    added = removed = 0
    for pair, item in existing.items():
        if pair not in wanted and item.status is AssignmentStatus.ACTIVE:
            item.status = AssignmentStatus.REMOVED
            removed += 1
    for a, e in plan.pairs:
        item = existing.get((a, e))
        if item is None:
            session.add(Assignment(panel_id=panel.id, application_id=a, expert_id=e, method=mode))
            added += 1
        elif item.status is AssignmentStatus.REMOVED:
            item.status = AssignmentStatus.ACTIVE
            item.method = mode
            added += 1
    panel.status = PanelStatus.ASSIGNED
    panel.settings = {**(panel.settings or {}), "assignment_mode": mode, "per_application": per_application,
                      "max_load": preview.max_load}  # fmt: skip
    audit.record(
        session, actor=actor, action="panel.assign", entity_type="panel", entity_id=panel.id, batch_id=panel.batch_id,
        summary=_("Assigned {pairs} reviews in panel {name} ({mode})").format(
            pairs=len(plan.pairs), name=panel.name, mode=mode),
        details={"mode": mode, "per_application": per_application, "max_load": preview.max_load, "added": added,
                 "removed": removed, "mismatch_cost": plan.mismatch_cost, "field_matches": plan.field_matches,
                 "pairs": [list(p) for p in plan.pairs]},
    )  # fmt: skip
    return preview, Changes(panels=True, message=_("Assigned {pairs} reviews").format(pairs=len(plan.pairs)))


def _sheet(session: Session, application_id: int, expert_id: int) -> ScoreSheet | None:
    return session.scalar(
        select(ScoreSheet)
        .where(ScoreSheet.application_id == application_id, ScoreSheet.reviewer_id == expert_id)
        .order_by(ScoreSheet.id.desc())
        .limit(1)
    )


def _application_in_panel(session: Session, panel: Panel, application_id: int) -> Application:
    if application_id not in group_application_ids(session, panel):
        raise NotFound(_("That application is not in panel {name}.").format(name=panel.name))
    return session.get(Application, application_id)


def add_assignment(session: Session, panel_id: int, application_id: int, expert_id: int, *, actor: str) -> Changes:
    """Assign one reviewer by hand; refused, with the reason, when in conflict."""
    panel = get_panel(session, panel_id)
    _require_open(panel)
    application = _application_in_panel(session, panel, application_id)
    expert = session.get(Expert, expert_id)
    if expert is None:
        raise NotFound(_("No expert with id {id}.").format(id=expert_id))
    if expert.status is not ExpertStatus.ACTIVE:
        raise Refused(_("{name} is suspended: {reason}").format(name=expert.name, reason=expert.status_reason or ""))
    matrix = panel_conflicts(session, panel, [expert_id])
    if not matrix.allowed(application_id, expert_id):
        raise Refused(
            _("{name} may not review {number}: {reason}").format(
                name=expert.name,
                number=application.number,
                reason="; ".join(c.describe() for c in matrix.reasons(application_id, expert_id)),
            )  # fmt: skip
        )
    if expert_id not in active_member_ids(session, panel):
        raise Refused(_("{name} is not an active member of panel {panel}.").format(name=expert.name, panel=panel.name))
    item = session.scalar(
        select(Assignment).where(Assignment.application_id == application_id, Assignment.expert_id == expert_id)
    )
    if item is not None and item.status is AssignmentStatus.ACTIVE:
        raise Refused(_("{name} already reviews {number}.").format(name=expert.name, number=application.number))
    if item is not None and item.status is AssignmentStatus.CONFLICT_DECLARED:
        raise Refused(_("{name} declared a conflict with {number}: {reason}").format(
            name=expert.name, number=application.number, reason=item.conflict_reason or ""))  # fmt: skip
    if item is None:
        session.add(Assignment(panel_id=panel.id, application_id=application_id, expert_id=expert_id, method="manual"))
    else:
        item.status = AssignmentStatus.ACTIVE
        item.method = "manual"
    audit.record(
        session, actor=actor, action="assignment.add", entity_type="application", entity_id=application_id,
        batch_id=panel.batch_id, summary=_("Assigned {name} to {number} by hand").format(
            name=expert.name, number=application.number),
        details={"panel_id": panel.id, "expert_id": expert_id},
    )  # fmt: skip
    return Changes(panels=True)


def remove_assignment(session: Session, panel_id: int, application_id: int, expert_id: int, *, actor: str) -> Changes:
    panel = get_panel(session, panel_id)
    _require_open(panel)
    item = session.scalar(
        select(Assignment).where(
            Assignment.panel_id == panel.id,
            Assignment.application_id == application_id,
            Assignment.expert_id == expert_id,
            Assignment.status == AssignmentStatus.ACTIVE,
        )  # fmt: skip
    )
    if item is None:
        raise NotFound(_("No such assignment."))
    sheet = _sheet(session, application_id, expert_id)
    if sheet is not None and sheet.status is SheetStatus.SUBMITTED:
        raise Refused(_("The expert already submitted a sheet for it; declare a conflict instead of removing."))
    item.status = AssignmentStatus.REMOVED
    audit.record(
        session, actor=actor, action="assignment.remove", entity_type="application", entity_id=application_id,
        batch_id=panel.batch_id, summary=_("Removed reviewer {id}").format(id=expert_id),
        details={"panel_id": panel.id, "expert_id": expert_id},
    )  # fmt: skip
    return Changes(panels=True)


def declare_conflict(
    session: Session, panel_id: int, application_id: int, expert_id: int, reason: str, *, actor: str
) -> Changes:
    """An expert declares a conflict on opening an application: the
    assignment is marked, any sheet of theirs is excluded from the results,
    and the application shows that it needs a replacement reviewer."""
    panel = get_panel(session, panel_id)
    application = _application_in_panel(session, panel, application_id)
    reason = (reason or "").strip()
    if not reason:
        raise UserError(_("Give the reason for the conflict."))
    item = session.scalar(
        select(Assignment).where(
            Assignment.panel_id == panel.id,
            Assignment.application_id == application_id,
            Assignment.expert_id == expert_id,
        )  # fmt: skip
    )
    if item is None or item.status is AssignmentStatus.REMOVED:
        raise NotFound(_("That expert is not assigned to {number}.").format(number=application.number))
    item.status = AssignmentStatus.CONFLICT_DECLARED
    item.conflict_reason = reason
    excluded = []
    for sheet in session.scalars(
        select(ScoreSheet).where(ScoreSheet.application_id == application_id, ScoreSheet.reviewer_id == expert_id)
    ):
        sheet.excluded = True
        sheet.excluded_reason = reason
        excluded.append(sheet.id)
    session.flush()
    _recompute(session, application_id, actor)
    audit.record(
        session, actor=actor, action="assignment.conflict", entity_type="application", entity_id=application_id,
        batch_id=panel.batch_id,
        summary=_("Conflict declared on {number}: {reason}; a replacement reviewer is needed").format(
            number=application.number, reason=reason),
        details={"panel_id": panel.id, "expert_id": expert_id, "reason": reason, "excluded_sheets": excluded},
    )  # fmt: skip
    return Changes(panels=True, sheets=bool(excluded), applications=True)


def replace_reviewer(session: Session, panel_id: int, application_id: int, *, actor: str) -> tuple[int, Changes]:
    """Give an application one more reviewer from the panel: the best
    field match without a conflict, the least loaded among equals."""
    panel = get_panel(session, panel_id)
    _require_open(panel)
    application = _application_in_panel(session, panel, application_id)
    experts = active_member_ids(session, panel)
    taken = set(session.scalars(select(Assignment.expert_id).where(Assignment.application_id == application_id)))
    matrix = panel_conflicts(session, panel, experts)
    candidates = [e for e in experts if e not in taken and matrix.allowed(application_id, e)]
    if not candidates:
        raise Refused(
            _("No member of panel {name} is free of conflict and not yet on {number}; add a member first.").format(
                name=panel.name, number=application.number
            )
        )
    costs = _pair_costs(session, [application_id], candidates)
    loads = Counter(
        session.scalars(
            select(Assignment.expert_id).where(
                Assignment.panel_id == panel.id, Assignment.status == AssignmentStatus.ACTIVE
            )
        )
    )
    best = min(candidates, key=lambda e: (costs[(application_id, e)], loads[e], e))
    session.add(Assignment(panel_id=panel.id, application_id=application_id, expert_id=best, method="manual"))
    audit.record(
        session, actor=actor, action="assignment.replace", entity_type="application", entity_id=application_id,
        batch_id=panel.batch_id, summary=_("Added replacement reviewer {id} to {number}").format(
            id=best, number=application.number),
        details={"panel_id": panel.id, "expert_id": best},
    )  # fmt: skip
    return best, Changes(panels=True)


# -- sheet status ----------------------------------------------------------

STATE_MISSING = "missing"
STATE_DRAFT = "draft"
STATE_SUBMITTED = "submitted"
STATE_LATE = "late"
STATE_CONFLICT = "conflict"

STATE_LABELS = {
    STATE_MISSING: N_("Missing"),
    STATE_DRAFT: N_("Draft"),
    STATE_SUBMITTED: N_("Submitted"),
    STATE_LATE: N_("Late"),
    STATE_CONFLICT: N_("Conflict declared"),
}


@dataclass(frozen=True)
class SheetStatusRow:
    application_id: int
    number: str
    title: str
    expert_id: int
    expert: str
    state: str
    sheet_id: int | None
    total: object
    locked: bool
    note: str

    @property
    def state_label(self) -> str:
        return _(STATE_LABELS[self.state])

    def as_json(self) -> dict:
        return {
            "application_id": self.application_id,
            "number": self.number,
            "expert": self.expert,
            "state": self.state,
            "sheet_id": self.sheet_id,
            "locked": self.locked,
            "note": self.note,
        }


@dataclass
class PanelStatusView:
    rows: list[SheetStatusRow]
    needs_replacement: dict[int, str]  # application id -> "number: n of k valid reviewers"
    counts: dict[str, int]

    def as_json(self) -> dict:
        return {
            "rows": [r.as_json() for r in self.rows],
            "needs_replacement": {str(k): v for k, v in self.needs_replacement.items()},
            "counts": self.counts,
        }


def sheet_status(session: Session, panel_id: int, *, today: dt.date | None = None) -> PanelStatusView:
    """For each assignment: missing, draft, submitted, late (past the due date
    and not submitted) or in conflict; and the applications short of reviewers."""
    panel = get_panel(session, panel_id)
    today = today or dt.date.today()
    late = panel.due_date is not None and today > panel.due_date
    apps = group_application_ids(session, panel)
    sheets = {
        (s.application_id, s.reviewer_id): s
        for s in session.scalars(select(ScoreSheet).where(ScoreSheet.application_id.in_(apps)).order_by(ScoreSheet.id))
    }
    rows: list[SheetStatusRow] = []
    stmt = (
        select(Assignment, Application.number, Application.title, Expert.name)
        .join(Application, Assignment.application_id == Application.id)
        .join(Expert, Assignment.expert_id == Expert.id)
        .where(Assignment.panel_id == panel.id, Assignment.status != AssignmentStatus.REMOVED)
        .order_by(Application.number, Expert.name)
    )
    for item, number, title, name in session.execute(stmt):
        sheet = sheets.get((item.application_id, item.expert_id))
        note = ""
        if item.status is AssignmentStatus.CONFLICT_DECLARED or (sheet is not None and sheet.excluded):
            state = STATE_CONFLICT
            note = item.conflict_reason or (sheet.excluded_reason if sheet else "") or ""
        elif sheet is not None and sheet.status is SheetStatus.SUBMITTED:
            state = STATE_SUBMITTED
        elif late:
            state = STATE_LATE
            note = _("due {date}").format(date=panel.due_date.isoformat())
        elif sheet is not None:
            state = STATE_DRAFT
        else:
            state = STATE_MISSING
        rows.append(
            SheetStatusRow(
                item.application_id,
                number,
                title,
                item.expert_id,
                name,
                state,
                sheet.id if sheet else None,
                sheet.total if sheet else None,
                bool(sheet and sheet.locked),
                note,
            )  # fmt: skip
        )
    target = int((panel.settings or {}).get("per_application") or 0)
    active = Counter(r.application_id for r in rows if r.state != STATE_CONFLICT)
    conflicts = Counter(r.application_id for r in rows if r.state == STATE_CONFLICT)
    numbers = _mapping(session, select(Application.id, Application.number).where(Application.id.in_(apps)))
    needs: dict[int, str] = {}
    for a in apps:
        want = target or (active[a] + conflicts[a])
        if conflicts[a] and active[a] < want or (target and active[a] < target):
            needs[a] = _("{number}: {active} of {want} reviewers left after conflicts").format(
                number=numbers[a], active=active[a], want=want
            )
    counts = Counter(r.state for r in rows)
    return PanelStatusView(rows, needs, {k: counts.get(k, 0) for k in STATE_LABELS})


# -- finalise / reopen ----------------------------------------------------


def _recompute(session: Session, application_id: int, actor: str) -> None:
    """Ask the scoring service to rewrite the panel figures, when it exists."""
    try:
        from reviewtool.services import scoresheets
    except ImportError:  # pragma: no cover - the scoring feature is not installed
        return
    recompute = getattr(scoresheets, "recompute_panel_result", None)
    if recompute is not None:
        recompute(session, application_id)


def finalize_panel(session: Session, panel_id: int, *, actor: str, allow_missing: bool = False) -> Changes:
    """Lock every sheet of the panel and freeze the panel results."""
    panel = get_panel(session, panel_id)
    _require_open(panel)
    view = sheet_status(session, panel_id)
    open_rows = [r for r in view.rows if r.state in (STATE_MISSING, STATE_DRAFT, STATE_LATE)]
    if open_rows and not allow_missing:
        raise Refused(
            _("{count} sheets are not submitted yet (e.g. {example}); finalise anyway only on purpose.").format(
                count=len(open_rows), example=f"{open_rows[0].number} / {open_rows[0].expert}"
            )
        )
    apps = group_application_ids(session, panel)
    for app_id in apps:
        _recompute(session, app_id, actor)
    from reviewtool.services.calibration import store_normalised

    store_normalised(session, panel.batch_id, actor=actor)
    sheets = list(session.scalars(select(ScoreSheet).where(ScoreSheet.application_id.in_(apps))))
    for sheet in sheets:
        sheet.locked = True
    for result in session.scalars(select(PanelResult).where(PanelResult.application_id.in_(apps))):
        result.locked = True
    panel.status = PanelStatus.FINALIZED
    panel.finalized_at = dt.datetime.now(dt.UTC).replace(tzinfo=None)
    panel.finalized_by = actor
    audit.record(
        session, actor=actor, action="panel.finalize", entity_type="panel", entity_id=panel.id,
        batch_id=panel.batch_id, summary=_("Finalised panel {name}; {count} sheets locked").format(
            name=panel.name, count=len(sheets)),
        details={"locked_sheets": [s.id for s in sheets], "unsubmitted": len(open_rows)},
    )  # fmt: skip
    return Changes(panels=True, sheets=True, message=_("Finalised panel {name}").format(name=panel.name))


def reopen_panel(session: Session, panel_id: int, reason: str, *, actor: str) -> Changes:
    panel = get_panel(session, panel_id)
    if panel.status is not PanelStatus.FINALIZED:
        raise Refused(_("Panel {name} is not finalised.").format(name=panel.name))
    reason = (reason or "").strip()
    if not reason:
        raise UserError(_("Reopening a finalised panel needs a reason."))
    apps = group_application_ids(session, panel)
    sheets = list(session.scalars(select(ScoreSheet).where(ScoreSheet.application_id.in_(apps))))
    for sheet in sheets:
        sheet.locked = False
    for result in session.scalars(select(PanelResult).where(PanelResult.application_id.in_(apps))):
        result.locked = False
    panel.status = PanelStatus.ASSIGNED
    audit.record(
        session, actor=actor, action="panel.reopen", entity_type="panel", entity_id=panel.id,
        batch_id=panel.batch_id, summary=_("Reopened panel {name}: {reason}").format(name=panel.name, reason=reason),
        details={"reason": reason, "finalized_at": panel.finalized_at.isoformat() if panel.finalized_at else None,
                 "finalized_by": panel.finalized_by},
    )  # fmt: skip
    panel.finalized_at = None
    panel.finalized_by = None
    return Changes(panels=True, sheets=True, message=_("Reopened panel {name}").format(name=panel.name))


# -- meeting votes --------------------------------------------------------


def record_vote(
    session: Session, panel_id: int, application_id: int, expert_id: int, choice: VoteChoice, *, actor: str
) -> Changes:
    panel = get_panel(session, panel_id)
    _require_open(panel)
    application = _application_in_panel(session, panel, application_id)
    if expert_id not in active_member_ids(session, panel):
        raise Refused(_("Only active members of the panel vote."))
    matrix = panel_conflicts(session, panel, [expert_id])
    declared = session.scalar(
        select(Assignment.id).where(
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


def vote_labels(session: Session, batch_id: int) -> dict[int, str]:
    """Application id → its meeting-vote result as shown beside the scores in
    results and exports, e.g. "通过（赞成 5 · 反对 1 · 弃权 1）"; only applications someone voted on."""
    labels: dict[int, str] = {}
    for panel_id in session.scalars(select(Panel.id).where(Panel.batch_id == batch_id).order_by(Panel.id)):
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
    numbers = _mapping(session, select(Application.id, Application.number).where(Application.id.in_(apps)))
    out = []
    for a in sorted(apps, key=lambda x: numbers[x]):
        eligible = sum(1 for e in experts if matrix.allowed(a, e) and (a, e) not in declared)
        t = tallies[a]
        f, ag, ab = t[VoteChoice.FOR], t[VoteChoice.AGAINST], t[VoteChoice.ABSTAIN]
        passed = None if f + ag + ab == 0 else majority_passes(rule, f, ag, ab, eligible)
        out.append(VoteOutcome(a, numbers[a], f, ag, ab, eligible, passed, rule))
    return out
