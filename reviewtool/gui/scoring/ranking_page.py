"""The ranked view of a batch (评审排序), with the rubric manager and the way
into score entry. The table sorts by a click on a header, filters by words
(``widgets.filter_bar``) and exports as shown ("导出 Excel…").

Threading: GUI thread only; database work goes through ``ctx.run_db``.
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, Qt, Signal
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QMessageBox,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from reviewtool.core.enums import Opinion, StageKind
from reviewtool.core.scoring.maths import flag_label
from reviewtool.core.scoring.rubric import points_text
from reviewtool.gui.context import GuiContext
from reviewtool.gui.scoring.rubric_editor import RubricEditorDialog
from reviewtool.gui.scoring.score_entry import ScoreEntryWindow
from reviewtool.gui.widgets.area_titles import AreaCodesLabel, area_text, area_titles
from reviewtool.gui.widgets.filter_bar import FilterBar
from reviewtool.gui.widgets.row_table_model import RowTableModel
from reviewtool.gui.widgets.stage_choice import StageChoice
from reviewtool.gui.widgets.table_arrange import make_sortable
from reviewtool.gui.widgets.table_export import ExportTableAction
from reviewtool.gui.widgets.window_fit import shrinkable
from reviewtool.i18n import N_, _
from reviewtool.services.applications import list_batches
from reviewtool.services.scoring import ranking, rubric_batches, rubric_excel, rubrics, sheets
from reviewtool.services.stages.stage import list_stages, stage_choices
from reviewtool.services.taxonomy import list_areas

COLUMNS = (
    N_("Rank"),
    N_("No."),
    N_("Project title"),
    N_("Area"),
    N_("Sheets"),
    N_("Score"),
    N_("Rule in force"),
    N_("Mean"),
    N_("Median"),
    N_("Spread"),
    N_("Opinions (推荐/修改/不推荐)"),
    N_("Flags"),
    N_("Recommended"),
    N_("Tie broken by"),
)
RULE_CHOICES = (
    ("final", N_("Rule in force (trimmed mean with enough sheets)")),
    ("mean", N_("Mean")),
    ("median", N_("Median")),
    ("trimmed_mean", N_("Trimmed mean")),
    ("normalised", N_("Z-score normalised")),
)


def _fig(value: Decimal | None) -> str:
    return "" if value is None else f"{value:.2f}"


class RankingModel(RowTableModel):
    """Rows of one ``RankedView`` (``RankedRow``s, already ordered by the service)."""

    headers = COLUMNS

    def data(self, index: QModelIndex | QPersistentModelIndex, role: int = Qt.ItemDataRole.DisplayRole):
        if not index.isValid():
            return None
        r = self.rows[index.row()]
        column = index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            opinions = r.opinions or {}
            values = (
                r.position if r.position is not None else "—",
                r.number,
                r.title,
                area_text(r.primary_area, r.primary_area_title),
                r.sheet_count,
                _fig(r.score),
                r.rule_label if r.sheet_count else "",
                _fig(r.mean),
                _fig(r.median),
                _fig(r.spread),
                "/".join(str(opinions.get(o.value, 0)) for o in Opinion) if r.sheet_count else "",
                "、".join(
                    [flag_label(f) for f in r.flags]
                    + ([_("not promoted (stopped at {stage})").format(stage=r.stage)] if r.stopped else [])
                ),  # fmt: skip
                _("Yes") if r.recommended else "",
                r.tie_broken_by or "",
            )
            return values[column]
        if role == Qt.ItemDataRole.ToolTipRole and column == 3:
            return r.primary_area_title
        if role == Qt.ItemDataRole.TextAlignmentRole and column in (0, 4, 5, 7, 8, 9):
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if role == Qt.ItemDataRole.BackgroundRole:
            if r.veto_count:
                return QBrush(QColor("#fde2e2"))
            if r.stopped:
                return QBrush(QColor("#eeeeee"))
            if r.recommended:
                return QBrush(QColor("#e3f4e6"))
        if role == Qt.ItemDataRole.UserRole:
            return r.application_id
        return None


class RankingPage(QWidget):
    status_message = Signal(str)
    guide = "scoring"

    def __init__(self, ctx: GuiContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._ctx = ctx
        self._filling = False
        self.model = RankingModel(self)
        self.batch = QComboBox()
        self.stage = StageChoice(with_final=True)
        self.stage_id: int | None = None  # the stage of the rows shown (None: the final ranking)
        self.area = QComboBox()
        self.area.setMinimumContentsLength(14)
        self.area.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.rule = QComboBox()
        for key, label in RULE_CHOICES:
            self.rule.addItem(_(label), key)
        self.threshold = QLineEdit()
        self.threshold.setFixedWidth(60)
        self.threshold.setPlaceholderText("70")
        self.threshold.setObjectName("pass-mark")
        self.threshold.setToolTip(
            _(
                "The batch's pass mark (推荐分数线). Changing it here changes the batch's setting (recorded), "
                "which ranking, 拟立项 and every export use; press Enter to save it."
            )  # fmt: skip
        )
        self.score_button = QPushButton(_("Enter scores…"))
        self.rubrics_button = QPushButton(_("Rubrics…"))
        for combo, characters in ((self.batch, 6), (self.stage, 6), (self.rule, 8)):
            shrinkable(combo, characters)  # the window fits 1280 px in English too
        top = QHBoxLayout()
        for label, widget in (
            (_("Batch"), self.batch), (_("Review stage"), self.stage), (_("Area"), self.area), (_("Rank by"), self.rule)
        ):  # fmt: skip
            top.addWidget(QLabel(label))
            top.addWidget(widget, 1)
        top.addWidget(QLabel(_("Pass mark")))  # the batch's; the tooltip says so
        top.addWidget(self.threshold)
        top.addWidget(self.score_button)
        top.addWidget(self.rubrics_button)
        self.summary = QLabel()
        self.summary.setWordWrap(True)
        self.table = QTableView()
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.verticalHeader().setVisible(False)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        for column, width in enumerate((50, 110, 320, 200, 50, 70, 200, 60, 60, 60, 150, 120, 60, 120)):
            self.table.setColumnWidth(column, width)
        make_sortable(self.table)
        self.filter_bar = FilterBar(self.table)
        self.export_action = ExportTableAction(
            ctx,
            self.table,
            lambda: _("Ranking — {batch}").format(batch=self.batch.currentText()),
            self,
            describe=self.filter_bar.describe,
            on_message=self.status_message.emit,
        )
        self.filter_bar.add_action(self.export_action)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.summary)
        layout.addWidget(self.filter_bar)
        layout.addWidget(self.table, 1)

        self.batch.currentIndexChanged.connect(self.reload)
        self.stage.activated.connect(self.reload)
        self.area.currentIndexChanged.connect(self.reload)
        self.rule.currentIndexChanged.connect(self.reload)
        self.threshold.editingFinished.connect(self._pass_mark_edited)
        self.score_button.clicked.connect(self.enter_scores)
        self.rubrics_button.clicked.connect(self.manage_rubrics)
        self.table.doubleClicked.connect(lambda _i: self.enter_scores())
        ctx.bus.changed.connect(self._on_changes)
        self.refresh_filters()

    def refresh_filters(self) -> None:
        def load(session, _p, _c):
            batches = [(b.id, b.name) for b in list_batches(session)]
            areas = [(a.code, a.title) for a in list_areas(session) if a.kind in ("direction", "industry", "special")]
            return batches, areas

        self._ctx.run_db(load, self._fill_filters)

    def _fill_filters(self, result) -> None:
        batches, areas = result
        self._filling = True
        try:
            current = self.batch.currentData()
            self.batch.clear()
            for batch_id, name in batches:
                self.batch.addItem(name, batch_id)
            self.batch.setCurrentIndex(max(0, self.batch.findData(current)))
            current_area = self.area.currentData()
            self.area.clear()
            self.area.addItem(_("All areas"), None)
            for code, title in areas:
                self.area.addItem(f"{code} {title}", code)
            self.area.setCurrentIndex(max(0, self.area.findData(current_area)))
        finally:
            self._filling = False
        self.reload()

    def reload(self, *_args) -> None:
        if self._filling:
            return
        batch_id = self.batch.currentData()
        if batch_id is None:
            self.model.set_rows([])
            self.summary.setText(_("No batch yet."))
            return
        rule, area = self.rule.currentData(), self.area.currentData()
        wanted, final = self.stage.wanted(), self.stage.is_final()

        def load(session, _p, _c):  # the batch's own pass mark, the one 拟立项 uses too
            rows, chosen = stage_choices(session, batch_id, wanted)
            view = ranking.ranked_applications(
                session, batch_id, rule=rule, area_code=area, stage_id=chosen, final=final
            )
            return rows, chosen, view

        self._ctx.run_db(load, self._show, lambda e: self.summary.setText(str(e)), supersede=(self, "ranking"))

    def _show(self, result) -> None:
        stage_rows, chosen, view = result
        self.stage.fill(stage_rows, chosen)
        self.stage_id = None if view.final else chosen
        self.model.set_rows(view.rows)
        scored = sum(1 for r in view.rows if r.position is not None)
        self.shown_threshold = view.threshold
        self.threshold.setText(points_text(view.threshold))
        text = _(
            "{scored} of {count} applications scored; {recommended} at or above the threshold {threshold}. {tie_break}"
        ).format(
            scored=scored,
            count=len(view.rows),
            recommended=view.recommended_count,
            threshold=points_text(view.threshold),
            tie_break=view.tie_break,
        )
        text = view.basis + " " + text
        self.summary.setText(text)
        self._fit_summary()
        self.status_message.emit(text)

    def _fit_summary(self) -> None:
        """Room for every line of the summary (the final-score rule in words is printed in full)."""
        width = self.summary.width() if self.summary.isVisible() else self.width()
        self.summary.setMinimumHeight(self.summary.heightForWidth(max(width, 200)))

    def resizeEvent(self, event) -> None:  # noqa: N802 - Qt's name
        super().resizeEvent(event)
        self._fit_summary()

    def _pass_mark_edited(self) -> None:
        """A changed pass mark is saved as the batch's setting (audited), then every page uses it."""
        from reviewtool.core.batches import parse_points
        from reviewtool.services.batches.batch import update_batch

        batch_id, text = self.batch.currentData(), self.threshold.text().strip()
        if batch_id is None or getattr(self, "shown_threshold", None) is None:
            return
        try:
            value = parse_points("threshold", text)
        except Exception as exc:  # noqa: BLE001 - UserError with the field named
            self.summary.setText(str(exc))
            return
        if value == self.shown_threshold:
            return
        actor = self._ctx.actor

        def saved(changes) -> None:
            self.status_message.emit(changes.message)
            self._ctx.bus.announce(changes)

        def refused(error: BaseException) -> None:
            self.threshold.setText(points_text(self.shown_threshold))
            self.summary.setText(str(error))

        self._ctx.run_db(lambda s, _p, _c: update_batch(s, batch_id, {"threshold": value}, actor=actor), saved, refused)

    def _on_changes(self, changes) -> None:
        if changes.batches or changes.areas:
            self.refresh_filters()
        elif changes.sheets or changes.applications or changes.rubrics:
            self.reload()

    def selected_application(self) -> int | None:
        indexes = self.table.selectionModel().selectedRows()
        return self.model.rows[indexes[0].row()].application_id if indexes else None

    def enter_scores(self) -> None:
        application_id = self.selected_application()
        if application_id is None:
            QMessageBox.information(self, _("Enter scores"), _("Select an application first."))
            return
        stage_id = self.stage_id  # the stage shown; the final ranking: the application's own last stage
        self._ctx.run_db(
            lambda s, _p, _c: sheets.reviewer_choices(s, application_id, stage_id),
            lambda choices: self._pick_reviewer(application_id, choices),
        )

    def _pick_reviewer(self, application_id: int, choices) -> None:
        # open(), not exec(): this runs in a task's callback, where a nested event loop is unsafe.
        dialog = ReviewerPicker(choices, self)
        dialog.accepted.connect(lambda: self._open_score_entry(application_id, dialog))
        dialog.finished.connect(dialog.deleteLater)
        dialog.open()
        self.picker = dialog

    def _open_score_entry(self, application_id: int, picker: ReviewerPicker) -> None:
        window = ScoreEntryWindow(
            self._ctx, application_id, picker.reviewer_id(), transcribe=picker.transcribe.isChecked(), parent=self,
            stage_id=self.stage_id,
        )  # fmt: skip
        window.show()

    def manage_rubrics(self) -> None:
        RubricsDialog(self._ctx, self).exec()


