"""Table model of the application list: ids and a row cache, filled page by
page from the worker; sorting and filtering are done in SQL (the list may
hold thousands of applications). ``export_rows`` reads every row of the
current query on the worker, formatted as the table shows it, for
"导出 Excel…"."""

from __future__ import annotations

from decimal import Decimal

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt, Signal
from PySide6.QtGui import QBrush, QColor, QFont

from reviewtool.gui.context import GuiContext
from reviewtool.gui.widgets.area_titles import area_text
from reviewtool.i18n import N_, _
from reviewtool.services.applications import ApplicationQuery, ApplicationRow, count_applications, fetch_applications
from reviewtool.services.intake.tagging import suggested_primary

PAGE_SIZE = 200

#: (sort key, header) in display order.
COLUMNS: tuple[tuple[str, str], ...] = (
    ("number", N_("No.")),
    ("title", N_("Project title")),
    ("unit", N_("Applicant unit")),
    ("county", N_("County/district")),
    ("pi_name", N_("Project leader")),
    ("area_code", N_("Priority area")),
    ("requested_amount", N_("Requested (10k yuan)")),
    ("status", N_("Status")),
    ("panel_score", N_("Score")),
)


def format_wan(value: Decimal | None) -> str:
    return "" if value is None else f"{value:,.2f}"


#: Application id → (code, score, title) of its suggested primary area.
Suggestions = dict[int, tuple[str, object, str | None]]


def display_text(row: ApplicationRow, key: str, suggested: Suggestions) -> str:
    """A cell of the list as shown."""
    if key == "requested_amount":
        return format_wan(row.requested_amount)
    if key == "status":
        return row.status.label()
    if key == "panel_score":
        return "" if row.panel_score is None else f"{row.panel_score:.2f}"
    if key == "area_code":
        if row.area_code is None and row.id in suggested:
            code, _score, title = suggested[row.id]
            return _("{code} (suggested)").format(code=area_text(code, title))
        return area_text(row.area_code, row.area_title)
    value = getattr(row, key)
    return "" if value is None else str(value)


