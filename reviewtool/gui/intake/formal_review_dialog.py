"""Formal review (形式审查) of one application: pass or fail each checklist item.

A failed item needs a reason; the status the service derives (passed, failed,
still received) is shown after saving.
"""

from __future__ import annotations

from PySide6.QtWidgets import (
    QButtonGroup,
    QDialog,
    QDialogButtonBox,
    QGridLayout,
    QLabel,
    QLineEdit,
    QMessageBox,
    QRadioButton,
    QVBoxLayout,
    QWidget,
)

from reviewtool.gui.context import GuiContext
from reviewtool.i18n import _
from reviewtool.services.intake import formal_review

INVALID_STYLE = "border: 1px solid #d32f2f; background: #fff5f5;"


class FormalReviewDialog(QDialog):
    def __init__(self, ctx: GuiContext, application_id: int, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._ctx = ctx
        self.application_id = application_id
        self.rows: list[tuple[int, QRadioButton, QRadioButton, QLineEdit]] = []
        self.setWindowTitle(_("Formal review"))
        self.resize(820, 420)
        self.heading = QLabel()
        self.heading.setWordWrap(True)
        self.grid = QGridLayout()
        self.grid.setColumnStretch(0, 3)
        self.grid.setColumnStretch(3, 2)
        self.status_label = QLabel()
        self.status_label.setWordWrap(True)
        self.buttons = QDialogButtonBox()
        self.all_passed_button = self.buttons.addButton(_("All passed"), QDialogButtonBox.ButtonRole.ActionRole)
        self.checklist_button = self.buttons.addButton(_("Edit checklist…"), QDialogButtonBox.ButtonRole.ActionRole)
        self.checklist_button.clicked.connect(self.edit_checklist)
        self.batch_id: int | None = None
        self.save_button = self.buttons.addButton(_("Save"), QDialogButtonBox.ButtonRole.AcceptRole)
        self.buttons.addButton(QDialogButtonBox.StandardButton.Cancel)
        self.all_passed_button.clicked.connect(self._all_passed)
        self.save_button.clicked.connect(self.save)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.heading)
        layout.addLayout(self.grid)
        layout.addStretch(1)
        layout.addWidget(self.status_label)
        layout.addWidget(self.buttons)
        actor = ctx.actor
        ctx.run_db(
            lambda session, _p, _c: formal_review.review_of(session, application_id, actor=actor),
            self._loaded,
            self._error,
        )

    def _loaded(self, review: formal_review.FormalReview) -> None:
        self.batch_id = review.batch_id
        self.heading.setText(f"<b>{review.number}</b> {review.title}")
        self.status_label.setText(_("Status: {status}").format(status=review.status.label()))
        for column, title in enumerate((_("Item"), _("Passed"), _("Failed"), _("Reason (required when failed)"))):
            self.grid.addWidget(QLabel(f"<b>{title}</b>"), 0, column)
        for row, item in enumerate(review.items, start=1):
            passed, failed = QRadioButton(), QRadioButton()
            group = QButtonGroup(self)
            group.addButton(passed)
            group.addButton(failed)
            passed.setChecked(item.passed is True)
            failed.setChecked(item.passed is False)
            reason = QLineEdit(item.reason)
            reason.setObjectName(f"reason_{item.code}")
            label = QLabel(item.text)
            label.setWordWrap(True)
            self.grid.addWidget(label, row, 0)
            self.grid.addWidget(passed, row, 1)
            self.grid.addWidget(failed, row, 2)
            self.grid.addWidget(reason, row, 3)
            for widget in (passed, failed):
                widget.toggled.connect(self._check)
            reason.textChanged.connect(self._check)
            self.rows.append((item.item_id, passed, failed, reason))
        self._check()

    def edit_checklist(self) -> None:
        """Edit the batch's checklist, then reload this application's items."""
        from reviewtool.gui.intake.checklist_dialog import ChecklistDialog

        if self.batch_id is None:
            return
        dialog = ChecklistDialog(self._ctx, self.batch_id, self)
        dialog.accepted.connect(self._reload)
        dialog.open()
        self.checklist_dialog = dialog

    def _reload(self) -> None:
        while self.grid.count():
            widget = self.grid.takeAt(0).widget()
            if widget is not None:
                widget.deleteLater()
        self.rows = []
        application_id, actor = self.application_id, self._ctx.actor
        self._ctx.run_db(
            lambda session, _p, _c: formal_review.review_of(session, application_id, actor=actor),
            self._loaded,
            self._error,
        )

    def _all_passed(self) -> None:
        for _id, passed, _failed, _reason in self.rows:
            passed.setChecked(True)

    def _check(self, *_args) -> bool:
        ok = True
        for _id, _passed, failed, reason in self.rows:
            missing = failed.isChecked() and not reason.text().strip()
            reason.setStyleSheet(INVALID_STYLE if missing else "")
            reason.setToolTip(_("A failed item needs a reason.") if missing else "")
            ok = ok and not missing
        self.save_button.setEnabled(ok)
        return ok

    def results(self) -> dict[int, tuple[bool, str]]:
        return {
            item_id: (passed.isChecked(), reason.text().strip())
            for item_id, passed, failed, reason in self.rows
            if passed.isChecked() or failed.isChecked()
        }

    def save(self) -> None:
        if not self._check():
            return
        results, application_id, actor = self.results(), self.application_id, self._ctx.actor
        self.save_button.setEnabled(False)
        self._ctx.run_db(
            lambda session, _p, _c: formal_review.record_review(session, application_id, results, actor=actor),
            self._saved,
            self._error,
        )

    def _saved(self, changes) -> None:
        self._ctx.bus.announce(changes)
        self.accept()

    def _error(self, error: BaseException) -> None:
        self.save_button.setEnabled(True)
        QMessageBox.warning(self, _("Error"), str(error))
