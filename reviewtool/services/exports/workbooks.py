"""The Excel exports: the funding list (拟立项项目清单), the score matrix
(application × expert × criterion) and the whole batch's data.

Built on the injection-safe helpers of ``services.exports.xlsx``; money
in 万元 with two decimals, bold frozen header rows, fitted widths. Each
function reads inside the session and writes the file atomically.
Expert names appear only in staff exports; contact data never does.
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

from openpyxl.styles import Font
from openpyxl.utils import get_column_letter
from sqlalchemy import select
from sqlalchemy.orm import Session

from reviewtool.core.enums import Opinion
from reviewtool.core.errors import NotFound
from reviewtool.core.scoring.maths import flag_label, flags_for_batch, rule_label
from reviewtool.core.scoring.rubric import RubricSpec
from reviewtool.i18n import _
from reviewtool.services.batches.batch import rules_of
from reviewtool.services.documents import data
from reviewtool.services.exports.applications_sheet import write_applications_sheet
from reviewtool.services.exports.xlsx import (
    MONEY_FORMAT,
    Column,
    TableSheet,
    add_sheet,
    new_workbook,
    save_workbook,
    write_formula,
)
from reviewtool.services.funding import FundingView, funding_view
from reviewtool.services.progress import NEVER_CANCELLED, NO_PROGRESS, CancelToken, Progress
from reviewtool.services.scoring.rubrics import spec_of_version
from reviewtool.services.stages.reach import expert_stages, stage_application_ids
from reviewtool.storage.models import Application, Batch, Expert, PanelResult, RubricVersion


def _opinions_text(opinions: dict[str, int]) -> str:
    return "/".join(str(opinions.get(o.value, 0)) for o in Opinion)


def _decision(r) -> str:
    return data.decision_text(vetoed=r.vetoed, sheet_count=r.sheet_count, decision=r.decision.label())


def _funding_columns() -> list[Column]:
    return [
        Column(_("Rank"), "int"),
        Column(_("Application no.")),
        Column(_("Project title"), width=40),
        Column(_("Applicant unit"), width=28),
        Column(_("Priority area"), width=24),
        Column(_("Score"), "points"),
        Column(_("Mean"), "points"),
        Column(_("Trimmed mean"), "points"),
        Column(_("Median"), "points"),
        Column(_("Sheets"), "int"),
        Column(_("Opinions (R/RR/N)")),
        Column(_("Requested (10k yuan)"), "money"),
        Column(_("Recommended (10k yuan)"), "money"),
        Column(_("Cumulative (10k yuan)"), "money"),
        Column(_("Decision")),
        Column(_("Sensitivity")),
        Column(_("Meeting vote"), width=24),
        Column(_("Reason for the amount"), width=30),
    ]


def _funding_values(r, *, funded_only: bool) -> list:
    return [
        r.position,
        r.number,
        r.title,
        r.unit,
        f"{r.area_code} {r.area_title}" if r.area_code else "",
        r.score,
        r.mean,
        r.trimmed_mean,
        r.median,
        r.sheet_count,
        _opinions_text(r.opinions),
        r.requested,
        r.recommended if r.funded else None,
        None if funded_only else (r.cumulative if r.funded else None),
        _decision(r),
        r.stability.label() if r.score is not None else "",
        r.vote,
        r.reason,
    ]


REQUESTED, RECOMMENDED, CUMULATIVE = 12, 13, 14  # 1-based columns of the funding list


def _funding_sheets(wb, view: FundingView) -> None:
    """The 拟立项项目清单 (the rows and totals of the PDF list: the applications
    within the line, 合计 and 累计 as formulas), then the whole ranking."""
    ws = add_sheet(wb, _("Funding list"))
    sheet = TableSheet(
        ws,
        _funding_columns(),
        title=_("Funding recommendation list — {batch}").format(batch=view.batch)
        + (_(" (not final: 未定稿)") if view.draft else ""),
    )
    funded = [r for r in view.rows if r.funded]
    for r in funded:
        row = sheet.append(_funding_values(r, funded_only=True))
        rec = get_column_letter(RECOMMENDED)
        cum = get_column_letter(CUMULATIVE)
        formula = f"={rec}{row}" if row == sheet.first_data_row else f"={cum}{row - 1}+{rec}{row}"
        write_formula(ws, row, CUMULATIVE, formula, MONEY_FORMAT)
    last = sheet.row - 1
    total = sheet.append([_("Total")] + [None] * 17, bold=True)
    for column in (REQUESTED, RECOMMENDED):
        letter = get_column_letter(column)
        cell = write_formula(
            ws,
            total,
            column,
            f"=SUM({letter}{sheet.first_data_row}:{letter}{max(last, sheet.first_data_row)})",
            MONEY_FORMAT,
        )
        cell.font = Font(bold=True)
    sheet.finish()

    ranking = add_sheet(wb, _("Ranking"))
    full = TableSheet(
        ranking, _funding_columns(), title=_("Ranking and funding line — {batch}").format(batch=view.batch)
    )
    for r in view.rows:
        full.append(_funding_values(r, funded_only=False))
    full.append(
        [_("Total")] + [None] * 10 + [sum((r.requested for r in view.rows), Decimal(0)), view.used] + [None] * 5,
        bold=True,
    )
    full.finish()

    info = add_sheet(wb, _("Line"))
    facts = TableSheet(info, [Column(_("Item"), width=28), Column(_("Value"), width=40)])
    facts.append([_("Batch"), view.batch])
    facts.append([_("Review stage"), view.upto])
    facts.append([_("Final-score rule"), view.final_rule])
    facts.append([_("Budget (10k yuan)"), view.budget])
    facts.append([_("Per-project maximum (10k yuan)"), view.cap])
    facts.append([_("When one does not fit"), view.rule.label()])
    facts.append([_("Threshold"), view.threshold])
    facts.append([_("Recommended applications"), view.funded_count])
    facts.append([_("Recommended (10k yuan)"), view.used])
    facts.append([_("Remaining (10k yuan)"), view.remaining])
    facts.append([_("Cut line after rank"), view.cut_rank])
    facts.append([_("Score at the cut line"), view.cut_score])
    for row in range(facts.first_data_row, facts.row):
        cell = info.cell(row=row, column=2)
        if isinstance(cell.value, Decimal):
            cell.number_format = "#,##0.00"
    facts.finish(autofilter=False)

    plan = add_sheet(wb, _("Plan view"))
    table = TableSheet(
        plan,
        [
            Column(_("Area code")),
            Column(_("Priority area"), width=40),
            Column(_("Kind")),
            Column(_("Recommended applications"), "int"),
            Column(_("Recommended (10k yuan)"), "money"),
            Column(_("Share of the budget"), "share"),
            Column(_("Also as a secondary area (not counted)"), "int"),
            Column(_("Their money as a secondary area (10k yuan)"), "money"),
        ],
        title=_("Plan view — {batch}").format(batch=view.batch),
    )
    kinds = {"direction": _("Direction"), "industry": _("Key industry")}
    for area in view.plan:  # each application once, under its primary area; secondary areas apart
        table.append([area.code, area.title, kinds.get(area.kind, area.kind), area.count, area.amount, area.share,
                      area.secondary_count, area.secondary_amount])  # fmt: skip
    table.finish()

    if view.quotas:
        quotas = add_sheet(wb, _("Quotas"))
        qt = TableSheet(
            quotas,
            [
                Column(_("Area code")),
                Column(_("Priority area"), width=40),
                Column(_("Maximum count"), "int"),
                Column(_("Maximum (10k yuan)"), "money"),
                Column(_("Recommended applications"), "int"),
                Column(_("Recommended (10k yuan)"), "money"),
            ],
        )
        for q in view.quotas:
            qt.append([q.code, q.title, q.max_count, q.max_amount, q.used_count, q.used_amount])
        qt.finish()


def export_funding_workbook(session: Session, batch_id: int, path: str | Path, stage_id: int | None = None) -> Path:
    """The 拟立项项目清单 with the line, the plan view and the quotas (final scores up to a stage)."""
    view = funding_view(session, batch_id, stage_id)
    wb = new_workbook()
    _funding_sheets(wb, view)
    return save_workbook(wb, path)


def _score_matrix_sheet(
    wb, session: Session, batch_id: int, *, anonymous: bool, cancel: CancelToken, stage_id: int | None
) -> int:
    """One row per counted sheet: of one stage, or (``stage_id=None``) of every stage, stage by stage."""
    stages = [s for s in expert_stages(session, batch_id) if stage_id is None or s.id == stage_id]
    app_ids = data.application_ids(session, batch_id)
    headers = data.app_headers(session, app_ids)
    by_stage = {s.id: data._counted(session, app_ids, s.id) for s in stages}
    counted: dict[int, list] = {}
    for stage in stages:
        for app_id, found in by_stage[stage.id].items():
            counted.setdefault(app_id, []).extend(found)
    specs: dict[int, RubricSpec] = {}
    keys: list[tuple[str, str]] = []  # (key, title) in first-seen order over all rubrics
    for sheets in counted.values():
        for sheet in sheets:
            if sheet.rubric_version_id not in specs:
                spec = spec_of_version(session.get(RubricVersion, sheet.rubric_version_id))
                specs[sheet.rubric_version_id] = spec
                for c in spec.criteria:
                    if c.key not in [k for k, _t in keys]:
                        keys.append((c.key, f"{c.key} {c.title}（{c.max_points.normalize():f}）"))
    experts = (
        {
            e.id: e.name
            for e in session.scalars(
                select(Expert).where(Expert.id.in_({s.reviewer_id for v in counted.values() for s in v}))
            )
        }
        if counted
        else {}
    )
    ws = add_sheet(wb, _("Score matrix"))
    columns = [
        Column(_("Review stage")),
        Column(_("Application no.")),
        Column(_("Project title"), width=36),
        Column(_("Expert")),
        Column(_("Rubric")),
        *[Column(title, "points", width=max(10, min(24, len(title) + 2))) for _k, title in keys],
        Column(_("Total"), "points"),
        Column(_("Vetoed")),
        Column(_("Opinion")),
        Column(_("Written opinion"), width=50),
        *[Column(_("{criterion} comment").format(criterion=key), width=30) for key, _t in keys],
    ]
    sheet = TableSheet(ws, columns, title=_("Score matrix — application × expert × criterion"))
    count = 0
    for stage, app_id in ((stage, app_id) for stage in stages for app_id in app_ids):
        cancel.check()
        for index, s in enumerate(by_stage[stage.id].get(app_id, []), start=1):
            spec = specs[s.rubric_version_id]
            key_of = {crit.id: crit.key for crit in s.rubric_version.criteria}
            by_key = {key_of[c.criterion_id]: c.points for c in s.scores if c.criterion_id in key_of}
            comment_of = {key_of[c.criterion_id]: c.comment for c in s.scores if c.criterion_id in key_of}
            sheet.append(
                [
                    stage.name,
                    headers[app_id].number,
                    headers[app_id].title,
                    data.expert_label(index) if anonymous else experts.get(s.reviewer_id, ""),
                    spec.name,
                    *[by_key.get(k) for k, _t in keys],
                    s.total,
                    _("Yes") if s.vetoed else "",
                    s.opinion.label() if s.opinion else "",
                    s.written_opinion or "",
                    *[comment_of.get(k) or "" for k, _t in keys],
                ]
            )
            count += 1
    sheet.finish()
    return count


def export_score_matrix(
    session: Session, batch_id: int, path: str | Path, *, anonymous: bool = False, stage_id: int | None = None
) -> Path:
    """The score matrix of one stage (default: the batch's current one)."""
    stage_id = data.stage_of(session, batch_id, stage_id)
    wb = new_workbook()
    _score_matrix_sheet(wb, session, batch_id, anonymous=anonymous, cancel=NEVER_CANCELLED, stage_id=stage_id)
    return save_workbook(wb, path)


def export_batch_workbook(
    session: Session,
    batch_id: int,
    path: str | Path,
    *,
    progress: Progress = NO_PROGRESS,
    cancel: CancelToken = NEVER_CANCELLED,
    stage_id: int | None = None,
) -> Path:
    """The whole batch in one workbook: applications, every stage's panel
    results and score matrix, the funding list (final scores up to
    ``stage_id``, default the current stage), plan view (no contact data of experts)."""
    batch = session.get(Batch, batch_id)
    if batch is None:
        raise NotFound(_("No batch with id {id}.").format(id=batch_id))
    wb = new_workbook()
    steps = 4
    progress.update(0, steps, _("Applications"))
    write_applications_sheet(wb, session, batch_id, batch.name, cancel=cancel)
    ids = list(
        session.scalars(select(Application.id).where(Application.batch_id == batch_id).order_by(Application.number))
    )
    headers = data.app_headers(session, ids)
    minimum = rules_of(batch).min_sheets

    progress.update(1, steps, _("Panel results"))
    ws = add_sheet(wb, _("Panel results"))
    columns = [
        Column(_("Review stage")),
        Column(_("Application no.")),
        Column(_("Sheets"), "int"),
        Column(_("Mean"), "points"),
        Column(_("Trimmed mean"), "points"),
        Column(_("Median"), "points"),
        Column(_("Spread"), "points"),
        Column(_("Standard deviation"), "points"),
        Column(_("Final score"), "points"),
        Column(_("Rule in force"), width=30),
        Column(_("Vetoes"), "int"),
        Column(_("Opinions (R/RR/N)")),
        Column(_("Flags"), width=30),
    ]
    sheet = TableSheet(ws, columns)
    results = (
        {
            (r.stage_id, r.application_id): r
            for r in session.scalars(select(PanelResult).where(PanelResult.application_id.in_(ids)))
        }
        if ids
        else {}
    )
    for stage in expert_stages(session, batch_id):  # every stage's results, kept side by side
        in_stage = set(stage_application_ids(session, stage))
        for app_id in ids:
            if app_id not in in_stage:
                continue
            r = results.get((stage.id, app_id))
            if r is None:
                sheet.append([stage.name, headers[app_id].number, 0])
                continue
            _result_row(sheet, stage.name, headers[app_id].number, r, minimum)
    sheet.finish()

    progress.update(2, steps, _("Score matrix"))
    _score_matrix_sheet(wb, session, batch_id, anonymous=False, cancel=cancel, stage_id=None)
    progress.update(3, steps, _("Funding list"))
    _funding_sheets(wb, funding_view(session, batch_id, stage_id))
    cancel.check()
    saved = save_workbook(wb, path)
    progress.update(steps, steps, str(saved))
    return saved


def _result_row(sheet, stage: str, number: str, r: PanelResult, min_sheets: int) -> None:
    sheet.append(
        [
            stage,
            number,
            r.sheet_count,
            r.mean,
            r.trimmed_mean,
            r.median,
            r.spread,
            r.std_dev,
            r.final_score,
            rule_label(r.rule),
            r.veto_count,
            _opinions_text(r.opinions or {}),
            _("、").join(flag_label(f) for f in flags_for_batch(r.flags, r.sheet_count, min_sheets)),
        ]
    )
