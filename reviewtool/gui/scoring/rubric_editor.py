"""The rubric editor: criteria and bands added, reordered and removed, with
live validation and a preview of the sheet as an expert will see it.

The dialog edits a plain rubric document (the YAML form). Every change is
validated at once with ``core.scoring.rubric_check.validate_rubric``; the problems list
names the criterion at fault, and Save is enabled only for a valid rubric.
Saving goes through ``services.scoring.rubrics.save_rubric`` (a rubric already used
by a sheet gets a new version). Cancel, Esc or closing the window with changes
not saved asks 保存 / 放弃 / 取消 (``widgets.unsaved_changes``). The editing side
scrolls, so the dialog fits a 1280×720 screen with 保存 in view.

Threading: GUI thread only; database work goes through ``ctx.run_db``.
"""

from __future__ import annotations

import copy
import html
from typing import Any

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QDialog,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QMessageBox,
    QPlainTextEdit,
    QPushButton,
    QSpinBox,
    QSplitter,
    QTableWidget,
    QTableWidgetItem,
    QTabWidget,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from reviewtool.core.scoring.rubric import ROUNDING_MODES
from reviewtool.core.scoring.rubric_check import parse_rubric, validate_rubric
from reviewtool.gui.context import GuiContext
from reviewtool.gui.scoring.rubric_document import as_text, blank_document, new_criterion, number_or_text, preview_html
from reviewtool.gui.widgets.area_titles import AreaCodesLabel, area_titles
from reviewtool.gui.widgets.unsaved_changes import UnsavedChanges
from reviewtool.gui.widgets.window_fit import fit_to_screen, scrolling
from reviewtool.i18n import _
from reviewtool.services.scoring import rubric_excel, rubrics

VALIDATE_DELAY_MS = 150
MATCH_CN = rubric_excel.MATCH_CN


