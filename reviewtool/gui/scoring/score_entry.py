"""The score-entry window (专家评审表录入), built for keyboard speed.

- Type a number and press Tab to go to the next criterion. Out-of-range
  points are refused at once (the text reverts) and the reason is shown.
- Each criterion shows its bands; the band the points fall in is
  highlighted with its descriptor. The total updates live.
- Veto questions take Y/N (or 1/0); the opinion takes 1/2/3.
- Comment fields join the Tab order only when the rubric requires a comment.
- Drafts are saved as you go (a short pause after each change) and when
  the window closes; a submitted sheet is saved only on request, and every
  change to it is audited by the service.

Threading: GUI thread only; database work goes through ``ctx.run_db``.
"""

from __future__ import annotations

import tempfile
from decimal import Decimal
from pathlib import Path

from PySide6.QtCore import Qt, QTimer, QUrl, Signal
from PySide6.QtGui import QDesktopServices, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QInputDialog,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QMessageBox,
    QPlainTextEdit,
    QPushButton,
    QScrollArea,
    QSplitter,
    QTabWidget,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from reviewtool.core.enums import Opinion, SheetSource, SheetStatus
from reviewtool.core.scoring.maths import ScoreRefused, SheetInput, check_points, comment_reason, evaluate_sheet
from reviewtool.core.scoring.rubric import PLAN_MATCH_KINDS, Criterion, points_text
from reviewtool.gui.context import GuiContext
from reviewtool.i18n import _
from reviewtool.services.scoring import sheet_edits, sheets

AUTOSAVE_MS = 800


class KeyChoiceCombo(QComboBox):
    """A combo box that also takes single keys (e.g. Y/N or 1/2/3) to choose."""

    def __init__(self, items: list[tuple[object, str]], keys: dict[int, int], parent=None) -> None:
        super().__init__(parent)
        for data, text in items:
            self.addItem(text, data)
        self._keys = keys

    def keyPressEvent(self, event) -> None:  # noqa: N802 - Qt API
        index = self._keys.get(event.key())
        if index is not None:
            self.setCurrentIndex(index)
            event.accept()
            return
        super().keyPressEvent(event)


class CriterionRow:
    """The widgets of one criterion on the sheet."""

    def __init__(self, criterion: Criterion, step: Decimal, grid: QGridLayout, row: int, on_change) -> None:
        self.criterion = criterion
        self.step = step
        self.last_good = ""
        self.refusal = ""
        title = QLabel(f"<b>{criterion.key}</b>  {criterion.title}")
        self.title = title
        line = title.fontMetrics().lineSpacing()
        if criterion.description:
            title.setToolTip(criterion.description)
        self.max_label = QLabel(_("/ {max}").format(max=points_text(criterion.max_points)))
        self.points = QLineEdit()
        self.points.setObjectName(f"points_{criterion.key}")
        self.points.setFixedWidth(64)
        self.points.setAlignment(Qt.AlignmentFlag.AlignRight)
        self.points.setPlaceholderText(f"0–{points_text(criterion.max_points)}")
        self.bands = QLabel()
        self.bands.setWordWrap(True)
        self.bands.setTextFormat(Qt.TextFormat.RichText)
        self.bands.setMinimumHeight(2 * line + 6)
        self.bands.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
        self.message = QLabel()
        self.message.setMinimumHeight(line + 6)
        self.message.setObjectName(f"message_{criterion.key}")
        self.comment = QLineEdit()
        self.comment.setObjectName(f"comment_{criterion.key}")
        self.comment.setPlaceholderText(_("Comment (optional)"))
        top = Qt.AlignmentFlag.AlignTop
        grid.addWidget(title, row, 0, top)
        grid.addWidget(self.points, row, 1, top)
        grid.addWidget(self.max_label, row, 2, top)
        grid.addWidget(self.bands, row, 3)
        grid.addWidget(self.message, row + 1, 0)
        grid.addWidget(self.comment, row + 1, 1, 1, 3)
        self.comment.setMinimumHeight(self.comment.sizeHint().height())
        self.points.setMinimumHeight(self.points.sizeHint().height())
        self.points.textEdited.connect(self._edited)
        self.comment.textEdited.connect(lambda _text: on_change())
        self._on_change = on_change
        self.refresh()

    def _edited(self, text: str) -> None:
        stripped = text.strip()
        if stripped in ("", ".", "-"):
            self.refusal = ""
            self.last_good = stripped if stripped != "-" else ""
            if stripped == "-":
                self.points.setText("")
            self.refresh()
            self._on_change()
            return
        try:
            check_points(self.criterion, stripped.rstrip("."), self.step)
        except ScoreRefused as exc:
            self.points.setText(self.last_good)
            self.refusal = str(exc)
            self.refresh()
            return
        self.refusal = ""
        self.last_good = stripped
        self.refresh()
        self._on_change()

    def value(self) -> Decimal | None:
        text = self.points.text().strip().rstrip(".")
        if not text:
            return None
        try:
            return check_points(self.criterion, text, self.step)
        except ScoreRefused:
            return None

    def set_value(self, points: Decimal | None, comment: str) -> None:
        text = points_text(points) if points is not None else ""
        self.points.setText(text)
        self.last_good = text
        self.comment.setText(comment)
        self.refresh()

    def refresh(self) -> None:
        points = self.value()
        current = self.criterion.band_for(points) if points is not None else None
        parts = []
        for band in self.criterion.bands:
            text = f"{band.label} {points_text(band.low)}–{points_text(band.high)}"
            if band == current:
                text = f"<span style='background:#dbeafe;font-weight:bold'>{text}</span>"
            parts.append(text)
        descriptor = (
            f"<br><span style='color:#1e40af'>{current.descriptor}</span>" if current and current.descriptor else ""
        )
        self.bands.setText("　".join(parts) + descriptor)
        reason = comment_reason(self.criterion, points)
        refusal = f"<span style='color:#b00020'>{self.refusal}</span>" if self.refusal else ""
        if reason:
            self.comment.setPlaceholderText(_("Comment required: {reason}").format(reason=reason))
            self.comment.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
            needed = (
                "" if self.comment.text().strip() else f"<span style='color:#9a3412'>{_('Comment required')}</span>"
            )
            self.message.setText(refusal or needed)
        else:
            self.comment.setPlaceholderText(_("Comment (optional)"))
            self.comment.setFocusPolicy(Qt.FocusPolicy.ClickFocus)
            self.message.setText(refusal)


