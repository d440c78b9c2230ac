"""The funding recommendation (拟立项项目清单) of a batch.

- ``funding_view`` ranks the batch on its final scores up to a review stage
  (default: the current one; ``services.scoring.ranking`` with ``final=True``:
  the batch's final-score rule, printed as ``FundingView.final_rule``; an
  application not promoted to a later stage is not eligible),
  draws the funding line (``core.funding``) with the batch's budget,
  per-project cap, rule, quotas and review rules (pass mark, minimum of
  valid sheets: an application with fewer is 评审未完成, never funded),
  marks each application's sensitivity to the panel rule (mean / trimmed
  mean / median), and totals the line per direction and key industry (the
  plan view: each application once under its primary area, its secondary
  areas apart). It says whether the review is final (every panel
  finalised); before that the documents made from it are drafts.
- ``set_recommended_amount`` edits one application's recommended amount
  with a recorded reason; ``set_funding_settings`` changes the budget,
  cap and rule; ``set_quota`` the quotas. Each writes an audit record.

For the sensitivity check the trimmed mean of an application with too few
sheets for trimming is its mean (that is what the trimmed rule would use).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from reviewtool.core import funding as fl
from reviewtool.core.enums import AreaRole, FundingRule, TagSource
from reviewtool.core.errors import NotFound, Refused, UserError
from reviewtool.core.numbers import parse_number, to_number
from reviewtool.i18n import _
from reviewtool.services import audit
from reviewtool.services.batches.batch import rules_of
from reviewtool.services.batches.stage import ReviewStage, review_stage
from reviewtool.services.changes import Changes
from reviewtool.services.panels.votes import vote_labels
from reviewtool.services.publicity.frozen import final_decisions, require_change_reason
from reviewtool.services.scoring.ranking import ranked_applications
from reviewtool.services.stages.standing import final_standing
from reviewtool.storage.models import Application, ApplicationArea, Batch, BatchQuota, PriorityArea

SENSITIVITY_RULES = ("mean", "trimmed_mean", "median")
PLAN_KINDS = ("direction", "industry")
MONEY_STEP = Decimal("0.000001")  # 万元 to the fen
MONEY_LIMIT = Decimal(10_000_000)  # 万元: a thousand times any city's yearly S&T budget


@dataclass(frozen=True)
class FundingRow:
    application_id: int
    position: int | None  # rank in the batch (all scored applications)
    number: str
    title: str
    unit: str
    area_code: str | None
    area_title: str | None
    score: Decimal | None
    mean: Decimal | None
    trimmed_mean: Decimal | None
    median: Decimal | None
    sheet_count: int
    opinions: dict[str, int]
    vetoed: bool
    requested: Decimal
    default_amount: Decimal
    recommended: Decimal  # effective (edited or default)
    edited: bool
    reason: str
    decision: fl.Decision
    cumulative: Decimal
    quota_key: str | None
    stability: fl.Stability
    funded_under: tuple[str, ...]
    vote: str = ""  # the meeting vote (会议评审), when one was held
    incomplete: bool = False  # fewer valid sheets than the batch's minimum: 评审未完成
    stage: str = ""  # the review stage its final score comes from
    stopped: bool = False  # not promoted to the later stage: keeps its score, not eligible

    @property
    def funded(self) -> bool:
        return self.decision is fl.Decision.FUNDED

    def as_json(self) -> dict:
        return {
            "rank": self.position,
            "number": self.number,
            "title": self.title,
            "unit": self.unit,
            "area": self.area_code,
            "score": self.score,
            "mean": self.mean,
            "trimmed_mean": self.trimmed_mean,
            "median": self.median,
            "sheets": self.sheet_count,
            "vetoed": self.vetoed,
            "requested": self.requested,
            "recommended": self.recommended,
            "recommended_edited": self.edited,
            "reason": self.reason,
            "decision": self.decision.value,
            "funded": self.funded,
            "cumulative": self.cumulative,
            "quota": self.quota_key,
            "stability": self.stability.value,
            "funded_under": list(self.funded_under),
            "vote": self.vote,
            "review_complete": not self.incomplete,
            "stage": self.stage,
            "not_promoted": self.stopped,
        }


@dataclass(frozen=True)
class QuotaRow:
    code: str
    title: str
    max_count: int | None
    max_amount: Decimal | None
    used_count: int
    used_amount: Decimal


@dataclass(frozen=True)
class FundingView:
    batch_id: int
    batch: str
    budget: Decimal | None
    cap: Decimal | None
    rule: FundingRule
    threshold: Decimal
    rows: tuple[FundingRow, ...]
    used: Decimal
    remaining: Decimal | None
    funded_count: int
    cut_rank: int | None  # ranking position of the last application above the line
    cut_score: Decimal | None
    quotas: tuple[QuotaRow, ...]
    plan: tuple[fl.AreaTotal, ...]
    min_sheets: int = 3
    stage: ReviewStage | None = None
    upto: str = ""  # the review stage the final scores go up to
    final_rule: str = ""  # the final-score rule in words, printed wherever the final score appears

    @property
    def draft(self) -> bool:
        """The review is not final (a panel is not finalised): documents say 未定稿."""
        return self.stage is None or self.stage.draft

    @property
    def incomplete_count(self) -> int:
        return sum(1 for r in self.rows if r.incomplete)

    def as_json(self) -> dict:
        return {
            "batch": self.batch,
            "stage": self.upto,
            "final_rule": self.final_rule,
            "draft": self.draft,
            "min_sheets": self.min_sheets,
            "incomplete": self.incomplete_count,
            "budget": self.budget,
            "per_project_cap": self.cap,
            "rule": self.rule.value,
            "threshold": self.threshold,
            "line": {
                "funded": self.funded_count,
                "used": self.used,
                "remaining": self.remaining,
                "cut_rank": self.cut_rank,
                "cut_score": self.cut_score,
            },
            "applications": [r.as_json() for r in self.rows],
            "quotas": [
                {
                    "area": q.code,
                    "max_count": q.max_count,
                    "max_amount": q.max_amount,
                    "used_count": q.used_count,
                    "used_amount": q.used_amount,
                }
                for q in self.quotas
            ],
            "plan": [
                {
                    "area": a.code,
                    "kind": a.kind,
                    "title": a.title,
                    "count": a.count,
                    "amount": a.amount,
                    "share": a.share,
                    "secondary_count": a.secondary_count,
                    "secondary_amount": a.secondary_amount,
                }
                for a in self.plan
            ],
        }


def _batch(session: Session, batch_id: int) -> Batch:
    batch = session.get(Batch, batch_id)
    if batch is None:
        raise NotFound(_("No batch with id {id}.").format(id=batch_id))
    return batch


def _area_codes(session: Session, app_ids: list[int]) -> tuple[dict[int, tuple[str, ...]], dict[int, tuple[str, ...]]]:
    """Confirmed direction and key-industry codes (with parents) of each application:
    those of its primary area, and those only its secondary areas add."""
    areas = {a.id: a for a in session.scalars(select(PriorityArea))}
    primary: dict[int, list[str]] = {i: [] for i in app_ids}
    secondary: dict[int, list[str]] = {i: [] for i in app_ids}
    if not app_ids:
        return {}, {}
    stmt = select(ApplicationArea.application_id, ApplicationArea.area_id, ApplicationArea.role).where(
        ApplicationArea.application_id.in_(app_ids), ApplicationArea.source == TagSource.CONFIRMED
    )
    for app_id, area_id, role in session.execute(stmt):
        out = primary if role is AreaRole.PRIMARY else secondary
        node = areas.get(area_id)
        while node is not None:
            if node.kind in PLAN_KINDS and node.code not in out[app_id]:
                out[app_id].append(node.code)
            node = areas.get(node.parent_id) if node.parent_id else None
    return (
        {k: tuple(v) for k, v in primary.items()},
        {k: tuple(c for c in v if c not in primary[k]) for k, v in secondary.items()},
    )


def funding_view(session: Session, batch_id: int, stage_id: int | None = None) -> FundingView:
    """The ranked list, the line, its sensitivity and the plan view, on the final
    scores up to a review stage (default: the batch's current stage)."""
    batch = _batch(session, batch_id)
    batch_rules = rules_of(batch)
    ranked = ranked_applications(session, batch_id, rule="final", stage_id=stage_id, final=True)
    ids = [r.application_id for r in ranked.rows]
    apps = {a.id: a for a in session.scalars(select(Application).where(Application.id.in_(ids)))} if ids else {}
    codes, secondary_codes = _area_codes(session, ids)
    standing = final_standing(session, batch_id, stage_id)
    results = {a: standing.figures[a] for a in ids if a in standing.figures}
    candidates = []
    for index, row in enumerate(ranked.rows):
        app = apps[row.application_id]
        candidates.append(
            fl.Candidate(
                id=row.application_id,
                score=row.score,
                requested=row.requested_amount,
                recommended=app.recommended_amount,
                vetoed=row.veto_count > 0,
                excluded=row.stopped,
                quota_keys=codes.get(row.application_id, ()),
                order_key=f"{index:06d}",  # keep the ranking service's tie-breaks
                incomplete=not batch_rules.review_complete(row.sheet_count),
            )
        )
    quota_rows = list(
        session.execute(
            select(BatchQuota, PriorityArea.code, PriorityArea.title)
            .join(PriorityArea, BatchQuota.area_id == PriorityArea.id)
            .where(BatchQuota.batch_id == batch_id)
            .order_by(PriorityArea.code)
        )
    )
    quotas = [fl.Quota(code, q.max_count, q.max_amount) for q, code, _t in quota_rows]
    options = dict(
        budget=batch.budget,
        rule=batch.funding_rule,
        threshold=batch_rules.threshold,
        cap=batch.per_project_cap,
        quotas=quotas,
    )
    line = fl.compute_line(candidates, **options)
    scores_by_rule = {}
    for rule in SENSITIVITY_RULES:
        scores = {}
        for cid in ids:
            result = results.get(cid)
            value = getattr(result, rule) if result and result.sheet_count else None
            if rule == "trimmed_mean" and value is None and result is not None and result.sheet_count:
                value = result.mean
            scores[cid] = value
        scores_by_rule[rule] = scores
    stability = fl.sensitivity(candidates, scores_by_rule, **options)
    votes = vote_labels(session, batch_id)  # the latest stage's vote on each application

    rows = []
    position_of = {r.application_id: r for r in ranked.rows}
    cut_position = None
    for entry in line.entries:
        r = position_of[entry.candidate.id]
        app = apps[r.application_id]
        result = results.get(r.application_id)
        if line.cut_rank is not None and entry.rank == line.cut_rank:
            cut_position = r.position
        rows.append(
            FundingRow(
                application_id=r.application_id,
                position=r.position,
                number=r.number,
                title=r.title,
                unit=r.unit,
                area_code=r.primary_area,
                area_title=r.primary_area_title,
                score=r.score,
                mean=r.mean,
                trimmed_mean=r.trimmed_mean if r.trimmed_mean is not None else (result.mean if result else None),
                median=r.median,
                sheet_count=r.sheet_count,
                opinions=r.opinions,
                vetoed=r.veto_count > 0,
                requested=r.requested_amount,
                default_amount=fl.default_amount(r.requested_amount, batch.per_project_cap),
                recommended=entry.amount,
                edited=app.recommended_amount is not None,
                reason=app.recommended_reason or "",
                decision=entry.decision,
                cumulative=entry.cumulative,
                quota_key=entry.quota_key,
                stability=stability[r.application_id].stability,
                funded_under=stability[r.application_id].funded_under,
                vote=votes.get(r.application_id, ""),
                incomplete=entry.candidate.incomplete,
                stage=r.stage,
                stopped=r.stopped,
            )
        )
    rows.sort(key=lambda row: (row.position is None, row.position or 0, row.number))
    area_list = [
        (a.code, a.title, a.kind)
        for a in session.scalars(
            select(PriorityArea)
            .where(PriorityArea.kind.in_(PLAN_KINDS))
            .order_by(PriorityArea.kind, PriorityArea.position, PriorityArea.code)
        )
    ]
    plan = fl.totals_by_area(
        line, codes, area_list, secondary_codes, no_direction_title=_("Primary area outside the plan's directions")
    )
    return FundingView(
        batch_id=batch.id,
        batch=batch.name,
        budget=batch.budget,
        cap=batch.per_project_cap,
        rule=batch.funding_rule,
        threshold=batch_rules.threshold,
        rows=tuple(rows),
        used=line.used,
        remaining=line.remaining,
        funded_count=line.funded_count,
        cut_rank=cut_position,
        cut_score=line.cut_score,
        quotas=tuple(
            QuotaRow(code, title, q.max_count, q.max_amount, *line.quota_use.get(code, (0, Decimal(0))))
            for q, code, title in quota_rows
        ),
        plan=tuple(plan),
        min_sheets=batch_rules.min_sheets,
        stage=review_stage(session, batch.id, standing.upto_id),
        upto=standing.upto_name,
        final_rule=standing.rule_text,
    )


def parse_money(text: object, *, what: str) -> Decimal | None:
    """万元 from user input ('' → None); refuses negatives and sub-fen digits."""
    if text is None or (isinstance(text, str) and not text.strip()):
        return None
    try:
        value = to_number(text)
    except ValueError:
        raise UserError(_("{what}: “{text}” is not an amount in 10k yuan.").format(what=what, text=text)) from None
    if value is None:
        return None
    if value < 0:
        raise UserError(_("{what}: the amount must be zero or more.").format(what=what))
    # 1e308 or 1E999 would overflow the exact-decimal column (and no budget is that large).
    return parse_number(value, field=what, maximum=MONEY_LIMIT, places=6)


def set_recommended_amount(
    session: Session, application_id: int, amount: Decimal | None, *, reason: str, actor: str
) -> Changes:
    """Set (or with ``None`` reset to the default) an application's recommended
    amount. A reason is required; the amount may not exceed the requested
    amount or the batch's per-project cap."""
    app = session.get(Application, application_id)
    if app is None:
        raise NotFound(_("No application with id {id}.").format(id=application_id))
    reason = (reason or "").strip()
    if not reason:
        raise UserError(_("Give a reason for changing the recommended amount of {number}.").format(number=app.number))
    batch = app.batch
    if batch.closed:
        raise Refused(_("Batch {batch} is closed; its funding can no longer change.").format(batch=batch.name))
    final = final_decisions(session, batch.id)
    if final is not None and final.get(str(app.id)) != "funded":  # only a funded project's amount may still change
        raise Refused(
            _(
                "The 公示 of batch {batch} is closed and {number} is not funded by its final decision: its amount "
                "no longer changes here. Change the decision itself with 公示与异议 → 修改最终决定…, giving a reason."
            ).format(batch=batch.name, number=app.number)
        )
    if amount is not None:
        if amount < 0:
            raise UserError(_("{what}: the amount must be zero or more.").format(what=app.number))
        if amount > app.requested_amount:
            raise UserError(
                _("{number}: the recommended amount {amount} exceeds the requested {requested} (10k yuan).").format(
                    number=app.number, amount=amount, requested=app.requested_amount
                )
            )
        if batch.per_project_cap is not None and amount > batch.per_project_cap:
            raise UserError(
                _("{number}: the recommended amount {amount} exceeds the per-project maximum {cap} (10k yuan).").format(
                    number=app.number, amount=amount, cap=batch.per_project_cap
                )
            )
    old_amount, old_reason = app.recommended_amount, app.recommended_reason
    if old_amount == amount and (old_reason or "") == reason:
        return Changes()
    app.recommended_amount = amount
    app.recommended_reason = reason if amount is not None else None
    audit.record(
        session,
        actor=actor,
        action="funding.amount",
        entity_type="application",
        entity_id=app.id,
        batch_id=app.batch_id,
        summary=_("Recommended amount of {number}: {old} → {new}").format(
            number=app.number,
            old=old_amount if old_amount is not None else _("default"),
            new=amount if amount is not None else _("default"),
        ),
        details={
            "old": str(old_amount) if old_amount is not None else None,
            "new": str(amount) if amount is not None else None,
            "reason": reason,
            "old_reason": old_reason,
        },
    )
    session.flush()
    return Changes(applications=True, message=_("Recommended amount changed."))


_UNSET = object()


def _plain(value: object) -> str | None:
    """A value as audit details store it: enums by their code, numbers as text."""
    if value is None:
        return None
    if isinstance(value, FundingRule):
        return value.value
    return str(value)


def set_funding_settings(
    session: Session,
    batch_id: int,
    *,
    actor: str,
    budget: Decimal | None | object = _UNSET,
    cap: Decimal | None | object = _UNSET,
    rule: FundingRule | object = _UNSET,
    reason: str = "",
) -> Changes:
    """Change a batch's budget, per-project cap and/or the rule for one that does not fit. Once the
    batch's 公示 is closed (its decisions final) a change needs a ``reason``, recorded with it."""
    batch = _batch(session, batch_id)
    if rule is not _UNSET and not isinstance(rule, FundingRule):
        rule = FundingRule(rule)
    changed = {}
    for field_name, value in (("budget", budget), ("per_project_cap", cap), ("funding_rule", rule)):
        if value is _UNSET:
            continue
        if isinstance(value, Decimal) and value < 0:
            raise UserError(_("{what}: the amount must be zero or more.").format(what=field_name))
        old = getattr(batch, field_name)
        if old != value:
            setattr(batch, field_name, value)
            changed[field_name] = (_plain(old), _plain(value))
    if not changed:
        return Changes()
    reason = require_change_reason(session, batch.id, reason, _("the funding settings"))
    audit.record(
        session,
        actor=actor,
        action="funding.settings",
        entity_type="batch",
        entity_id=batch.id,
        batch_id=batch.id,
        summary=_("Funding settings of {batch} changed").format(batch=batch.name) + (f"：{reason}" if reason else ""),
        details={
            **{k: {"old": o, "new": n} for k, (o, n) in changed.items()},
            **({"reason": reason} if reason else {}),
        },
    )
    session.flush()
    return Changes(batches=True, message=_("Funding settings changed."))


def set_quota(
    session: Session,
    batch_id: int,
    area_code: str,
    *,
    max_count: int | None,
    max_amount: Decimal | None,
    actor: str,
    reason: str = "",
) -> Changes:
    """Set or (with both limits ``None``) remove a quota for a direction or key industry (once the
    batch's decisions are final, with a ``reason``)."""
    batch = _batch(session, batch_id)
    reason = require_change_reason(session, batch.id, reason, _("a quota"))
    area = session.scalar(select(PriorityArea).where(PriorityArea.code == area_code))
    if area is None:
        raise UserError(_("Unknown priority area code “{code}”.").format(code=area_code))
    if area.kind not in PLAN_KINDS:
        raise UserError(_("Quotas apply to directions and key industries; {code} is neither.").format(code=area_code))
    if (max_count is not None and max_count < 0) or (max_amount is not None and max_amount < 0):
        raise UserError(_("{what}: the amount must be zero or more.").format(what=area_code))
    quota = session.scalar(select(BatchQuota).where(BatchQuota.batch_id == batch_id, BatchQuota.area_id == area.id))
    old = (
        None
        if quota is None
        else {
            "max_count": quota.max_count,
            "max_amount": str(quota.max_amount) if quota.max_amount is not None else None,
        }
    )
    if max_count is None and max_amount is None:
        if quota is None:
            return Changes()
        session.delete(quota)
    else:
        if quota is None:
            quota = BatchQuota(batch_id=batch_id, area_id=area.id)
            session.add(quota)
        quota.max_count = max_count
        quota.max_amount = max_amount
    audit.record(
        session,
        actor=actor,
        action="funding.quota",
        entity_type="batch",
        entity_id=batch.id,
        batch_id=batch.id,
        summary=_("Quota for {code} in {batch} changed").format(code=area_code, batch=batch.name),
        details={
            "reason": reason,
            "area": area_code,
            "old": old,
            "new": {"max_count": max_count, "max_amount": str(max_amount) if max_amount is not None else None},
        },
    )
    session.flush()
    return Changes(batches=True)
