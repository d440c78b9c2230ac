"""Formal review (形式审查): a configurable pass/fail checklist per batch.

A batch gets the default checklist of DOMAIN.md the first time it is needed.
Staff record a result per item; a failed item needs a reason. When every
active item has passed the application's status becomes ``formal_passed``;
any failure makes it ``formal_failed`` (taken out of scoring) with the
reasons as ``status_reason``. Every change is in the audit trail.

Where the data can decide an item (``formal_prefill``: 自筹 : 申请 ratio,
arrival before the deadline, 限项, registration date, the leader's age) the
review arrives pre-filled: each item shows what the data says and why.
Staff confirm it or override it; a result that differs from the data needs
the reason for the override, recorded with the result and in the trail.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from reviewtool.core.enums import ApplicationStatus
from reviewtool.core.errors import NotFound, Refused, UserError
from reviewtool.i18n import N_, _
from reviewtool.services import audit
from reviewtool.services.changes import Changes
from reviewtool.services.intake.formal_prefill import suggestions
from reviewtool.storage.models import Application, Batch, FormalCheckItem, FormalCheckResult

#: The default checklist (DOMAIN.md, "Formal review"): code and text.
DEFAULT_ITEMS: tuple[tuple[str, str], ...] = (
    ("eligible_unit", N_("The applicant unit is eligible (registered locally, legal person)")),
    ("matches_guide", N_("The application matches the call's guide (指南方向)")),
    ("within_limit", N_("The applicant is within the limit on concurrent applications (限项)")),
    ("on_time", N_("It arrived before the deadline")),
    ("no_sanction", N_("The unit and project leader are not under sanction or on a credit blacklist")),
    ("funding_disclosed", N_("Other funding is disclosed")),
    ("seals_signatures", N_("Seals and signatures are present")),
    ("cofunding_ratio", N_("The co-funding ratio (自筹 : 申请) is met")),
)

#: Statuses formal review may change; later statuses belong to review and funding.
REVIEWABLE = (ApplicationStatus.RECEIVED, ApplicationStatus.FORMAL_PASSED, ApplicationStatus.FORMAL_FAILED)


@dataclass(frozen=True)
class CheckItemRow:
    id: int
    code: str
    text: str
    position: int
    active: bool


@dataclass(frozen=True)
class CheckState:
    item_id: int
    code: str
    text: str
    passed: bool | None  # None: not checked yet
    reason: str
    checked_by: str
    suggested: bool | None = None  # what the data says (None: it cannot decide, or no rule)
    evidence: str = ""  # why, in words
    override_reason: str = ""  # why staff decided otherwise
    decidable: bool = False  # the data can judge this item at all


@dataclass(frozen=True)
class FormalReview:
    application_id: int
    number: str
    title: str
    status: ApplicationStatus
    status_reason: str | None
    items: list[CheckState]
    batch_id: int = 0


def _batch(session: Session, batch_id: int) -> Batch:
    batch = session.get(Batch, batch_id)
    if batch is None:
        raise NotFound(_("Batch {id} does not exist.").format(id=batch_id))
    return batch


def ensure_checklist(session: Session, batch_id: int, *, actor: str) -> list[CheckItemRow]:
    """The batch's checklist, created from the defaults when it has none."""
    batch = _batch(session, batch_id)
    items = list(
        session.scalars(
            select(FormalCheckItem).where(FormalCheckItem.batch_id == batch_id).order_by(FormalCheckItem.position)
        )
    )
    if not items:
        for position, (code, text) in enumerate(DEFAULT_ITEMS):
            item = FormalCheckItem(batch_id=batch_id, code=code, text=_(text), position=position)
            session.add(item)
            items.append(item)
        session.flush()
        audit.record(
            session,
            actor=actor,
            action="formal.checklist_default",
            entity_type="batch",
            entity_id=batch_id,
            batch_id=batch_id,
            summary=_("Default formal-review checklist created for {batch}").format(batch=batch.name),
        )
    return [CheckItemRow(i.id, i.code, i.text, i.position, i.active) for i in items]


