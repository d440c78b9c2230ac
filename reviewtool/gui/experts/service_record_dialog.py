"""An expert's service record (履职记录), for staff: one line per panel —
batch, stage, panel, the invitation's answer, sheets on time, late and
missing, conflicts — and the totals with the calibration offset."""

from __future__ import annotations

from PySide6.QtWidgets import QDialog, QDialogButtonBox, QLabel, QMessageBox, QVBoxLayout, QWidget
from shiboken6 import isValid

from reviewtool.gui.context import GuiContext
from reviewtool.gui.widgets.rows_model import RowsModel, table_view
from reviewtool.i18n import N_, _
from reviewtool.services.experts.service_record import ServiceRecord, service_record

COLUMNS = (
    N_("Batch"),
    N_("Stage"),
    N_("Panel"),
    N_("Drawn on"),
    N_("Invitation"),
    N_("Assigned"),
    N_("On time"),
    N_("Late"),
    N_("Missing"),
    N_("Conflicts"),
    N_("Reason"),
)


class ServiceRecordDialog(QDialog):
    def __init__(self, ctx: GuiContext, expert_id: int, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.expert_id = expert_id
        self.setWindowTitle(_("Service record"))
        self.heading = QLabel()
        self.heading.setObjectName("record-heading")
        self.heading.setWordWrap(True)
        self.model = RowsModel([_(c) for c in COLUMNS], self)
        self.view = table_view(self.model)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.heading)
        layout.addWidget(self.view, 1)
        layout.addWidget(buttons)
        self.resize(1000, 420)
        ctx.run_db(lambda session, _p, _c: service_record(session, expert_id), self._show, self._error)

    def _show(self, record: ServiceRecord) -> None:
        if not isValid(self.heading):  # closed (and deleted) before the record came back
            return
        self.record = record
        self.heading.setText(f"<b>{record.name}</b>（{record.unit or '—'}）<br>{record.summary()}")
        self.model.set_rows(
            [
                (
                    line.batch,
                    line.stage,
                    line.panel,
                    line.drawn_on.isoformat() if line.drawn_on else "",
                    line.invitation.label() + (f"（{line.answered_on.isoformat()}）" if line.answered_on else ""),
                    line.assigned,
                    line.on_time,
                    line.late,
                    line.missing,
                    line.conflicts,
                    line.reason,
                )
                for line in record.lines
            ],
            list(range(len(record.lines))),
            [
                "#eeeeee" if line.declined else ("#f8d7da" if line.late or line.missing else None)
                for line in record.lines
            ],
        )
        self.view.resizeColumnsToContents()

    def _error(self, error: BaseException) -> None:
        if not isValid(self):
            return
        QMessageBox.warning(self, _("Error"), str(error))
        self.reject()
