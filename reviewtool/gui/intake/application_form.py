"""The application form: every field of the 申报书 cover page, validated as you type.

Loads and saves through ``services.intake.edit`` on the worker; holds
plain values only (no session, no ORM objects). Attachments are listed by
an ``AttachmentsModel`` and opened with the desktop's viewer from a temporary
copy.
"""

from __future__ import annotations

import tempfile
from decimal import Decimal

from PySide6.QtCore import Qt, QUrl
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import (
    QAbstractItemView,
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
    QPlainTextEdit,
    QPushButton,
    QSpinBox,
    QTableView,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from reviewtool.core.enums import UnitType
from reviewtool.core.intake.fields import CATEGORIES, COUNTIES, FIELDS
from reviewtool.core.intake.form import ApplicationForm, validate_form
from reviewtool.core.intake.values import format_month, parse_month
from reviewtool.gui.context import GuiContext
from reviewtool.gui.widgets.row_table_model import RowTableModel
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


class AttachmentsModel(RowTableModel):
    """The application's ``AttachmentRow``s."""

    headers = (N_("File"), N_("Kind"), N_("Size"), N_("Added by"), N_("SHA-256"))

    def attachment(self, row: int) -> attachments.AttachmentRow:
        return self.rows[row]

    def data(self, index, role=Qt.ItemDataRole.DisplayRole):
        if not index.isValid() or role != Qt.ItemDataRole.DisplayRole:
            return None
        row = self.rows[index.row()]
        if row.size < 1024:
            size = f"{row.size} B"
        elif row.size < 1024 * 1024:
            size = f"{row.size / 1024:,.1f} KB"
        else:
            size = f"{row.size / 1048576:,.1f} MB"
        return (row.filename, _(attachments.KINDS.get(row.kind, row.kind)), size, row.added_by, row.sha256[:16])[
            index.column()
        ]


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
        self.resize(860, 640)

        self.edits: dict[str, QWidget] = {}
        tabs = QTabWidget()
        self.tabs = tabs
        tabs.addTab(self._identity_tab(), _("Project and unit"))
        tabs.addTab(self._people_tab(), _("People and dates"))
        tabs.addTab(self._money_tab(), _("Budget and funding"))
        tabs.addTab(self._outputs_tab(), _("Outputs"))
        tabs.addTab(self._areas_tab(), _("Content and areas"))
        tabs.addTab(self._attachments_tab(), _("Attachments"))

        self.problem_label = QLabel()
        self.problem_label.setWordWrap(True)
        self.problem_label.setStyleSheet("color: #b71c1c;")
        self.buttons = QDialogButtonBox()
        self.save_button = self.buttons.addButton(_("Save"), QDialogButtonBox.ButtonRole.AcceptRole)
        self.delete_button = self.buttons.addButton(_("Delete…"), QDialogButtonBox.ButtonRole.DestructiveRole)
        self.buttons.addButton(QDialogButtonBox.StandardButton.Cancel)
        self.delete_button.setVisible(application_id is not None)
        self.save_button.clicked.connect(self.save)
        self.delete_button.clicked.connect(self.delete)
        self.buttons.rejected.connect(self.reject)

        layout = QVBoxLayout(self)
        layout.addWidget(tabs, 1)
        layout.addWidget(self.problem_label)
        layout.addWidget(self.buttons)
        self._connect_validation()
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
        return page

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

    def _attachments_tab(self) -> QWidget:
        page = QWidget()
        layout = QVBoxLayout(page)
        self.attachments_model = AttachmentsModel(self)
        self.attachments_view = QTableView()
        self.attachments_view.setModel(self.attachments_model)
        self.attachments_view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.attachments_view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.attachments_view.verticalHeader().setVisible(False)
        self.attachments_view.horizontalHeader().setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        self.attachments_view.doubleClicked.connect(lambda _index: self.open_attachment())
        buttons = QHBoxLayout()
        self.add_file_button = QPushButton(_("Attach file…"))
        self.open_file_button = QPushButton(_("Open"))
        self.remove_file_button = QPushButton(_("Remove…"))
        self.add_file_button.clicked.connect(self.add_attachment)
        self.open_file_button.clicked.connect(self.open_attachment)
        self.remove_file_button.clicked.connect(self.remove_attachment)
        for button in (self.add_file_button, self.open_file_button, self.remove_file_button):
            buttons.addWidget(button)
        buttons.addStretch(1)
        self.attachments_note = QLabel(_("Save the application first to attach files."))
        layout.addWidget(self.attachments_view, 1)
        layout.addLayout(buttons)
        layout.addWidget(self.attachments_note)
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
            budget_lines={line: self._text(f"budget:{line}") for line in BUDGET_LINES if self._text(f"budget:{line}")},
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
        self.attachments_model.set_rows(files)
        saved = self.application_id is not None
        for button in (self.add_file_button, self.open_file_button, self.remove_file_button):
            button.setEnabled(saved)
        self.attachments_note.setVisible(not saved)

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
            return tagging.suggest_areas(session, title, abstract, limit=5)

        self._ctx.run_db(work, self._suggested, self._suggest_failed)

    def _suggested(self, suggestions) -> None:
        self.suggest_button.setEnabled(True)
        self.suggestions.clear()
        for suggestion in suggestions:
            text = _("{code} {title} — score {score}; matched: {terms}").format(
                code=suggestion.code,
                title=suggestion.title,
                score=f"{suggestion.score.quantize(Decimal('0.01'))}",
                terms="、".join(suggestion.terms) or "—",
            )
            item = QListWidgetItem(text)
            item.setData(Qt.ItemDataRole.UserRole, suggestion.code)
            self.suggestions.addItem(item)

    def _suggest_failed(self, error: BaseException) -> None:
        self.suggest_button.setEnabled(True)
        self._show_error(error)

    def _take_suggestion(self, item: QListWidgetItem) -> None:
        combo = self.edits["primary_area"]
        combo.setCurrentIndex(max(combo.findData(item.data(Qt.ItemDataRole.UserRole)), 0))

    # -- attachments ---------------------------------------------------------------------

    def _reload_attachments(self, *_args) -> None:
        application_id = self.application_id
        self._ctx.run_db(
            lambda session, _p, _c: attachments.list_attachments(session, application_id),
            self.attachments_model.set_rows,
            self._show_error,
        )

    def add_attachment(self, path: str | None = None) -> None:
        if not path:
            path, _filter = QFileDialog.getOpenFileName(self, _("Attach file"), "", _("All files (*)"))
        if not path:
            return
        application_id, actor = self.application_id, self._ctx.actor
        self._ctx.run_db(
            lambda session, _p, _c: attachments.add_attachment(session, application_id, path, actor=actor),
            self._reload_attachments,
            self._show_error,
            label=_("Storing the file…"),
        )

    def _selected_attachment(self) -> attachments.AttachmentRow | None:
        rows = self.attachments_view.selectionModel().selectedRows()
        return self.attachments_model.attachment(rows[0].row()) if rows else None

    def open_attachment(self) -> None:
        chosen = self._selected_attachment()
        if chosen is None:
            return
        folder = tempfile.mkdtemp(prefix="reviewtool-")
        self._ctx.run_db(
            lambda session, _p, _c: attachments.export_attachment(session, chosen.id, folder),
            lambda path: QDesktopServices.openUrl(QUrl.fromLocalFile(str(path))),
            self._show_error,
        )

    def remove_attachment(self) -> None:
        chosen = self._selected_attachment()
        if chosen is None:
            return
        if (
            QMessageBox.question(self, _("Remove attachment"), _("Remove {file}?").format(file=chosen.filename))
            != QMessageBox.StandardButton.Yes
        ):
            return
        actor = self._ctx.actor
        self._ctx.run_db(
            lambda session, _p, _c: attachments.remove_attachment(session, chosen.id, actor=actor),
            self._reload_attachments,
            self._show_error,
        )
