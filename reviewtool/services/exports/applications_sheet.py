"""The 申报项目 sheet of the whole-batch workbook: every field of every
application, under the summary sheet's own column headers
(``core.intake.fields.FIELDS``, so the sheet reads like the bureau's
申报汇总表), followed by what the review added (status, areas, amounts,
panel score) and any extra columns an import kept (``extra_fields``).

Budget lines and outputs get a column each; a key met in the data that the
field list does not know gets its own column too, so nothing is dropped.
A key that is another name of a known line, read as the import reads a
header (``设备费`` or ``劳务费`` for 设备 / 人员, ``示范推广面积（亩）`` for
示范推广面积: aliases, bracketed units ignored), goes into that line's column
instead of a second column for the same item: budget amounts are summed, as
the import sums repeated budget columns; an output keeps a column of its own
only where an application holds both names. No header appears twice: an
import-kept column named like another is marked as such.
"""

from __future__ import annotations

from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from reviewtool.core.intake.fields import FIELDS, column_specs
from reviewtool.core.tables.header import alias_index
from reviewtool.core.tables.text import normalise_header
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


def _other_names(kind: str, known: set[str], stored: list[dict]) -> dict[str, str]:
    """Stored keys of ``kind`` (``budget`` / ``output``) the field list does not use that
    name a known line (``设备费`` → ``设备``), read as the import reads a header. An output
    line one application holds under two names keeps its other names apart (nothing is dropped)."""
    index = alias_index(column_specs())
    found: dict[str, str] = {}
    for key in sorted({k for lines in stored for k in lines} - known):
        field = index.get(normalise_header(key), "")
        if field.startswith(kind + ":"):
            found[key] = field.split(":", 1)[1]
    if kind == "output":
        for line in set(found.values()):
            names = [line, *(k for k, to in found.items() if to == line)]
            if any(sum(lines.get(k) not in (None, "") for k in names) > 1 for lines in stored):
                found = {k: to for k, to in found.items() if to != line}
    return found


def _budget_amount(lines: dict, line: str, others: dict[str, str]):
    values = [lines.get(k) for k in (line, *(k for k, to in others.items() if to == line))]
    amounts = [_money(v) for v in values if v not in (None, "")]
    if len(amounts) <= 1:
        return amounts[0] if amounts else None
    if all(isinstance(a, Decimal) for a in amounts):
        return sum(amounts, Decimal(0))
    return "；".join(str(a) for a in amounts)


def _output(outputs: dict, line: str, others: dict[str, str]):
    for key in (line, *(k for k, to in others.items() if to == line)):
        if outputs.get(key) not in (None, ""):
            return outputs[key]
    return outputs.get(line)


def _unique_titles(columns: list[Column], extra: set[int]) -> list[Column]:
    """Each header once: a column kept from the data (positions ``extra``) named like
    another column is marked as such (and numbered if that is taken too)."""
    taken = {c.title for i, c in enumerate(columns) if i not in extra}
    out = []
    for index, column in enumerate(columns):
        if index in extra:
            title = column.title
            if title in taken:
                title = _("{header} (imported column)").format(header=title)
            base, number = title, 2
            while title in taken:
                title, number = f"{base} ({number})", number + 1
            taken.add(title)
            column = Column(title, column.kind, column.width, column.wrap)
        out.append(column)
    return out


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
    budgets = [app.budget_lines or {} for app, _u in rows]
    outputs = [app.outputs or {} for app, _u in rows]
    other_budget = _other_names("budget", known_budget, budgets)
    other_output = _other_names("output", known_output, outputs)
    extra_budget = sorted({k for lines in budgets for k in lines} - known_budget - set(other_budget))
    extra_output = sorted({k for lines in outputs for k in lines} - known_output - set(other_output))
    extra_fields = sorted({k for app, _u in rows for k in (app.extra_fields or {})})
    columns = [Column(f.header, _KIND.get(f.kind, "text"), width=_WIDE.get(f.key)) for f in fields]
    columns += [Column(k, "money") for k in extra_budget] + [Column(k) for k in extra_output]
    extra = set(range(len(fields), len(columns)))
    columns += [
        Column(_("Status")),
        Column(_("Reason for the status"), width=30),
        Column(_("Recommended (10k yuan)"), "money"),
        Column(_("Reason for the amount"), width=30),
        Column(_("Panel score"), "points"),
    ]
    extra |= set(range(len(columns), len(columns) + len(extra_fields)))
    columns += [Column(k) for k in extra_fields]
    columns = _unique_titles(columns, extra)
    ws = add_sheet(wb, _("Applications"))
    sheet = TableSheet(ws, columns, title=name)
    for app, unit in rows:
        cancel.check()
        areas = headers[app.id].areas
        values = []
        for f in fields:
            if f.key.startswith("budget:"):
                values.append(_budget_amount(app.budget_lines or {}, f.key.split(":", 1)[1], other_budget))
            elif f.key.startswith("output:"):
                values.append(_output(app.outputs or {}, f.key.split(":", 1)[1], other_output))
            else:
                values.append(_value(app, unit, areas, f.key))
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
