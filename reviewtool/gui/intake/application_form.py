"""The application form: every field of the 申报书 cover page, validated as you type.

Loads and saves through ``services.intake.edit`` on the worker; holds
plain values only (no session, no ORM objects). The 附件 tab is
``application_attachments.AttachmentsTab``.

- 总预算 follows 申请 + 自筹 as they are typed, unless a different total was
  typed by hand (then the form says the sum does not match).
- Cancel, Esc or closing the window with changes not saved asks 保存 / 放弃 /
  取消 (``widgets.unsaved_changes``); with nothing changed it just closes.
"""

from __future__ import annotations

from decimal import Decimal

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QMessageBox,
    QPlainTextEdit,
    QPushButton,
    QSpinBox,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from reviewtool.core.enums import UnitType
from reviewtool.core.intake.fields import CATEGORIES, COUNTIES, FIELDS
from reviewtool.core.intake.form import ApplicationForm, validate_form
from reviewtool.core.intake.values import format_money, format_month, parse_money, parse_month
from reviewtool.gui.context import GuiContext
from reviewtool.gui.intake.application_attachments import AttachmentsTab
from reviewtool.gui.widgets.area_titles import AreaCodesLabel
from reviewtool.gui.widgets.stale_edit import StaleEdit, offer_reload
from reviewtool.gui.widgets.unsaved_changes import UnsavedChanges
from reviewtool.gui.widgets.window_fit import fit_to_screen, scrolling
from reviewtool.i18n import N_, _
from reviewtool.services.intake import attachments, tagging
from reviewtool.services.intake import edit as application_edit
from reviewtool.services.taxonomy import list_areas

INVALID_STYLE = "border: 1px solid #d32f2f; background: #fff5f5;"

LABELS = {
    "number": N_("Application No."),
    "title": N_("Project title"),
    "category": N_("Plan category"),
    "guide_direction": N_("Guide direction"),
    "innovation_type": N_("Innovation type"),
    "activity_type": N_("Activity type"),
    "unit_name": N_("Applicant unit"),
    "unit_type": N_("Unit type"),
    "county": N_("County/district"),
    "partner_units": N_("Partner units"),
    "pi_name": N_("Project leader"),
    "pi_title": N_("Leader's title"),
    "pi_phone": N_("Leader's phone"),
    "pi_email": N_("Leader's e-mail"),
    "contact_name": N_("Contact person"),
    "contact_phone": N_("Contact phone"),
    "team_size": N_("Team size"),
    "start_date": N_("Start (year.month)"),
    "end_date": N_("End (year.month)"),
    "total_budget": N_("Total budget (10k yuan)"),
    "requested_amount": N_("Requested (10k yuan)"),
    "self_funding": N_("Self-funding (10k yuan)"),
    "abstract": N_("Main research content"),
    "primary_area": N_("Primary area"),
    "secondary_areas": N_("Secondary areas"),
}


def label(key: str) -> str:
    return _(LABELS[key])


BUDGET_LINES = [f.key.split(":", 1)[1] for f in FIELDS if f.kind == "budget"]
OUTPUTS = [f.key.split(":", 1)[1] for f in FIELDS if f.kind == "output"]


