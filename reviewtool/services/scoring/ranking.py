"""The ranked view of a batch (排序表) from the stored panel results.

Per review stage (``stage_id``, default the batch's current stage): the
stage's applications ranked on their results in that stage. Or, with
``final=True``, the final ranking up to that stage: every application's
final score under the batch's final-score rule (``services.stages.standing``:
the last stage reached, or a weighted combination), those that went further
ranked above those that stopped earlier (which are not recommended); the
rule in force is ``RankedView.final_rule``, printed wherever the ranking is.

Reads only. The figure ranked on is chosen by ``rule``:
``"final"`` (default: each application's rule in force — trimmed mean with
enough sheets, else mean), ``"mean"``, ``"median"``, ``"trimmed_mean"`` or
``"normalised"`` (the panel feature's z-score figure; falls back to the
final score where none is stored). Ties and vetoes follow
``core.scoring.maths.rank``.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from reviewtool.core.enums import ApplicationStatus, AreaRole, Opinion, TagSource
from reviewtool.core.errors import NotFound, UserError
from reviewtool.core.scoring.maths import TIE_BREAK_TEXT, RankInput, flags_for_batch, rank, rule_label
from reviewtool.core.scoring.rubric import figure_text, points_text
from reviewtool.i18n import _
from reviewtool.services.batches.batch import (
    find_batch,  # noqa: F401 - the one lookup, used from here by the CLI
    rules_of,
)
from reviewtool.services.scoring.results import refresh_stale_results
from reviewtool.services.stages.reach import current_stage, get_stage, stage_application_ids
from reviewtool.services.stages.standing import final_standing
from reviewtool.storage.models import Application, ApplicationArea, Batch, PanelResult, PriorityArea, Unit

RULES = ("final", "mean", "median", "trimmed_mean", "normalised")
EXCLUDED_STATUSES = (ApplicationStatus.FORMAL_FAILED, ApplicationStatus.WITHDRAWN)


@dataclass(frozen=True)
class RankedRow:
    position: int | None
    application_id: int
    number: str
    title: str
    unit: str
    category: str | None
    primary_area: str | None  # code
    primary_area_title: str | None
    requested_amount: Decimal
    sheet_count: int
    mean: Decimal | None
    median: Decimal | None
    trimmed_mean: Decimal | None
    normalised: Decimal | None
    spread: Decimal | None
    std_dev: Decimal | None
    final_score: Decimal | None
    score: Decimal | None  # the figure ranked on
    rule: str  # the rule in force for ``score``
    rule_label: str
    veto_count: int
    opinions: dict[str, int]
    flags: tuple[str, ...]
    recommended: bool
    tie_broken_by: str | None
    tied: bool
    locked: bool
    stage: str = ""  # the review stage the figures come from (final view: the stage reached)
    stopped: bool = False  # final view: not promoted to a later stage that has applications

    def as_json(self) -> dict:
        return {
            "position": self.position,
            "number": self.number,
            "title": self.title,
            "unit": self.unit,
            "category": self.category,
            "primary_area": self.primary_area,
            "requested_amount": self.requested_amount,
            "sheet_count": self.sheet_count,
            "mean": figure_text(self.mean),
            "median": figure_text(self.median),
            "trimmed_mean": figure_text(self.trimmed_mean),
            "normalised": figure_text(self.normalised),
            "spread": figure_text(self.spread),
            "std_dev": figure_text(self.std_dev),
            "final_score": figure_text(self.final_score),
            "score": figure_text(self.score),
            "rule": self.rule,
            "veto_count": self.veto_count,
            "opinions": self.opinions,
            "flags": list(self.flags),
            "recommended": self.recommended,
            "tie_broken_by": self.tie_broken_by,
            "tied": self.tied,
            "locked": self.locked,
            "stage": self.stage,
            "stopped": self.stopped,
        }


@dataclass(frozen=True)
class RankedView:
    batch_id: int
    batch_name: str
    threshold: Decimal
    rule: str
    tie_break: str
    area_code: str | None
    rows: tuple[RankedRow, ...]
    stage: str = ""  # the stage ranked (final view: the stage the ranking goes up to)
    final: bool = False
    final_rule: str = ""  # the final-score rule in words (final view)

    @property
    def recommended_count(self) -> int:
        return sum(1 for r in self.rows if r.recommended)

    @property
    def basis(self) -> str:
        """What the ranking ranks on, in words, for the page and the CLI."""
        if self.final:
            return self.final_rule
        return _("Ranked on the results of the {stage} stage.").format(stage=self.stage)

    def as_json(self) -> dict:
        return {
            "batch": self.batch_name,
            "stage": self.stage,
            "final": self.final,
            "final_rule": self.final_rule,
            "threshold": points_text(self.threshold),
            "rule": self.rule,
            "tie_break": self.tie_break,
            "area": self.area_code,
            "recommended": self.recommended_count,
            "rows": [r.as_json() for r in self.rows],
        }


def area_and_descendant_ids(session: Session, code: str) -> set[int]:
    areas = session.execute(select(PriorityArea.id, PriorityArea.code, PriorityArea.parent_id)).all()
    roots = {a.id for a in areas if a.code == code}
    if not roots:
        raise UserError(_("Unknown priority area code “{code}”.").format(code=code))
    found = set(roots)
    changed = True
    while changed:
        changed = False
        for a in areas:
            if a.parent_id in found and a.id not in found:
                found.add(a.id)
                changed = True
    return found


def ranked_applications(
    session: Session,
    batch_id: int,
    *,
    rule: str = "final",
    area_code: str | None = None,
    threshold: Decimal | None = None,
    stage_id: int | None = None,
    final: bool = False,
) -> RankedView:
    """Applications of a batch in rank order, with the figures and the rule in force:
    of one review stage (default: the current one), or (``final``) the final ranking up to it.

    ``threshold`` defaults to ``batch.threshold`` (70). An application is
    recommended only at or above it with at least the batch's minimum of
    valid sheets (``batch.min_sheets``). ``area_code`` keeps
    applications with a confirmed tag on that area or below it. Formal-review
    failures and withdrawn applications are left out."""
    if rule not in RULES:
        raise UserError(
            _("Unknown ranking rule “{rule}” (allowed: {allowed}).").format(rule=rule, allowed=", ".join(RULES))
        )
    batch = session.get(Batch, batch_id)
    if batch is None:
        raise NotFound(_("No batch with id {id}.").format(id=batch_id))
    refresh_stale_results(session, batch_id)  # an expert's submit on PostgreSQL leaves its result to staff
    threshold = batch.threshold if threshold is None else threshold
    batch_rules = rules_of(batch)
    stage = get_stage(session, stage_id) if stage_id is not None else current_stage(session, batch_id)
    if final:
        standing = final_standing(session, batch_id, stage.id)
        results: dict = standing.figures
        app_ids = list(results)
    else:
        app_ids = stage_application_ids(session, stage)
        results = {
            r.application_id: r
            for r in session.scalars(
                select(PanelResult).where(PanelResult.stage_id == stage.id, PanelResult.application_id.in_(app_ids))
            )
        }
    primary = (
        select(ApplicationArea.application_id, PriorityArea.code, PriorityArea.title)
        .join(PriorityArea, ApplicationArea.area_id == PriorityArea.id)
        .where(ApplicationArea.role == AreaRole.PRIMARY, ApplicationArea.source == TagSource.CONFIRMED)
        .subquery()
    )
    stmt = (
        select(Application, Unit.name, primary.c.code, primary.c.title)
        .join(Unit, Application.unit_id == Unit.id)
        .outerjoin(primary, primary.c.application_id == Application.id)
        .where(
            Application.batch_id == batch_id,
            Application.status.not_in(EXCLUDED_STATUSES),
            Application.id.in_(app_ids),
        )
    )
    if area_code:
        ids = area_and_descendant_ids(session, area_code)
        stmt = stmt.where(
            Application.id.in_(
                select(ApplicationArea.application_id).where(
                    ApplicationArea.area_id.in_(ids), ApplicationArea.source == TagSource.CONFIRMED
                )
            )
        )
    records = {}
    groups: dict[int, list[RankInput]] = {}
    for application, unit_name, area, area_title in session.execute(stmt):
        if application.id in records:
            continue
        result = results.get(application.id)
        score, row_rule = _figure(result, rule)
        records[application.id] = (application, unit_name, result, area, area_title, score, row_rule)
        opinions = dict(result.opinions or {}) if result else {}
        depth = getattr(result, "depth", 0) if final else 0
        groups.setdefault(depth, []).append(
            RankInput(
                application_id=application.id,
                number=application.number,
                score=score,
                recommend_count=int(opinions.get(Opinion.RECOMMEND.value, 0)),
                median=result.median if result else None,
                spread=result.spread if result else None,
                vetoed=bool(result and result.veto_count),
            )
        )
    positions = []
    offset = 0
    for depth in sorted(groups, reverse=True):  # those that went further first
        ranked = rank(groups[depth], threshold=threshold)
        positions += [(p, None if p.position is None else p.position + offset) for p in ranked]
        offset += sum(1 for p in ranked if p.position is not None)
    scored = [item for item in positions if item[1] is not None]
    positions = scored + [item for item in positions if item[1] is None]
    rows = []
    for position, place in positions:
        application, unit_name, result, area, area_title, score, row_rule = records[position.application_id]
        stopped = bool(final and result is not None and result.stopped)
        rows.append(
            RankedRow(
                position=place,
                application_id=application.id,
                number=application.number,
                title=application.title,
                unit=unit_name,
                category=application.category,
                primary_area=area,
                primary_area_title=area_title,
                requested_amount=application.requested_amount,
                sheet_count=result.sheet_count if result else 0,
                mean=result.mean if result else None,
                median=result.median if result else None,
                trimmed_mean=result.trimmed_mean if result else None,
                normalised=result.normalised if result else None,
                spread=result.spread if result else None,
                std_dev=result.std_dev if result else None,
                final_score=result.final_score if result else None,
                score=score,
                rule=row_rule,
                rule_label=rule_label(row_rule),
                veto_count=result.veto_count if result else 0,
                opinions=dict(result.opinions or {}) if result else {},
                flags=flags_for_batch(
                    result.flags if result else (), result.sheet_count if result else 0, batch_rules.min_sheets
                ),
                recommended=position.recommended
                and batch_rules.review_complete(result.sheet_count if result else 0)
                and not stopped,
                tie_broken_by=position.tie_broken_by,
                tied=position.tied_with_previous,
                locked=bool(result and result.locked),
                stage=(result.stage_name if final and result is not None else stage.name),
                stopped=stopped,
            )
        )
    return RankedView(
        batch.id, batch.name, threshold, rule, _(TIE_BREAK_TEXT), area_code, tuple(rows),
        stage=stage.name, final=final, final_rule=standing.rule_text if final else "",
    )  # fmt: skip


def _figure(result, rule: str) -> tuple[Decimal | None, str]:
    """The figure ranked on, from a stage's ``PanelResult`` or a final ``Standing`` (same attributes)."""
    if result is None or result.sheet_count == 0:
        return None, "none"
    if rule == "final":
        return result.final_score, result.rule
    if rule == "normalised":
        if result.normalised is not None:
            return result.normalised, "normalised"
        return result.final_score, result.rule
    return getattr(result, rule), rule
