"""Dialogs of the panel page: new panel, draw (with every exclusion and its
reason), assignment preview, meeting vote. Each loads and saves through
``ctx.run_db``; none keeps a session or ORM object."""

from __future__ import annotations

import datetime as dt

from PySide6.QtCore import QDate, Qt, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDateEdit,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QSpinBox,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from reviewtool.core.enums import PanelMode, VoteChoice
from reviewtool.gui.context import GuiContext
from reviewtool.gui.widgets.rows_model import RowsModel, selected_key, table_view
from reviewtool.i18n import _
from reviewtool.services.panels import assignment, conflicts, panel
from reviewtool.services.panels import draw as panels_draw


class NewPanelDialog(QDialog):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(_("New panel"))
        self.name = QLineEdit(_("Panel 1"))
        self.mode = QComboBox()
        for mode in PanelMode:
            self.mode.addItem(mode.label(), mode.value)
        self.due = QDateEdit(QDate.currentDate().addDays(14))
        self.due.setCalendarPopup(True)
        self.due.setDisplayFormat("yyyy-MM-dd")
        self.majority = QComboBox()
        for code, title in panel.MAJORITY_RULES.items():
            self.majority.addItem(_(title), code)
        self.group = QLineEdit()
        self.group.setPlaceholderText(_("empty: the whole batch; or application numbers separated by commas"))
        form = QFormLayout(self)
        form.addRow(_("Panel name"), self.name)
        form.addRow(_("Applications"), self.group)
        form.addRow(_("Mode"), self.mode)
        form.addRow(_("Due date"), self.due)
        form.addRow(_("Majority rule for votes"), self.majority)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        form.addRow(buttons)

    def values(self) -> tuple[str, PanelMode, dt.date, str]:
        return (
            self.name.text().strip(),
            PanelMode(self.mode.currentData()),
            self.due.date().toPython(),
            self.majority.currentData(),
        )

    def application_numbers(self) -> list[str]:
        return [n.strip() for n in self.group.text().replace("，", ",").split(",") if n.strip()]