def save_checklist(session: Session, batch_id: int, items: list[tuple[str, str, bool]], *, actor: str) -> Changes:
    """Replace the checklist's items by (code, text, active), in order.

    Items are matched by code, so results already recorded stay attached; an
    item left out is deactivated (never deleted while results refer to it).
    """
    _batch(session, batch_id)
    codes = [code.strip() for code, _t, _a in items]
    if any(not code for code in codes) or len(set(codes)) != len(codes):
        raise UserError(_("Each checklist item needs its own, non-empty code."))
    if any(not text.strip() for _c, text, _a in items):
        raise UserError(_("Each checklist item needs a text."))
    existing = {i.code: i for i in session.scalars(select(FormalCheckItem).where(FormalCheckItem.batch_id == batch_id))}
    before = {c: (i.text, i.active) for c, i in existing.items()}
    for position, (code, text, active) in enumerate(items):
        item = existing.pop(code.strip(), None)
        if item is None:
            item = FormalCheckItem(batch_id=batch_id, code=code.strip())
            session.add(item)
        item.text, item.position, item.active = text.strip(), position, active
    for item in existing.values():
        item.active = False
    audit.record(
        session,
        actor=actor,
        action="formal.checklist",
        entity_type="batch",
        entity_id=batch_id,
        batch_id=batch_id,
        summary=_("Formal-review checklist changed"),
        details={"before": before, "after": {c: (t, a) for c, t, a in items}},
    )
    session.flush()
    return Changes(batches=True)


def review_of(session: Session, application_id: int, *, actor: str) -> FormalReview:
    application = session.get(Application, application_id)
    if application is None:
        raise NotFound(_("Application {id} does not exist.").format(id=application_id))
    items = ensure_checklist(session, application.batch_id, actor=actor)
    results = {
        r.item_id: r
        for r in session.scalars(select(FormalCheckResult).where(FormalCheckResult.application_id == application_id))
    }
    found = suggestions(session, application_id)
    states = []
    for item in items:
        if not item.active and item.id not in results:
            continue
        result = results.get(item.id)
        suggestion = found.get(item.code)
        states.append(
            CheckState(
                item.id,
                item.code,
                item.text,
                None if result is None else result.passed,
                (result.reason or "") if result else "",
                result.checked_by if result else "",
                suggestion.passed if suggestion else None,
                suggestion.evidence if suggestion else "",
                (result.override_reason or "") if result else "",
                suggestion is not None,
            )
        )
    return FormalReview(
        application.id,
        application.number,
        application.title,
        application.status,
        application.status_reason,
        states,
        application.batch_id,
    )


