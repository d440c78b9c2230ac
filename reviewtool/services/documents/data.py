"""Reading what the documents print from the database, into ``model.py``.

Reads only; every function takes a ``Session`` and returns immutable
models, so the PDF can be laid out after the session has closed.

Sheets and panel figures come from the scoring feature
(``services.scoring``: sheets, results, rubrics, ranking):
only submitted, not excluded sheets are printed filled, in the order the
panel figures count them, and ``专家1, 专家2 …`` follow that order on every
document of one application, so the anonymised labels agree.

Sheets, results and panels are those of one review stage (``stage_id``,
default the batch's current stage); comments for applicants come from the
stage each application's final score comes from.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import replace

from sqlalchemy import select
from sqlalchemy.orm import Session

from reviewtool.core.enums import AreaRole, AssignmentStatus, SheetStatus, TagSource
from reviewtool.core.errors import UserError
from reviewtool.core.scoring.maths import flag_label, flags_for_batch, rule_label
from reviewtool.core.scoring.rubric import RubricSpec
from reviewtool.i18n import _
from reviewtool.services.batches.batch import rules_of
from reviewtool.services.documents.data_experts import ExpertFacts, expert_facts, members_by_application
from reviewtool.services.documents.model import (
    AppHeader,
    ApplicantComment,
    ApplicantLetter,
    BandText,
    CriterionLine,
    ExpertSheet,
    ExpertTotal,
    PanelSheet,
    VetoLine,
)
from reviewtool.services.funding import funding_view
from reviewtool.services.panels.votes import vote_labels
from reviewtool.services.scoring import sheets as scoring_sheets
from reviewtool.services.scoring.ranking import EXCLUDED_STATUSES
from reviewtool.services.scoring.rubric_batches import select_rubric_version
from reviewtool.services.scoring.rubrics import spec_of_version
from reviewtool.services.stages.reach import current_stage, get_stage, stage_application_ids
from reviewtool.services.stages.standing import final_standing
from reviewtool.storage.models import (
    Application,
    ApplicationArea,
    Assignment,
    Batch,
    PanelResult,
    PriorityArea,
    RubricVersion,
    ScoreSheet,
    Unit,
)


def expert_label(index: int) -> str:
    """专家1, 专家2 … (1-based)."""
    return _("Expert {n}").format(n=index)


def _period(application: Application) -> str:
    if application.start_date is None and application.end_date is None:
        return ""
    start = application.start_date.strftime("%Y-%m") if application.start_date else "?"
    end = application.end_date.strftime("%Y-%m") if application.end_date else "?"
    return _("{start} to {end}").format(start=start, end=end)


def application_ids(
    session: Session, batch_id: int, ids: Sequence[int] | None = None, stage_id: int | None = None
) -> list[int]:
    """The batch's applications (of a review stage) in 申报编号 order (withdrawn and formally failed left out)."""
    stmt = (
        select(Application.id)
        .where(Application.batch_id == batch_id, Application.status.not_in(EXCLUDED_STATUSES))
        .order_by(Application.number)
    )
    if ids is not None:
        stmt = stmt.where(Application.id.in_(list(ids)))
    if stage_id is not None:
        stmt = stmt.where(Application.id.in_(stage_application_ids(session, get_stage(session, stage_id))))
    return list(session.scalars(stmt))


def stage_of(session: Session, batch_id: int, stage_id: int | None) -> int:
    """The stage asked for, or the batch's current stage."""
    return stage_id if stage_id is not None else current_stage(session, batch_id).id


