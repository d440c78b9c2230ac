"""The stage's 回避 declaration and 保密承诺, accepted before the first sheet opens.

The expert reads both statements, either declares that they have no conflict
or ticks each application they must avoid with its reason, and ticks the
confidentiality commitment. 接受并开始评审 stays disabled until that is done;
what was chosen is ``result()`` (the page records it through
``services.my_reviews.declarations``).

Threading: GUI thread only; no database work here.
"""

from __future__ import annotations

from PySide6.QtWidgets import (
    QButtonGroup,
    QCheckBox,
    QDialog,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QRadioButton,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from reviewtool.core.enums import AssignmentStatus
from reviewtool.i18n import _
from reviewtool.services.my_reviews.workspace import MyStage


class DeclarationDialog(QDialog):
    def __init__(self, stage: MyStage, conflict_text: str, confidentiality_text: str, parent: QWidget | None = None):
        super().__init__(parent)
        self.setWindowTitle(_("Declarations before scoring — {stage}").format(stage=stage.title))
        self.setModal(True)
        self.resize(760, 640)
        intro = QLabel(
            _("Before your first sheet of this stage opens, declare any conflict of interest and accept the "
              "confidentiality commitment. They are recorded once for the stage.")
        )  # fmt: skip
        intro.setWordWrap(True)

        conflict_box = QGroupBox(_("Conflict of interest (回避)"))
        conflict_layout = QVBoxLayout(conflict_box)
        statement = QTextBrowser()
        statement.setPlainText(conflict_text)
        statement.setMaximumHeight(110)
        conflict_layout.addWidget(statement)
        self.no_conflict = QRadioButton(_("I have no conflict with any of these applications"))
        self.has_conflict = QRadioButton(_("I must avoid the applications ticked below"))
        choice = QButtonGroup(self)
        for button in (self.no_conflict, self.has_conflict):
            choice.addButton(button)
            conflict_layout.addWidget(button)
        grid = QGridLayout()
        self.avoid: dict[int, tuple[QCheckBox, QLineEdit]] = {}
        for row, item in enumerate(a for a in stage.assignments if a.status is AssignmentStatus.ACTIVE):
            box = QCheckBox(f"{item.number}  {item.title}")
            reason = QLineEdit()
            reason.setPlaceholderText(_("Reason for the conflict"))
            reason.setEnabled(False)
            box.toggled.connect(reason.setEnabled)
            box.toggled.connect(lambda _on: self._update())
            reason.textChanged.connect(lambda _t: self._update())
            grid.addWidget(box, row, 0)
            grid.addWidget(reason, row, 1)
            self.avoid[item.application_id] = (box, reason)
        conflict_layout.addLayout(grid)

        secret_box = QGroupBox(_("Confidentiality commitment (保密承诺)"))
        secret_layout = QVBoxLayout(secret_box)
        commitment = QTextBrowser()
        commitment.setPlainText(confidentiality_text)
        commitment.setMaximumHeight(90)
        secret_layout.addWidget(commitment)
        self.confidentiality = QCheckBox(_("I accept the confidentiality commitment"))
        secret_layout.addWidget(self.confidentiality)

        self.problem = QLabel()
        self.problem.setStyleSheet("color: #9a3412;")
        self.problem.setWordWrap(True)
        self.accept_button = QPushButton(_("Accept and start reviewing"))
        self.accept_button.setDefault(True)
        self.cancel_button = QPushButton(_("Cancel"))
        self.accept_button.clicked.connect(self.accept)
        self.cancel_button.clicked.connect(self.reject)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.accept_button)
        buttons.addWidget(self.cancel_button)

        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addWidget(conflict_box, 1)
        layout.addWidget(secret_box)
        layout.addWidget(self.problem)
        layout.addLayout(buttons)
        for widget in (self.no_conflict, self.has_conflict, self.confidentiality):
            widget.toggled.connect(lambda _on: self._update())
        self._update()

    def _why_not(self) -> str:
        if not (self.no_conflict.isChecked() or self.has_conflict.isChecked()):
            return _("Say whether you have a conflict of interest.")
        if self.has_conflict.isChecked():
            ticked = self.conflicts_chosen()
            if not ticked:
                return _("Tick each application you must avoid.")
            if any(not reason.strip() for reason in ticked.values()):
                return _("Give the reason for each application you avoid.")
        if not self.confidentiality.isChecked():
            return _("Accept the confidentiality commitment to start reviewing.")
        return ""

    def _update(self) -> None:
        for box, reason in self.avoid.values():
            box.setEnabled(self.has_conflict.isChecked())
            reason.setEnabled(self.has_conflict.isChecked() and box.isChecked())
        why = self._why_not()
        self.problem.setText(why)
        self.accept_button.setEnabled(not why)

    def conflicts_chosen(self) -> dict[int, str]:
        """Application id → reason, for each ticked application (none when 'no conflict' is chosen)."""
        if not self.has_conflict.isChecked():
            return {}
        return {app_id: reason.text() for app_id, (box, reason) in self.avoid.items() if box.isChecked()}
