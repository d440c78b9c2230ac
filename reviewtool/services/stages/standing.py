"""Where each application stands across the review stages: its final figures
under the batch's final-score rule (``core.stages``), up to a stage.

``final_standing(session, batch_id, upto_stage_id)`` gives, for every
application in the first expert stage, the stage it reached (within the
stages up to ``upto``, default the batch's current stage), its figures there
— or, under a weighted rule, the weighted combination when it reached every
weighted stage — and whether it *stopped*: a later stage in scope has
applications and this one is not among them (it keeps the result of the
stage where it stopped, and is not recommended for funding).

``refresh_final_score`` keeps ``application.panel_score`` (the figure the
application list sorts on) equal to the final score over all stages.
Reads only the storage models (the scoring services build on it).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from reviewtool.core.stages import FinalRule, combine, covers, rule_from_setting
from reviewtool.services.stages.reach import current_stage, expert_stages, stages_reached
from reviewtool.storage.models import Application, Batch, PanelResult, Stage

FINAL_RULE_KEY = "final_rule"
#: The figures a weighted rule combines stage by stage.
COMBINED = ("mean", "median", "trimmed_mean", "normalised", "final_score")
WEIGHTED_RULE = "weighted"


def final_rule(batch: Batch) -> FinalRule:
    return rule_from_setting((batch.settings or {}).get(FINAL_RULE_KEY))


@dataclass(frozen=True)
class Standing:
    """An application's final figures (the attributes of a ``PanelResult``) and the stage they come from."""

    application_id: int
    stage_id: int
    stage_name: str
    depth: int  # 0: the first expert stage, 1: the next …
    sheet_count: int = 0
    mean: Decimal | None = None
    median: Decimal | None = None
    trimmed_mean: Decimal | None = None
    normalised: Decimal | None = None
    spread: Decimal | None = None
    std_dev: Decimal | None = None
    final_score: Decimal | None = None
    rule: str = "none"
    veto_count: int = 0
    opinions: dict = field(default_factory=dict)
    flags: tuple[str, ...] = ()
    locked: bool = False
    combined: bool = False  # the weighted combination, not one stage's figure
    stopped: bool = False  # not promoted to a later stage that has applications
    components: tuple[tuple[str, Decimal | None], ...] = ()  # each reached stage's final score


@dataclass(frozen=True)
class StandingView:
    batch_id: int
    rule: FinalRule
    upto_id: int
    upto_name: str
    stages: tuple[str, ...]  # the expert stages in scope, in order
    figures: dict[int, Standing]

    @property
    def rule_text(self) -> str:
        return self.rule.text(self.stages)


def _standing(
    app_id: int,
    reached: list[Stage],
    results: dict[tuple[int, int], PanelResult],
    rule: FinalRule,
    deepest: int,
    depth_of: dict[int, int],
) -> Standing:
    last = reached[-1]
    row = results.get((last.id, app_id))
    names = [s.name for s in reached]
    components = tuple((s.name, getattr(results.get((s.id, app_id)), "final_score", None)) for s in reached)
    depth = depth_of[last.id]
    base = dict(application_id=app_id, stage_id=last.id, stage_name=last.name, depth=depth,
                stopped=depth < deepest, components=components)  # fmt: skip
    if row is not None:
        base.update(
            sheet_count=row.sheet_count, mean=row.mean, median=row.median, trimmed_mean=row.trimmed_mean,
            normalised=row.normalised, spread=row.spread, std_dev=row.std_dev, final_score=row.final_score,
            rule=row.rule, veto_count=row.veto_count, opinions=dict(row.opinions or {}), flags=tuple(row.flags or ()),
            locked=row.locked,
        )  # fmt: skip
    if row is not None and row.sheet_count and covers(rule, names):
        by_name = {s.name: results.get((s.id, app_id)) for s in reached}
        for figure in COMBINED:
            base[figure] = combine(rule, {n: getattr(r, figure, None) for n, r in by_name.items()})
        base.update(
            rule=WEIGHTED_RULE,
            combined=True,
            veto_count=sum(r.veto_count for r in by_name.values() if r is not None),
            locked=all(r is not None and r.locked for n, r in by_name.items() if n in dict(rule.weights)),
        )
    return Standing(**base)


def final_standing(
    session: Session, batch_id: int, upto_stage_id: int | None = None, *, application_ids: Iterable[int] | None = None
) -> StandingView:
    """Every application's standing up to a stage (default: the batch's current stage)."""
    batch = session.get(Batch, batch_id)
    # A 复审 stage (an upheld objection's re-review, ``services.publicity.review``) re-examines one
    # application; it is not a step every application goes through, so it does not rank anyone.
    stages = [s for s in expert_stages(session, batch_id) if not (s.settings or {}).get("re_review")]
    upto = session.get(Stage, upto_stage_id) if upto_stage_id is not None else current_stage(session, batch_id)
    scope = [s for s in stages if s.position <= upto.position]
    depth_of = {s.id: i for i, s in enumerate(scope)}
    reached = {a: [s for s in found if s.id in depth_of] for a, found in stages_reached(session, batch_id).items()}
    deepest = max((depth_of[r[-1].id] for r in reached.values() if r), default=0)
    if application_ids is not None:
        wanted = set(application_ids)
        reached = {a: r for a, r in reached.items() if a in wanted}
    results: dict[tuple[int, int], PanelResult] = {}
    if reached:
        for row in session.scalars(
            select(PanelResult).where(
                PanelResult.stage_id.in_(list(depth_of)), PanelResult.application_id.in_(list(reached))
            )
        ):
            results[(row.stage_id, row.application_id)] = row
    rule = final_rule(batch)
    figures = {a: _standing(a, r, results, rule, deepest, depth_of) for a, r in reached.items() if r}
    return StandingView(batch_id, rule, upto.id, upto.name, tuple(s.name for s in scope), figures)


def refresh_final_score(session: Session, application_id: int) -> Decimal | None:
    """Set ``application.panel_score`` to its final score over all stages; returns it."""
    application = session.get(Application, application_id)
    if application is None:
        return None
    stages = expert_stages(session, application.batch_id)
    if not stages:
        return None
    view = final_standing(session, application.batch_id, stages[-1].id, application_ids=[application_id])
    standing = view.figures.get(application_id)
    score = standing.final_score if standing is not None else None
    if application.panel_score != score:
        application.panel_score = score
    return score


def refresh_batch_scores(session: Session, batch_id: int) -> int:
    """``refresh_final_score`` for the whole batch at once; returns how many changed."""
    stages = expert_stages(session, batch_id)
    if not stages:
        return 0
    view = final_standing(session, batch_id, stages[-1].id)
    changed = 0
    for application in session.scalars(select(Application).where(Application.batch_id == batch_id)):
        standing = view.figures.get(application.id)
        score = standing.final_score if standing is not None else None
        if application.panel_score != score:
            application.panel_score = score
            changed += 1
    return changed
