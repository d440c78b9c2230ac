"""Any list as the user sees it, saved as an Excel workbook.

The GUI hands over the table as shown — the visible columns in their order,
with their headers, and the rows the filter lets through in the order
sorted — as display texts. ``export_table`` writes them with the
injection-safe helpers of ``services.exports.xlsx`` (a title row, a bold
frozen header, an autofilter, fitted widths) and records the export in the
audit trail (a list may carry personal data such as experts' phones).

A column whose every non-blank cell is a plain amount or score
(``1,234.50``, ``7.5``, ``80``) is written as numbers, so it can be summed in
Excel; anything that only looks like a number — a telephone number, a code
with leading zeros (``0972``, ``001``), a long digit string — stays text.

Thread-safety: none needed; runs on the worker with its own session.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from decimal import Decimal
from pathlib import Path

from sqlalchemy.orm import Session

from reviewtool.i18n import _
from reviewtool.services import audit
from reviewtool.services.changes import Changes
from reviewtool.services.exports.xlsx import Column, TableSheet, add_sheet, new_workbook, save_workbook

#: A plain amount: no leading zero (except ``0.x``), at most 12 digits before the point.
_AMOUNT = re.compile(r"^-?(0|[1-9]\d{0,2}(,\d{3}){1,3}|[1-9]\d{0,8})(\.\d{1,4})?$")
#: Shown for "none" in a number column (no rank yet …); kept as text, not counted against the column.
_PLACEHOLDERS = {"—", "–", "-", "/"}


def _is_amount(text: str) -> bool:
    return bool(_AMOUNT.match(text.strip()))


def _decimals(texts: Sequence[str]) -> int:
    return max((len(t.split(".", 1)[1]) for t in texts if "." in t), default=0)


def column_kinds(rows: Sequence[Sequence[str]], width: int) -> list[str | None]:
    """Per column: a number format when every non-blank cell is an amount, else None (text)."""
    kinds: list[str | None] = []
    for column in range(width):
        texts = [str(row[column] or "").strip() for row in rows if column < len(row)]
        texts = [t for t in texts if t and t not in _PLACEHOLDERS]
        if texts and all(_is_amount(t) for t in texts):
            places = _decimals(texts)
            grouped = any("," in t for t in texts)
            kinds.append(("#,##0" if grouped else "0") + ("." + "0" * places if places else ""))
        else:
            kinds.append(None)
    return kinds


def export_table(
    session: Session,
    path: str | Path,
    *,
    title: str,
    headers: Sequence[str],
    rows: Sequence[Sequence[str]],
    actor: str,
) -> Changes:
    """Write ``rows`` under ``headers`` to ``path`` (.xlsx); the message says where."""
    path = Path(path)
    if path.suffix.lower() != ".xlsx":
        path = path.with_name(path.name + ".xlsx")
    kinds = column_kinds(rows, len(headers))
    wb = new_workbook()
    ws = add_sheet(wb, title or _("List"))
    table = TableSheet(ws, [Column(str(h)) for h in headers], title=title or None)
    for row in rows:
        values = []
        for column in range(len(headers)):
            text = str(row[column]) if column < len(row) and row[column] is not None else ""
            if kinds[column] and text.strip() and text.strip() not in _PLACEHOLDERS:
                values.append(Decimal(text.strip().replace(",", "")))
            else:
                values.append(text)
        number = table.append(values)
        for column, kind in enumerate(kinds, start=1):
            if kind:
                ws.cell(row=number, column=column).number_format = kind
    table.finish()
    saved = save_workbook(wb, path)
    audit.record(
        session,
        actor=actor,
        action="list.export",
        entity_type="list",
        summary=_("Exported {count} rows of “{title}” to {file}").format(count=len(rows), title=title, file=saved.name),
        details={"file": saved.name, "title": title, "rows": len(rows), "columns": list(map(str, headers))},
    )
    return Changes(
        message=_("Exported {count} rows to {path}").format(count=len(rows), path=saved),
        details={"path": str(saved), "rows": len(rows)},
    )