def app_headers(session: Session, ids: Sequence[int]) -> dict[int, AppHeader]:
    """Cover facts for many applications in three queries."""
    if not ids:
        return {}
    areas: dict[int, list[tuple[int, str]]] = defaultdict(list)
    stmt = (
        select(ApplicationArea.application_id, ApplicationArea.role, PriorityArea.code, PriorityArea.title)
        .join(PriorityArea, ApplicationArea.area_id == PriorityArea.id)
        .where(ApplicationArea.application_id.in_(list(ids)), ApplicationArea.source == TagSource.CONFIRMED)
        .order_by(PriorityArea.code)
    )
    for app_id, role, code, title in session.execute(stmt):
        areas[app_id].append((0 if role == AreaRole.PRIMARY else 1, f"{code} {title}"))
    rows = session.execute(
        select(Application, Unit.name, Batch.name, Unit.county)
        .join(Unit, Application.unit_id == Unit.id)
        .join(Batch, Application.batch_id == Batch.id)
        .where(Application.id.in_(list(ids)))
    )
    out: dict[int, AppHeader] = {}
    for application, unit, batch, county in rows:
        out[application.id] = AppHeader(
            id=application.id,
            number=application.number,
            title=application.title,
            unit=unit,
            pi_name=application.pi_name,
            category=application.category,
            areas=tuple(text for _r, text in sorted(areas.get(application.id, []))),
            requested=application.requested_amount,
            recommended=application.recommended_amount,
            abstract=application.abstract or "",
            batch=batch,
            period=_period(application),
            county=county or "",
        )
    return out


def _criteria(spec: RubricSpec, points=None, comments=None) -> tuple[CriterionLine, ...]:
    points = points or {}
    comments = comments or {}
    return tuple(
        CriterionLine(
            key=c.key,
            title=c.title,
            max_points=c.max_points,
            description=c.description,
            group=c.group,
            weight=c.weight,
            bands=tuple(BandText(b.label, b.low, b.high, b.descriptor) for b in c.bands),
            points=points.get(c.key),
            comment=comments.get(c.key) or "",
        )
        for c in spec.criteria
    )


def _counted(session: Session, app_ids: Sequence[int], stage: int | dict[int, int]) -> dict[int, list[ScoreSheet]]:
    """Submitted, not excluded sheets per application, in counting order, of one
    stage (an id) or of each application's own stage (application id → stage id)."""
    by_app: dict[int, list[ScoreSheet]] = defaultdict(list)
    if not app_ids:
        return by_app
    stmt = (
        select(ScoreSheet)
        .where(
            ScoreSheet.application_id.in_(list(app_ids)),
            ScoreSheet.status == SheetStatus.SUBMITTED,
            ScoreSheet.excluded.is_(False),
        )
        .order_by(ScoreSheet.application_id, ScoreSheet.id)
    )
    if isinstance(stage, int):
        stmt = stmt.where(ScoreSheet.stage_id == stage)
    for sheet in session.scalars(stmt):
        if isinstance(stage, int) or stage.get(sheet.application_id) == sheet.stage_id:
            by_app[sheet.application_id].append(sheet)
    return by_app


def _experts(session: Session, ids: set[int]) -> dict[int, tuple[str, str]]:
    return {eid: (f.name, f.unit) for eid, f in expert_facts(session, ids).items()}


def decision_text(*, vetoed: bool, sheet_count: int, decision: str) -> str:
    """What the documents print as an application's outcome: 一票否决 for a
    vetoed one, 未评审 for one without sheets, else the funding decision."""
    if vetoed:
        return _("One-vote veto")
    if sheet_count == 0:
        return _("Not reviewed")
    return decision


def _spec_cache(session: Session):
    cache: dict[int, RubricSpec] = {}

    def spec(version_id: int) -> RubricSpec:
        if version_id not in cache:
            cache[version_id] = spec_of_version(session.get(RubricVersion, version_id))
        return cache[version_id]

    return spec


