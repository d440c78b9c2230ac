"""The table of users in the administrator's dialog (one row per ``UserRow``)."""

from __future__ import annotations

from PySide6.QtCore import QModelIndex, Qt

from reviewtool.gui.widgets.row_table_model import RowTableModel
from reviewtool.i18n import N_, _


class UsersModel(RowTableModel):
    headers = (N_("Login name"), N_("Name"), N_("Roles"), N_("Expert"), N_("State"))

    def data(self, index: QModelIndex, role: int = Qt.ItemDataRole.DisplayRole):
        if not index.isValid() or role != Qt.ItemDataRole.DisplayRole:
            return None
        row = self.rows[index.row()]
        column = index.column()
        if column == 0:
            return row.login
        if column == 1:
            return row.name
        if column == 2:
            return row.role_labels
        if column == 3:
            return f"{row.expert_name} (#{row.expert_id})" if row.expert_id else ""
        return _("active") if row.active else _("disabled")
