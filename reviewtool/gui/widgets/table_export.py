"""The shared "导出 Excel…" action: any table, saved as the user sees it.

What is written is what the view shows — the visible columns in their
on-screen order with their headers, the rows the filter lets through in the
order sorted, the cell texts as displayed (untruncated). The writing goes
through ``services.exports.table_export.export_table`` on the worker.

For a table loaded page by page (the application list), ``collect`` gives
the worker operation that reads every matching row, since the view holds
only the pages scrolled to so far.

GUI thread only.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QFileDialog, QMessageBox, QWidget

from reviewtool.gui.context import GuiContext
from reviewtool.i18n import _

#: Called on the GUI thread with the shown columns; gives the worker operation
#: (session -> rows of display texts) that reads every row to export.
Collector = Callable[[list[int]], Callable[[object], list[list[str]]]]


def shown_columns(view) -> list[int]:
    """Logical column numbers of the visible columns, in on-screen order."""
    header = view.horizontalHeader()
    columns = [header.logicalIndex(visual) for visual in range(header.count())]
    return [c for c in columns if not header.isSectionHidden(c)]


def shown_headers(view, columns: Sequence[int]) -> list[str]:
    return [str(view.model().headerData(c, Qt.Orientation.Horizontal) or "") for c in columns]


def shown_table(view, columns: Sequence[int] | None = None) -> tuple[list[str], list[list[str]]]:
    """(headers, rows) of ``view`` as shown."""
    model = view.model()
    columns = list(shown_columns(view) if columns is None else columns)
    headers = shown_headers(view, columns)
    rows = []
    for row in range(model.rowCount()):
        values = [model.index(row, c).data(Qt.ItemDataRole.DisplayRole) for c in columns]
        rows.append(["" if v is None else str(v) for v in values])
    return headers, rows


def file_name(title: str) -> str:
    name = re.sub(r'[\\/:*?"<>|\s]+', "_", title).strip("_.") or "list"
    return name[:80] + ".xlsx"


class ExportTableAction(QAction):
    """``title``: text or a callable giving it (e.g. with the batch's name);
    ``describe``: a callable giving the filter in words (``FilterBar.describe``);
    ``on_message``: where to report the result (a page's status message);
    ``before``: a question asked first, given the export to go on with (the
    funding list asks before a draft goes out, ``confirm_draft``)."""

    def __init__(
        self,
        ctx: GuiContext,
        view,
        title: str | Callable[[], str],
        parent: QWidget,
        *,
        describe: Callable[[], str] | None = None,
        collect: Collector | None = None,
        on_message: Callable[[str], None] | None = None,
        before: Callable[[Callable[[], None]], None] | None = None,
    ) -> None:
        super().__init__(_("Export to Excel…"), parent)
        self.setObjectName("export-excel")
        self.setToolTip(
            _("Save this list as an Excel workbook as it is shown: the rows filtered and sorted, these columns.")
        )
        self._ctx = ctx
        self._view = view
        self._title = title
        self._describe = describe
        self._collect = collect
        self._on_message = on_message
        self._before = before
        self._parent = parent
        self.last_changes = None
        self.triggered.connect(self.export)

    def title(self) -> str:
        title = self._title() if callable(self._title) else self._title
        described = self._describe() if self._describe else ""
        return _("{title} ({filter})").format(title=title, filter=described) if described else title

    def export(self, _checked: bool = False, path: str | None = None) -> None:
        if self._before is None:
            self._write(path)
        else:
            self._before(lambda: self._write(path))

    def _write(self, path: str | None) -> None:
        title = self.title()
        if not path:
            path, _filter = QFileDialog.getSaveFileName(
                self._parent, _("Export to Excel"), file_name(title), _("Workbooks (*.xlsx)")
            )
        if not path:
            return
        from reviewtool.services.exports.table_export import export_table

        columns = shown_columns(self._view)
        if self._collect is None:
            headers, rows = shown_table(self._view, columns)
            read = None
        else:
            headers, rows = shown_headers(self._view, columns), None
            read = self._collect(columns)
        actor = self._ctx.actor

        def work(session, _p, _c):
            table = rows if read is None else read(session)
            return export_table(session, path, title=title, headers=headers, rows=table, actor=actor)

        self._ctx.run_db(work, self._done, self._failed, label=_("Writing the workbook…"))

    def _done(self, changes) -> None:
        self.last_changes = changes
        if self._on_message is not None:
            self._on_message(changes.message)
        self._ctx.bus.announce(changes)

    def _failed(self, error: BaseException) -> None:
        QMessageBox.warning(self._parent, _("Not exported"), str(error))
