"""Formal review (形式审查) of one application: pass or fail each checklist item.

The review arrives pre-filled where the data can decide (自筹 : 申请 ratio,
arrival before the deadline, 限项, registration date, the leader's age): the
"the data says" column gives the verdict and its evidence, and the choice
starts there. A failed item needs a reason, and so does a choice that differs
from the data (the override reason); the status the service derives (passed,
failed, still received) is shown after saving.
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
        self.suggested: dict[int, bool | None] = {}  # item id -> what the data says
        self.setWindowTitle(_("Formal review"))
        self.resize(1040, 460)
        self.heading = QLabel()
        self.heading.setWordWrap(True)
        self.grid = QGridLayout()
        self.grid.setColumnStretch(0, 3)
        self.grid.setColumnStretch(3, 3)
        self.grid.setColumnStretch(4, 2)
        self.status_label = QLabel()
        self.status_label.setWordWrap(True)
        self.buttons = QDialogButtonBox()
        self.all_passed_button = self.buttons.addButton(_("All passed"), QDialogButtonBox.ButtonRole.ActionRole)
        self.checklist_button = self.buttons.addButton(_("Edit checklist…"), QDialogButtonBox.ButtonRole.ActionRole)
        self.checklist_button.clicked.connect(self.edit_checklist)
        self.limits_button = self.buttons.addButton(_("Limits…"), QDialogButtonBox.ButtonRole.ActionRole)
        self.limits_button.setToolTip(
            _("The batch's limits the data is checked against: co-funding ratio, 限项, registration date, age.")
        )
        self.limits_button.clicked.connect(self.edit_limits)
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
        titles = (_("Item"), _("Passed"), _("Failed"), _("The data says"),
                  _("Reason (when failed, or when differing from the data)"))  # fmt: skip
        for column, title in enumerate(titles):
            self.grid.addWidget(QLabel(f"<b>{title}</b>"), 0, column)
        for row, item in enumerate(review.items, start=1):
            passed, failed = QRadioButton(), QRadioButton()
            passed.setObjectName(f"passed_{item.code}")
            failed.setObjectName(f"failed_{item.code}")
            group = QButtonGroup(self)
            group.addButton(passed)
            group.addButton(failed)
            choice = item.passed if item.passed is not None else item.suggested  # pre-filled from the data
            passed.setChecked(choice is True)
            failed.setChecked(choice is False)
            text = item.reason or item.override_reason
            if not text and item.passed is None and item.suggested is False:
                text = item.evidence
            reason = QLineEdit(text)
            reason.setObjectName(f"reason_{item.code}")
            label = QLabel(item.text)
            label.setWordWrap(True)
            verdict = QLabel(suggestion_text(item))
            verdict.setObjectName(f"data_{item.code}")
            verdict.setWordWrap(True)
            verdict.setToolTip(item.evidence)
            self.suggested[item.item_id] = item.suggested
            self.grid.addWidget(label, row, 0)
            self.grid.addWidget(passed, row, 1)
            self.grid.addWidget(failed, row, 2)
            self.grid.addWidget(verdict, row, 3)
            self.grid.addWidget(reason, row, 4)
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

    def edit_limits(self) -> None:
        """The batch's limits, then reload: the verdicts follow them."""
        from reviewtool.gui.intake.formal_limits_dialog import FormalLimitsDialog

        if self.batch_id is None:
            return
        dialog = FormalLimitsDialog(self._ctx, self.batch_id, self)
        dialog.accepted.connect(self._reload)
        dialog.open()
        self.limits_dialog = dialog

    def _reload(self) -> None:
        while self.grid.count():
            widget = self.grid.takeAt(0).widget()
            if widget is not None:
                widget.deleteLater()
        self.rows = []
        self.suggested = {}
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
        for item_id, passed, failed, reason in self.rows:
            data = self.suggested.get(item_id)
            chosen = True if passed.isChecked() else (False if failed.isChecked() else None)
            overriding = data is not None and chosen is not None and chosen != data
            missing = (failed.isChecked() or overriding) and not reason.text().strip()
            reason.setStyleSheet(INVALID_STYLE if missing else "")
            tip = _("A failed item needs a reason.")
            if overriding:
                tip = _("This differs from what the data says: give the reason for the override.")
            reason.setToolTip(tip if missing else "")
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


def suggestion_text(item: formal_review.CheckState) -> str:
    """✓ / ✗ / ? and the evidence; empty where the data cannot judge the item."""
    if not item.decidable:
        return ""
    mark = {True: _("✓ passed"), False: _("✗ failed"), None: _("? decide by hand")}[item.suggested]
    return f"{mark}：{item.evidence}" if item.evidence else mark