class DrawDialog(QDialog):
    """Shows the eligible experts and every exclusion with its reasons, then draws."""

    drawn = Signal(object)  # DrawOutcome

    def __init__(self, ctx: GuiContext, panel_id: int, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.panel_id = panel_id
        self.setWindowTitle(_("Draw experts (专家抽取)"))
        self.size = QSpinBox()
        self.size.setRange(1, 99)
        self.size.setValue(5)
        self.seed = QLineEdit()
        self.seed.setPlaceholderText(_("empty: a fresh random seed, recorded"))
        self.field_match = QCheckBox(_("Only experts whose fields match the group's areas"))
        self.eligible_model = RowsModel([_("Eligible expert"), _("Reviews in 12 months")])
        self.excluded_model = RowsModel([_("Excluded expert"), _("Reasons")])
        self.eligible_view = table_view(self.eligible_model)
        self.excluded_view = table_view(self.excluded_model)
        self.summary = QLabel()
        self.rule_label = QLabel()
        self.rule_label.setObjectName("draw-rule")
        self.rule_label.setWordWrap(True)
        self.rules_button = QPushButton(_("Draw rules…"))
        self.rules_button.setToolTip(
            _("The yearly cap on reviews per expert and rotation (shared by every workstation).")
        )
        self.result = QLabel()
        self.result.setWordWrap(True)
        self.result.setStyleSheet("font-weight: bold;")
        self.draw_button = QPushButton(_("Draw"))
        self.exclude_button = QPushButton(_("Exclude selected…"))
        self.exclude_button.setToolTip(_("Staff exclude an eligible expert from this panel, with a reason."))
        self.close_button = QPushButton(_("Close"))
        form = QFormLayout()
        form.addRow(_("Number of experts"), self.size)
        form.addRow(_("Seed"), self.seed)
        form.addRow(self.field_match)
        split = QSplitter(Qt.Orientation.Horizontal)
        split.addWidget(self.eligible_view)
        split.addWidget(self.excluded_view)
        split.setSizes([220, 560])
        buttons = QHBoxLayout()
        buttons.addWidget(self.exclude_button)
        buttons.addWidget(self.rules_button)
        buttons.addStretch(1)
        buttons.addWidget(self.draw_button)
        buttons.addWidget(self.close_button)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.summary)
        layout.addWidget(self.rule_label)
        layout.addWidget(split, 1)
        layout.addWidget(self.result)
        layout.addLayout(buttons)
        self.resize(860, 560)
        self.field_match.toggled.connect(lambda _b: self.load())
        self.draw_button.clicked.connect(self.run_draw)
        self.exclude_button.clicked.connect(self.exclude_selected)
        self.rules_button.clicked.connect(self.edit_rules)
        self.close_button.clicked.connect(self.accept)
        self.load()

    def load(self) -> None:
        panel_id, field_match = self.panel_id, self.field_match.isChecked()

        def load(session, _p, _c):
            return panels_draw.draw_preview(session, panel_id, field_match=field_match)

        self.ctx.run_db(load, self._show, self._error)

    def _show(self, view: panels_draw.EligibilityView) -> None:
        self.eligible_model.set_rows(
            [(name, view.recent.get(i, 0)) for i, name in view.eligible], [i for i, _n in view.eligible]
        )
        self.rule_label.setText(_("Draw rule: {rule}").format(rule=view.rule))
        self.excluded_model.set_rows(
            [(name, "；".join(reasons)) for _i, name, reasons in view.exclusions], [i for i, _n, _r in view.exclusions]
        )
        self.excluded_view.resizeColumnToContents(0)
        self.summary.setText(
            _("{eligible} eligible, {excluded} excluded.").format(
                eligible=len(view.eligible), excluded=len(view.exclusions)
            )
        )

    def edit_rules(self) -> None:
        from reviewtool.gui.panels.draw_rules_dialog import DrawRulesDialog

        dialog = DrawRulesDialog(self.ctx, self)
        dialog.saved.connect(lambda _changes: self.load())
        self.rules_dialog = dialog
        dialog.open()

    def exclude_selected(self) -> None:
        expert_id = selected_key(self.eligible_view)
        if expert_id is None:
            return
        from reviewtool.gui.widgets.reason_dialog import ReasonDialog

        dialog = ReasonDialog(_("Exclude expert"), _("Why is this expert excluded from the panel?"), self)
        if not dialog.exec():
            return
        panel_id, reason, actor = self.panel_id, dialog.reason(), self.ctx.actor

        def run(session, _p, _c):
            return conflicts.exclude_expert(session, panel_id, expert_id, reason, actor=actor)

        self.ctx.run_db(run, lambda _changes: self.load(), self._error)

    def run_draw(self) -> None:
        panel_id, size = self.panel_id, self.size.value()
        seed, field_match, actor = self.seed.text().strip() or None, self.field_match.isChecked(), self.ctx.actor

        def draw(session, _p, _c):
            return panels_draw.draw_panel(session, panel_id, size, seed=seed, field_match=field_match, actor=actor)

        self.ctx.run_db(draw, self._drawn, self._error)

    def _drawn(self, outcome: panels_draw.DrawOutcome) -> None:
        names = "、".join(outcome.names[i] for i in outcome.result.drawn)
        self.result.setText(_("Drawn (seed {seed}): {names}").format(seed=outcome.result.seed, names=names))
        self.draw_button.setEnabled(False)
        self.drawn.emit(outcome)

    def _error(self, error: BaseException) -> None:
        self.result.setText(str(error))
        self.result.setStyleSheet("color: #b00020; font-weight: bold;")


