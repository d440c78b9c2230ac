"""The funding page's plan view (规划统计): the funding line per direction and
key industry — each application counted once, under its primary area, and
the applications that name an area only as a secondary one shown apart, in
their own column, never added — and the quota dialog.

Threading: GUI thread only.
"""

from __future__ import annotations

from decimal import Decimal

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QFont
from PySide6.QtWidgets import QComboBox, QDialog, QDialogButtonBox, QFormLayout, QLabel, QLineEdit

from reviewtool.gui.funding.amount_dialog import money
from reviewtool.gui.widgets.row_table_model import RowTableModel
from reviewtool.i18n import N_, _
from reviewtool.services import funding


class PlanModel(RowTableModel):
    headers = (
        N_("Area code"),
        N_("Priority area"),
        N_("Recommended applications"),
        N_("Recommended (10k yuan)"),
        N_("Share of the budget"),
        N_("Quota"),
        N_("As a secondary area (not counted)"),
    )

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.quotas: dict[str, funding.QuotaRow] = {}

    def set_rows(self, rows, quotas=()) -> None:
        self.beginResetModel()
        self.rows = list(rows)
        self.quotas = {q.code: q for q in quotas}
        self.endResetModel()

    def data(self, index: QModelIndex | QPersistentModelIndex, role: int = Qt.ItemDataRole.DisplayRole):
        if not index.isValid():
            return None
        a = self.rows[index.row()]
        if role == Qt.ItemDataRole.DisplayRole:
            share = "" if a.share is None else f"{a.share * 100:.1f}%"
            indent = "" if a.kind == "direction" else "    "
            secondary = (
                _("{count} · {money}").format(count=a.secondary_count, money=money(a.secondary_amount))
                if a.secondary_count
                else ""
            )
            code = a.code or "—"
            return (code, indent + a.title, a.count, money(a.amount), share, quota_text(self.quotas.get(a.code)),
                    secondary)[index.column()]  # fmt: skip
        if role == Qt.ItemDataRole.ToolTipRole and index.column() == 6 and a.secondary_count:
            return _("{count} funded applications name {area} as a secondary area; they are counted under "
                     "their primary area, not here.").format(count=a.secondary_count, area=f"{a.code} {a.title}")  # fmt: skip
        if role == Qt.ItemDataRole.TextAlignmentRole and index.column() in (2, 3, 4):
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if role == Qt.ItemDataRole.FontRole and a.kind == "direction":
            font = QFont()
            font.setBold(True)
            return font
        return None


def quota_text(quota: funding.QuotaRow | None) -> str:
    if quota is None:
        return ""
    parts = []
    if quota.max_count is not None:
        parts.append(_("at most {count}").format(count=quota.max_count))
    if quota.max_amount is not None:
        parts.append(_("at most {money}").format(money=money(quota.max_amount)))
    return _(", ").join(parts)


def plan_in_tree_order(view: funding.FundingView, parents: dict[str, str]) -> list:
    """Directions each followed by their key industries."""
    directions = [a for a in view.plan if a.kind == "direction"]
    industries = [a for a in view.plan if a.kind != "direction"]
    ordered = []
    for d in directions:
        ordered.append(d)
        ordered += [i for i in industries if parents.get(i.code) == d.code]
    ordered += [i for i in industries if i not in ordered]
    return ordered


class QuotaDialog(QDialog):
    """Set or remove the quota of one direction or key industry."""

    def __init__(self, areas: list[tuple[str, str]], quotas: dict, code: str | None = None, parent=None) -> None:
        super().__init__(parent)
        self.setWindowTitle(_("Area quota"))
        self.quotas = quotas
        self.area = QComboBox()
        for area_code, title in areas:
            self.area.addItem(f"{area_code} {title}", area_code)
        self.max_count = QLineEdit()
        self.max_count.setObjectName("max-count")
        self.max_count.setPlaceholderText(_("no limit"))
        self.max_amount = QLineEdit()
        self.max_amount.setObjectName("max-amount")
        self.max_amount.setPlaceholderText(_("no limit"))
        self.error = QLabel()
        self.error.setStyleSheet("color: #B00020")
        form = QFormLayout(self)
        form.addRow(_("Priority area"), self.area)
        form.addRow(_("Maximum count"), self.max_count)
        form.addRow(_("Maximum (10k yuan)"), self.max_amount)
        form.addRow(QLabel(_("Leave both empty to remove the quota.")))
        form.addRow(self.error)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self._check)
        buttons.rejected.connect(self.reject)
        form.addRow(buttons)
        self.area.currentIndexChanged.connect(self._show_current)
        if code is not None:
            self.area.setCurrentIndex(max(0, self.area.findData(code)))
        self._show_current()
        self.values: tuple[str, int | None, Decimal | None] | None = None

    def _show_current(self) -> None:
        quota = self.quotas.get(self.area.currentData())
        self.max_count.setText("" if quota is None or quota.max_count is None else str(quota.max_count))
        self.max_amount.setText("" if quota is None or quota.max_amount is None else f"{quota.max_amount:.2f}")

    def _check(self) -> None:
        text = self.max_count.text().strip()
        if text and not text.isdigit():
            self.error.setText(_("{what}: “{text}” is not a whole number.").format(what=_("Maximum count"), text=text))
            return
        try:
            amount = funding.parse_money(self.max_amount.text(), what=_("Maximum (10k yuan)"))
        except Exception as exc:  # noqa: BLE001 - UserError with the message
            self.error.setText(str(exc))
            return
        self.values = (self.area.currentData(), int(text) if text else None, amount)
        self.accept()
