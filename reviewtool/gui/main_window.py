"""The main window: navigation among the app's sections, menus, status bar.

Each section is its own page widget; this window only hosts them.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QAction, QCloseEvent, QKeySequence
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QMainWindow,
    QMessageBox,
    QStackedWidget,
    QWidget,
)

from reviewtool import __version__
from reviewtool.core.users import Permission
from reviewtool.gui import options
from reviewtool.gui.context import GuiContext
from reviewtool.gui.live_changes import LiveChanges
from reviewtool.gui.page_specs import EXPERT_PAGES, PAGES
from reviewtool.gui.page_stack import LazyPages, PageAttribute
from reviewtool.gui.widgets import user_guide
from reviewtool.gui.widgets.window_fit import fit_to_screen
from reviewtool.i18n import _


def expert_only(user) -> bool:
    """A logged-in user who scores their own sheets and reads nothing else (no staff, admin or audit role)."""
    return user is not None and user.can(Permission.SCORE_OWN) and not user.can(Permission.READ_ALL)


class MainWindow(QMainWindow):
    #: Emitted with the new settings when the user asks to reopen (language or database change).
    reopen_requested = Signal(object)

    # The pages (PAGES), each built on first access or first show.
    batches_page = PageAttribute()
    applications_page = PageAttribute()
    areas_page = PageAttribute()
    ranking_page = PageAttribute()
    funding_page = PageAttribute()
    experts_page = PageAttribute()
    panels_page = PageAttribute()
    publicity_page = PageAttribute()
    dashboard_page = PageAttribute()
    audit_log_page = PageAttribute()
    my_reviews_page = PageAttribute()  # EXPERT_PAGES

    def __init__(self, ctx: GuiContext) -> None:
        super().__init__()
        self.ctx = ctx
        title = _("Haidong S&T project review") + f" — {ctx.database.display_url}"
        if ctx.user is not None and ctx.user.kind != "account":
            title += f" — {ctx.user.label}"
        self.setWindowTitle(title)
        fit_to_screen(self, 1280, 800)  # a 1280×720 laptop gets what its screen has room for

        self.nav = QListWidget()
        self.nav.setFixedWidth(150)
        self.nav.setObjectName("navigation")
        self.nav.setWordWrap(True)  # a long (English) title takes two lines, not a scroll bar
        self.nav.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.nav.setVisible(not expert_only(ctx.user))  # an expert has one page: no navigation
        self.pages = QStackedWidget()
        self._page_messages: dict[QWidget, str] = {}
        self.expert_only = expert_only(ctx.user)
        self.page_specs = EXPERT_PAGES if self.expert_only else PAGES
        self.page_stack = LazyPages(ctx, self.pages, self.page_specs, self._page_built)
        for spec in self.page_specs:
            QListWidgetItem(_(spec.title), self.nav).setToolTip(_(spec.title))

        central = QWidget()
        layout = QHBoxLayout(central)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addWidget(self.nav)
        layout.addWidget(self.pages, 1)
        self.setCentralWidget(central)
        self.nav.currentRowChanged.connect(self._show_page)

        self.busy_label = QLabel()
        self.statusBar().addPermanentWidget(self.busy_label)
        self.user_label = QLabel(_("User: {who}").format(who=ctx.user.label if ctx.user else ctx.actor))
        self.user_label.setObjectName("current-user")
        self.statusBar().addPermanentWidget(self.user_label)
        # Bound methods, not lambdas: Qt drops them when this window is destroyed,
        # while the task manager lives on for the next window.
        ctx.tasks.busy_changed.connect(self._show_busy)
        # What other workstations save shows as it is saved (PostgreSQL; nothing to hear on SQLite).
        self.live_changes = LiveChanges(ctx, self)
        self.live_changes.status_message.connect(self.statusBar().showMessage)

        self._build_menus()
        self._restore_state()

    def _show_busy(self, busy: bool) -> None:
        self.busy_label.setText(_("Working…") if busy else "")

    def _page_status(self, text: str) -> None:
        """Each page reports its own counts; the status bar shows the current page's."""
        page = self.sender()
        self._page_messages[page] = text
        if page is self.pages.currentWidget():
            self.statusBar().showMessage(text)

    def _show_page(self, index: int) -> None:
        if index < 0:
            return
        self.page_stack.show(index)
        self.statusBar().showMessage(self._page_messages.get(self.pages.currentWidget(), ""))

    def select_page(self, key: str) -> bool:
        """Show the page named ``key`` (its ``page_key``, its guide, or its class name, e.g. "batches"); False if none."""
        stems = {key.lower(), key.lower().removesuffix("s"), key.lower().removesuffix("es")}
        names = [spec.class_name.lower().removesuffix("page") for spec in self.page_specs]
        for index, name in enumerate(names):  # by class name first: builds no page
            if name in stems:
                self.nav.setCurrentRow(index)
                return True
        for index in range(len(self.page_specs)):  # then by key or guide: imports the page's class, builds none
            page_class = self.page_stack.page_class(index)
            guide = getattr(page_class, "guide", None) or user_guide.GUIDES_BY_PAGE.get(page_class.__name__)
            if getattr(page_class, "page_key", None) == key or guide == key:
                self.nav.setCurrentRow(index)
                return True
        return False

    def _page_built(self, page) -> None:
        status_message = getattr(page, "status_message", None)
        if status_message is not None:
            status_message.connect(self._page_status)

    def _build_menus(self) -> None:
        file_menu = self.menuBar().addMenu(_("&File"))
        # Intake: the applications page owns these actions; the menu's run them there (built when used).
        intake = () if self.expert_only else ((_("Import…"), "import_action"), (_("Template…"), "template_action"))
        for text, name in intake:
            action = QAction(text, self)
            action.triggered.connect(lambda _checked=False, name=name: self._applications_action(name))
            file_menu.addAction(action)
        file_menu.addSeparator()
        self.settings_action = QAction(_("&Settings…"), self)
        self.settings_action.setShortcut(QKeySequence.StandardKey.Preferences)
        self.settings_action.triggered.connect(self.open_settings)
        file_menu.addAction(self.settings_action)
        self.export_action = QAction(_("&Export documents…"), self)
        self.export_action.triggered.connect(self.open_export)
        if not self.expert_only:  # an expert exports nothing (gui/my_reviews)
            file_menu.addAction(self.export_action)
        from reviewtool.gui.documents import verify_document

        verify_document.add_action(self, file_menu)
        file_menu.addSeparator()
        from reviewtool.gui.users import menu as users_menu

        users_menu.add_actions(self, file_menu)
        file_menu.addSeparator()
        quit_action = QAction(_("&Quit"), self)
        quit_action.setShortcut(QKeySequence.StandardKey.Quit)
        quit_action.triggered.connect(self.close)
        file_menu.addAction(quit_action)
        help_menu = self.menuBar().addMenu(_("&Help"))
        self.guide_action = QAction(_("&User guide for this page"), self)
        self.guide_action.setShortcut(QKeySequence.StandardKey.HelpContents)
        self.guide_action.triggered.connect(
            lambda: user_guide.open_guide(user_guide.guide_of(self.pages.currentWidget()))
        )
        self.guides_action = QAction(_("All user &guides"), self)
        self.guides_action.triggered.connect(lambda: user_guide.open_guide(None))
        help_menu.addActions([self.guide_action, self.guides_action])
        help_menu.addSeparator()
        about = QAction(_("&About"), self)
        about.triggered.connect(self._about)
        help_menu.addAction(about)

    def _applications_action(self, name: str) -> None:
        self.nav.setCurrentRow(self.page_stack.index_of("applications_page"))
        getattr(self.applications_page, name).trigger()

    def open_export(self) -> None:
        from reviewtool.gui.documents.export_dialog import ExportDialog

        self._export_dialog = ExportDialog(self.ctx, parent=self)
        self._export_dialog.show()

    def _about(self) -> None:
        QMessageBox.about(
            self,
            _("About"),
            _("reviewtool {version}\nProject application review for the Haidong S&T Bureau.\nDatabase: {url}").format(
                version=__version__, url=self.ctx.database.display_url
            ),
        )

    def open_settings(self) -> None:
        from reviewtool.gui.settings_dialog import SettingsDialog
        from reviewtool.services import settings as data_settings

        def load(session, _p, _c):
            return data_settings.get(session, data_settings.BUREAU_NAME)

        def show(bureau_name: str) -> None:
            dialog = SettingsDialog(
                self.ctx,
                language=options.LANGUAGE.read(self.ctx.settings),
                bureau_name=bureau_name,
                font_file=options.PDF_FONT_FILE.read(self.ctx.settings),
                parent=self,
            )
            # open(), not exec(): this runs in a task's callback, where a nested event loop is unsafe.
            dialog.accepted.connect(lambda: self.apply_settings(dialog.result_values()))
            dialog.finished.connect(dialog.deleteLater)
            dialog.open()
            self.settings_dialog = dialog

        self.ctx.run_db(load, show, self.show_error)

    def apply_settings(self, values) -> None:
        from reviewtool.services import settings as data_settings
        from reviewtool.services.users.login import url_without_password

        options.PDF_FONT_FILE.write(self.ctx.settings, values.font_file)
        language_changed = values.language != options.LANGUAGE.read(self.ctx.settings)
        options.LANGUAGE.write(self.ctx.settings, values.language)
        actor = self.ctx.actor

        def store(session, _p, _c):
            return data_settings.put(session, data_settings.BUREAU_NAME, values.bureau_name, actor=actor)

        def stored(_changed) -> None:
            if values.database_url != url_without_password(self.ctx.database.url) or language_changed:
                self.reopen_requested.emit(values)

        self.ctx.run_db(store, stored, self.show_error)

    def show_error(self, error: BaseException) -> None:
        QMessageBox.warning(self, _("Error"), str(error))

    def _restore_state(self) -> None:
        geometry = options.MAIN_GEOMETRY.read(self.ctx.settings)
        if not geometry.isEmpty():
            self.restoreGeometry(geometry)
        state = options.MAIN_STATE.read(self.ctx.settings)
        if not state.isEmpty():
            self.restoreState(state)
        # The first start opens the application list (its empty state says what to do first).
        first = 0 if self.expert_only else self.page_stack.index_of("applications_page")
        page = options.LAST_PAGE.read(self.ctx.settings) if self.ctx.settings.contains(options.LAST_PAGE.key) else first
        self.nav.setCurrentRow(page if 0 <= page < self.pages.count() else first)

    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802 - Qt API
        options.MAIN_GEOMETRY.write(self.ctx.settings, self.saveGeometry())
        options.MAIN_STATE.write(self.ctx.settings, self.saveState())
        options.LAST_PAGE.write(self.ctx.settings, self.nav.currentRow())
        self.ctx.settings.sync()
        self.live_changes.stop()
        super().closeEvent(event)