class RubricEditorDialog(QDialog):
    """Edit one rubric document; ``saved`` carries the service's ``SaveResult``."""

    saved = Signal(object)

    def __init__(self, ctx: GuiContext, document: dict[str, Any] | None = None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._ctx = ctx
        self.setWindowTitle(_("Rubric editor"))
        fit_to_screen(self, 1360, 860)
        self.setWindowFlag(Qt.WindowType.WindowMaximizeButtonHint, True)
        doc = copy.deepcopy(document) if document else blank_document()
        self._criteria: list[dict[str, Any]] = list(doc.get("criteria") or [])
        self._current = -1
        self._loading = False
        self.spec = None

        # --- rubric fields
        self.code = QLineEdit(as_text(doc.get("code")))
        self.name = QLineEdit(as_text(doc.get("name")))
        self.description = QLineEdit(as_text(doc.get("description")))
        self.total = QLineEdit(as_text(doc.get("total_points", 100)))
        self.step = QLineEdit(as_text(doc.get("step", 1)))
        rounding = doc.get("rounding") or {}
        self.places = QSpinBox()
        self.places.setRange(0, 4)
        self.places.setValue(int(rounding.get("places", 2)))
        self.mode = QComboBox()
        for key, (_mode, label) in ROUNDING_MODES.items():
            self.mode.addItem(_(label), key)
        self.mode.setCurrentIndex(max(0, self.mode.findData(rounding.get("mode", "half_up"))))
        scope = doc.get("scope") or {}
        self.scope_categories = QLineEdit("；".join(scope.get("categories") or []))
        self.scope_areas = QLineEdit("；".join(scope.get("area_codes") or []))
        self.scope_areas.setPlaceholderText(_("e.g. HD-D1；QH-E1"))
        top = QFormLayout()
        top.addRow(_("Rubric code"), self.code)
        top.addRow(_("Rubric name"), self.name)
        top.addRow(_("Description"), self.description)
        numbers = QHBoxLayout()
        for label, widget in (
            (_("Total points"), self.total),
            (_("Step"), self.step),
            (_("Decimals"), self.places),
            (_("Rounding"), self.mode),
        ):
            numbers.addWidget(QLabel(label))
            numbers.addWidget(widget)
        top.addRow(numbers)
        top.addRow(_("Suggested for categories"), self.scope_categories)
        top.addRow(_("Suggested for areas"), self.scope_areas)
        self.scope_titles = AreaCodesLabel(self.scope_areas)
        top.addRow("", self.scope_titles)
        top_box = QGroupBox(_("Rubric"))
        top_box.setLayout(top)

        # --- veto items
        self.veto_table = QTableWidget(0, 2)
        self.veto_table.setObjectName("veto_table")
        self.veto_table.setHorizontalHeaderLabels([_("Id"), _("Question (yes = veto)")])
        self.veto_table.horizontalHeader().setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        self.veto_table.verticalHeader().setVisible(False)
        self.veto_table.setMaximumHeight(130)
        self.veto_table.verticalHeader().setDefaultSectionSize(24)
        for item in doc.get("veto_items") or []:
            self._append_row(self.veto_table, [as_text(item.get("id")), as_text(item.get("question"))])
        add_veto = QPushButton(_("Add veto item"))
        remove_veto = QPushButton(_("Remove"))
        add_veto.clicked.connect(self._add_veto)
        remove_veto.clicked.connect(lambda: self._remove_row(self.veto_table))
        veto_box = QGroupBox(_("Veto items (一票否决)"))
        vl = QVBoxLayout(veto_box)
        vl.addWidget(self.veto_table)
        vb = QHBoxLayout()
        vb.addWidget(add_veto)
        vb.addWidget(remove_veto)
        vb.addStretch(1)
        vl.addLayout(vb)

        # --- criteria list
        self.criteria_list = QListWidget()
        self.criteria_list.setObjectName("criteria_list")
        self.add_criterion_button = QPushButton(_("Add criterion"))
        self.remove_criterion_button = QPushButton(_("Remove"))
        self.up_button = QPushButton(_("Up"))
        self.down_button = QPushButton(_("Down"))
        self.add_criterion_button.clicked.connect(self.add_criterion)
        self.remove_criterion_button.clicked.connect(self.remove_criterion)
        self.up_button.clicked.connect(lambda: self.move_criterion(-1))
        self.down_button.clicked.connect(lambda: self.move_criterion(1))
        list_box = QGroupBox(_("Criteria"))
        ll = QVBoxLayout(list_box)
        ll.addWidget(self.criteria_list, 1)
        lb = QHBoxLayout()
        for b in (self.add_criterion_button, self.remove_criterion_button, self.up_button, self.down_button):
            lb.addWidget(b)
        ll.addLayout(lb)

        # --- criterion details
        self.c_id = QLineEdit()
        self.c_id.setObjectName("criterion_id")
        self.c_group = QLineEdit()
        self.c_title = QLineEdit()
        self.c_title.setObjectName("criterion_title")
        self.c_description = QPlainTextEdit()
        self.c_description.setFixedHeight(54)
        self.c_description.setTabChangesFocus(True)
        self.c_max = QLineEdit()
        self.c_max.setObjectName("criterion_max")
        self.c_weight = QLineEdit()
        self.c_weight.setPlaceholderText(_("none (1)"))
        self.c_plan_fit = QCheckBox(_("Plan-fit criterion (与“十四五”重点领域契合度)"))
        self.c_suggested = QLineEdit()
        self.c_suggested.setPlaceholderText("专栏任务=优；重点产业=优；重点方向=良；不契合=差")
        self.c_always = QCheckBox(_("always"))
        self.c_lowest = QCheckBox(_("lowest band"))
        self.c_full = QCheckBox(_("full score"))
        self.c_below = QLineEdit()
        self.c_below.setPlaceholderText(_("below …"))
        self.c_below.setFixedWidth(80)
        comment_row = QHBoxLayout()
        for w in (self.c_always, self.c_lowest, self.c_full, QLabel(_("below")), self.c_below):
            comment_row.addWidget(w)
        comment_row.addStretch(1)
        self.bands_table = QTableWidget(0, 4)
        self.bands_table.setObjectName("bands_table")
        self.bands_table.setHorizontalHeaderLabels([_("Band"), _("From"), _("To"), _("Descriptor")])
        self.bands_table.horizontalHeader().setSectionResizeMode(3, QHeaderView.ResizeMode.Stretch)
        self.bands_table.verticalHeader().setVisible(False)
        self.bands_table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.bands_table.setMinimumHeight(130)
        self.bands_table.verticalHeader().setDefaultSectionSize(24)
        add_band = QPushButton(_("Add band"))
        remove_band = QPushButton(_("Remove band"))
        band_up = QPushButton(_("Up"))
        band_down = QPushButton(_("Down"))
        add_band.clicked.connect(self._add_band)
        remove_band.clicked.connect(lambda: self._remove_row(self.bands_table))
        band_up.clicked.connect(lambda: self._move_row(self.bands_table, -1))
        band_down.clicked.connect(lambda: self._move_row(self.bands_table, 1))
        form = QFormLayout()
        form.addRow(_("Id"), self.c_id)
        form.addRow(_("Criterion group"), self.c_group)
        form.addRow(_("Criterion title"), self.c_title)
        form.addRow(_("Description"), self.c_description)
        mw = QHBoxLayout()
        mw.addWidget(self.c_max)
        mw.addWidget(QLabel(_("Weight")))
        mw.addWidget(self.c_weight)
        form.addRow(_("Maximum points"), mw)
        form.addRow(self.c_plan_fit)
        form.addRow(_("Suggested bands"), self.c_suggested)
        form.addRow(_("Comment required"), comment_row)
        detail_box = QGroupBox(_("Criterion details"))
        dl = QVBoxLayout(detail_box)
        dl.addLayout(form)
        dl.addWidget(self.bands_table, 1)
        bb = QHBoxLayout()
        for b in (add_band, remove_band, band_up, band_down):
            bb.addWidget(b)
        bb.addStretch(1)
        dl.addLayout(bb)
        self.detail_box = detail_box

        # --- validation and preview
        self.problems = QListWidget()
        self.problems.setObjectName("problems")
        self.status = QLabel()
        self.preview = QTextBrowser()
        right = QTabWidget()
        right.addTab(self.preview, _("Preview of the sheet"))
        right.addTab(self.problems, _("Problems"))
        self.right_tabs = right

        editing = QWidget()
        left_layout = QVBoxLayout(editing)
        left_layout.setContentsMargins(0, 0, 0, 0)
        left_layout.addWidget(top_box)
        left_layout.addWidget(veto_box)
        middle = QSplitter(Qt.Orientation.Horizontal)
        middle.addWidget(list_box)
        middle.addWidget(detail_box)
        middle.setStretchFactor(1, 2)
        left_layout.addWidget(middle, 1)
        left = scrolling(editing)
        left.setObjectName("rubric_fields")
        splitter = QSplitter(Qt.Orientation.Horizontal)
        splitter.addWidget(left)
        splitter.addWidget(right)
        splitter.setStretchFactor(0, 3)
        splitter.setStretchFactor(1, 2)
        splitter.setSizes([860, 500])

        self.save_button = QPushButton(_("Save rubric"))
        self.save_button.setObjectName("save_rubric")
        cancel = QPushButton(_("Cancel"))
        self.cancel_button = cancel
        self.save_button.clicked.connect(self.save)
        cancel.clicked.connect(self.reject)
        buttons = QHBoxLayout()
        buttons.addWidget(self.status, 1)
        buttons.addWidget(self.save_button)
        buttons.addWidget(cancel)
        layout = QVBoxLayout(self)
        layout.addWidget(splitter, 1)
        layout.addLayout(buttons)

        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(VALIDATE_DELAY_MS)
        self._timer.timeout.connect(self.validate)
        for w in (
            self.code,
            self.name,
            self.description,
            self.total,
            self.step,
            self.scope_categories,
            self.scope_areas,
        ):
            w.textChanged.connect(self._schedule)
        self.places.valueChanged.connect(self._schedule)
        self.mode.currentIndexChanged.connect(self._schedule)
        self.veto_table.itemChanged.connect(self._schedule)
        for w in (self.c_id, self.c_group, self.c_title, self.c_max, self.c_weight, self.c_suggested, self.c_below):
            w.textChanged.connect(self._criterion_edited)
        self.c_description.textChanged.connect(self._criterion_edited)
        for w in (self.c_plan_fit, self.c_always, self.c_lowest, self.c_full):
            w.toggled.connect(self._criterion_edited)
        self.bands_table.itemChanged.connect(self._criterion_edited)
        self.criteria_list.currentRowChanged.connect(self._select)

        self._refresh_list()
        if self._criteria:
            self.criteria_list.setCurrentRow(0)
        self.validate()
        self.unsaved = UnsavedChanges(self, self.document, self.save)
        self.unsaved.mark_saved()
        ctx.run_db(lambda session, _p, _c: area_titles(session), self.scope_titles.set_titles)

    def reject(self) -> None:
        """Cancel, Esc and the close button: ask first when an edit is not saved."""
        if self.unsaved.may_close():
            super().reject()

    # -- table helpers -----------------------------------------------------------

    def _append_row(self, table: QTableWidget, values: list[str]) -> None:
        row = table.rowCount()
        table.insertRow(row)
        for column, value in enumerate(values):
            table.setItem(row, column, QTableWidgetItem(value))

    def _remove_row(self, table: QTableWidget) -> None:
        row = table.currentRow()
        if row < 0:
            row = table.rowCount() - 1
        if row >= 0:
            table.removeRow(row)
            self._after_table_change(table)

    def _move_row(self, table: QTableWidget, delta: int) -> None:
        row = table.currentRow()
        target = row + delta
        if row < 0 or not 0 <= target < table.rowCount():
            return
        table.blockSignals(True)
        for column in range(table.columnCount()):
            a, b = table.takeItem(row, column), table.takeItem(target, column)
            table.setItem(row, column, b)
            table.setItem(target, column, a)
        table.blockSignals(False)
        table.setCurrentCell(target, table.currentColumn())
        self._after_table_change(table)

    def _after_table_change(self, table: QTableWidget) -> None:
        if table is self.bands_table:
            self._criterion_edited()
        else:
            self._schedule()

    def _add_veto(self) -> None:
        self._append_row(self.veto_table, [f"V{self.veto_table.rowCount() + 1}", ""])
        self.veto_table.setCurrentCell(self.veto_table.rowCount() - 1, 1)
        self.veto_table.editItem(self.veto_table.currentItem())
        self._schedule()

    def _add_band(self) -> None:
        self._append_row(self.bands_table, ["", "", "", ""])
        self.bands_table.setCurrentCell(self.bands_table.rowCount() - 1, 0)
        self._criterion_edited()

    # -- criteria ----------------------------------------------------------------

    def _refresh_list(self) -> None:
        self.criteria_list.blockSignals(True)
        current = self._current
        self.criteria_list.clear()
        for c in self._criteria:
            group = f"【{c.get('group')}】" if c.get("group") else ""
            text = f"{as_text(c.get('id'))}  {group}{as_text(c.get('title')) or _('(untitled)')}  ({as_text(c.get('max_points'))})"
            QListWidgetItem(text, self.criteria_list)
        if 0 <= current < len(self._criteria):
            self.criteria_list.setCurrentRow(current)
        self.criteria_list.blockSignals(False)
        self.detail_box.setEnabled(bool(self._criteria))

    def _select(self, row: int) -> None:
        self._current = row
        if not 0 <= row < len(self._criteria):
            return
        c = self._criteria[row]
        self._loading = True
        try:
            self.c_id.setText(as_text(c.get("id")))
            self.c_group.setText(as_text(c.get("group")))
            self.c_title.setText(as_text(c.get("title")))
            self.c_description.setPlainText(as_text(c.get("description")))
            self.c_max.setText(as_text(c.get("max_points")))
            self.c_weight.setText(as_text(c.get("weight")))
            self.c_plan_fit.setChecked(bool(c.get("plan_fit")))
            self.c_suggested.setText(
                "；".join(f"{MATCH_CN.get(k, k)}={v}" for k, v in (c.get("suggested_bands") or {}).items())
            )
            rule = c.get("comment_required") or {}
            self.c_always.setChecked(bool(rule.get("always")))
            self.c_lowest.setChecked(bool(rule.get("lowest_band")))
            self.c_full.setChecked(bool(rule.get("full_score")))
            self.c_below.setText(as_text(rule.get("below")))
            self.bands_table.setRowCount(0)
            for band in c.get("bands") or []:
                self._append_row(
                    self.bands_table,
                    [
                        as_text(band.get("label")),
                        as_text(band.get("low")),
                        as_text(band.get("high")),
                        as_text(band.get("descriptor")),
                    ],
                )
        finally:
            self._loading = False

    def _criterion_edited(self, *_args) -> None:
        if self._loading or not 0 <= self._current < len(self._criteria):
            return
        c: dict[str, Any] = {"id": self.c_id.text().strip(), "title": self.c_title.text().strip()}
        if self.c_group.text().strip():
            c["group"] = self.c_group.text().strip()
        if self.c_description.toPlainText().strip():
            c["description"] = self.c_description.toPlainText().strip()
        c["max_points"] = number_or_text(self.c_max.text())
        if self.c_weight.text().strip():
            c["weight"] = number_or_text(self.c_weight.text())
        if self.c_plan_fit.isChecked():
            c["plan_fit"] = True
        suggested = {}
        reverse = {v: k for k, v in MATCH_CN.items()}
        for part in rubric_excel._split(self.c_suggested.text()):
            name, _sep, label = part.partition("=")
            suggested[reverse.get(name.strip(), name.strip())] = label.strip()
        if suggested:
            c["suggested_bands"] = suggested
        rule: dict[str, Any] = {}
        if self.c_always.isChecked():
            rule["always"] = True
        if self.c_lowest.isChecked():
            rule["lowest_band"] = True
        if self.c_full.isChecked():
            rule["full_score"] = True
        if self.c_below.text().strip():
            rule["below"] = number_or_text(self.c_below.text())
        if rule:
            c["comment_required"] = rule
        bands = []
        for row in range(self.bands_table.rowCount()):
            values = [
                (self.bands_table.item(row, col).text() if self.bands_table.item(row, col) else "") for col in range(4)
            ]
            if not any(v.strip() for v in values):
                continue
            bands.append(
                {
                    "label": values[0].strip(),
                    "low": number_or_text(values[1]),
                    "high": number_or_text(values[2]),
                    "descriptor": values[3].strip(),
                }
            )
        c["bands"] = bands
        self._criteria[self._current] = c
        item = self.criteria_list.item(self._current)
        if item is not None:
            group = f"【{c.get('group')}】" if c.get("group") else ""
            item.setText(f"{c['id']}  {group}{c['title'] or _('(untitled)')}  ({as_text(c.get('max_points'))})")
        self._schedule()

    def add_criterion(self) -> None:
        self._criteria.append(new_criterion(len(self._criteria) + 1))
        self._current = len(self._criteria) - 1
        self._refresh_list()
        self.criteria_list.setCurrentRow(self._current)
        self._select(self._current)
        self.c_title.setFocus()
        self._schedule()

    def remove_criterion(self) -> None:
        row = self.criteria_list.currentRow()
        if not 0 <= row < len(self._criteria):
            return
        del self._criteria[row]
        self._current = min(row, len(self._criteria) - 1)
        self._refresh_list()
        if self._current >= 0:
            self.criteria_list.setCurrentRow(self._current)
            self._select(self._current)
        self._schedule()

    def move_criterion(self, delta: int) -> None:
        row = self.criteria_list.currentRow()
        target = row + delta
        if not 0 <= row < len(self._criteria) or not 0 <= target < len(self._criteria):
            return
        self._criteria[row], self._criteria[target] = self._criteria[target], self._criteria[row]
        self._current = target
        self._refresh_list()
        self.criteria_list.setCurrentRow(target)
        self._schedule()

    # -- document, validation, preview -------------------------------------------

    def document(self) -> dict[str, Any]:
        doc: dict[str, Any] = {
            "code": self.code.text().strip(),
            "name": self.name.text().strip(),
        }
        if self.description.text().strip():
            doc["description"] = self.description.text().strip()
        doc["total_points"] = number_or_text(self.total.text())
        doc["step"] = number_or_text(self.step.text())
        doc["rounding"] = {"places": self.places.value(), "mode": self.mode.currentData()}
        categories = rubric_excel._split(self.scope_categories.text())
        areas = rubric_excel._split(self.scope_areas.text())
        if categories or areas:
            doc["scope"] = {"categories": categories, "area_codes": areas}
        vetoes = []
        for row in range(self.veto_table.rowCount()):
            key = self.veto_table.item(row, 0).text().strip() if self.veto_table.item(row, 0) else ""
            question = self.veto_table.item(row, 1).text().strip() if self.veto_table.item(row, 1) else ""
            if key or question:
                vetoes.append({"id": key, "question": question})
        doc["veto_items"] = vetoes
        doc["criteria"] = copy.deepcopy(self._criteria)
        return doc

    def _schedule(self, *_args) -> None:
        self._timer.start()

    def validate(self) -> None:
        self._timer.stop()
        doc = self.document()
        spec, problems = validate_rubric(doc)
        self.spec = spec
        self.problems.clear()
        for problem in problems:
            QListWidgetItem(str(problem), self.problems)
        self.save_button.setEnabled(spec is not None)
        if spec is None:
            self.status.setText(
                "<span style='color:#b00020'>"
                + _("{count} problems — first: {problem}").format(
                    count=len(problems), problem=html.escape(str(problems[0]))
                )
                + "</span>"
            )
            self.right_tabs.setTabText(1, _("Problems ({count})").format(count=len(problems)))
        else:
            self.status.setText(
                "<span style='color:#166534'>"
                + _("Valid: {count} criteria, {total} points").format(
                    count=len(spec.criteria), total=doc.get("total_points")
                )
                + "</span>"
            )
            self.right_tabs.setTabText(1, _("Problems"))
        self.preview.setHtml(preview_html(doc))

    def save(self) -> None:
        self.validate()
        if self.spec is None:
            self.right_tabs.setCurrentIndex(1)
            return
        spec = parse_rubric(self.document())
        actor = self._ctx.actor

        def work(session, _p, _c):
            return rubrics.save_rubric(session, spec, actor=actor, source="editor")

        self.save_button.setEnabled(False)
        self._ctx.run_db(work, self._saved, self._failed)

    def _saved(self, result) -> None:
        self._ctx.bus.announce(result.changes)
        self.saved.emit(result)
        if result.created_version and not result.created_rubric:
            self.status.setText(
                _("Saved as version {version} (the earlier version is used by score sheets).").format(
                    version=result.version
                )
            )
        else:
            self.status.setText(_("Saved (version {version}).").format(version=result.version))
        self.save_button.setEnabled(True)
        self.accept()

    def _failed(self, error: BaseException) -> None:
        self.save_button.setEnabled(True)
        QMessageBox.warning(self, _("Not saved"), str(error))
