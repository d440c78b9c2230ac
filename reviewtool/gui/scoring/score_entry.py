"""The score-entry window (专家评审表录入), built for keyboard speed.

- Type a number and press Tab or Enter to go to the next criterion. An
  entry the rubric refuses stays as typed, marked red with the reason, and
  keeps the focus until it is corrected or cleared (``score_rows``); nothing
  is saved while a field is invalid.
- Each criterion shows its bands; the band the points fall in is
  highlighted with its descriptor. The total updates live.
- Veto questions take Y/N (or 1/0); the opinion takes 1/2/3.
- The Tab order is fixed: vetoes, points, opinion, written opinion. Comment
  boxes are outside it (F6 from a points field opens its comment).
- Drafts are saved as you go (a short pause after each change) and when
  the window closes; a submitted sheet is saved only on request, and every
  change to it is audited by the service.
- 保存并录入下一份 (Ctrl+Shift+Enter) submits the sheet (or keeps it as a
  draft) and opens the next one to transcribe, with the same 代专家录入
  choice: the same expert's next application, then the next expert
  (``services.scoring.next_sheet``).

Threading: GUI thread only; database work goes through ``ctx.run_db``.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QInputDialog,
    QLabel,
    QMessageBox,
    QPushButton,
    QScrollArea,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from reviewtool.core.enums import Opinion, SheetSource, SheetStatus
from reviewtool.core.scoring.maths import SheetInput, evaluate_sheet
from reviewtool.core.scoring.rubric import points_text
from reviewtool.gui.context import GuiContext
from reviewtool.gui.scoring.score_rows import CriterionRow, KeyChoiceCombo, opinion_fields, veto_box
from reviewtool.gui.scoring.score_side import ApplicationSide
from reviewtool.gui.widgets.stale_edit import StaleEdit, offer_reload
from reviewtool.gui.widgets.window_fit import fit_to_screen
from reviewtool.i18n import _
from reviewtool.services.scoring import next_sheet, sheet_edits, sheets

AUTOSAVE_MS = 800


class ScoreEntryWindow(QDialog):
    """One reviewer's sheet for one application."""

    saved = Signal(object)  # sheet_edits.SaveResult
    next_opened = Signal(object)  # the ScoreEntryWindow of the next sheet (保存并录入下一份)

    def __init__(
        self,
        ctx: GuiContext,
        application_id: int,
        reviewer_id: int,
        *,
        transcribe: bool = False,
        parent: QWidget | None = None,
        stage_id: int | None = None,
    ) -> None:
        super().__init__(parent)
        self._ctx = ctx
        self.application_id = application_id
        self.reviewer_id = reviewer_id
        self.stage_id = stage_id  # the review stage (None: the application's last); fixed once loaded
        self.context: sheets.ScoringContext | None = None
        self.rows: list[CriterionRow] = []
        self.vetoes: dict[str, KeyChoiceCombo] = {}
        self.status = SheetStatus.DRAFT
        self.row_version = 0  # the sheet's version as loaded (0: none yet); a save over a newer one is refused
        self.dirty = False
        self._saving = False
        self._loaded = False
        self._after_save = None
        self._pending: tuple | None = None  # an explicit save asked for while another was in flight
        self.next_window: ScoreEntryWindow | None = None
        self.setWindowTitle(_("Score sheet"))
        fit_to_screen(self, 1280, 820)  # a 1280×720 laptop gets what its screen has room for
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

        self.side = ApplicationSide(ctx)
        self.abstract_view, self.areas_view, self.attachments = (
            self.side.abstract_view, self.side.areas_view, self.side.attachments,
        )  # fmt: skip

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
        self.next_button = QPushButton(_("Save and next sheet"))
        self.next_button.setToolTip(
            _("Submit this sheet (or keep it as a draft) and open the next one to transcribe (Ctrl+Shift+Enter).")
        )
        self.close_button = QPushButton(_("Close"))
        self.reopen_button = QPushButton(_("Reopen…"))
        self.reopen_button.setVisible(False)
        self.reopen_button.clicked.connect(self.reopen)
        self.sheet_id: int | None = None
        for button in (self.save_button, self.submit_button, self.next_button, self.close_button, self.reopen_button):
            button.setAutoDefault(False)
        self.save_button.clicked.connect(lambda: self.save(submit=False, explicit=True))
        self.submit_button.clicked.connect(lambda: self.save(submit=True, explicit=True))
        self.next_button.clicked.connect(lambda: self.save_and_next())
        self.close_button.clicked.connect(self.close)
        QShortcut(QKeySequence.StandardKey.Save, self, activated=lambda: self.save(submit=False, explicit=True))
        QShortcut(QKeySequence("Ctrl+Return"), self, activated=lambda: self.save(submit=True, explicit=True))
        QShortcut(QKeySequence("F2"), self, activated=lambda: self._show_side(0))
        QShortcut(QKeySequence("F3"), self, activated=lambda: self._show_side(1))
        QShortcut(QKeySequence("F4"), self, activated=lambda: self._show_side(2))
        QShortcut(QKeySequence("Ctrl+Shift+Return"), self, activated=lambda: self.save_and_next())
        QShortcut(QKeySequence("F6"), self, activated=self._to_comment)

        footer = QHBoxLayout()
        footer.addWidget(self.total_label)
        footer.addWidget(self.state_label, 1)
        footer.addWidget(self.reopen_button)
        footer.addWidget(self.save_button)
        footer.addWidget(self.submit_button)
        footer.addWidget(self.next_button)
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
            lambda s, _p, _c: sheets.scoring_context(s, app_id, reviewer, stage_id=stage_id),
            self._build,
            self._load_failed,
        )

    # -- building ------------------------------------------------------------

    def focusNextPrevChild(self, next: bool) -> bool:  # noqa: N802 - Qt API
        """Tab walks the sheet in a fixed order: vetoes, points, opinion, written opinion.

        An invalid points field keeps the focus; from a comment, Tab goes on to
        the next criterion's points (Shift+Tab back to its own)."""
        current = self.focusWidget()
        row = self._row_of(current)
        if row is not None and current is row.points and row.problem:
            row.message.setText(row.message.text())  # the reason is already shown beside the field
            return True
        if row is not None and current is row.comment:
            index = self.rows.index(row)
            target = row.points if not next else (self.rows[index + 1].points if index + 1 < len(self.rows) else None)
            target = target or self.opinion
            self._focus(target, next)
            return True
        chain = [w for w in self._chain if w.isEnabled() and not w.isHidden()]
        if current in chain:
            index = chain.index(current) + (1 if next else -1)
            if 0 <= index < len(chain):
                self._focus(chain[index], next)
                return True
        return super().focusNextPrevChild(next)

    def _focus(self, widget: QWidget, forward: bool = True) -> None:
        widget.setFocus(Qt.FocusReason.TabFocusReason if forward else Qt.FocusReason.BacktabFocusReason)
        self.scroll.ensureWidgetVisible(widget)

    def _row_of(self, widget: QWidget | None) -> CriterionRow | None:
        return next((r for r in self.rows if widget in (r.points, r.comment)), None)

    def _enter_pressed(self, _widget: QWidget) -> None:
        """Enter moves on like Tab (and stays on an invalid entry)."""
        self.focusNextPrevChild(True)

    def _to_comment(self) -> None:
        """F6: from a points field to its comment (and back)."""
        row = self._row_of(self.focusWidget())
        if row is None or row.problem:
            return
        target = row.points if self.focusWidget() is row.comment else row.comment
        target.setFocus(Qt.FocusReason.ShortcutFocusReason)
        self.scroll.ensureWidgetVisible(target)

    def _show_side(self, index: int) -> None:
        self.side.setCurrentIndex(index)

    def _load_failed(self, error: BaseException) -> None:
        self.header.setText(str(error))
        QMessageBox.warning(self, _("Error"), str(error))

    def _build(self, context: sheets.ScoringContext) -> None:
        self.context = context
        self.stage_id = context.stage_id
        spec = context.spec
        who = context.reviewer_name + (_(" (bureau staff)") if context.reviewer_is_staff else "")
        self.setWindowTitle(_("Score sheet — {number} — {reviewer}").format(number=context.number, reviewer=who))
        self.header.setText(
            f"<span style='font-size:16px'><b>{context.number}</b>　{context.title}</span><br>"
            + _("Unit: {unit}　Reviewer: {reviewer}　Rubric: {rubric}　Requested: {amount} 万元").format(
                unit=context.unit, reviewer=who, rubric=context.rubric_label, amount=f"{context.requested_amount:,.2f}"
            )
            + "　" + _("Stage: {stage}").format(stage=context.stage_name)
            + "".join("<br>" + _("Own sheet of an earlier stage: {sheet}").format(sheet=e.text()) for e in context.earlier)
        )  # fmt: skip
        self.side.show_context(context)

        focus_chain: list[QWidget] = []
        if spec.veto_items:
            box, self.vetoes = veto_box(spec.veto_items, self._changed, lambda: self.focusNextPrevChild(True))
            focus_chain += list(self.vetoes.values())
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
                crow = CriterionRow(criterion, spec.step, grid, row, self._changed, self._enter_pressed)
                if criterion.plan_fit and context.suggested_band:
                    hint = _("Suggested band from the confirmed areas: {band}").format(band=context.suggested_band)
                    crow.bands.setToolTip(hint)
                    crow.title.setText(
                        crow.title.text() + f"<br><span style='color:#6b7280;font-size:12px'>{hint}（F3）</span>"
                    )
                self.rows.append(crow)
                focus_chain.append(crow.points)
                row += 2
        self.form_layout.addWidget(box)

        opinion_box, self.opinion, self.written = opinion_fields(self._changed, lambda: self.focusNextPrevChild(True))
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
        self.row_version = sheet.row_version
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

    def invalid_rows(self) -> list[CriterionRow]:
        return [r for r in self.rows if r.problem]

    def _changed(self) -> None:
        if not self._loaded:
            return
        for crow in self.rows:
            crow.refresh()
        self.dirty = True
        self._update_summary()
        if self.invalid_rows():
            self._autosave.stop()  # nothing invalid is ever saved, not even as a draft
            self.state_label.setText(_("Not saved: a field is invalid"))
        elif self.status == SheetStatus.DRAFT:
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
        invalid = self.invalid_rows()
        if invalid:
            self.problems_label.setText(
                _("Correct or clear before saving: ") + "；".join(r.problem for r in invalid[:3])
            )
        elif evaluation.problems:
            shown = [str(p) for p in evaluation.problems[:3]]
            more = len(evaluation.problems) - len(shown)
            text = _("Before submitting: ") + "；".join(shown)
            if more > 0:
                text += _(" … and {count} more").format(count=more)
            self.problems_label.setText(text)
        else:
            self.problems_label.setText(_("Complete — ready to submit (Ctrl+Enter)."))
        self.submit_button.setEnabled(evaluation.complete and self.status == SheetStatus.DRAFT and not invalid)
        self.next_button.setEnabled(not invalid and self.save_button.isEnabled())
        if self.status == SheetStatus.SUBMITTED:
            self.submit_button.setText(_("Submitted"))
            self.save_button.setText(_("Save changes"))

    # -- reopening a locked sheet --------------------------------------------------

    def reopen(self) -> None:
        if self.sheet_id is None:
            return
        reason, ok = QInputDialog.getText(self, _("Reopen the sheet"), _("Why must this locked sheet change?"))
        if not ok or not reason.strip():
            return
        sheet_id, actor = self.sheet_id, self._ctx.actor
        app_id, reviewer, stage_id = self.application_id, self.reviewer_id, self.stage_id

        def work(session, _p, _c):
            changes = sheet_edits.reopen_sheet(session, sheet_id, actor=actor, reason=reason)
            return changes, sheets.scoring_context(session, app_id, reviewer, stage_id=stage_id)

        def done(result) -> None:
            changes, context = result
            self._ctx.bus.announce(changes)
            self.row_version = context.sheet.row_version if context.sheet is not None else self.row_version
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

    def save(self, *, submit: bool, explicit: bool, then=None) -> None:
        """Save the sheet (``then(result)`` runs after a successful save). Refused,
        with the field focused, while any points field is invalid."""
        if self.context is None:
            return
        if self._saving:
            # One save at a time: an autosave waits its turn; an explicit save (submit, save and next)
            # runs as soon as the one in flight is done, never dropped.
            if explicit:
                self._pending = (submit, then)
            else:
                self._autosave.start()
            return
        invalid = self.invalid_rows()
        if invalid:
            self._autosave.stop()
            if explicit:
                self.state_label.setText(_("Not saved: {problem}").format(problem=invalid[0].problem))
                invalid[0].points.setFocus(Qt.FocusReason.OtherFocusReason)
            return
        if not explicit and not self.dirty:
            return
        if self.status == SheetStatus.SUBMITTED and not explicit:
            return
        self._after_save = then
        self._autosave.stop()
        data = self.sheet_input()
        transcribe = self.transcribe.isChecked()
        actor = self._ctx.actor
        version_id = self.context.rubric_version_id
        app_id, reviewer, stage_id, row_version = self.application_id, self.reviewer_id, self.stage_id, self.row_version

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
                stage_id=stage_id,
                row_version=row_version,
            )

        self._saving = True
        self.dirty = False
        self.state_label.setText(_("Saving…"))
        self._ctx.run_db(work, self._saved, self._save_failed)

    def _saved(self, result: sheet_edits.SaveResult) -> None:
        self._saving = False
        self.status = result.status
        self.row_version = result.row_version
        if result.status == SheetStatus.SUBMITTED:
            self.state_label.setText(_("Submitted and saved"))
        else:
            self.state_label.setText(_("Draft saved"))
        self._update_summary()
        self._ctx.bus.announce(result.changes)
        self.saved.emit(result)
        then, self._after_save = self._after_save, None
        pending, self._pending = self._pending, None
        if pending is not None:
            self.save(submit=pending[0], explicit=True, then=pending[1])
        elif then is not None:
            then(result)

    def _save_failed(self, error: BaseException) -> None:
        self._saving = False
        self._after_save = None
        self._pending = None
        self.dirty = True
        self.state_label.setText(_("Not saved: {error}").format(error=error))
        if isinstance(error, StaleEdit):
            self._autosave.stop()  # autosaving again would only be refused again
            if offer_reload(self, error):
                self._reload_sheet()
            return
        QMessageBox.warning(self, _("Not saved"), str(error))

    def _reload_sheet(self) -> None:
        """The sheet as now saved (after someone else's save): their points replace what was typed."""
        app_id, reviewer, stage_id = self.application_id, self.reviewer_id, self.stage_id

        def done(context: sheets.ScoringContext) -> None:
            self.context = context
            self._loaded = False  # filling in is not typing
            if context.sheet is not None:
                self._fill_from(context.sheet)
            self._loaded = True
            self.dirty = False
            self._update_summary()
            self.state_label.setText(_("Reloaded: the sheet as saved by the other person."))

        self._ctx.run_db(
            lambda s, _p, _c: sheets.scoring_context(s, app_id, reviewer, stage_id=stage_id), done, self._load_failed
        )

    def reject(self) -> None:
        """Esc, the Close button and the title-bar X all end here (QDialog.closeEvent calls it)."""
        invalid = self.invalid_rows()
        if invalid and self.dirty:
            self._ask_to_discard(invalid[0])
            return
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

    def _ask_to_discard(self, row: CriterionRow) -> None:
        """An invalid entry cannot be saved: close only when the clerk discards (the window stays otherwise)."""
        box = QMessageBox(
            QMessageBox.Icon.Warning,
            _("Invalid entry"),
            _("{problem}\nIt cannot be saved. Close and discard the changes since the last save?").format(
                problem=row.problem
            ),
            QMessageBox.StandardButton.Discard | QMessageBox.StandardButton.Cancel,
            self,
        )
        box.button(QMessageBox.StandardButton.Discard).setText(_("Discard"))
        box.button(QMessageBox.StandardButton.Cancel).setText(_("Cancel"))
        box.setDefaultButton(QMessageBox.StandardButton.Cancel)

        def answered(button) -> None:
            if box.standardButton(button) == QMessageBox.StandardButton.Discard:
                self.dirty = False
                self._autosave.stop()
                super(ScoreEntryWindow, self).reject()
            else:
                row.points.setFocus(Qt.FocusReason.OtherFocusReason)

        box.buttonClicked.connect(answered)
        self.discard_question = box
        box.open()

    # -- paper transcription: the next sheet --------------------------------------

    def save_and_next(self) -> None:
        """保存并录入下一份: submit a complete sheet (an incomplete one is kept as a
        draft, after asking), then open the next sheet with the same choices."""
        if self.context is None or self._saving or self.invalid_rows():
            self.save(submit=False, explicit=True)  # shows why nothing was saved
            return
        evaluation = evaluate_sheet(self.context.spec, self.sheet_input())
        submit = self.status == SheetStatus.DRAFT and evaluation.complete
        if self.status == SheetStatus.DRAFT and not evaluation.complete:
            answer = QMessageBox.question(
                self,
                _("Save and next sheet"),
                _("This sheet is not complete ({problem}). Keep it as a draft and go to the next sheet?").format(
                    problem=str(evaluation.problems[0]) if evaluation.problems else ""
                ),
            )
            if answer != QMessageBox.StandardButton.Yes:
                return
        if self.dirty or submit or self.sheet_id is None:
            self.save(submit=submit, explicit=True, then=lambda _result: self._open_next())
        else:
            self._open_next()

    def _open_next(self) -> None:
        app_id, reviewer, stage_id = self.application_id, self.reviewer_id, self.stage_id
        self._ctx.run_db(
            lambda s, _p, _c: next_sheet.next_sheet(s, app_id, reviewer, stage_id),
            self._show_next,
            lambda e: QMessageBox.warning(self, _("Error"), str(e)),
        )

    def _show_next(self, target: next_sheet.SheetTarget | None) -> None:
        if target is None:
            self.state_label.setText(_("Saved. No sheet is left to enter for this batch."))
            return
        window = ScoreEntryWindow(
            self._ctx,
            target.application_id,
            target.reviewer_id,
            transcribe=self.transcribe.isChecked(),
            parent=self.parentWidget(),
            stage_id=self.stage_id,
        )
        window.setGeometry(self.geometry())
        self.next_window = window
        window.show()
        self.next_opened.emit(window)
        self.dirty = False
        self.close()