class ApplicationsModel(QAbstractTableModel):
    """Loads the count first, then pages of ``PAGE_SIZE`` rows as the view scrolls."""

    loaded = Signal(int, int)  # rows loaded, total matching
    failed = Signal(str)

    def __init__(self, ctx: GuiContext, parent=None) -> None:
        super().__init__(parent)
        self._ctx = ctx
        self._query = ApplicationQuery()
        self._rows: list[ApplicationRow] = []
        self._suggested: Suggestions = {}
        self._total = 0
        self._generation = 0  # results of an older query are dropped
        self._fetching = False

    # -- query -------------------------------------------------------------

    @property
    def query(self) -> ApplicationQuery:
        return self._query

    @property
    def total(self) -> int:
        return self._total

    def set_query(self, query: ApplicationQuery) -> None:
        self._query = query
        self.reload()

    def reload(self) -> None:
        self._generation += 1
        generation = self._generation
        query = ApplicationQuery(**vars(self._query))
        self.beginResetModel()
        self._rows = []
        self._total = 0
        self._fetching = True
        self.endResetModel()

        def load(session, _progress, _cancel):
            rows = fetch_applications(session, query, 0, PAGE_SIZE)
            return count_applications(session, query), rows, _suggestions(session, rows)

        self._ctx.run_db(
            load, lambda result: self._reset_done(generation, *result), self._failed, supersede=(self, "query")
        )

    def _reset_done(self, generation: int, total: int, rows: list[ApplicationRow], suggested=None) -> None:
        if generation != self._generation:
            return
        self._fetching = False
        self.beginResetModel()
        self._total = total
        self._rows = rows
        self._suggested = dict(suggested or {})
        self.endResetModel()
        self.loaded.emit(len(self._rows), self._total)

    def _failed(self, error: BaseException) -> None:
        self._fetching = False
        self.failed.emit(str(error))

    def row(self, index: int) -> ApplicationRow:
        return self._rows[index]

    # -- lazy loading ------------------------------------------------------

    def canFetchMore(self, parent=QModelIndex()) -> bool:  # noqa: N802 - Qt API
        return not parent.isValid() and not self._fetching and len(self._rows) < self._total

    def fetchMore(self, parent=QModelIndex()) -> None:  # noqa: N802
        if not self.canFetchMore(parent):
            return
        self._fetching = True
        generation = self._generation
        offset = len(self._rows)
        query = ApplicationQuery(**vars(self._query))

        def load(session, _p, _c):
            rows = fetch_applications(session, query, offset, PAGE_SIZE)
            return rows, _suggestions(session, rows)

        self._ctx.run_db(load, lambda result: self._append(generation, offset, *result), self._failed)

    def _append(self, generation: int, offset: int, rows: list[ApplicationRow], suggested=None) -> None:
        if generation != self._generation or offset != len(self._rows):
            return
        self._fetching = False
        self._suggested.update(suggested or {})
        if rows:
            self.beginInsertRows(QModelIndex(), offset, offset + len(rows) - 1)
            self._rows.extend(rows)
            self.endInsertRows()
        self.loaded.emit(len(self._rows), self._total)

    # -- Qt model API ------------------------------------------------------

    def rowCount(self, parent=QModelIndex()) -> int:  # noqa: N802
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent=QModelIndex()) -> int:  # noqa: N802
        return 0 if parent.isValid() else len(COLUMNS)

    def headerData(self, section: int, orientation, role=Qt.ItemDataRole.DisplayRole):  # noqa: N802
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return _(COLUMNS[section][1])
        return None

    def data(self, index: QModelIndex | QPersistentModelIndex, role=Qt.ItemDataRole.DisplayRole):
        if not index.isValid():
            return None
        row = self._rows[index.row()]
        key = COLUMNS[index.column()][0]
        if role == Qt.ItemDataRole.DisplayRole:
            return display_text(row, key, self._suggested)
        if key == "area_code" and row.area_code is None and row.id in self._suggested:
            if role == Qt.ItemDataRole.ForegroundRole:
                return QBrush(QColor("#777777"))
            if role == Qt.ItemDataRole.FontRole:
                font = QFont()
                font.setItalic(True)
                return font
            if role == Qt.ItemDataRole.ToolTipRole:
                code, score, title = self._suggested[row.id]
                return (
                    area_text(code, title)
                    + "\n"
                    + _("Suggested from the title and abstract (score {score}); not confirmed yet.").format(
                        score=f"{score:.2f}" if score is not None else "—"
                    )
                )
        if role == Qt.ItemDataRole.ToolTipRole:
            if key == "area_code" and row.area_code:
                return area_text(row.area_code, row.area_title)
            if key == "title":
                return row.title
        if role == Qt.ItemDataRole.TextAlignmentRole and key in ("requested_amount", "panel_score"):
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if role == Qt.ItemDataRole.UserRole:
            return row.id
        return None

    def export_rows(self, columns: list[int]):
        """The worker operation giving every row of the current query, as shown, in ``columns``."""
        query = ApplicationQuery(**vars(self._query))
        keys = [COLUMNS[c][0] for c in columns]

        def rows(session) -> list[list[str]]:
            found = fetch_applications(session, query, 0, max(count_applications(session, query), 1))
            suggested = _suggestions(session, found)
            return [[display_text(row, key, suggested) for key in keys] for row in found]

        return rows

    def sort(self, column: int, order=Qt.SortOrder.AscendingOrder) -> None:
        self._query.sort_key = COLUMNS[column][0]
        self._query.descending = order == Qt.SortOrder.DescendingOrder
        self.reload()


def _suggestions(session, rows: list[ApplicationRow]) -> Suggestions:
    """Suggested primary areas (code, score, title) of the rows that have no confirmed one (worker thread)."""
    from sqlalchemy import select

    from reviewtool.storage.models import PriorityArea

    found = suggested_primary(session, [row.id for row in rows if row.area_code is None])
    codes = {code for code, _score in found.values()}
    titles = (
        dict(session.execute(select(PriorityArea.code, PriorityArea.title).where(PriorityArea.code.in_(codes))).all())
        if codes
        else {}
    )
    return {app_id: (code, score, titles.get(code)) for app_id, (code, score) in found.items()}
