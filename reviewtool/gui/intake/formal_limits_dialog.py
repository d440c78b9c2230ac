"""The batch's formal-review limits (形式审查限定条件): the co-funding ratio,
限项 per project leader and per unit, the unit's registration cut-off and the
leader's maximum age. Empty means the batch sets no such limit. Setting the
cut-off or the age adds its item to the batch's checklist."""

from __future__ import annotations

from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QMessageBox,
    QWidget,
)

from reviewtool.gui.context import GuiContext
from reviewtool.i18n import _
from reviewtool.services.batches.batch import get_batch
from reviewtool.services.intake import formal_limits, formal_prefill


class FormalLimitsDialog(QDialog):
    def __init__(self, ctx: GuiContext, batch_id: int, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._ctx = ctx
        self.batch_id = batch_id
        self.setWindowTitle(_("Formal-review limits"))
        self.fields: dict[str, QLineEdit] = {}
        form = QFormLayout(self)
        for key, title, hint in (
            ("cofunding_ratio", _("Co-funding ratio (自筹 : 申请), at least"), _("e.g. 1 for 1 : 1")),
            ("pi_limit", _("Applications per project leader"), _("open applications in every open batch")),
            ("unit_limit", _("Applications per unit"), _("open applications in every open batch")),
            ("registered_before", _("Unit registered on or before"), "YYYY-MM-DD"),
            ("pi_max_age", _("Project leader's maximum age"), _("years, on the batch's deadline")),
        ):
            edit = QLineEdit()
            edit.setObjectName(f"limit_{key}")
            edit.setPlaceholderText(hint)
            self.fields[key] = edit
            form.addRow(title, edit)
        note = QLabel(_("Leave a field empty when the batch sets no such limit."))
        note.setWordWrap(True)
        form.addRow(note)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel)
        self.buttons.accepted.connect(self.save)
        self.buttons.rejected.connect(self.reject)
        form.addRow(self.buttons)
        ctx.run_db(
            lambda session, _p, _c: formal_prefill.limits_of(get_batch(session, batch_id)), self._loaded, self._error
        )

    def _loaded(self, limits: formal_prefill.FormalLimits) -> None:
        for key, value in limits.as_json().items():
            self.fields[key].setText("" if value is None else str(value))

    def values(self) -> dict[str, str]:
        return {key: edit.text().strip() for key, edit in self.fields.items()}

    def save(self) -> None:
        values, batch_id, actor = self.values(), self.batch_id, self._ctx.actor

        def run(session, _p, _c):
            return formal_limits.set_limits(session, batch_id, values, actor=actor)

        self._ctx.run_db(run, self._saved, self._error)

    def _saved(self, changes) -> None:
        self._ctx.bus.announce(changes)
        self.accept()

    def _error(self, error: BaseException) -> None:
        QMessageBox.warning(self, _("Error"), str(error))