def filled_sheets(
    session: Session,
    batch_id: int,
    *,
    anonymous: bool = False,
    ids: Sequence[int] | None = None,
    stage_id: int | None = None,
) -> list[ExpertSheet]:
    """Every submitted sheet of the batch in a stage, per application in 申报编号 order."""
    stage_id = stage_of(session, batch_id, stage_id)
    app_ids = application_ids(session, batch_id, ids, stage_id)
    headers = app_headers(session, app_ids)
    counted = _counted(session, app_ids, stage_id)
    experts = expert_facts(session, {s.reviewer_id for sheets in counted.values() for s in sheets})
    spec_of = _spec_cache(session)
    out: list[ExpertSheet] = []
    for app_id in app_ids:
        for index, sheet in enumerate(counted.get(app_id, []), start=1):
            spec = spec_of(sheet.rubric_version_id)
            data = scoring_sheets.sheet_view(session, sheet).data
            facts = experts.get(sheet.reviewer_id, ExpertFacts())
            out.append(
                ExpertSheet(
                    app=headers[app_id],
                    rubric_name=spec.name,
                    total_points=spec.total_points,
                    criteria=_criteria(spec, data.points, data.comments),
                    vetoes=tuple(VetoLine(v.question, data.vetoes.get(v.key)) for v in spec.veto_items),
                    expert_label=expert_label(index) if anonymous else facts.name,
                    expert_unit="" if anonymous else facts.unit,
                    expert_title="" if anonymous else facts.title,
                    expert_speciality="" if anonymous else facts.speciality,
                    anonymous=anonymous,
                    total=sheet.total,
                    vetoed=sheet.vetoed,
                    opinion=data.opinion,
                    written_opinion=data.written_opinion,
                    date=sheet.submitted_at.date() if sheet.submitted_at else None,
                )
            )
    return out


def blank_sheets(
    session: Session,
    batch_id: int,
    *,
    per_expert: bool = False,
    ids: Sequence[int] | None = None,
    stage_id: int | None = None,
) -> list[ExpertSheet]:
    """Empty sheets of a stage: one per application, or one per assigned expert per
    application (``per_expert``, from the panel assignments)."""
    stage_id = stage_of(session, batch_id, stage_id)
    app_ids = application_ids(session, batch_id, ids, stage_id)
    headers = app_headers(session, app_ids)
    assigned: dict[int, list[int]] = defaultdict(list)
    if per_expert and app_ids:
        stmt = (
            select(Assignment.application_id, Assignment.expert_id)
            .where(
                Assignment.stage_id == stage_id,
                Assignment.application_id.in_(app_ids),
                Assignment.status == AssignmentStatus.ACTIVE,
            )
            .order_by(Assignment.application_id, Assignment.id)
        )
        for app_id, expert_id in session.execute(stmt):
            assigned[app_id].append(expert_id)
    experts = _experts(session, {e for v in assigned.values() for e in v})
    out: list[ExpertSheet] = []
    for app_id in app_ids:
        try:
            version = select_rubric_version(session, app_id, stage_id=stage_id)
        except UserError as exc:
            raise UserError(
                _("No rubric for application {number}: {reason}").format(number=headers[app_id].number, reason=exc)
            ) from exc
        spec = spec_of_version(version)
        base = ExpertSheet(
            app=headers[app_id],
            rubric_name=spec.name,
            total_points=spec.total_points,
            criteria=_criteria(spec),
            vetoes=tuple(VetoLine(v.question) for v in spec.veto_items),
            blank=True,
        )
        if per_expert and assigned.get(app_id):
            for expert_id in assigned[app_id]:
                name, _unit = experts.get(expert_id, ("", ""))
                out.append(replace(base, intended_for=name))
        else:
            out.append(base)
    return out


