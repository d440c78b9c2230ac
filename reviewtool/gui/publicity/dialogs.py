"""The dialogs of the 公示 and objections page: open and close the notice,
register an objection, record a handling step, decide, send to 复审, close an
objection, change a final decision. Each only collects values; the page
calls the services."""

from __future__ import annotations

import datetime as dt

from PySide6.QtCore import QDate
from PySide6.QtWidgets import (
    QComboBox,
    QDateEdit,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QSpinBox,
    QWidget,
)

from reviewtool.core.enums import ObjectionOutcome
from reviewtool.i18n import _


def date_edit(value: dt.date | None = None, name: str = "") -> QDateEdit:
    edit = QDateEdit(QDate(value) if value else QDate.currentDate())
    edit.setCalendarPopup(True)
    edit.setDisplayFormat("yyyy-MM-dd")
    if name:
        edit.setObjectName(name)
    return edit


class FormDialog(QDialog):
    """A form with OK / Cancel; OK is enabled while ``ready()`` holds."""

    def __init__(self, title: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(title)
        self.form = QFormLayout(self)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        self.ok = self.buttons.button(QDialogButtonBox.StandardButton.Ok)

    def finish(self) -> None:
        self.form.addRow(self.buttons)
        self.check()
        self.resize(max(self.width(), 460), self.height())

    def ready(self) -> bool:
        return True

    def check(self, *_args) -> None:
        self.ok.setEnabled(self.ready())


class OpenPublicityDialog(FormDialog):
    def __init__(self, count: int, parent: QWidget | None = None) -> None:
        super().__init__(_("Open the 公示"), parent)
        note = QLabel(
            _("The {count} applications within the funding line are frozen as the published list.").format(count=count)
        )
        note.setWordWrap(True)
        today = dt.date.today()
        self.starts = date_edit(today, "publicity-from")
        self.ends = date_edit(today + dt.timedelta(days=7), "publicity-to")
        self.form.addRow(note)
        self.form.addRow(_("Notice period from"), self.starts)
        self.form.addRow(_("Notice period to"), self.ends)
        self.starts.dateChanged.connect(self.check)
        self.ends.dateChanged.connect(self.check)
        self.finish()

    def ready(self) -> bool:
        return self.ends.date() >= self.starts.date()

    def period(self) -> tuple[dt.date, dt.date]:
        return self.starts.date().toPython(), self.ends.date().toPython()


class ClosePublicityDialog(FormDialog):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(_("Close the 公示"), parent)
        note = QLabel(_("Closing makes every reviewed application's decision final; later changes need a reason."))
        note.setWordWrap(True)
        self.closed_on = date_edit(name="publicity-closed-on")
        self.note = QLineEdit()
        self.note.setObjectName("publicity-note")
        self.note.setPlaceholderText(_("Why the decisions differ from the published list, where they do"))
        self.form.addRow(note)
        self.form.addRow(_("Closed on"), self.closed_on)
        self.form.addRow(_("Note"), self.note)
        self.finish()


class ObjectionDialog(FormDialog):
    """Register an objection: which application, who, when received, the grounds, answer by."""

    def __init__(self, applications: list[tuple[int, str]], parent: QWidget | None = None) -> None:
        super().__init__(_("Register an objection"), parent)
        self.application = QComboBox()
        self.application.setObjectName("objection-application")
        for app_id, label in applications:
            self.application.addItem(label, app_id)
        self.lodged_by = QLineEdit()
        self.lodged_by.setObjectName("objection-by")
        self.lodged_by.setPlaceholderText(_("the unit or person"))
        self.contact = QLineEdit()
        self.received = date_edit(name="objection-received")
        self.deadline = date_edit(dt.date.today() + dt.timedelta(days=15), "objection-deadline")
        self.grounds = QPlainTextEdit()
        self.grounds.setObjectName("objection-grounds")
        self.grounds.setFixedHeight(90)
        self.form.addRow(_("About application"), self.application)
        self.form.addRow(_("Lodged by"), self.lodged_by)
        self.form.addRow(_("Contact"), self.contact)
        self.form.addRow(_("Received on"), self.received)
        self.form.addRow(_("Answer by"), self.deadline)
        self.form.addRow(_("Grounds"), self.grounds)
        self.lodged_by.textChanged.connect(self.check)
        self.grounds.textChanged.connect(self.check)
        self.received.dateChanged.connect(lambda d: self.deadline.setDate(d.addDays(15)))
        self.finish()

    def ready(self) -> bool:
        return bool(self.lodged_by.text().strip() and self.grounds.toPlainText().strip())

    def values(self) -> dict:
        return {
            "application": self.application.currentData(),
            "lodged_by": self.lodged_by.text().strip(),
            "contact": self.contact.text().strip(),
            "received_on": self.received.date().toPython(),
            "deadline": self.deadline.date().toPython(),
            "grounds": self.grounds.toPlainText().strip(),
        }


class HandlingDialog(FormDialog):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(_("Record a handling step"), parent)
        self.on = date_edit(name="handling-on")
        self.step = QLineEdit()
        self.step.setObjectName("handling-step")
        self.step.setPlaceholderText(_("e.g. asked the panel leader to check the scores"))
        self.form.addRow(_("Date"), self.on)
        self.form.addRow(_("What was done"), self.step)
        self.step.textChanged.connect(self.check)
        self.finish()

    def ready(self) -> bool:
        return bool(self.step.text().strip())


class DecisionDialog(FormDialog):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(_("Decide the objection"), parent)
        self.outcome = QComboBox()
        self.outcome.setObjectName("objection-outcome")
        for outcome in (ObjectionOutcome.UPHELD, ObjectionOutcome.REJECTED, ObjectionOutcome.WITHDRAWN):
            self.outcome.addItem(outcome.label(), outcome.value)
        self.note = QPlainTextEdit()
        self.note.setObjectName("objection-note")
        self.note.setFixedHeight(80)
        self.note.setPlaceholderText(_("The reasons, as the answer to the objector gives them"))
        self.form.addRow(_("Outcome"), self.outcome)
        self.form.addRow(_("Reasons"), self.note)
        self.note.textChanged.connect(self.check)
        self.finish()

    def ready(self) -> bool:
        return bool(self.note.toPlainText().strip())

    def values(self) -> tuple[ObjectionOutcome, str]:
        return ObjectionOutcome(self.outcome.currentData()), self.note.toPlainText().strip()


class ReviewDialog(FormDialog):
    """Send an upheld objection's application to a 复审 stage with a freshly drawn panel."""

    def __init__(self, number: str, parent: QWidget | None = None) -> None:
        super().__init__(_("Send to re-review (复审)"), parent)
        note = QLabel(
            _(
                "{number} enters the 复审 stage with a panel drawn afresh: every expert who reviewed it before "
                "is excluded. The draw is recorded with its seed."
            ).format(number=number)
        )
        note.setWordWrap(True)
        self.size = QSpinBox()
        self.size.setObjectName("review-size")
        self.size.setRange(3, 15)
        self.size.setValue(5)
        self.seed = QLineEdit()
        self.seed.setObjectName("review-seed")
        self.seed.setPlaceholderText(_("empty: a fresh random seed, recorded"))
        self.form.addRow(note)
        self.form.addRow(_("Number of experts"), self.size)
        self.form.addRow(_("Seed"), self.seed)
        self.finish()

    def values(self) -> tuple[int, str | None]:
        return self.size.value(), self.seed.text().strip() or None


class CloseObjectionDialog(FormDialog):
    """Close an objection; an upheld one says how the application's decision now stands."""

    def __init__(self, upheld: bool, parent: QWidget | None = None) -> None:
        super().__init__(_("Close the objection"), parent)
        self.on = date_edit(name="objection-closed-on")
        self.decision = QComboBox()
        self.decision.setObjectName("objection-decision")
        self.decision.addItem(_("decision as published"), None)
        self.decision.addItem(_("funded"), "funded")
        self.decision.addItem(_("not funded"), "not_funded")
        self.decision.setEnabled(upheld)
        self.form.addRow(_("Closed on"), self.on)
        self.form.addRow(_("Decision after the objection"), self.decision)
        self.finish()

    def values(self) -> tuple[dt.date, str | None]:
        return self.on.date().toPython(), self.decision.currentData()


class AmendDecisionDialog(FormDialog):
    """Change a final decision after the 公示 closed: which application, the new decision, the reason."""

    def __init__(self, decided: list[tuple[int, str, bool]], parent: QWidget | None = None) -> None:
        super().__init__(_("Change a final decision"), parent)
        self.decided = decided
        self.application = QComboBox()
        self.application.setObjectName("amend-application")
        for app_id, label, _funded in decided:
            self.application.addItem(label, app_id)
        self.decision = QComboBox()
        self.decision.setObjectName("amend-decision")
        self.decision.addItem(_("funded"), True)
        self.decision.addItem(_("not funded"), False)
        self.reason = QLineEdit()
        self.reason.setObjectName("amend-reason")
        self.reason.setPlaceholderText(_("The reason is required and recorded"))
        self.form.addRow(_("Application"), self.application)
        self.form.addRow(_("New decision"), self.decision)
        self.form.addRow(_("Reason"), self.reason)
        self.application.currentIndexChanged.connect(self._flip)
        self.reason.textChanged.connect(self.check)
        self._flip()
        self.finish()

    def _flip(self, *_args) -> None:
        """Offer the other decision than the application's current one."""
        index = self.application.currentIndex()
        if 0 <= index < len(self.decided):
            self.decision.setCurrentIndex(0 if not self.decided[index][2] else 1)

    def ready(self) -> bool:
        return bool(self.reason.text().strip()) and self.application.currentData() is not None

    def values(self) -> tuple[int, bool, str]:
        return self.application.currentData(), bool(self.decision.currentData()), self.reason.text().strip()