class ReviewerPicker(QDialog):
    def __init__(self, choices, parent=None) -> None:
        super().__init__(parent)
        self.setWindowTitle(_("Whose sheet?"))
        self.combo = QComboBox()
        self.combo.setEditable(False)
        for c in choices:
            state = ""
            if c.sheet_status is not None:
                state = f"（{c.sheet_status.label()}）"
            elif c.assigned:
                state = _("(assigned)")
            staff = _(" [bureau staff]") if c.is_staff else ""
            self.combo.addItem(f"{c.name}{staff}　{c.unit}　{state}", c.expert_id)
        self.transcribe = QCheckBox(_("Transcribing a paper sheet on the expert's behalf"))
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        form = QFormLayout(self)
        form.addRow(_("Reviewer"), self.combo)
        form.addRow(self.transcribe)
        form.addRow(buttons)

    def reviewer_id(self) -> int:
        return self.combo.currentData()


class RubricsDialog(QDialog):
    """List rubrics; new, edit, import and export."""

    def __init__(self, ctx: GuiContext, parent=None) -> None:
        super().__init__(parent)
        self._ctx = ctx
        self.setWindowTitle(_("Rubrics"))
        self.resize(720, 420)
        self.list = QListWidget()
        buttons = QHBoxLayout()
        self.new_button = QPushButton(_("New…"))
        self.edit_button = QPushButton(_("Edit…"))
        self.import_button = QPushButton(_("Import…"))
        self.export_button = QPushButton(_("Export…"))
        self.attach_button = QPushButton(_("Use for a batch…"))
        close = QPushButton(_("Close"))
        for b in (self.new_button, self.edit_button, self.import_button, self.export_button, self.attach_button):
            buttons.addWidget(b)
        buttons.addStretch(1)
        buttons.addWidget(close)
        layout = QVBoxLayout(self)
        layout.addWidget(self.list, 1)
        layout.addLayout(buttons)
        self.new_button.clicked.connect(lambda: self._open_editor(None))
        self.edit_button.clicked.connect(self.edit_selected)
        self.list.itemDoubleClicked.connect(lambda _i: self.edit_selected())
        self.import_button.clicked.connect(self.import_file)
        self.export_button.clicked.connect(self.export_file)
        self.attach_button.clicked.connect(self.attach_to_batch)
        close.clicked.connect(self.accept)
        self.reload()

    def reload(self) -> None:
        self._ctx.run_db(lambda s, _p, _c: rubrics.list_rubrics(s), self._fill)

    def _fill(self, rows) -> None:
        self.list.clear()
        for r in rows:
            item = QListWidgetItem(
                _("{name}　({code} v{version}, {criteria} criteria, {sheets} sheets)").format(
                    name=r.name, code=r.code, version=r.version, criteria=r.criteria, sheets=r.sheets
                )
            )
            item.setData(Qt.ItemDataRole.UserRole, r.code)
            self.list.addItem(item)
        if rows:
            self.list.setCurrentRow(0)

    def selected_code(self) -> str | None:
        item = self.list.currentItem()
        return item.data(Qt.ItemDataRole.UserRole) if item else None

    def edit_selected(self) -> None:
        code = self.selected_code()
        if code is None:
            return
        self._ctx.run_db(
            lambda s, _p, _c: rubrics.spec_of_version(rubrics.get_version(s, code)).as_dict(),
            self._open_editor,
            lambda e: QMessageBox.warning(self, _("Error"), str(e)),
        )

    def _open_editor(self, document) -> RubricEditorDialog:
        editor = RubricEditorDialog(self._ctx, document, self)
        editor.saved.connect(lambda _r: self.reload())
        editor.open()
        self.editor = editor
        return editor

    def import_file(self) -> None:
        path, _filter = QFileDialog.getOpenFileName(
            self, _("Import rubric"), "", _("Rubric files (*.yaml *.yml *.xlsx)")
        )
        if not path:
            return
        actor = self._ctx.actor

        def done(result) -> None:
            self._ctx.bus.announce(result.changes)
            self.reload()

        self._ctx.run_db(
            lambda s, _p, _c: rubrics.import_rubric(s, Path(path), actor=actor),
            done,
            lambda e: QMessageBox.warning(self, _("Not imported"), str(e)),
        )

    def export_file(self) -> None:
        code = self.selected_code()
        if code is None:
            return
        path, _filter = QFileDialog.getSaveFileName(
            self, _("Export rubric"), f"{code}.yaml", _("YAML (*.yaml);;Excel (*.xlsx)")
        )
        if not path:
            return
        self._ctx.run_db(
            lambda s, _p, _c: rubrics.export_rubric(s, code, Path(path)),
            None,
            lambda e: QMessageBox.warning(self, _("Not exported"), str(e)),
        )

    def attach_to_batch(self) -> None:
        code = self.selected_code()
        if code is None:
            return

        def load(session, _p, _c):
            spec = rubrics.spec_of_version(rubrics.get_version(session, code))
            batches = [(b.id, b.name) for b in list_batches(session)]
            stages = {b: [(r.id, r.name) for r in list_stages(session, b) if r.kind is StageKind.EXPERT]
                      for b, _name in batches}  # fmt: skip
            return batches, spec, area_titles(session), stages

        self._ctx.run_db(load, lambda result: self._show_attach(code, *result))

    def _show_attach(self, code: str, batches, spec, titles=None, stages=None) -> None:
        # open(), not exec(): this runs in a task's callback, where a nested event loop is unsafe.
        dialog = AttachDialog(code, batches, spec, self, areas=titles, stages=stages)
        self.attach_dialog = dialog
        dialog.accepted.connect(lambda: self._attach(code, dialog))
        dialog.open()

    def _attach(self, code: str, dialog: AttachDialog) -> None:
        batch_id, categories, areas = dialog.values()
        stage_id = dialog.stage_id()
        actor = self._ctx.actor

        def work(session, _p, _c):
            return rubric_batches.attach_rubric(
                session, batch_id, code, actor=actor, categories=categories, area_codes=areas, stage_id=stage_id
            )

        self._ctx.run_db(work, self._ctx.bus.announce, lambda e: QMessageBox.warning(self, _("Not saved"), str(e)))


