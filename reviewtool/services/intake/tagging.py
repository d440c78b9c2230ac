"""Priority-area tags: suggestions from the plan text, and the clerk's confirmed choice.

Confirmed and suggested tags are stored side by side in ``application_area``
(``source``); suggestions keep their score and matched terms.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from reviewtool.core.enums import AreaRole, TagSource
from reviewtool.core.errors import NotFound, UserError
from reviewtool.core.intake.suggest import Answer, Suggestion
from reviewtool.i18n import _
from reviewtool.services import audit
from reviewtool.services.changes import Changes
from reviewtool.services.intake.suggest_model import suggester
from reviewtool.services.taxonomy import area_ids_by_code
from reviewtool.storage.models import Application, ApplicationArea, PriorityArea

__all__ = ["suggester", "suggest_answer", "suggest_areas"]


def suggest_answer(session: Session, title: str, abstract: str = "", *, limit: int = 5) -> Answer:
    """Suggested areas with the confidence (high, medium or low) and the matched words."""
    if not (title or "").strip():
        raise UserError(_("A title is needed to suggest priority areas."))
    return suggester(session).answer(title, abstract, limit=limit)


def suggest_areas(session: Session, title: str, abstract: str = "", *, limit: int = 5) -> list[Suggestion]:
    return list(suggest_answer(session, title, abstract, limit=limit).suggestions)


@dataclass(frozen=True)
class TagRow:
    code: str
    title: str
    role: AreaRole
    source: TagSource
    score: object
    terms: tuple[str, ...]


def tags_of(session: Session, application_id: int) -> list[TagRow]:
    stmt = (
        select(ApplicationArea, PriorityArea.code, PriorityArea.title)
        .join(PriorityArea, ApplicationArea.area_id == PriorityArea.id)
        .where(ApplicationArea.application_id == application_id)
        .order_by(ApplicationArea.source, ApplicationArea.role, ApplicationArea.id)
    )
    return [
        TagRow(code, title, tag.role, tag.source, tag.score, tuple(tag.terms or ()))
        for tag, code, title in session.execute(stmt)
    ]


def _application(session: Session, application_id: int) -> Application:
    application = session.get(Application, application_id)
    if application is None:
        raise NotFound(_("Application {id} does not exist.").format(id=application_id))
    return application


def set_confirmed_areas(
    session: Session, application_id: int, primary: str, secondary: list[str] | tuple[str, ...] = (), *, actor: str
) -> Changes:
    """Replace the confirmed tags: one primary and any secondary areas (codes)."""
    application = _application(session, application_id)
    ids = area_ids_by_code(session)
    codes = [primary, *[c for c in secondary if c != primary]]
    for code in codes:
        if code not in ids:
            raise UserError(_("The priority area “{code}” does not exist in the plan.").format(code=code))
    if len(set(codes)) != len(codes):
        raise UserError(_("A secondary area is listed twice."))
    before = [(t.code, t.role.value) for t in tags_of(session, application_id) if t.source == TagSource.CONFIRMED]
    session.execute(
        delete(ApplicationArea).where(
            ApplicationArea.application_id == application_id, ApplicationArea.source == TagSource.CONFIRMED
        )
    )
    session.add(
        ApplicationArea(
            application_id=application_id, area_id=ids[primary], role=AreaRole.PRIMARY, source=TagSource.CONFIRMED
        )
    )
    for code in codes[1:]:
        session.add(
            ApplicationArea(
                application_id=application_id, area_id=ids[code], role=AreaRole.SECONDARY, source=TagSource.CONFIRMED
            )
        )
    after = [(codes[0], "primary")] + [(c, "secondary") for c in codes[1:]]
    audit.record(
        session,
        actor=actor,
        action="application.tag",
        entity_type="application",
        entity_id=application_id,
        batch_id=application.batch_id,
        summary=_("Priority areas of {number} set to {codes}").format(
            number=application.number, codes=", ".join(codes)
        ),
        details={"before": before, "after": after},
    )
    session.flush()
    return Changes(applications=True, message=_("Priority areas saved."))


def store_suggestions(
    session: Session, application_id: int, suggestions: list[Suggestion], *, actor: str, keep: int = 3
) -> Changes:
    """Replace the stored suggestions of one application (the best ``keep``; the first as primary)."""
    application = _application(session, application_id)
    ids = area_ids_by_code(session)
    session.execute(
        delete(ApplicationArea).where(
            ApplicationArea.application_id == application_id, ApplicationArea.source == TagSource.SUGGESTED
        )
    )
    kept = [s for s in suggestions if s.code in ids][:keep]
    for position, suggestion in enumerate(kept):
        session.add(
            ApplicationArea(
                application_id=application_id,
                area_id=ids[suggestion.code],
                role=AreaRole.PRIMARY if position == 0 else AreaRole.SECONDARY,
                source=TagSource.SUGGESTED,
                score=suggestion.score,
                terms=list(suggestion.terms),
            )
        )
    audit.record(
        session,
        actor=actor,
        action="application.suggest",
        entity_type="application",
        entity_id=application_id,
        batch_id=application.batch_id,
        summary=_("Suggested priority areas stored for {number}").format(number=application.number),
        details={"suggestions": [[s.code, str(s.score)] for s in kept]},
    )
    session.flush()
    return Changes(applications=True)


def suggested_primary(session: Session, application_ids: list[int]) -> dict[int, tuple[str, object]]:
    """Application id → (code, score) of its suggested primary area, for those that have one."""
    if not application_ids:
        return {}
    stmt = (
        select(ApplicationArea.application_id, PriorityArea.code, ApplicationArea.score)
        .join(PriorityArea, ApplicationArea.area_id == PriorityArea.id)
        .where(
            ApplicationArea.application_id.in_(application_ids),
            ApplicationArea.source == TagSource.SUGGESTED,
            ApplicationArea.role == AreaRole.PRIMARY,
        )
    )
    return {app_id: (code, score) for app_id, code, score in session.execute(stmt)}


def confirm_suggestions(session: Session, application_ids: list[int], *, actor: str) -> Changes:
    """Make the suggested primary area the confirmed one, for applications that have no confirmed primary yet."""
    confirmed = set(
        session.scalars(
            select(ApplicationArea.application_id).where(
                ApplicationArea.application_id.in_(application_ids),
                ApplicationArea.source == TagSource.CONFIRMED,
                ApplicationArea.role == AreaRole.PRIMARY,
            )
        )
    )
    done = 0
    for application_id, (code, _score) in suggested_primary(session, application_ids).items():
        if application_id in confirmed:
            continue
        set_confirmed_areas(session, application_id, code, [], actor=actor)
        done += 1
    return Changes(applications=done > 0, message=_("{count} suggested areas confirmed.").format(count=done))