def panel_sheets(
    session: Session,
    batch_id: int,
    *,
    anonymous: bool = False,
    ids: Sequence[int] | None = None,
    stage_id: int | None = None,
) -> list[PanelSheet]:
    """One 项目综合评审意见表 per application of a stage."""
    batch = session.get(Batch, batch_id)
    stage_id = stage_of(session, batch_id, stage_id)
    app_ids = application_ids(session, batch_id, ids, stage_id)
    headers = app_headers(session, app_ids)
    counted = _counted(session, app_ids, stage_id)
    experts = _experts(session, {s.reviewer_id for sheets in counted.values() for s in sheets})
    results = {
        r.application_id: r
        for r in session.scalars(
            select(PanelResult).where(PanelResult.stage_id == stage_id, PanelResult.application_id.in_(app_ids))
        )
    }
    votes = vote_labels(session, batch_id, stage_id)
    panels = members_by_application(session, app_ids, stage_id)
    decisions = decisions_by_application(session, batch_id, stage_id)
    out: list[PanelSheet] = []
    for app_id in app_ids:
        sheets = counted.get(app_id, [])
        totals = []
        opinions_written = []
        for index, sheet in enumerate(sheets, start=1):
            name, unit = experts.get(sheet.reviewer_id, ("", ""))
            text = scoring_sheets.sheet_view(session, sheet).data.written_opinion.strip()
            if text:
                opinions_written.append((expert_label(index), text))
            totals.append(
                ExpertTotal(
                    label=expert_label(index) if anonymous else name,
                    unit="" if anonymous else unit,
                    total=sheet.total,
                    opinion=sheet.opinion,
                    vetoed=sheet.vetoed,
                )
            )
        result = results.get(app_id)
        panel_name, members = panels.get(app_id, ("", ()))
        if anonymous:
            members = tuple(replace(m, name="", unit="", title="") for m in members)
        out.append(
            PanelSheet(
                app=headers[app_id],
                experts=tuple(totals),
                sheet_count=result.sheet_count if result else 0,
                mean=result.mean if result else None,
                median=result.median if result else None,
                trimmed_mean=result.trimmed_mean if result else None,
                spread=result.spread if result else None,
                std_dev=result.std_dev if result else None,
                final_score=result.final_score if result else None,
                rule=rule_label(result.rule if result else "none"),
                opinions=dict(result.opinions or {}) if result else {},
                flags=tuple(
                    flag_label(f) for f in flags_for_batch(result.flags, result.sheet_count, rules_of(batch).min_sheets)
                )
                if result
                else (),
                threshold=batch.threshold if batch else None,
                anonymous=anonymous,
                vote=votes.get(app_id, ""),
                panel=panel_name,
                members=members,
                decision=decisions.get(app_id, ""),
                written_opinions=tuple(opinions_written),
            )
        )
    return out


def decisions_by_application(session: Session, batch_id: int, stage_id: int | None = None) -> dict[int, str]:
    """The printed outcome of each ranked application (``decision_text``), on the final scores up to a stage."""
    return {
        r.application_id: decision_text(vetoed=r.vetoed, sheet_count=r.sheet_count, decision=r.decision.label())
        for r in funding_view(session, batch_id, stage_id).rows
    }


def applicant_letters(
    session: Session,
    batch_id: int,
    *,
    ids: Sequence[int] | None = None,
    show_score: bool = True,
    bureau: str = "",
    issued=None,
    review_note: str = "",
    stage_id: int | None = None,
) -> list[ApplicantLetter]:
    """Comments for applicants: anonymised, own figures only, no internal
    notes, no expert names, units or contact data. The comments and the final
    score of the stage each application's final score comes from (up to
    ``stage_id``, default the current stage)."""
    app_ids = application_ids(session, batch_id, ids)
    headers = app_headers(session, app_ids)
    standing = final_standing(session, batch_id, stage_id).figures
    counted = _counted(session, app_ids, {a: s.stage_id for a, s in standing.items()})
    spec_of = _spec_cache(session)
    results = {a: s for a, s in standing.items() if a in set(app_ids)}
    out: list[ApplicantLetter] = []
    for app_id in app_ids:
        comments = []
        for index, sheet in enumerate(counted.get(app_id, []), start=1):
            spec = spec_of(sheet.rubric_version_id)
            data = scoring_sheets.sheet_view(session, sheet).data
            per_criterion = tuple(
                (c.title, data.comments.get(c.key, "").strip())
                for c in spec.criteria
                if (data.comments.get(c.key) or "").strip()
            )
            comments.append(ApplicantComment(expert_label(index), data.opinion, data.written_opinion, per_criterion))
        result = results.get(app_id)
        header = headers[app_id]
        # The applicant sees neither the recommended amount nor anyone else's figures.
        header = replace(header, recommended=None)
        out.append(
            ApplicantLetter(
                app=header,
                comments=tuple(comments),
                final_score=result.final_score if result else None,
                show_score=show_score,
                bureau=bureau,
                issued=issued,
                review_note=review_note,
            )
        )
    return out
