"""The 申报项目 sheet of the whole-batch workbook: every field of every
application, under the summary sheet's own column headers
(``core.intake.fields.FIELDS``, so the sheet reads like the bureau's
申报汇总表), followed by what the review added (status, areas, amounts,
panel score) and any extra columns an import kept (``extra_fields``).

Budget lines and outputs get a column each; a key met in the data that the
field list does not know gets its own column too, so nothing is dropped.
"""

from __future__ import annotations

from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from reviewtool.core.intake.fields import FIELDS
from reviewtool.i18n import _
from reviewtool.services.documents import data
from reviewtool.services.exports.xlsx import Column, TableSheet, add_sheet
from reviewtool.services.progress import CancelToken
from reviewtool.storage.models import Application, Unit

_KIND = {"money": "money", "budget": "money", "int": "int", "date": "date"}
_WIDE = {"title": 40, "unit": 28, "partner_units": 30, "abstract": 60, "area": 30, "secondary_areas": 24}


def _value(app: Application, unit: Unit, areas: tuple[str, ...], key: str):
    if key.startswith("budget:"):
        return _money((app.budget_lines or {}).get(key.split(":", 1)[1]))
    if key.startswith("output:"):
        return (app.outputs or {}).get(key.split(":", 1)[1])
    if key == "unit":
        return unit.name
    if key == "unit_type":
        return unit.unit_type.label() if unit.unit_type else ""
    if key in ("county", "credit_code"):
        return getattr(unit, key)
    if key == "area":
        return areas[0] if areas else ""
    if key == "secondary_areas":
        return "；".join(areas[1:])
    if key == "period":
        start = app.start_date.strftime("%Y.%m") if app.start_date else ""
        end = app.end_date.strftime("%Y.%m") if app.end_date else ""
        return f"{start}-{end}" if start or end else ""
    if key in ("start_date", "end_date"):
        return None  # shown in 起止年限
    return getattr(app, key, None)


def _money(value):
    if value in (None, ""):
        return None
    try:
        return Decimal(str(value))
    except ArithmeticError:
        return str(value)


def write_applications_sheet(wb, session: Session, batch_id: int, name: str, *, cancel: CancelToken) -> int:
    rows = list(
        session.execute(
            select(Application, Unit)
            .join(Unit, Application.unit_id == Unit.id)
            .where(Application.batch_id == batch_id)
            .order_by(Application.number)
        )
    )
    headers = data.app_headers(session, [app.id for app, _unit in rows])
    fields = [f for f in FIELDS if f.key not in ("start_date", "end_date")]
    known_budget = {f.key.split(":", 1)[1] for f in fields if f.key.startswith("budget:")}
    known_output = {f.key.split(":", 1)[1] for f in fields if f.key.startswith("output:")}
    extra_budget = sorted({k for app, _u in rows for k in (app.budget_lines or {})} - known_budget)
    extra_output = sorted({k for app, _u in rows for k in (app.outputs or {})} - known_output)
    extra_fields = sorted({k for app, _u in rows for k in (app.extra_fields or {})})
    columns = [Column(f.header, _KIND.get(f.kind, "text"), width=_WIDE.get(f.key)) for f in fields]
    columns += [Column(k, "money") for k in extra_budget] + [Column(k) for k in extra_output]
    columns += [
        Column(_("Status")),
        Column(_("Reason for the status"), width=30),
        Column(_("Recommended (10k yuan)"), "money"),
        Column(_("Reason for the amount"), width=30),
        Column(_("Panel score"), "points"),
        *[Column(k) for k in extra_fields],
    ]
    ws = add_sheet(wb, _("Applications"))
    sheet = TableSheet(ws, columns, title=name)
    for app, unit in rows:
        cancel.check()
        areas = headers[app.id].areas
        values = [_value(app, unit, areas, f.key) for f in fields]
        values += [_money((app.budget_lines or {}).get(k)) for k in extra_budget]
        values += [(app.outputs or {}).get(k) for k in extra_output]
        values += [
            app.status.label(),
            app.status_reason,
            app.recommended_amount,
            app.recommended_reason,
            app.panel_score,
            *[(app.extra_fields or {}).get(k) for k in extra_fields],
        ]
        sheet.append(values)
    sheet.finish(landscape=True)
    return len(rows)
