"""The words a clerk reads in the audit log: what each recorded action is
called, what each stored field is called, and how a stored value is said
(是/否, 万元 amounts, statuses by their labels, lists joined by 、).

Plain data and functions; no database.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from functools import cache
from typing import Any

from reviewtool.core import enums
from reviewtool.core.batches import FIELD_LABELS as BATCH_FIELDS
from reviewtool.core.intake.fields import FIELDS as APPLICATION_FIELDS
from reviewtool.i18n import N_, current_language
from reviewtool.i18n import _ as _gettext

_memo: dict[tuple[str, str], str] = {}


def _(message: str) -> str:
    """``i18n._``, remembered per language: a long audit log asks for the same words thousands of times."""
    key = (current_language(), message)
    text = _memo.get(key)
    if text is None:
        text = _memo[key] = _gettext(message)
    return text


tr = _

#: Recorded action → what it is called. Actions not listed show their summary alone.
ACTION_TITLES: dict[str, str] = {
    "application.create": N_("Application added"),
    "application.delete": N_("Application deleted"),
    "application.edit": N_("Application edited"),
    "application.update": N_("Application updated by an import"),
    "application.import": N_("Application imported"),
    "application.suggest": N_("Priority areas suggested"),
    "application.tag": N_("Priority areas confirmed"),
    "attachment.add": N_("Attachment added"),
    "attachment.remove": N_("Attachment removed"),
    "intake.import": N_("Summary sheet imported"),
    "intake.mapping.save": N_("Column mapping saved"),
    "batch.create": N_("Batch created"),
    "batch.edit": N_("Batch rules changed"),
    "batch.close": N_("Batch closed"),
    "batch.reopen": N_("Batch reopened"),
    "batch.rubric": N_("Rubric chosen for the batch"),
    "formal.checklist": N_("Formal-review checklist changed"),
    "formal.checklist_default": N_("Default formal-review checklist created"),
    "formal.review": N_("Formal review recorded"),
    "formal.limits": N_("Formal-review limits set"),
    "expert.create": N_("Expert added to the pool"),
    "expert.update": N_("Expert edited"),
    "expert.status": N_("Expert suspended or reactivated"),
    "expert.import": N_("Expert pool imported"),
    "expert.export": N_("Expert pool exported"),
    "expert.relation.add": N_("Expert relation declared"),
    "expert.relation.remove": N_("Expert relation removed"),
    "panel.create": N_("Panel created"),
    "panel.draw": N_("Experts drawn"),
    "panel.redraw": N_("Member declined; replacement drawn"),
    "panel.decline": N_("Member declined"),
    "panel.member.add": N_("Member added by hand"),
    "panel.member.confirm": N_("Member confirmed the invitation"),
    "panel.member.pending": N_("Member's answer withdrawn"),
    "panel.exclude": N_("Expert excluded by staff"),
    "panel.assign": N_("Reviewers assigned"),
    "panel.settings": N_("Panel settings changed"),
    "panel.finalize": N_("Panel finalised"),
    "panel.reopen": N_("Panel reopened"),
    "panel.vote": N_("Meeting vote recorded"),
    "assignment.add": N_("Reviewer assigned by hand"),
    "assignment.remove": N_("Reviewer removed"),
    "assignment.conflict": N_("Conflict declared"),
    "assignment.replace": N_("Replacement reviewer assigned"),
    "calibration.normalise": N_("Normalised results stored"),
    "calibration.min_sheets": N_("Normalisation minimum changed"),
    "sheet.create": N_("Score sheet started"),
    "sheet.save": N_("Score sheet saved"),
    "sheet.submit": N_("Score sheet submitted"),
    "sheet.create_submit": N_("Score sheet entered and submitted"),
    "sheet.edit_submitted": N_("Submitted score sheet changed"),
    "sheet.lock": N_("Score sheet locked"),
    "sheet.reopen": N_("Score sheet reopened"),
    "sheet.exclude": N_("Score sheet excluded"),
    "sheet.include": N_("Score sheet included again"),
    "workbooks.export": N_("Scoring workbooks exported"),
    "workbooks.import": N_("Scoring workbooks imported"),
    "workbooks.old_rubric": N_("Old-rubric workbook rule changed"),
    "workbooks.secret": N_("Workbook signing key created"),
    "rubric.create": N_("Rubric saved"),
    "rubric.archive": N_("Rubric archived"),
    "funding.amount": N_("Recommended amount changed"),
    "funding.settings": N_("Funding settings changed"),
    "funding.quota": N_("Funding quota changed"),
    "documents.notice_settings": N_("Notice settings changed"),
    "documents.template_install": N_("Word template installed"),
    "documents.template_remove": N_("Word template removed"),
    "documents.export": N_("Document exported"),
    "list.export": N_("List exported"),
    "audit.export": N_("Audit log exported"),
    "setting.change": N_("Shared setting changed"),
    "publicity.open": N_("Public notice opened"),
    "publicity.close": N_("Public notice closed; decisions final"),
    "decision.amend": N_("Final decision changed"),
    "objection.register": N_("Objection registered"),
    "objection.handle": N_("Objection handling recorded"),
    "objection.decide": N_("Objection decided"),
    "objection.review": N_("Objection sent to re-review"),
    "objection.close": N_("Objection closed"),
    "stage.promote": N_("Applications promoted to the next stage"),
    "stage.finalize": N_("Stage finalised"),
    "stage.reopen": N_("Stage reopened"),
    "stage.add": N_("Stage added"),
    "demo.load": N_("Demonstration data loaded"),
    "demo.sheets": N_("Demonstration sheets generated"),
}

#: Groups of actions for the filter (the part before the first dot).
ACTION_GROUPS: dict[str, str] = {
    "application": N_("Applications"),
    "intake": N_("Intake"),
    "batch": N_("Batches"),
    "formal": N_("Formal review"),
    "expert": N_("Expert pool"),
    "panel": N_("Panels and draws"),
    "assignment": N_("Assignments"),
    "sheet": N_("Score sheets"),
    "workbooks": N_("Scoring workbooks"),
    "stage": N_("Review stages"),
    "funding": N_("Funding"),
    "documents": N_("Documents and exports"),
    "publicity": N_("Public notice"),
    "objection": N_("Objections"),
    "decision": N_("Final decisions"),
}

#: Stored field names beyond the application's and the batch's own.
FIELD_TITLES: dict[str, str] = {
    "status": N_("Status"),
    "reason": N_("Reason"),
    "locked": N_("Locked"),
    "excluded": N_("Excluded"),
    "excluded_reason": N_("Reason for exclusion"),
    "opinion": N_("Opinion"),
    "written_opinion": N_("Written opinion"),
    "internal_note": N_("Internal note"),
    "total": N_("Total"),
    "source": N_("How it was entered"),
    "entered_by": N_("Typed by"),
    "per_project_cap": N_("Per-project maximum (10k yuan)"),
    "funding_rule": N_("Funding line rule"),
    "show_amount": N_("Amounts in the public notice"),
    "max_count": N_("At most (projects)"),
    "max_amount": N_("At most (10k yuan)"),
    "phone": N_("Phone"),
    "email": N_("E-mail"),
    "unit": N_("Work unit"),
    "speciality": N_("Speciality"),
    "keywords": N_("Keywords"),
    "areas": N_("Fields of expertise"),
    "majority": N_("Majority rule"),
    "mode": N_("Mode"),
    "due_date": N_("Due date"),
    "outcome": N_("Outcome"),
    "handling": N_("Handling"),
    "deadline": N_("Answer by"),
    "closed_on": N_("Closed on"),
    "name": N_("Name"),
    "code": N_("Code"),
    "format": N_("File format version"),
    "priority": N_("Priority"),
    "categories": N_("Plan categories"),
    "area_codes": N_("Priority areas"),
    "stage_id": N_("Review stage"),
    "stage": N_("Review stage"),
    "seed": N_("Seed"),
    "lodged_by": N_("Lodged by"),
    "received_on": N_("Received on"),
    "grounds": N_("Grounds"),
    "outcome_note": N_("Reasons"),
    "starts_on": N_("Notice period from"),
    "ends_on": N_("Notice period to"),
    "projects": N_("Published list"),
    "publicity_start": N_("Notice period from"),
    "publicity_end": N_("Notice period to"),
    "funded": N_("Funded"),
    "changed_since_published": N_("Changed since published"),
    "note": N_("Note"),
    "decision": N_("Final decision"),
}

_ENUMS = (
    enums.ApplicationStatus,
    enums.SheetStatus,
    enums.SheetSource,
    enums.Opinion,
    enums.ExpertStatus,
    enums.PanelMode,
    enums.PanelStatus,
    enums.MemberStatus,
    enums.AssignmentStatus,
    enums.VoteChoice,
    enums.FundingRule,
    enums.Invitation,
    enums.ObjectionOutcome,
    enums.PublicityStatus,
)


def action_title(action: str) -> str:
    title = ACTION_TITLES.get(action)
    return _(title) if title else action


@cache
def _application_fields() -> dict[str, Any]:
    return {field.key: field for field in APPLICATION_FIELDS}


def field_title(key: str) -> str:
    if key in FIELD_TITLES:
        return _(FIELD_TITLES[key])
    if key in BATCH_FIELDS:
        return _(BATCH_FIELDS[key])
    field = _application_fields().get(key)
    return field.header if field is not None else key  # (the header is translated when read)


@cache
def _enum_values(enum_cls) -> dict[str, Any]:
    return {member.value: member for member in enum_cls}


def _enum_label(text: str, key: str | None) -> str | None:
    memo_key = (current_language(), f"{key}\0{text}")
    if memo_key in _labels:
        return _labels[memo_key]
    _labels[memo_key] = label = _find_label(text, key)
    return label


_labels: dict[tuple[str, str], str | None] = {}


def _find_label(text: str, key: str | None) -> str | None:
    candidates = _ENUMS
    if key == "status":  # the most common key: application, sheet and panel statuses share codes
        candidates = (enums.ApplicationStatus, enums.SheetStatus, enums.PanelStatus, *_ENUMS)
    for enum_cls in candidates:
        member = _enum_values(enum_cls).get(text)
        if member is not None:
            return member.label()
    return None


#: A long list (the pairs of an assignment, a published list) is shown up to this many items.
LIST_SHOWN = 30


def say(value: Any, key: str | None = None) -> str:
    """A stored value in words: never JSON."""
    if value is None or value == "":
        return _("(empty)")
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if isinstance(value, (int, Decimal)):
        return format(value, "f") if isinstance(value, Decimal) else str(value)
    if isinstance(value, float):
        return format(Decimal(str(value)).normalize(), "f")
    if isinstance(value, str):
        label = _enum_label(value, key)
        if label is not None:
            return label
        if key in ("budget", "per_project_cap", "max_amount", "requested_amount", "recommended_amount", "amount"):
            try:
                return _("{amount} (10k yuan)").format(amount=format(Decimal(value).normalize(), "f"))
            except InvalidOperation:
                return value
        return value
    if isinstance(value, (list, tuple)):
        if not value:
            return _("(empty)")
        text = "、".join(say(v) for v in value[:LIST_SHOWN])
        if len(value) > LIST_SHOWN:
            text += _("… and {count} more").format(count=len(value) - LIST_SHOWN)
        return text
    if isinstance(value, dict):
        return "；".join(f"{field_title(str(k))}：{say(v, str(k))}" for k, v in value.items()) or _("(empty)")
    return str(value)