class ApplicationFormDialog(QDialog):
    """Create (``application_id=None``, needs ``batch_id``) or edit one application."""

    def __init__(
        self,
        ctx: GuiContext,
        *,
        application_id: int | None = None,
        batch_id: int | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self._ctx = ctx
        self.application_id = application_id
        self.batch_id = batch_id
        self._row_version: int | None = None
        self._known_areas: set[str] | None = None
        self._loading = False
        self.problems: dict[str, str] = {}
        self.setWindowTitle(_("New application") if application_id is None else _("Application"))
        fit_to_screen(self, 860, 640)

        self.edits: dict[str, QWidget] = {}
        tabs = QTabWidget()
        self.tabs = tabs
        tabs.addTab(scrolling(self._identity_tab()), _("Project and unit"))
        tabs.addTab(scrolling(self._people_tab()), _("People and dates"))
        tabs.addTab(scrolling(self._money_tab()), _("Budget and funding"))
        tabs.addTab(scrolling(self._outputs_tab()), _("Outputs"))
        tabs.addTab(self._areas_tab(), _("Content and areas"))
        self.attachments_tab = AttachmentsTab(ctx, lambda: self.application_id, self._show_error)
        self.attachments_model = self.attachments_tab.model
        self.add_attachment = self.attachments_tab.add_attachment
        tabs.addTab(self.attachments_tab, _("Attachments"))

        self.problem_label = QLabel()
        self.problem_label.setWordWrap(True)
        self.problem_label.setStyleSheet("color: #b71c1c;")
        self.buttons = QDialogButtonBox()
        self.save_button = self.buttons.addButton(_("Save"), QDialogButtonBox.ButtonRole.AcceptRole)
        self.delete_button = self.buttons.addButton(_("Delete…"), QDialogButtonBox.ButtonRole.DestructiveRole)
        self.buttons.addButton(QDialogButtonBox.StandardButton.Cancel).setText(_("Cancel"))
        self.delete_button.setVisible(application_id is not None)
        self.save_button.clicked.connect(self.save)
        self.delete_button.clicked.connect(self.delete)
        self.buttons.rejected.connect(self.reject)

        layout = QVBoxLayout(self)
        layout.addWidget(tabs, 1)
        layout.addWidget(self.problem_label)
        layout.addWidget(self.buttons)
        self.unsaved = UnsavedChanges(self, self._snapshot, self.save)
        self._last_sum: Decimal | None = None
        self._connect_validation()
        for key in ("requested_amount", "self_funding"):
            self.edits[key].textChanged.connect(self._follow_total)
        self._load()

    # -- building ------------------------------------------------------------

    def _line(self, key: str, placeholder: str = "") -> QLineEdit:
        edit = QLineEdit()
        edit.setObjectName(key)
        if placeholder:
            edit.setPlaceholderText(placeholder)
        self.edits[key] = edit
        return edit

    def _combo(self, key: str, items, *, editable: bool = False) -> QComboBox:
        combo = QComboBox()
        combo.setObjectName(key)
        combo.setEditable(editable)
        for data, text in items:
            combo.addItem(text, data)
        self.edits[key] = combo
        return combo

    def _form(self, rows) -> QWidget:
        page = QWidget()
        form = QFormLayout(page)
        for key, widget in rows:
            text = label(key) + (" *" if key in ("title", "unit_name", "pi_name", "requested_amount") else "")
            form.addRow(text, widget)
        return page

    def _identity_tab(self) -> QWidget:
        return self._form(
            [
                ("number", self._line("number", _("assigned automatically when empty"))),
                ("title", self._line("title")),
                ("category", self._combo("category", [(c, c) for c in ("", *CATEGORIES)], editable=True)),
                ("guide_direction", self._line("guide_direction")),
                ("innovation_type", self._line("innovation_type")),
                ("activity_type", self._line("activity_type")),
                ("unit_name", self._line("unit_name")),
                ("unit_type", self._combo("unit_type", [(t, t.label()) for t in UnitType])),
                ("county", self._combo("county", [("", "")] + [(c, c) for c in COUNTIES])),
                ("partner_units", self._line("partner_units")),
            ]
        )

    def _people_tab(self) -> QWidget:
        team = QSpinBox()
        team.setRange(0, 9999)
        team.setSpecialValueText(" ")
        team.setObjectName("team_size")
        self.edits["team_size"] = team
        return self._form(
            [
                ("pi_name", self._line("pi_name")),
                ("pi_title", self._line("pi_title")),
                ("pi_phone", self._line("pi_phone")),
                ("pi_email", self._line("pi_email")),
                ("contact_name", self._line("contact_name")),
                ("contact_phone", self._line("contact_phone")),
                ("team_size", team),
                ("start_date", self._line("start_date", "2025.01")),
                ("end_date", self._line("end_date", "2026.12")),
            ]
        )

    def _money_tab(self) -> QWidget:
        page = self._form(
            [
                ("requested_amount", self._line("requested_amount", "0.00")),
                ("self_funding", self._line("self_funding", "0.00")),
                ("total_budget", self._line("total_budget", _("requested + self-funding when empty"))),
            ]
        )
        form = page.layout()
        form.addRow(QLabel("<b>" + _("Budget lines (10k yuan)") + "</b>"))
        for line in BUDGET_LINES:
            form.addRow(line, self._line(f"budget:{line}"))
        self._budget_form = form
        return page

    def _other_budget_line(self, line: str) -> None:
        """A stored budget line under a key the form does not list (设备费 in a database filled before the
        demo data used the import's keys, say): shown under its own name and saved back as it is."""
        edit = self._line(f"budget:{line}")
        edit.setToolTip(_("Kept under its own name: not one of the form's budget lines."))
        edit.textChanged.connect(self.validate)
        self._budget_form.addRow(line, edit)

    def _outputs_tab(self) -> QWidget:
        page = QWidget()
        form = QFormLayout(page)
        for output in OUTPUTS:
            form.addRow(output, self._line(f"output:{output}"))
        return page

    def _areas_tab(self) -> QWidget:
        page = QWidget()
        layout = QVBoxLayout(page)
        abstract = QPlainTextEdit()
        abstract.setObjectName("abstract")
        abstract.setPlaceholderText(_("Main research content (used to suggest priority areas)"))
        self.edits["abstract"] = abstract
        layout.addWidget(QLabel(label("abstract")))
        layout.addWidget(abstract, 1)
        form = QFormLayout()
        primary = self._combo("primary_area", [("", "")])
        primary.setMinimumContentsLength(30)
        form.addRow(label("primary_area"), primary)
        form.addRow(label("secondary_areas"), self._line("secondary_areas", "HD-I05, HD-C2-2"))
        self.secondary_titles = AreaCodesLabel(self.edits["secondary_areas"])
        form.addRow("", self.secondary_titles)
        layout.addLayout(form)
        suggest_row = QHBoxLayout()
        self.suggest_button = QPushButton(_("Suggest areas"))
        self.suggest_button.clicked.connect(self.suggest)
        suggest_row.addWidget(self.suggest_button)
        suggest_row.addWidget(QLabel(_("Double-click a suggestion to make it the primary area.")), 1)
        layout.addLayout(suggest_row)
        self.suggestions = QListWidget()
        self.suggestions.setMaximumHeight(130)
        self.suggestions.itemDoubleClicked.connect(self._take_suggestion)
        layout.addWidget(self.suggestions)
        return page

    # -- values ----------------------------------------------------------------

    def _text(self, key: str) -> str:
        widget = self.edits[key]
        if isinstance(widget, QLineEdit):
            return widget.text().strip()
        if isinstance(widget, QPlainTextEdit):
            return widget.toPlainText().strip()
        if isinstance(widget, QComboBox):
            data = widget.currentData()
            if widget.isEditable() and widget.currentText() != widget.itemText(widget.currentIndex()):
                return widget.currentText().strip()
            return (data if isinstance(data, str) else widget.currentText()).strip()
        return ""

    def _snapshot(self) -> tuple:
        """Every field as typed, to tell whether anything changed since loading."""
        return (
            tuple((key, self._text(key)) for key in self.edits),
            self.edits["team_size"].value(),
            self.edits["unit_type"].currentData(),
        )

    def _sum(self) -> Decimal | None:
        """申请 + 自筹 as typed (an empty one counts as 0); None while either is unreadable."""
        try:
            requested = parse_money(self._text("requested_amount") or None)
            own = parse_money(self._text("self_funding") or None)
        except ValueError:
            return None
        if requested is None and own is None:
            return None
        return (requested or Decimal(0)) + (own or Decimal(0))

    def _follow_total(self, *_args) -> None:
        """总预算 follows 申请 + 自筹 while it is empty or still their previous sum."""
        if self._loading:
            return
        new_sum = self._sum()
        if new_sum is None:
            return
        try:
            total = parse_money(self._text("total_budget") or None)
        except ValueError:
            total = None
            following = False
        else:
            following = total is None or total == self._last_sum
        self._last_sum = new_sum
        if following and total != new_sum:
            self.edits["total_budget"].setText(format_money(new_sum))

    def form_values(self) -> tuple[ApplicationForm, dict[str, str]]:
        """The form as typed, plus problems found while reading it (e.g. an unreadable month)."""
        problems: dict[str, str] = {}
        months = {}
        for key in ("start_date", "end_date"):
            try:
                months[key] = parse_month(self._text(key) or None, end=key == "end_date")
            except ValueError as exc:
                months[key] = None
                problems[key] = str(exc)
        team = self.edits["team_size"].value()
        form = ApplicationForm(
            number=self._text("number"),
            title=self._text("title"),
            category=self._text("category"),
            guide_direction=self._text("guide_direction"),
            innovation_type=self._text("innovation_type"),
            activity_type=self._text("activity_type"),
            unit_name=self._text("unit_name"),
            unit_type=self.edits["unit_type"].currentData(),
            county=self._text("county"),
            partner_units=self._text("partner_units"),
            pi_name=self._text("pi_name"),
            pi_title=self._text("pi_title"),
            pi_phone=self._text("pi_phone"),
            pi_email=self._text("pi_email"),
            contact_name=self._text("contact_name"),
            contact_phone=self._text("contact_phone"),
            team_size=team or None,
            start_date=months["start_date"],
            end_date=months["end_date"],
            total_budget=self._text("total_budget"),
            requested_amount=self._text("requested_amount"),
            self_funding=self._text("self_funding"),
            budget_lines={
                key[7:]: self._text(key) for key in self.edits if key.startswith("budget:") and self._text(key)
            },
            outputs={o: self._text(f"output:{o}") for o in OUTPUTS if self._text(f"output:{o}")},
            abstract=self._text("abstract"),
            primary_area=self._text("primary_area"),
            secondary_areas=[
                c.strip() for c in self._text("secondary_areas").replace("，", ",").split(",") if c.strip()
            ],
        )
        return form, problems

    def _fill(self, form: ApplicationForm) -> None:
        self._loading = True
        try:
            for line in form.budget_lines:
                if f"budget:{line}" not in self.edits:
                    self._other_budget_line(line)
            for key, widget in self.edits.items():
                if key.startswith("budget:"):
                    widget.setText(form.budget_lines.get(key[7:], ""))
                elif key.startswith("output:"):
                    widget.setText(form.outputs.get(key[7:], ""))
                elif key in ("start_date", "end_date"):
                    widget.setText(format_month(getattr(form, key)))
                elif key == "secondary_areas":
                    widget.setText(", ".join(form.secondary_areas))
                elif key == "team_size":
                    widget.setValue(form.team_size or 0)
                elif key == "unit_type":
                    widget.setCurrentIndex(max(widget.findData(form.unit_type), 0))
                elif isinstance(widget, QComboBox):
                    value = getattr(form, key) or ""
                    index = widget.findData(value)
                    if index >= 0:
                        widget.setCurrentIndex(index)
                    elif widget.isEditable():
                        widget.setEditText(value)
                elif isinstance(widget, QPlainTextEdit):
                    widget.setPlainText(getattr(form, key) or "")
                else:
                    widget.setText(str(getattr(form, key) or ""))
        finally:
            self._loading = False
        self._last_sum = self._sum()
        self.validate()

    # -- validation --------------------------------------------------------------

    def _connect_validation(self) -> None:
        for widget in self.edits.values():
            if isinstance(widget, QLineEdit):
                widget.textChanged.connect(self.validate)
            elif isinstance(widget, QPlainTextEdit):
                widget.textChanged.connect(self.validate)
            elif isinstance(widget, QComboBox):
                widget.currentIndexChanged.connect(self.validate)
                if widget.isEditable():
                    widget.editTextChanged.connect(self.validate)
            elif isinstance(widget, QSpinBox):
                widget.valueChanged.connect(self.validate)

    def validate(self, *_args) -> dict[str, str]:
        if self._loading:
            return self.problems
        form, problems = self.form_values()
        for key, message in validate_form(form, known_areas=self._known_areas).items():
            problems.setdefault(key, message)
        self.problems = problems
        for key, widget in self.edits.items():
            bad = key in problems
            widget.setStyleSheet(INVALID_STYLE if bad else "")
            widget.setToolTip(problems.get(key, ""))
        names = []
        for key, message in problems.items():
            base = key.split(":", 1)[1] if ":" in key else (label(key) if key in LABELS else key)
            names.append(f"{base}：{message}")
        self.problem_label.setText("；".join(names))
        self.save_button.setEnabled(not problems)
        return problems

    # -- loading and saving ----------------------------------------------------------

    def _load(self) -> None:
        application_id = self.application_id

        def load(session, _p, _c):
            areas = [(a.code, a.title) for a in list_areas(session) if a.kind != "target"]
            if application_id is None:
                return areas, None, None, []
            from reviewtool.storage.models import Application

            application = session.get(Application, application_id)
            form = application_edit.load_form(session, application_id)
            return (
                areas,
                form,
                (application.row_version, application.status.label()),
                attachments.list_attachments(session, application_id),
            )

        self._ctx.run_db(load, self._loaded, self._show_error)

    def _loaded(self, result) -> None:
        areas, form, version, files = result
        self._known_areas = {code for code, _t in areas}
        self.secondary_titles.set_titles(dict(areas))
        combo = self.edits["primary_area"]
        self._loading = True
        combo.clear()
        combo.addItem("", "")
        for code, title in areas:
            combo.addItem(f"{code} {title}", code)
        self._loading = False
        if form is not None:
            self._row_version, status = version
            self.setWindowTitle(_("Application {number} ({status})").format(number=form.number, status=status))
            self._fill(form)
        else:
            self.validate()
        self.attachments_tab.show_files(files, self.application_id is not None)
        self.unsaved.mark_saved()

    def reject(self) -> None:
        """Cancel, Esc and the close button: ask first when something typed is not saved."""
        if self.unsaved.may_close():
            super().reject()

    def save(self) -> None:
        if self.validate():
            return
        form, _problems = self.form_values()
        actor = self._ctx.actor
        application_id, batch_id, version = self.application_id, self.batch_id, self._row_version

        def work(session, _p, _c):
            if application_id is None:
                return application_edit.create_application(session, batch_id, form, actor=actor)
            return application_id, application_edit.update_application(
                session, application_id, form, actor=actor, row_version=version
            )

        self.save_button.setEnabled(False)
        self._ctx.run_db(work, self._saved, self._save_failed)

    def _saved(self, result) -> None:
        self.application_id, changes = result
        self._ctx.bus.announce(changes)
        self.accept()

    def _save_failed(self, error: BaseException) -> None:
        self.save_button.setEnabled(True)
        if isinstance(error, StaleEdit):
            if offer_reload(self, error):
                self._load()  # the saved version, and its row version: the next save goes through
            return
        self._show_error(error)

    def delete(self) -> None:
        if self.application_id is None:
            return
        answer = QMessageBox.question(
            self,
            _("Delete application"),
            _("Delete {title}? This cannot be undone (the audit trail keeps a copy).").format(
                title=self._text("title")
            ),
        )
        if answer != QMessageBox.StandardButton.Yes:
            return
        application_id, actor = self.application_id, self._ctx.actor
        self._ctx.run_db(
            lambda session, _p, _c: application_edit.delete_application(session, application_id, actor=actor),
            self._deleted,
            self._show_error,
        )

    def _deleted(self, changes) -> None:
        self._ctx.bus.announce(changes)
        self.done(QDialog.DialogCode.Accepted)

    def _show_error(self, error: BaseException) -> None:
        QMessageBox.warning(self, _("Error"), str(error))

    # -- suggestions -------------------------------------------------------------------

    def suggest(self) -> None:
        title, abstract = self._text("title"), self._text("abstract")
        self.suggest_button.setEnabled(False)

        def work(session, _p, _c):
            return tagging.suggest_answer(session, title, abstract, limit=5)

        self._ctx.run_db(work, self._suggested, self._suggest_failed)

    def _suggested(self, answer) -> None:
        self.suggest_button.setEnabled(True)
        self.suggestions.clear()
        # issue 12: say how sure the suggestion is; a low one is said in words, not offered as an answer.
        sure = {
            "high": _("Confident: the best area clearly fits (matched words shown)."),
            "medium": _("Likely, but check: the best area fits part of the text."),
            "low": _(
                "No area of the plan clearly fits this text; the areas below are only guesses. Choose the area yourself."
            ),
        }[answer.confidence]
        note = QListWidgetItem(sure)
        note.setFlags(Qt.ItemFlag.NoItemFlags)
        self.suggestions.addItem(note)
        for suggestion in answer.suggestions:
            text = _("{code} {title} — score {score}; matched: {terms}").format(
                code=suggestion.code,
                title=suggestion.title,
                score=f"{suggestion.score.quantize(Decimal('0.01'))}",
                terms="、".join(suggestion.terms) or "—",
            )
            item = QListWidgetItem(text)
            item.setData(Qt.ItemDataRole.UserRole, suggestion.code)
            if answer.confidence == "low":
                item.setForeground(Qt.GlobalColor.gray)
                item.setToolTip(_("A guess: no area clearly fits."))
            self.suggestions.addItem(item)

    def _suggest_failed(self, error: BaseException) -> None:
        self.suggest_button.setEnabled(True)
        self._show_error(error)

    def _take_suggestion(self, item: QListWidgetItem) -> None:
        if item.data(Qt.ItemDataRole.UserRole) is None:
            return  # the confidence line
        combo = self.edits["primary_area"]
        combo.setCurrentIndex(max(combo.findData(item.data(Qt.ItemDataRole.UserRole)), 0))
