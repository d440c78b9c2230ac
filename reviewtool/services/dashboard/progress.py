"""Where a batch's call stands (批次进度), step by step, with what to do next.

The steps, in the order a call runs: applications received; formal review
(passed, failed, pending); for each expert stage: panels drawn, members
confirmed, sheets submitted out of those due, overdue, conflicts declared,
finalised; the funding line; the 公示 (open or closed); objections pending.
Each step has a state (done / in progress / to do / waiting for an earlier
step), its counts, one sentence saying what to do next, and the page that
does it (a page key the main window knows).

Reads only. The counts are the same for the page and ``reviewtool-cli
dashboard --json``.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass, field, replace

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from reviewtool.core.enums import (
    ApplicationStatus,
    AssignmentStatus,
    Invitation,
    MemberStatus,
    ObjectionOutcome,
    PanelStatus,
    SheetStatus,
    StageStatus,
)
from reviewtool.i18n import N_, _
from reviewtool.services.batches.batch import find_batch
from reviewtool.storage.models import Application, Assignment, Objection, Panel, PanelMember, ScoreSheet

DONE, DOING, TODO, WAITING = "done", "doing", "todo", "waiting"
STATE_LABELS = {DONE: N_("Done"), DOING: N_("In progress"), TODO: N_("To do"), WAITING: N_("Waiting")}


#: The main window's pages a step opens (``MainWindow.select_page`` keys); promotion is on 申报批次 → 评审阶段….
PAGES = ("applications", "batches", "panels", "dashboard", "funding", "publicity")


@dataclass(frozen=True)
class Step:
    """One step of the call; ``page`` is one of ``PAGES``."""

    key: str  # received, formal, stage:<id>, funding, publicity, objections
    title: str
    state: str
    summary: str  # the counts in one line
    next: str  # what to do next ('' when done)
    page: str  # page key of the main window that does it
    counts: dict = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.page not in PAGES:  # a key no page answers to would open the fallback page
            raise ValueError(f"unknown page {self.page!r}")

    @property
    def state_label(self) -> str:
        return _(STATE_LABELS[self.state])

    def as_json(self) -> dict:
        return {
            "key": self.key,
            "title": self.title,
            "state": self.state,
            "summary": self.summary,
            "next": self.next,
            "page": self.page,
            "counts": self.counts,
        }


@dataclass(frozen=True)
class StageProgress:
    id: int
    name: str
    status: StageStatus
    applications: int
    panels: int
    panels_drawn: int
    members_confirmed: int
    members_pending: int
    members_declined: int
    sheets_due: int
    sheets_submitted: int
    sheets_overdue: int
    conflicts: int
    assigned: bool

    @property
    def finalised(self) -> bool:
        return self.status is StageStatus.FINALISED

    def as_json(self) -> dict:
        return {
            "name": self.name,
            "status": self.status.value,
            "applications": self.applications,
            "panels": self.panels,
            "panels_drawn": self.panels_drawn,
            "members_confirmed": self.members_confirmed,
            "members_pending": self.members_pending,
            "members_declined": self.members_declined,
            "sheets_due": self.sheets_due,
            "sheets_submitted": self.sheets_submitted,
            "sheets_overdue": self.sheets_overdue,
            "conflicts": self.conflicts,
            "finalised": self.finalised,
        }


@dataclass(frozen=True)
class Dashboard:
    batch_id: int
    batch: str
    received: int
    formal: dict[str, int]  # passed / failed / pending
    stages: tuple[StageProgress, ...]
    funding: dict
    publicity: dict
    objections: dict[str, int]
    steps: tuple[Step, ...]

    def as_json(self) -> dict:
        return {
            "batch": self.batch,
            "received": self.received,
            "formal_review": dict(self.formal),
            "stages": [s.as_json() for s in self.stages],
            "funding": dict(self.funding),
            "publicity": dict(self.publicity),
            "objections": dict(self.objections),
            "steps": [s.as_json() for s in self.steps],
        }


# -- counting -----------------------------------------------------------------


def stage_progress(session: Session, stage, *, today: dt.date) -> StageProgress:
    from reviewtool.services.stages.reach import stage_application_ids

    apps = stage_application_ids(session, stage)
    panels = list(session.scalars(select(Panel).where(Panel.stage_id == stage.id).order_by(Panel.id)))
    panel_ids = [p.id for p in panels]
    members = Counter()
    drawn = set()
    for panel_id, status, invitation in session.execute(
        select(PanelMember.panel_id, PanelMember.status, PanelMember.invitation).where(
            PanelMember.panel_id.in_(panel_ids)
        )
    ):
        drawn.add(panel_id)
        if status is MemberStatus.DECLINED or invitation is Invitation.DECLINED:
            members["declined"] += 1
        elif invitation is Invitation.CONFIRMED:
            members["confirmed"] += 1
        else:
            members["pending"] += 1
    due_by_panel = {p.id: p.due_date for p in panels}
    submitted_pairs = {
        (a, e)
        for a, e in session.execute(
            select(ScoreSheet.application_id, ScoreSheet.reviewer_id).where(
                ScoreSheet.stage_id == stage.id, ScoreSheet.status == SheetStatus.SUBMITTED
            )
        )
    }
    due = submitted = overdue = conflicts = 0
    for panel_id, application_id, expert_id, status in session.execute(
        select(Assignment.panel_id, Assignment.application_id, Assignment.expert_id, Assignment.status).where(
            Assignment.stage_id == stage.id, Assignment.status != AssignmentStatus.REMOVED
        )
    ):
        if status is AssignmentStatus.CONFLICT_DECLARED:
            conflicts += 1
            continue
        due += 1
        if (application_id, expert_id) in submitted_pairs:
            submitted += 1
        elif due_by_panel.get(panel_id) is not None and today > due_by_panel[panel_id]:
            overdue += 1
    assigned = due + conflicts > 0 or any(p.status in (PanelStatus.ASSIGNED, PanelStatus.FINALIZED) for p in panels)
    return StageProgress(
        stage.id, stage.name, stage.status, len(apps), len(panels), len(drawn), members["confirmed"],
        members["pending"], members["declined"], due, submitted, overdue, conflicts, assigned,
    )  # fmt: skip


def _formal_counts(session: Session, batch_id: int) -> tuple[int, dict[str, int]]:
    statuses = Counter(session.scalars(select(Application.status).where(Application.batch_id == batch_id)))
    received = sum(statuses.values())
    failed = statuses[ApplicationStatus.FORMAL_FAILED]
    pending = statuses[ApplicationStatus.RECEIVED]
    withdrawn = statuses[ApplicationStatus.WITHDRAWN]
    return received, {"passed": received - failed - pending - withdrawn, "failed": failed, "pending": pending,
                      "withdrawn": withdrawn}  # fmt: skip


def _stage_step(p: StageProgress, previous_done: bool) -> Step:
    counts = p.as_json()
    summary = _(
        "{apps} applications; panels drawn {drawn}/{panels}; members confirmed {confirmed} (awaiting {pending}, "
        "declined {declined}); sheets {submitted}/{due} submitted, {overdue} overdue; conflicts {conflicts}"
    ).format(
        apps=p.applications, drawn=p.panels_drawn, panels=p.panels, confirmed=p.members_confirmed,
        pending=p.members_pending, declined=p.members_declined, submitted=p.sheets_submitted, due=p.sheets_due,
        overdue=p.sheets_overdue, conflicts=p.conflicts,
    )  # fmt: skip
    key = f"stage:{p.id}"
    if p.finalised:
        return Step(key, p.name, DONE, summary + _("; finalised"), "", "panels", counts)
    if not p.applications:
        text = _(
            "No application has reached this stage yet: promote from the stage before it (申报批次 → 评审阶段… → 晋级…)."
        )
        return Step(key, p.name, WAITING if not previous_done else TODO, summary, text, "batches", counts)
    if not p.panels or p.panels_drawn < p.panels:
        text = _("Create the stage's panel and draw its experts.")
        return Step(key, p.name, TODO if previous_done else WAITING, summary, text, "panels", counts)
    if p.members_pending:
        text = _("Record the answers of {count} invited experts (confirmed or declined).").format(
            count=p.members_pending
        )
        return Step(key, p.name, DOING, summary, text, "panels", counts)
    if not p.assigned:
        return Step(key, p.name, DOING, summary, _("Assign reviewers to the applications."), "panels", counts)
    missing = p.sheets_due - p.sheets_submitted
    if missing:
        text = _("Collect {missing} missing sheets ({overdue} overdue): call the experts on the reminder list.").format(
            missing=missing, overdue=p.sheets_overdue
        )
        return Step(key, p.name, DOING, summary, text, "dashboard", counts)
    return Step(key, p.name, DOING, summary, _("Every sheet is in: finalise the stage."), "panels", counts)


def dashboard(session: Session, batch: str | int, *, today: dt.date | None = None) -> Dashboard:
    """Every step of the batch's call, counted."""
    from reviewtool.services.funding import funding_view
    from reviewtool.services.publicity.notice import publicity_view
    from reviewtool.services.stages.reach import expert_stages

    today = today or dt.date.today()
    found = find_batch(session, batch)
    received, formal = _formal_counts(session, found.id)
    steps: list[Step] = []
    steps.append(
        Step(
            "received",
            _("Applications received"),
            DONE if received else TODO,
            _("{count} applications").format(count=received),
            "" if received else _("Import the summary sheet (申报汇总表)."),
            "applications",
            {"received": received},
        )
    )
    formal_done = received > 0 and formal["pending"] == 0
    steps.append(
        Step(
            "formal",
            _("Formal review"),
            DONE if formal_done else (TODO if received else WAITING),
            _("{passed} passed, {failed} failed, {pending} pending").format(**formal),
            ""
            if formal_done
            else _("Record the formal review of {count} applications.").format(count=formal["pending"]),
            "applications",
            dict(formal),
        )
    )
    stages = tuple(stage_progress(session, s, today=today) for s in expert_stages(session, found.id))
    previous_done = formal_done
    for progress in stages:
        step = _stage_step(progress, previous_done)
        steps.append(step)
        previous_done = step.state == DONE or (not progress.applications and previous_done)
    view = funding_view(session, found.id)
    funded = sum(1 for r in view.rows if r.funded)
    funding = {
        "line_drawn": funded > 0 and view.budget is not None,
        "budget": None if view.budget is None else str(view.budget),
        "used": str(view.used),
        "funded": funded,
        "draft": view.draft,
    }
    if funding["line_drawn"] and not view.draft:
        # The review ended before a stage nobody reached (a call without 会评): nothing to do there.
        skipped = _("No application reached this stage: the review ended before it.")
        steps = [
            replace(step, state=WAITING, next=skipped)
            if step.key.startswith("stage:") and step.state == TODO and not step.counts.get("applications")
            else step
            for step in steps
        ]
    if funding["line_drawn"]:
        fstate, fnext = (
            (DOING, _("The review is not final yet: the line may still move.")) if view.draft else (DONE, "")
        )
    else:
        fstate = TODO if not view.draft else WAITING
        fnext = _("Set the batch's budget and draw the funding line.")
    budget_text = _("no budget") if view.budget is None else _("budget {budget}").format(budget=view.budget)
    steps.append(
        Step(
            "funding",
            _("Funding line"),
            fstate,
            _("{funded} within the line, {used} of {budget} (10k yuan)").format(
                funded=funded, used=view.used, budget=budget_text
            ),
            fnext,
            "funding",
            funding,
        )
    )
    pub = publicity_view(session, found.id)
    publicity = {
        "status": pub.status.value if pub.status else "none",
        "starts_on": pub.starts_on.isoformat() if pub.starts_on else None,
        "ends_on": pub.ends_on.isoformat() if pub.ends_on else None,
        "published": len(pub.rows),
    }
    open_objections = list(
        session.scalars(select(Objection).where(Objection.batch_id == found.id, Objection.closed_on.is_(None)))
    )
    objections = {
        "total": session.scalar(select(func.count(Objection.id)).where(Objection.batch_id == found.id)) or 0,
        "pending": len(open_objections),
        "undecided": sum(1 for o in open_objections if o.outcome is ObjectionOutcome.PENDING),
        "overdue": sum(1 for o in open_objections if o.outcome is ObjectionOutcome.PENDING and today > o.deadline),
    }
    if pub.final:
        pstate, pnext = DONE, ""
    elif pub.is_open:
        pstate = DOING
        pnext = (
            _("The notice period has ended: close the 公示 to make the decisions final.")
            if today > pub.ends_on
            else _("The 公示 runs until {date}; register any objection received.").format(date=pub.ends_on.isoformat())
        )
    else:
        pstate = TODO if funding["line_drawn"] and not view.draft else WAITING
        pnext = _("Open the 公示: the list within the funding line is frozen and published.")
    steps.append(Step("publicity", _("Public notice"), pstate, pub.label(), pnext, "publicity", publicity))
    if objections["pending"]:
        ostate = DOING
        onext = _("Handle {count} open objections ({overdue} past their answer date).").format(
            count=objections["pending"], overdue=objections["overdue"]
        )
    else:
        ostate, onext = (DONE if objections["total"] or pub.final else (TODO if pub.is_open else WAITING)), ""
    steps.append(
        Step(
            "objections",
            _("Objections"),
            ostate,
            _("{pending} open of {total}").format(pending=objections["pending"], total=objections["total"]),
            onext,
            "publicity",
            objections,
        )
    )
    return Dashboard(found.id, found.name, received, formal, stages, funding, publicity, objections, tuple(steps))