class AssignmentDialog(QDialog):
    """Computes a plan, shows it (or why it is infeasible), applies it on request."""

    applied = Signal(object)  # Changes

    def __init__(self, ctx: GuiContext, panel_id: int, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.panel_id = panel_id
        self.setWindowTitle(_("Assign reviewers"))
        self.mode = QComboBox()
        self.mode.addItem(_("Balanced: K reviewers per application (optimal)"), "balanced")
        self.mode.addItem(_("Whole panel: every member reviews everything"), "whole")
        self.per_application = QSpinBox()
        self.per_application.setRange(1, 15)
        self.per_application.setValue(3)
        self.max_load = QSpinBox()
        self.max_load.setRange(0, 999)
        self.max_load.setSpecialValueText(_("even share"))
        self.preview_button = QPushButton(_("Preview"))
        self.apply_button = QPushButton(_("Apply"))
        self.apply_button.setEnabled(False)
        self.close_button = QPushButton(_("Close"))
        self.model = RowsModel([_("Application"), _("Reviewers")])
        self.view = table_view(self.model)
        self.summary = QLabel()
        self.summary.setWordWrap(True)
        form = QFormLayout()
        form.addRow(_("Mode"), self.mode)
        form.addRow(_("Reviewers per application"), self.per_application)
        form.addRow(_("Maximum per expert"), self.max_load)
        buttons = QHBoxLayout()
        buttons.addWidget(self.preview_button)
        buttons.addStretch(1)
        buttons.addWidget(self.apply_button)
        buttons.addWidget(self.close_button)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.summary)
        layout.addWidget(self.view, 1)
        layout.addLayout(buttons)
        self.resize(900, 600)
        self.preview_button.clicked.connect(self.preview)
        self.apply_button.clicked.connect(self.apply)
        self.close_button.clicked.connect(self.accept)
        self.mode.currentIndexChanged.connect(self._invalidate)
        self.per_application.valueChanged.connect(self._invalidate)
        self.max_load.valueChanged.connect(self._invalidate)

    def _params(self) -> tuple[str, int, int | None]:
        return self.mode.currentData(), self.per_application.value(), self.max_load.value() or None

    def _invalidate(self, *_a) -> None:
        self.apply_button.setEnabled(False)

    def preview(self) -> None:
        panel_id, (mode, k, cap) = self.panel_id, self._params()

        def load(session, _p, _c):
            return assignment.preview_assignment(session, panel_id, mode=mode, per_application=k, max_load=cap)

        self.ctx.run_db(load, self._show, self._error, label=_("Computing the assignment…"))

    def _show(self, preview: assignment.AssignmentPreview) -> None:
        plan = preview.plan
        reviewers = plan.reviewers()
        short = {s.application_id: s for s in plan.shortfalls}
        rows, keys, colours = [], [], []
        for app_id, label in sorted(preview.applications.items(), key=lambda kv: kv[1]):
            names = "、".join(preview.experts[e] for e in reviewers.get(app_id, []))
            if app_id in short:
                names = short[app_id].reason
            rows.append((label, names))
            keys.append(app_id)
            colours.append("#f8d7da" if app_id in short else None)
        self.model.set_rows(rows, keys, colours)
        self.view.resizeColumnToContents(0)
        if plan.shortfalls and preview.plan.mode == "balanced":
            self.summary.setText(
                _("Not feasible: {count} applications cannot get {k} reviewers (marked red, with the reason).").format(
                    count=len(plan.shortfalls), k=preview.per_application
                )
            )
            self.apply_button.setEnabled(False)
        else:
            loads = plan.loads.values()
            self.summary.setText(
                _("{pairs} reviews; {matches} with a field match; loads {low}–{high}.").format(
                    pairs=len(plan.pairs),
                    matches=plan.field_matches,
                    low=min(loads, default=0),
                    high=max(loads, default=0),
                )  # fmt: skip
            )
            self.apply_button.setEnabled(True)

    def apply(self) -> None:
        panel_id, (mode, k, cap), actor = self.panel_id, self._params(), self.ctx.actor

        def run(session, _p, _c):
            _preview, changes = assignment.apply_assignment(
                session, panel_id, actor=actor, mode=mode, per_application=k, max_load=cap
            )
            return changes

        self.ctx.run_db(run, self._applied, self._error)

    def _applied(self, changes) -> None:
        self.summary.setText(changes.message)
        self.apply_button.setEnabled(False)
        self.applied.emit(changes)

    def _error(self, error: BaseException) -> None:
        QMessageBox.warning(self, _("Error"), str(error))


class _ApplicationMemberDialog(QDialog):
    """Pick one application of the panel and one member; subclasses add their own rows."""

    def __init__(
        self, title: str, applications: list[tuple[int, str]], members: list[tuple[int, str]], parent=None
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle(title)
        self.application = QComboBox()
        for app_id, label in applications:
            self.application.addItem(label, app_id)
        self.member = QComboBox()
        for expert_id, name in members:
            self.member.addItem(name, expert_id)
        self.form = QFormLayout(self)
        self.form.addRow(_("Application"), self.application)
        self.form.addRow(_("Member"), self.member)

    def _add_buttons(self) -> None:
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        self.form.addRow(buttons)


class VoteDialog(_ApplicationMemberDialog):
    """Record one member's vote on one application."""

    def __init__(self, applications: list[tuple[int, str]], members: list[tuple[int, str]], parent=None) -> None:
        super().__init__(_("Record a vote"), applications, members, parent)
        self.choice = QComboBox()
        for choice in VoteChoice:
            self.choice.addItem(choice.label(), choice.value)
        self.form.addRow(_("Vote"), self.choice)
        self._add_buttons()

    def values(self) -> tuple[int, int, VoteChoice]:
        return self.application.currentData(), self.member.currentData(), VoteChoice(self.choice.currentData())


class AddReviewerDialog(_ApplicationMemberDialog):
    """Assign one member to one application by hand (the service refuses a conflict, with the reason)."""

    def __init__(self, applications: list[tuple[int, str]], members: list[tuple[int, str]], parent=None) -> None:
        super().__init__(_("Add a reviewer by hand"), applications, members, parent)
        self._add_buttons()

    def values(self) -> tuple[int, int]:
        return self.application.currentData(), self.member.currentData()
