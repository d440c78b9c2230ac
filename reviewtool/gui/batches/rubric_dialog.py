"""Which rubric (评分标准) a batch scores with: the rubrics already used
for it, and one more chosen from the installed rubrics or those shipped
with reviewtool (installed when chosen), for the whole batch or only some
categories or area groups (``services.batches.rubric_choice``).

Threading: GUI thread only; database work goes through ``ctx.run_db``.
"""

from __future__ import annotations

from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from reviewtool.gui.context import GuiContext
from reviewtool.gui.widgets.area_titles import area_text, area_titles
from reviewtool.i18n import _
from reviewtool.services.batches import rubric_choice
from reviewtool.services.scoring import rubric_batches


def _split(text: str) -> list[str]:
    return [
        part.strip() for part in text.replace("；", ";").replace("，", ",").replace(",", ";").split(";") if part.strip()
    ]


class BatchRubricDialog(QDialog):
    def __init__(self, ctx: GuiContext, batch_id: int, batch_name: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.batch_id = batch_id
        self.setWindowTitle(_("Rubrics of {batch}").format(batch=batch_name))
        self.attached = QListWidget()
        self.attached.setObjectName("batch-rubrics")
        self.rubric = QComboBox()
        self.rubric.setObjectName("rubric-choice")
        self.categories = QLineEdit()
        self.categories.setPlaceholderText(_("empty = every category"))
        self.areas = QLineEdit()
        self.areas.setPlaceholderText(_("empty = every area; e.g. HD-D1；QH-E1"))
        self.use_button = QPushButton(_("Use for this batch"))
        self.close_button = QPushButton(_("Close"))
        self.message = QLabel()
        self.message.setWordWrap(True)
        form = QFormLayout()
        form.addRow(_("Rubric"), self.rubric)
        form.addRow(_("Only categories"), self.categories)
        form.addRow(_("Only areas (and below)"), self.areas)
        buttons = QHBoxLayout()
        buttons.addWidget(self.use_button)
        buttons.addStretch(1)
        buttons.addWidget(self.close_button)
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel(_("Used for this batch (restricted rules are tried first):")))
        layout.addWidget(self.attached, 1)
        layout.addLayout(form)
        layout.addWidget(self.message)
        layout.addLayout(buttons)
        self.resize(620, 400)
        self.use_button.clicked.connect(self.attach)
        self.close_button.clicked.connect(self.accept)
        self.load()

    def load(self) -> None:
        batch_id = self.batch_id

        def work(session, _p, _c):
            return (
                rubric_choice.rubric_choices(session),
                rubric_batches.batch_rubrics(session, batch_id),
                area_titles(session),
            )

        self.ctx.run_db(work, self._show, self._error)

    def _show(self, result) -> None:
        available, attached, titles = result
        current = self.rubric.currentData()
        self.rubric.clear()
        for r in available:
            self.rubric.addItem(r.label(), r.code)
        self.rubric.setCurrentIndex(max(0, self.rubric.findData(current)))
        self.attached.clear()
        for link in attached:
            areas = tuple(area_text(code, titles.get(code)) for code in link.area_codes)  # codes with their titles
            scope = "；".join(link.categories + areas) or _("every application")
            self.attached.addItem(f"{link.rubric_name}（{link.rubric_code}）— {scope}")
        if not attached:
            self.attached.addItem(_("(none yet: applications cannot be scored until a rubric is chosen)"))
        self.use_button.setEnabled(self.rubric.count() > 0)

    def attach(self) -> None:
        code = self.rubric.currentData()
        if code is None:
            return
        batch_id, actor = self.batch_id, self.ctx.actor
        categories, areas = _split(self.categories.text()), _split(self.areas.text())

        def work(session, _p, _c):
            return rubric_choice.use_rubric(
                session, batch_id, code, actor=actor, categories=categories, area_codes=areas
            )

        self.ctx.run_db(work, self._attached, self._error)

    def _attached(self, changes) -> None:
        self.message.setStyleSheet("")
        self.message.setText(_("Rubric {code} is used for this batch.").format(code=self.rubric.currentData()))
        self.ctx.bus.announce(changes)
        self.load()

    def _error(self, error: BaseException) -> None:
        self.message.setStyleSheet("color: #b00020;")
        self.message.setText(str(error))