class ScoreEntryWindow(QDialog):
    """One reviewer's sheet for one application."""

    saved = Signal(object)  # sheet_edits.SaveResult

    def __init__(
        self,
        ctx: GuiContext,
        application_id: int,
        reviewer_id: int,
        *,
        transcribe: bool = False,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self._ctx = ctx
        self.application_id = application_id
        self.reviewer_id = reviewer_id
        self.context: sheets.ScoringContext | None = None
        self.rows: list[CriterionRow] = []
        self.vetoes: dict[str, KeyChoiceCombo] = {}
        self.status = SheetStatus.DRAFT
        self.dirty = False
        self._saving = False
        self._loaded = False
        self.setWindowTitle(_("Score sheet"))
        self.resize(1280, 820)
        self.setWindowFlag(Qt.WindowType.WindowMaximizeButtonHint, True)

        self.header = QLabel(_("Loading…"))
        self.header.setWordWrap(True)
        self.header.setTextFormat(Qt.TextFormat.RichText)
        self.transcribe = QCheckBox(_("Transcribing a paper sheet on the expert's behalf"))
        self.transcribe.setChecked(transcribe)
        self.transcribe.setFocusPolicy(Qt.FocusPolicy.ClickFocus)

        self.form = QWidget()
        self.form_layout = QVBoxLayout(self.form)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setWidget(self.form)
        scroll.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.scroll = scroll
        self._chain: list[QWidget] = []

        self.side = QTabWidget()
        self.side.setFocusPolicy(Qt.FocusPolicy.ClickFocus)
        self.abstract_view = QTextBrowser()
        self.areas_view = QTextBrowser()
        self.attachments = QListWidget()
        for view in (self.abstract_view, self.areas_view, self.attachments):
            view.setFocusPolicy(Qt.FocusPolicy.ClickFocus)
        self.side.addTab(self.abstract_view, _("Abstract"))
        self.side.addTab(self.areas_view, _("Areas and plan"))
        self.side.addTab(self.attachments, _("Attachments"))
        self.attachments.itemActivated.connect(self.open_attachment)

        splitter = QSplitter(Qt.Orientation.Horizontal)
        splitter.addWidget(scroll)
        splitter.addWidget(self.side)
        splitter.setStretchFactor(0, 3)
        splitter.setStretchFactor(1, 2)
        splitter.setChildrenCollapsible(False)
        scroll.setMinimumWidth(640)
        self.side.setMinimumWidth(280)
        splitter.setSizes([800, 440])

        self.total_label = QLabel()
        self.total_label.setObjectName("total")
        self.total_label.setStyleSheet("font-size: 18px; font-weight: bold;")
        self.total_label.setMinimumWidth(260)
        self.state_label = QLabel()
        self.problems_label = QLabel()
        self.problems_label.setWordWrap(True)
        self.problems_label.setStyleSheet("color: #9a3412;")
        self.save_button = QPushButton(_("Save draft"))
        self.submit_button = QPushButton(_("Submit"))
        self.close_button = QPushButton(_("Close"))
        self.reopen_button = QPushButton(_("Reopen…"))
        self.reopen_button.setVisible(False)
        self.reopen_button.clicked.connect(self.reopen)
        self.sheet_id: int | None = None
        for button in (self.save_button, self.submit_button, self.close_button, self.reopen_button):
            button.setAutoDefault(False)
        self.save_button.clicked.connect(lambda: self.save(submit=False, explicit=True))
        self.submit_button.clicked.connect(lambda: self.save(submit=True, explicit=True))
        self.close_button.clicked.connect(self.close)
        QShortcut(QKeySequence.StandardKey.Save, self, activated=lambda: self.save(submit=False, explicit=True))
        QShortcut(QKeySequence("Ctrl+Return"), self, activated=lambda: self.save(submit=True, explicit=True))
        QShortcut(QKeySequence("F2"), self, activated=lambda: self._show_side(0))
        QShortcut(QKeySequence("F3"), self, activated=lambda: self._show_side(1))
        QShortcut(QKeySequence("F4"), self, activated=lambda: self._show_side(2))

        footer = QHBoxLayout()
        footer.addWidget(self.total_label)
        footer.addWidget(self.state_label, 1)
        footer.addWidget(self.reopen_button)
        footer.addWidget(self.save_button)
        footer.addWidget(self.submit_button)
        footer.addWidget(self.close_button)
        layout = QVBoxLayout(self)
        layout.addWidget(self.header)
        layout.addWidget(self.transcribe)
        layout.addWidget(splitter, 1)
        layout.addWidget(self.problems_label)
        layout.addLayout(footer)

        self._autosave = QTimer(self)
        self._autosave.setSingleShot(True)
        self._autosave.setInterval(AUTOSAVE_MS)
        self._autosave.timeout.connect(lambda: self.save(submit=False, explicit=False))
        self.transcribe.toggled.connect(lambda _on: self._changed())

        app_id, reviewer = application_id, reviewer_id
        ctx.run_db(
            lambda s, _p, _c: sheets.scoring_context(s, app_id, reviewer),
            self._build,
            self._load_failed,
        )

    # -- building ------------------------------------------------------------

    def focusNextPrevChild(self, next: bool) -> bool:  # noqa: N802 - Qt API
        """Tab walks the sheet in reading order: vetoes, points (and required comments), opinion."""
        chain = [
            w for w in self._chain if w.isEnabled() and not w.isHidden() and w.focusPolicy() & Qt.FocusPolicy.TabFocus
        ]
        current = self.focusWidget()
        if current in chain:
            index = chain.index(current) + (1 if next else -1)
            if 0 <= index < len(chain):
                chain[index].setFocus(Qt.FocusReason.TabFocusReason if next else Qt.FocusReason.BacktabFocusReason)
                self.scroll.ensureWidgetVisible(chain[index])
                return True
        return super().focusNextPrevChild(next)

    def _show_side(self, index: int) -> None:
        self.side.setCurrentIndex(index)

    def _load_failed(self, error: BaseException) -> None:
        self.header.setText(str(error))
        QMessageBox.warning(self, _("Error"), str(error))

    def _build(self, context: sheets.ScoringContext) -> None:
        self.context = context
        spec = context.spec
        who = context.reviewer_name + (_(" (bureau staff)") if context.reviewer_is_staff else "")
        self.setWindowTitle(_("Score sheet — {number} — {reviewer}").format(number=context.number, reviewer=who))
        self.header.setText(
            f"<span style='font-size:16px'><b>{context.number}</b>　{context.title}</span><br>"
            + _("Unit: {unit}　Reviewer: {reviewer}　Rubric: {rubric}　Requested: {amount} 万元").format(
                unit=context.unit, reviewer=who, rubric=context.rubric_label, amount=f"{context.requested_amount:,.2f}"
            )
        )
        self.abstract_view.setPlainText(context.abstract or _("(no abstract)"))
        self._fill_areas(context)
        for attachment_id, kind, filename in context.attachments:
            item = QListWidgetItem(f"{filename}（{kind}）")
            item.setData(Qt.ItemDataRole.UserRole, attachment_id)
            item.setToolTip(_("Double-click or press Enter to open"))
            self.attachments.addItem(item)
        if not context.attachments:
            self.attachments.addItem(_("(no attachments)"))

        focus_chain: list[QWidget] = []
        if spec.veto_items:
            box = QFrame()
            box.setFrameShape(QFrame.Shape.StyledPanel)
            grid = QGridLayout(box)
            heading = QLabel(_("<b>Veto items (一票否决)</b> — answer before scoring; Y = yes, N = no"))
            grid.addWidget(heading, 0, 0, 1, 2)
            for index, item in enumerate(spec.veto_items, start=1):
                label = QLabel(f"{item.key}　{item.question}")
                label.setWordWrap(True)
                combo = KeyChoiceCombo(
                    [(None, _("— not answered —")), (False, _("No")), (True, _("Yes (veto)"))],
                    {Qt.Key.Key_N: 1, Qt.Key.Key_0: 1, Qt.Key.Key_Y: 2, Qt.Key.Key_1: 2},
                )
                combo.setObjectName(f"veto_{item.key}")
                combo.currentIndexChanged.connect(lambda _i: self._changed())
                grid.addWidget(label, index, 0)
                grid.addWidget(combo, index, 1)
                grid.setColumnStretch(0, 1)
                self.vetoes[item.key] = combo
                focus_chain.append(combo)
            self.form_layout.addWidget(box)

        box = QFrame()
        box.setFrameShape(QFrame.Shape.StyledPanel)
        grid = QGridLayout(box)
        grid.setColumnStretch(0, 3)
        grid.setColumnStretch(3, 4)
        row = 0
        for group, criteria in spec.groups():
            if group:
                grid.addWidget(QLabel(f"<b>【{group}】</b>"), row, 0, 1, 4)
                row += 1
            for criterion in criteria:
                crow = CriterionRow(criterion, spec.step, grid, row, self._changed)
                if criterion.plan_fit and context.suggested_band:
                    hint = _("Suggested band from the confirmed areas: {band}").format(band=context.suggested_band)
                    crow.bands.setToolTip(hint)
                    crow.title.setText(
                        crow.title.text() + f"<br><span style='color:#6b7280;font-size:12px'>{hint}（F3）</span>"
                    )
                self.rows.append(crow)
                focus_chain += [crow.points, crow.comment]
                row += 2
        self.form_layout.addWidget(box)

        opinion_box = QFrame()
        opinion_box.setFrameShape(QFrame.Shape.StyledPanel)
        ol = QGridLayout(opinion_box)
        self.opinion = KeyChoiceCombo(
            [(None, _("— choose —"))] + [(o.value, f"{i}  {o.label()}") for i, o in enumerate(Opinion, start=1)],
            {Qt.Key.Key_1: 1, Qt.Key.Key_2: 2, Qt.Key.Key_3: 3},
        )
        self.opinion.setObjectName("opinion")
        self.opinion.currentIndexChanged.connect(lambda _i: self._changed())
        self.written = QPlainTextEdit()
        self.written.setObjectName("written_opinion")
        self.written.setTabChangesFocus(True)
        self.written.setPlaceholderText(_("Overall written opinion (评审意见)"))
        self.written.setFixedHeight(110)
        self.written.textChanged.connect(self._changed)
        ol.addWidget(QLabel(_("<b>Overall opinion</b> (1/2/3)")), 0, 0)
        ol.addWidget(self.opinion, 0, 1)
        ol.addWidget(QLabel(_("<b>Written opinion</b>")), 1, 0, Qt.AlignmentFlag.AlignTop)
        ol.addWidget(self.written, 1, 1)
        ol.setColumnStretch(1, 1)
        self.form_layout.addWidget(opinion_box)
        self.form_layout.addStretch(1)
        focus_chain += [self.opinion, self.written, self.submit_button]
        self._chain = focus_chain
        for first, second in zip(focus_chain, focus_chain[1:], strict=False):
            QWidget.setTabOrder(first, second)

        if context.sheet is not None:
            self._fill_from(context.sheet)
        self._loaded = True
        self._update_summary()
        (focus_chain[0] if focus_chain else self.submit_button).setFocus()

    def _fill_areas(self, context: sheets.ScoringContext) -> None:
        parts = []
        match = _(PLAN_MATCH_KINDS.get(context.plan_match, context.plan_match))
        parts.append("<p>" + _("Plan match: <b>{match}</b>").format(match=match))
        if context.suggested_band:
            parts.append(
                "　" + _("suggested band for the plan-fit criterion: <b>{band}</b>").format(band=context.suggested_band)
            )
        parts.append("</p>")
        if not context.areas:
            parts.append("<p>" + _("No confirmed priority areas.") + "</p>")
        for area in context.areas:
            role = _("primary") if area.role == "primary" else _("secondary")
            parts.append(f"<p><b>{area.code} {area.title}</b>（{role}）<br>{area.description}</p>")
        self.areas_view.setHtml("".join(parts))

    def _fill_from(self, sheet: sheets.SheetView) -> None:
        blocked = [self.opinion, self.written, *self.vetoes.values()]
        for widget in blocked:
            widget.blockSignals(True)
        try:
            for crow in self.rows:
                crow.set_value(
                    sheet.data.points.get(crow.criterion.key), sheet.data.comments.get(crow.criterion.key, "")
                )
            for key, combo in self.vetoes.items():
                combo.setCurrentIndex(combo.findData(sheet.data.vetoes.get(key)) if key in sheet.data.vetoes else 0)
            opinion = sheet.data.opinion.value if sheet.data.opinion else None
            self.opinion.setCurrentIndex(max(0, self.opinion.findData(opinion)) if opinion else 0)
            self.written.setPlainText(sheet.data.written_opinion)
            if sheet.source == SheetSource.PAPER:
                self.transcribe.setChecked(True)
        finally:
            for widget in blocked:
                widget.blockSignals(False)
        self.status = sheet.status
        if sheet.locked:
            self._set_read_only(_("This sheet is locked; reopen it with a reason to change it."))
            self.reopen_button.setVisible(True)
        self.sheet_id = sheet.id

    def _set_read_only(self, reason: str) -> None:
        for crow in self.rows:
            crow.points.setReadOnly(True)
            crow.comment.setReadOnly(True)
        for widget in (*self.vetoes.values(), self.opinion):
            widget.setEnabled(False)
        self.written.setReadOnly(True)
        self.save_button.setEnabled(False)
        self.submit_button.setEnabled(False)
        self.state_label.setText(reason)

    # -- state -----------------------------------------------------------------

    def sheet_input(self) -> SheetInput:
        opinion = self.opinion.currentData()
        data = SheetInput(opinion=Opinion(opinion) if opinion else None, written_opinion=self.written.toPlainText())
        for crow in self.rows:
            data.points[crow.criterion.key] = crow.value()
            data.comments[crow.criterion.key] = crow.comment.text()
        for key, combo in self.vetoes.items():
            data.vetoes[key] = combo.currentData()
        return data

    def _changed(self) -> None:
        if not self._loaded:
            return
        for crow in self.rows:
            crow.refresh()
        self.dirty = True
        self._update_summary()
        if self.status == SheetStatus.DRAFT:
            self._autosave.start()
        else:
            self.state_label.setText(_("Submitted sheet changed — save to record the change"))

    def _update_summary(self) -> None:
        if self.context is None:
            return
        spec = self.context.spec
        evaluation = evaluate_sheet(spec, self.sheet_input())
        total = evaluation.running_total
        self.total_label.setText(
            _("Total {total} / {max}").format(
                total=f"{total:.{spec.rounding.places}f}", max=points_text(spec.total_points)
            )
            + (_("　Vetoed") if evaluation.vetoed else "")
        )
        self.total_label.setStyleSheet(
            "font-size: 18px; font-weight: bold;" + (" color: #b00020;" if evaluation.vetoed else "")
        )
        if evaluation.problems:
            shown = [str(p) for p in evaluation.problems[:3]]
            more = len(evaluation.problems) - len(shown)
            text = _("Before submitting: ") + "；".join(shown)
            if more > 0:
                text += _(" … and {count} more").format(count=more)
            self.problems_label.setText(text)
        else:
            self.problems_label.setText(_("Complete — ready to submit (Ctrl+Enter)."))
        self.submit_button.setEnabled(evaluation.complete and self.status == SheetStatus.DRAFT)
        if self.status == SheetStatus.SUBMITTED:
            self.submit_button.setText(_("Submitted"))
            self.save_button.setText(_("Save changes"))

    # -- attachments and reopening ----------------------------------------------

    def open_attachment(self, item: QListWidgetItem) -> None:
        attachment_id = item.data(Qt.ItemDataRole.UserRole)
        if attachment_id is None:
            return
        from reviewtool.services.intake.attachments import export_attachment

        folder = Path(tempfile.gettempdir()) / "reviewtool-attachments"
        self._ctx.run_db(
            lambda s, _p, _c: export_attachment(s, attachment_id, folder),
            lambda path: QDesktopServices.openUrl(QUrl.fromLocalFile(str(path))),
            lambda e: QMessageBox.warning(self, _("Error"), str(e)),
        )

    def reopen(self) -> None:
        if self.sheet_id is None:
            return
        reason, ok = QInputDialog.getText(self, _("Reopen the sheet"), _("Why must this locked sheet change?"))
        if not ok or not reason.strip():
            return
        sheet_id, actor = self.sheet_id, self._ctx.actor
        app_id, reviewer = self.application_id, self.reviewer_id

        def work(session, _p, _c):
            changes = sheet_edits.reopen_sheet(session, sheet_id, actor=actor, reason=reason)
            return changes, sheets.scoring_context(session, app_id, reviewer)

        def done(result) -> None:
            changes, context = result
            self._ctx.bus.announce(changes)
            for crow in self.rows:
                crow.points.setReadOnly(False)
                crow.comment.setReadOnly(False)
            for widget in (*self.vetoes.values(), self.opinion):
                widget.setEnabled(True)
            self.written.setReadOnly(False)
            self.save_button.setEnabled(True)
            self.reopen_button.setVisible(False)
            self.state_label.setText(_("Reopened; changes are recorded in the audit trail."))
            self._update_summary()

        self._ctx.run_db(work, done, lambda e: QMessageBox.warning(self, _("Error"), str(e)))

    # -- saving ----------------------------------------------------------------

    def save(self, *, submit: bool, explicit: bool) -> None:
        if self.context is None or self._saving:
            if self._saving:
                self._autosave.start()
            return
        if not explicit and not self.dirty:
            return
        if self.status == SheetStatus.SUBMITTED and not explicit:
            return
        self._autosave.stop()
        data = self.sheet_input()
        transcribe = self.transcribe.isChecked()
        actor = self._ctx.actor
        version_id = self.context.rubric_version_id
        app_id, reviewer = self.application_id, self.reviewer_id

        def work(session, _p, _c):
            return sheet_edits.save_sheet(
                session,
                application_id=app_id,
                reviewer_id=reviewer,
                rubric_version_id=version_id,
                data=data,
                actor=actor,
                source=SheetSource.PAPER if transcribe else SheetSource.SCREEN,
                entered_by=actor,
                submit=submit,
            )

        self._saving = True
        self.dirty = False
        self.state_label.setText(_("Saving…"))
        self._ctx.run_db(work, self._saved, self._save_failed)

    def _saved(self, result: sheet_edits.SaveResult) -> None:
        self._saving = False
        self.status = result.status
        if result.status == SheetStatus.SUBMITTED:
            self.state_label.setText(_("Submitted and saved"))
        else:
            self.state_label.setText(_("Draft saved"))
        self._update_summary()
        self._ctx.bus.announce(result.changes)
        self.saved.emit(result)

    def _save_failed(self, error: BaseException) -> None:
        self._saving = False
        self.dirty = True
        self.state_label.setText(_("Not saved: {error}").format(error=error))
        QMessageBox.warning(self, _("Not saved"), str(error))

    def reject(self) -> None:
        """Esc, the Close button and the title-bar X all end here (QDialog.closeEvent calls it)."""
        if self.dirty and self.status == SheetStatus.DRAFT and self.context is not None:
            self.save(submit=False, explicit=True)
        elif self.dirty and self.status == SheetStatus.SUBMITTED:
            answer = QMessageBox.question(
                self,
                _("Unsaved changes"),
                _("The submitted sheet has unsaved changes. Save them (they are recorded in the audit trail)?"),
                QMessageBox.StandardButton.Save
                | QMessageBox.StandardButton.Discard
                | QMessageBox.StandardButton.Cancel,
            )
            if answer == QMessageBox.StandardButton.Cancel:
                return
            if answer == QMessageBox.StandardButton.Save:
                self.save(submit=False, explicit=True)
        self._autosave.stop()
        super().reject()
