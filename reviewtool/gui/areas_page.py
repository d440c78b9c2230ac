"""Browser of the plan's priority areas with each area's plan text."""

from __future__ import annotations

import html

from PySide6.QtCore import Qt
from PySide6.QtGui import QStandardItem, QStandardItemModel
from PySide6.QtWidgets import QHeaderView, QSplitter, QTextBrowser, QTreeView, QVBoxLayout, QWidget

from reviewtool.gui.context import GuiContext
from reviewtool.i18n import N_, _
from reviewtool.services.taxonomy import AreaRow, list_areas

AREA_ROLE = Qt.ItemDataRole.UserRole + 1

#: Top-level groups of the tree: (title, kinds of root areas shown under it).
GROUPS = (
    (N_("Directions and key industries"), ("direction",)),
    (N_("Key tasks"), ("key_task",)),
    (N_("Supports"), ("support",)),
    (N_("Provincial special programmes"), ("special",)),
    (N_("Plan targets"), ("target",)),
)

ATTRIBUTE_LABELS = {
    "group": N_("Group"),
    "unit": N_("Unit"),
    "baseline": N_("Baseline"),
    "target": N_("Target"),
    "nature": N_("Nature"),
    "column": N_("Column"),
}


class AreaTreeModel(QStandardItemModel):
    """Groups → root areas → children, built from ``AreaRow``s (a few hundred at most)."""

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.setHorizontalHeaderLabels([_("Code"), _("Title")])

    def populate(self, rows: list[AreaRow]) -> None:
        self.removeRows(0, self.rowCount())
        children: dict[str | None, list[AreaRow]] = {}
        for row in rows:
            children.setdefault(row.parent, []).append(row)

        def add(parent_item: QStandardItem, row: AreaRow) -> None:
            code = QStandardItem(row.code)
            title = QStandardItem(row.title)
            for item in (code, title):
                item.setEditable(False)
                item.setData(row, AREA_ROLE)
            title.setToolTip(row.title)
            parent_item.appendRow([code, title])
            for child in children.get(row.code, []):
                add(code, child)

        for group_title, kinds in GROUPS:
            roots = [r for r in children.get(None, []) if r.kind in kinds]
            if not roots:
                continue
            editions = {r.edition for r in roots}
            group = QStandardItem(_(group_title))
            group.setEditable(False)
            filler = QStandardItem("")
            filler.setEditable(False)
            self.appendRow([group, filler])
            if kinds == ("target",) and len(editions) > 1:
                # Each plan has its own targets table, shown under the plan's title.
                for edition in dict.fromkeys(r.edition for r in roots):
                    rows_of_edition = [r for r in roots if r.edition == edition]
                    table = QStandardItem(rows_of_edition[0].edition_title or edition)
                    table.setEditable(False)
                    group.appendRow([table, QStandardItem("")])
                    for row in rows_of_edition:
                        add(table, row)
            else:
                for row in roots:
                    add(group, row)


def describe(row: AreaRow) -> str:
    """The detail pane's HTML: title, code, attributes and the plan text (escaped)."""
    parts = [f"<h3>{html.escape(row.title)}</h3>", f"<p><b>{html.escape(row.code)}</b>"]
    if row.section:
        parts.append(" · " + html.escape(_("Section {section}").format(section=row.section)))
    parts.append("</p>")
    attributes = [(k, v) for k, v in row.attributes.items() if k in ATTRIBUTE_LABELS and v not in (None, "")]
    if attributes:
        parts.append("<table cellspacing=4>")
        for key, value in attributes:
            parts.append(
                f"<tr><td><b>{html.escape(_(ATTRIBUTE_LABELS[key]))}</b></td><td>{html.escape(str(value))}</td></tr>"
            )
        parts.append("</table>")
    for paragraph in row.description.split("\n"):
        if paragraph.strip():
            parts.append(f"<p style='line-height:150%'>{html.escape(paragraph)}</p>")
    return "".join(parts)


class AreasPage(QWidget):
    def __init__(self, ctx: GuiContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._ctx = ctx
        self.model = AreaTreeModel(self)
        self.tree = QTreeView()
        self.tree.setModel(self.model)
        self.tree.setUniformRowHeights(True)
        self.tree.header().setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        self.tree.header().setStretchLastSection(True)
        self.detail = QTextBrowser()
        self.detail.setOpenExternalLinks(False)
        splitter = QSplitter(Qt.Orientation.Horizontal)
        splitter.addWidget(self.tree)
        splitter.addWidget(self.detail)
        splitter.setStretchFactor(0, 3)
        splitter.setStretchFactor(1, 2)
        layout = QVBoxLayout(self)
        layout.addWidget(splitter)
        self.tree.selectionModel().currentChanged.connect(self._show)
        ctx.bus.changed.connect(self._on_changes)
        self.refresh()

    def _on_changes(self, changes) -> None:
        if changes.areas:
            self.refresh()

    def refresh(self) -> None:
        self._ctx.run_db(lambda session, _p, _c: list_areas(session), self._populate)

    def _populate(self, rows: list[AreaRow]) -> None:
        self.model.populate(rows)
        self.tree.expandToDepth(0)
        self.detail.clear()

    def _show(self, current, _previous) -> None:
        row = current.data(AREA_ROLE)
        if isinstance(row, AreaRow):
            self.detail.setHtml(describe(row))
        else:
            self.detail.clear()
