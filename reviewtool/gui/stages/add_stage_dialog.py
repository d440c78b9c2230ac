"""新增阶段…: a new expert stage — its name, remote or meeting, and where it goes."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QComboBox, QDialog, QDialogButtonBox, QFormLayout, QLabel, QLineEdit, QVBoxLayout, QWidget

from reviewtool.core.enums import PanelMode
from reviewtool.gui.context import GuiContext
from reviewtool.i18n import _
from reviewtool.services.stages import stage as stages


class AddStageDialog(QDialog):
    added = Signal(object)  # Changes

    def __init__(self, ctx: GuiContext, batch_id: int, names: list[str], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.batch_id = batch_id
        self.setWindowTitle(_("Add review stage"))
        self.name = QLineEdit()
        self.name.setObjectName("stage-name")
        self.name.setPlaceholderText(_("e.g. 答辩评审 or 复审"))
        self.mode = QComboBox()
        for mode in (PanelMode.MEETING, PanelMode.REMOTE):
            self.mode.addItem(mode.label(), mode.value)
        self.after = QComboBox()
        self.after.addItem(_("At the end"), None)
        for name in names:
            self.after.addItem(_("After {stage}").format(stage=name), name)
        self.error = QLabel()
        self.error.setWordWrap(True)
        self.error.setStyleSheet("color: #9a3412;")
        form = QFormLayout()
        form.addRow(_("Name:"), self.name)
        form.addRow(_("Mode:"), self.mode)
        form.addRow(_("Place:"), self.after)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        self.ok = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.ok.setEnabled(False)
        self.name.textChanged.connect(lambda text: self.ok.setEnabled(bool(text.strip())))
        self.buttons.accepted.connect(self.save)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.error)
        layout.addWidget(self.buttons)

    def save(self) -> None:
        name, mode, after = self.name.text().strip(), PanelMode(self.mode.currentData()), self.after.currentData()
        batch_id, actor = self.batch_id, self.ctx.actor
        self.ok.setEnabled(False)

        def done(result) -> None:
            _stage_id, changes = result
            self.added.emit(changes)
            self.accept()

        def refused(error: BaseException) -> None:
            self.error.setText(str(error))
            self.ok.setEnabled(True)

        self.ctx.run_db(
            lambda s, _p, _c: stages.add_stage(s, batch_id, name, actor=actor, mode=mode, after=after), done, refused
        )