class AttachDialog(QDialog):
    """Which batch uses a rubric, optionally only in one review stage or for some categories or area groups."""

    def __init__(
        self, code: str, batches, spec, parent=None, *, areas: dict[str, str] | None = None,
        stages: dict[int, list[tuple[int, str]]] | None = None,
    ) -> None:  # fmt: skip
        super().__init__(parent)
        self.setWindowTitle(_("Use rubric {code} for a batch").format(code=code))
        self.batch = QComboBox()
        for batch_id, name in batches:
            self.batch.addItem(name, batch_id)
        self.stages = stages or {}
        self.stage = QComboBox()  # every stage of the batch, or one expert stage (会议评审 …)
        self.stage.setObjectName("rubric-stage")
        self.batch.currentIndexChanged.connect(self._fill_stages)
        self._fill_stages()
        self.categories = QLineEdit("；".join(spec.scope_categories))
        self.categories.setPlaceholderText(_("empty = every category"))
        self.areas = QLineEdit("；".join(spec.scope_area_codes))
        self.areas.setPlaceholderText(_("empty = every area; e.g. HD-D1；QH-E1"))
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        form = QFormLayout(self)
        form.addRow(_("Batch"), self.batch)
        form.addRow(_("Review stage"), self.stage)
        form.addRow(_("Only categories"), self.categories)
        form.addRow(_("Only areas (and below)"), self.areas)
        self.area_titles = AreaCodesLabel(self.areas)
        self.area_titles.set_titles(areas or {})
        form.addRow("", self.area_titles)
        form.addRow(buttons)

    def _fill_stages(self, _index: int = 0) -> None:
        self.stage.clear()
        self.stage.addItem(_("Every stage of the batch"), None)
        for stage_id, name in self.stages.get(self.batch.currentData(), []):
            self.stage.addItem(name, stage_id)

    def stage_id(self) -> int | None:
        """The review stage the rubric is for (``None``: every stage of the batch)."""
        return self.stage.currentData()

    def values(self) -> tuple[int, list[str], list[str]]:
        return (
            self.batch.currentData(),
            rubric_excel._split(self.categories.text()),
            rubric_excel._split(self.areas.text()),
        )