def record_review(
    session: Session,
    application_id: int,
    results: dict[int, tuple[bool, str]],
    *,
    actor: str,
) -> Changes:
    """Record item results {item id: (passed, reason)} and derive the application's status.

    A failed item without a reason is refused. When every active item has a
    result the status becomes formal_passed or formal_failed; otherwise it
    stays (or returns to) received.
    """
    application = session.get(Application, application_id)
    if application is None:
        raise NotFound(_("Application {id} does not exist.").format(id=application_id))
    if application.status not in REVIEWABLE:
        raise Refused(
            _("{number} is already {status}; its formal review can no longer be changed.").format(
                number=application.number, status=application.status.label()
            )
        )
    items = {
        i.id: i
        for i in session.scalars(select(FormalCheckItem).where(FormalCheckItem.batch_id == application.batch_id))
    }
    results = dict(results)
    found = suggestions(session, application_id)
    overrides: dict[str, dict] = {}
    for item_id, (passed, reason) in results.items():
        if item_id not in items:
            raise UserError(_("Checklist item {id} does not belong to this batch.").format(id=item_id))
        suggestion = found.get(items[item_id].code)
        if suggestion is not None and suggestion.passed is False and not passed and not (reason or "").strip():
            reason = suggestion.evidence  # confirming what the data says: the evidence is the reason
            results[item_id] = (passed, reason)
        if not passed and not (reason or "").strip():
            raise UserError(_("“{item}” failed: a reason is required.").format(item=items[item_id].text))
        if suggestion is not None and suggestion.passed is not None and suggestion.passed != passed:
            if not (reason or "").strip():
                raise UserError(
                    _(
                        "{number}: “{item}” — the data says {verdict} ({evidence}); give the reason for "
                        "deciding otherwise."
                    ).format(
                        number=application.number,
                        item=items[item_id].text,
                        verdict=_("passed") if suggestion.passed else _("failed"),
                        evidence=suggestion.evidence,
                    )
                )
            overrides[items[item_id].code] = {"suggested": suggestion.passed, "reason": reason.strip()}
    stored = {
        r.item_id: r
        for r in session.scalars(select(FormalCheckResult).where(FormalCheckResult.application_id == application_id))
    }
    changed = {}
    for item_id, (passed, reason) in results.items():
        reason = (reason or "").strip() or None
        suggestion = found.get(items[item_id].code)
        result = stored.get(item_id)
        if result is None:
            result = FormalCheckResult(application_id=application_id, item_id=item_id, passed=passed)
            session.add(result)
            stored[item_id] = result
            changed[items[item_id].code] = [None, passed, reason]
        elif result.passed != passed or result.reason != (reason if not passed else None):
            changed[items[item_id].code] = [result.passed, passed, reason]
        result.passed = passed
        result.reason = reason if not passed else None
        result.checked_by = actor
        result.suggested = suggestion.passed if suggestion else None
        result.evidence = suggestion.evidence if suggestion else None
        override = overrides.get(items[item_id].code)
        result.override_reason = override["reason"] if override else None
    session.flush()
    active = [i for i in items.values() if i.active]
    failures = [
        f"{items[i].text}：{r.reason}"
        for i, r in sorted(stored.items(), key=lambda kv: items[kv[0]].position)
        if not r.passed and items[i].active
    ]
    old_status = application.status
    if failures:
        application.status = ApplicationStatus.FORMAL_FAILED
        application.status_reason = "；".join(failures)
    elif all(i.id in stored and stored[i.id].passed for i in active):
        application.status = ApplicationStatus.FORMAL_PASSED
        application.status_reason = None
    else:
        application.status = ApplicationStatus.RECEIVED
        application.status_reason = None
    audit.record(
        session,
        actor=actor,
        action="formal.review",
        entity_type="application",
        entity_id=application.id,
        batch_id=application.batch_id,
        summary=_("Formal review of {number}: {status}").format(
            number=application.number, status=application.status.label()
        ),
        details={"items": changed, "status": [old_status.value, application.status.value], "overrides": overrides},
    )
    session.flush()
    return Changes(applications=True, message=application.status.label())


def accept_suggestions(session: Session, application_id: int, *, actor: str, pass_others: bool = False) -> Changes:
    """Confirm what the data says on every item it decides (failures with their evidence as the
    reason); with ``pass_others`` the items the data cannot decide are passed too."""
    review = review_of(session, application_id, actor=actor)
    results: dict[int, tuple[bool, str]] = {}
    for state in review.items:
        if state.suggested is not None:
            results[state.item_id] = (state.suggested, "" if state.suggested else state.evidence)
        elif pass_others:
            results[state.item_id] = (True, "")
    if not results:
        return Changes()
    return record_review(session, application_id, results, actor=actor)


def pass_all(session: Session, application_ids: list[int], *, actor: str) -> Changes:
    """Tick every active item as passed for several applications (the common case). Refused,
    naming the item and the evidence, where the data says an item failed."""
    for application_id in application_ids:
        application = session.get(Application, application_id)
        if application is None:
            raise NotFound(_("Application {id} does not exist.").format(id=application_id))
        items = ensure_checklist(session, application.batch_id, actor=actor)
        record_review(session, application_id, {i.id: (True, "") for i in items if i.active}, actor=actor)
    return Changes(applications=True)
