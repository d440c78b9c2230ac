"""Which rubric a batch's applications are scored with: rubrics attached to
a batch (by category or area, or for one review stage), and the version
chosen for one application in a stage.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from reviewtool.core.enums import TagSource
from reviewtool.core.errors import NotFound, UserError
from reviewtool.i18n import _
from reviewtool.services import audit
from reviewtool.services.changes import Changes
from reviewtool.services.scoring.rubrics import get_rubric, latest_version
from reviewtool.storage.models import (
    Application,
    ApplicationArea,
    Batch,
    BatchRubric,
    PriorityArea,
    Rubric,
    RubricVersion,
    Stage,
)


@dataclass(frozen=True)
class BatchRubricRow:
    id: int
    rubric_code: str
    rubric_name: str
    priority: int
    categories: tuple[str, ...]
    area_codes: tuple[str, ...]
    stage: str | None = None  # the review stage it is for (None: every stage)


def attach_rubric(
    session: Session,
    batch_id: int,
    code: str,
    *,
    actor: str,
    categories: list[str] | None = None,
    area_codes: list[str] | None = None,
    priority: int | None = None,
    stage_id: int | None = None,
) -> Changes:
    """Use a rubric for a batch, optionally restricted to categories / area groups,
    or for one review stage (``stage_id``; its rules are tried before the batch-wide ones).

    Restricted rules are tried before unrestricted ones (higher ``priority`` first)."""
    batch = session.get(Batch, batch_id)
    if batch is None:
        raise NotFound(_("No batch with id {id}.").format(id=batch_id))
    rubric = get_rubric(session, code)
    known = set(session.scalars(select(PriorityArea.code)))
    for area in area_codes or []:
        if area not in known:
            raise UserError(_("Unknown priority area code “{code}”.").format(code=area))
    if priority is None:
        priority = 10 if (categories or area_codes) else 0
    link = session.scalar(
        select(BatchRubric).where(BatchRubric.batch_id == batch_id, BatchRubric.rubric_id == rubric.id)
    )
    old = None
    if link is None:
        link = BatchRubric(batch_id=batch_id, rubric_id=rubric.id)
        session.add(link)
    else:
        old = {"priority": link.priority, "categories": link.categories, "area_codes": link.area_codes}
    if stage_id is not None:
        stage = session.get(Stage, stage_id)
        if stage is None or stage.batch_id != batch_id:
            raise NotFound(_("That review stage belongs to another batch."))
    if old is not None:
        old["stage_id"] = link.stage_id
    link.priority = priority
    link.categories = list(categories or [])
    link.area_codes = list(area_codes or [])
    link.stage_id = stage_id
    session.flush()
    audit.record(
        session,
        actor=actor,
        action="batch.rubric",
        entity_type="batch",
        entity_id=batch_id,
        batch_id=batch_id,
        summary=_("Rubric {code} used for batch {batch}").format(code=code, batch=batch.name),
        details={
            "rubric": code,
            "old": old,
            "new": {
                "priority": priority,
                "categories": link.categories,
                "area_codes": link.area_codes,
                "stage_id": stage_id,
            },
        },
    )
    return Changes(batches=True, rubrics=True)


def batch_rubrics(session: Session, batch_id: int) -> list[BatchRubricRow]:
    stmt = (
        select(BatchRubric, Rubric, Stage.name)
        .join(Rubric, BatchRubric.rubric_id == Rubric.id)
        .outerjoin(Stage, BatchRubric.stage_id == Stage.id)
        .where(BatchRubric.batch_id == batch_id)
        .order_by(BatchRubric.priority.desc(), BatchRubric.id)
    )
    return [
        BatchRubricRow(
            link.id,
            rubric.code,
            rubric.name,
            link.priority,
            tuple(link.categories or ()),
            tuple(link.area_codes or ()),
            stage_name,
        )  # fmt: skip
        for link, rubric, stage_name in session.execute(stmt)
    ]


def application_area_codes(session: Session, application_id: int, *, with_ancestors: bool = True) -> list[str]:
    """Confirmed area codes of an application (and their parents, for group rules)."""
    areas = session.scalars(
        select(PriorityArea)
        .join(ApplicationArea, ApplicationArea.area_id == PriorityArea.id)
        .where(ApplicationArea.application_id == application_id, ApplicationArea.source == TagSource.CONFIRMED)
    ).all()
    codes: list[str] = []
    for area in areas:
        node = area
        while node is not None:
            if node.code not in codes:
                codes.append(node.code)
            node = node.parent if with_ancestors else None
    return codes


def select_rubric_version(session: Session, application_id: int, *, stage_id: int | None = None) -> RubricVersion:
    """The latest version of the rubric that applies to an application (in a stage).

    The stage's own rules come first, then the batch-wide ones (a rule for
    another stage never applies); within each, by priority (restricted before general);
    a rule matches when its categories (if any) include the application's
    category and its area codes (if any) include one of the application's
    confirmed areas or their parents (so ``HD-D1`` covers its industries)."""
    application = session.get(Application, application_id)
    if application is None:
        raise NotFound(_("No application with id {id}.").format(id=application_id))
    codes = set(application_area_codes(session, application_id))
    links = session.scalars(
        select(BatchRubric)
        .where(BatchRubric.batch_id == application.batch_id)
        .order_by(BatchRubric.priority.desc(), BatchRubric.id)
    ).all()
    links = [link for link in links if stage_id is not None and link.stage_id == stage_id] + [
        link for link in links if link.stage_id is None
    ]
    for link in links:
        if link.categories and application.category not in link.categories:
            continue
        if link.area_codes and not codes.intersection(link.area_codes):
            continue
        return latest_version(session, link.rubric_id)
    raise UserError(
        _("No rubric applies to application {number}: attach a rubric to its batch first.").format(
            number=application.number
        )
    )
