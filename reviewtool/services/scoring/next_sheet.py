"""Which sheet comes next when a clerk transcribes paper sheets one after
another (保存并录入下一份).

The same expert's next assigned application (by 申报编号) whose sheet is not
yet submitted; when that expert has none left, the next expert of the batch
(by name) with an assigned sheet still open, at their first such
application. An expert with no assignment in the batch (a reviewer picked by
hand) goes on through the batch's applications in number order. All within
one review stage (default: the application's last). Reads only.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from reviewtool.core.enums import AssignmentStatus, SheetStatus
from reviewtool.core.errors import NotFound
from reviewtool.i18n import _
from reviewtool.services.scoring.ranking import EXCLUDED_STATUSES
from reviewtool.services.stages.reach import application_stage, get_stage, stage_application_ids
from reviewtool.storage.models import Application, Assignment, Expert, ScoreSheet


@dataclass(frozen=True)
class SheetTarget:
    application_id: int
    reviewer_id: int
    number: str
    reviewer: str

    def label(self) -> str:
        return _("{number} — {reviewer}").format(number=self.number, reviewer=self.reviewer)


def _submitted(session: Session, application_ids: list[int], stage_id: int) -> set[tuple[int, int]]:
    if not application_ids:
        return set()
    rows = session.execute(
        select(ScoreSheet.application_id, ScoreSheet.reviewer_id).where(
            ScoreSheet.stage_id == stage_id,
            ScoreSheet.application_id.in_(application_ids),
            ScoreSheet.status == SheetStatus.SUBMITTED,
        )
    )
    return {(a, r) for a, r in rows}


def _target(row) -> SheetTarget:
    application_id, number, reviewer_id, reviewer = row
    return SheetTarget(application_id, reviewer_id, number, reviewer)


def next_sheet(
    session: Session, application_id: int, reviewer_id: int, stage_id: int | None = None
) -> SheetTarget | None:
    """The sheet to transcribe after (application, reviewer) in the stage, or ``None`` when none is left."""
    current = session.get(Application, application_id)
    if current is None:
        raise NotFound(_("No application with id {id}.").format(id=application_id))
    if stage_id is None:
        stage_id = application_stage(session, application_id).id
    rows = session.execute(
        select(Application.id, Application.number, Expert.id, Expert.name)
        .join(Assignment, Assignment.application_id == Application.id)
        .join(Expert, Assignment.expert_id == Expert.id)
        .where(
            Application.batch_id == current.batch_id,
            Assignment.stage_id == stage_id,
            Assignment.status == AssignmentStatus.ACTIVE,
            Application.status.not_in(EXCLUDED_STATUSES),
        )
        .order_by(Expert.name, Expert.id, Application.number)
    ).all()
    done = _submitted(session, list({r[0] for r in rows}), stage_id)
    mine = [r for r in rows if r[2] == reviewer_id]
    if not mine:
        return _next_in_batch(session, current, reviewer_id, stage_id)
    open_rows = [r for r in rows if (r[0], r[2]) not in done and (r[0], r[2]) != (application_id, reviewer_id)]
    same_expert = [r for r in open_rows if r[2] == reviewer_id and r[1] > current.number]
    if same_expert:
        return _target(same_expert[0])
    names = {r[2]: (r[3], r[2]) for r in rows}
    after = [r for r in open_rows if names[r[2]] > names[reviewer_id]]
    before = [r for r in open_rows if r[2] != reviewer_id and names[r[2]] < names[reviewer_id]]
    earlier_mine = [r for r in open_rows if r[2] == reviewer_id]
    for candidates in (after, before, earlier_mine):
        if candidates:
            return _target(candidates[0])
    return None


def _next_in_batch(session: Session, current: Application, reviewer_id: int, stage_id: int) -> SheetTarget | None:
    reviewer = session.get(Expert, reviewer_id)
    if reviewer is None:
        raise NotFound(_("No expert with id {id}.").format(id=reviewer_id))
    in_stage = stage_application_ids(session, get_stage(session, stage_id))
    apps = session.execute(
        select(Application.id, Application.number)
        .where(Application.id.in_(in_stage), Application.status.not_in(EXCLUDED_STATUSES))
        .order_by(Application.number)
    ).all()
    done = _submitted(session, [a for a, _n in apps], stage_id)
    for app_id, number in apps:
        if number > current.number and (app_id, reviewer_id) not in done:
            return SheetTarget(app_id, reviewer_id, number, reviewer.name)
    return None
