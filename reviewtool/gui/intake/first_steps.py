"""What the application list shows while the database holds no applications:
the first steps of a call, each with its button.

1. a batch (申报批次) — on the batches page when the window has one, else the
   import creates it by name;
2. the applications — import the summary sheet, or type them one by one;
3. no sheet at hand — the sample sheet shipped in ``resources/samples/``,
   offered by the import dialog as “使用示例表格”.

The page connects the buttons; this widget only lays them out. GUI thread only.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFrame, QGridLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from reviewtool.i18n import _
from reviewtool.paths import resource_path

SAMPLE_SHEET = resource_path("samples", "申报汇总表示例.xlsx")


class FirstStepsPanel(QFrame):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("first-steps")
        self.setFrameShape(QFrame.Shape.StyledPanel)
        card = QWidget()  # centred; the panel itself fills the page
        card.setMinimumWidth(760)
        title = QLabel("<h2>" + _("No applications yet") + "</h2>")
        intro = QLabel(_("A call for applications starts in three steps:"))
        self.batch_button = QPushButton(_("New batch…"))
        self.batch_button.setToolTip(_("Create the call's batch: name, year, deadline, budget and review rules."))
        self.import_button = QPushButton(_("Import a sheet…"))
        self.import_button.setToolTip(_("Import the summary sheet of the applications (Excel)."))
        self.new_button = QPushButton(_("New application…"))
        self.new_button.setToolTip(_("Type one application in the form."))
        self.sample_button = QPushButton(_("Try the sample sheet…"))
        self.sample_button.setToolTip(str(SAMPLE_SHEET))
        self.sample_button.setVisible(SAMPLE_SHEET.is_file())
        self.batch_note = QLabel(_("1. Create the batch (申报批次) of the call, with its budget and review rules."))
        steps = QGridLayout()
        rows = (
            (self.batch_note, (self.batch_button,)),
            (
                QLabel(_("2. Import the applications' summary sheet from Excel, or type them one by one.")),
                (self.import_button, self.new_button),
            ),
            (
                QLabel(
                    _("3. No sheet at hand? Try the sample sheet that comes with reviewtool ({file}).").format(
                        file=SAMPLE_SHEET.name
                    )
                ),
                (self.sample_button,),
            ),
        )
        for row, (label, buttons) in enumerate(rows):
            label.setWordWrap(True)
            steps.addWidget(label, row, 0)
            for column, button in enumerate(buttons, start=1):
                steps.addWidget(button, row, column)
        steps.setColumnStretch(0, 1)
        inner = QVBoxLayout(card)
        inner.addWidget(title)
        inner.addWidget(intro)
        inner.addLayout(steps)
        layout = QVBoxLayout(self)
        layout.addStretch(1)
        layout.addWidget(card, 0, Qt.AlignmentFlag.AlignHCenter)
        layout.addStretch(2)

    def show_batches(self, count: int) -> None:
        """Say whether the batch step is done already."""
        if count:
            self.batch_note.setText(
                _(
                    "1. Batches: {count} already (the list's Batch filter chooses one); a new call needs a new batch."
                ).format(count=count)
            )
        else:
            self.batch_note.setText(_("1. Create the batch (申报批次) of the call, with its budget and review rules."))
