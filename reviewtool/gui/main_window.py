"""The main window: navigation among the app's sections, menus, status bar.

Each section is its own page widget; this window only hosts them.
"""

from __future__ import annotations

from PySide6.QtCore import Signal
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
from reviewtool.gui import options
from reviewtool.gui.applications_page import ApplicationsPage
from reviewtool.gui.areas_page import AreasPage
from reviewtool.gui.batches.batch_page import BatchPage
from reviewtool.gui.context import GuiContext
from reviewtool.gui.experts.pool_page import ExpertPoolPage
from reviewtool.gui.funding.funding_page import FundingPage
from reviewtool.gui.panels.panel_page import PanelPage
from reviewtool.gui.scoring.ranking_page import RankingPage
from reviewtool.gui.widgets import user_guide
from reviewtool.gui.widgets.window_fit import fit_to_screen
from reviewtool.i18n import _


class MainWindow(QMainWindow):
    #: Emitted with the new settings when the user asks to reopen (language or database change).
    reopen_requested = Signal(object)

    def __init__(self, ctx: GuiContext) -> None:
        super().__init__()
        self.ctx = ctx
        self.setWindowTitle(_("Haidong S&T project review") + f" — {ctx.database.display_url}")
        fit_to_screen(self, 1280, 800)  # a 1280×720 laptop gets what its screen has room for

        self.nav = QListWidget()
        self.nav.setFixedWidth(150)
        self.nav.setObjectName("navigation")
        self.pages = QStackedWidget()
        self._page_messages: dict[QWidget, str] = {}
        # One page per section, in navigation order; each page is its own module.
        self.batches_page = BatchPage(ctx)
        self.applications_page = ApplicationsPage(ctx)
        self.areas_page = AreasPage(ctx)
        self.ranking_page = RankingPage(ctx)
        self.funding_page = FundingPage(ctx)
        self.experts_page = ExpertPoolPage(ctx)
        self.panels_page = PanelPage(ctx)
        for title, page in (
            (_("Batches"), self.batches_page),
            (_("Applications"), self.applications_page),
            (_("Priority areas"), self.areas_page),
            (_("Ranking"), self.ranking_page),
            (_("Funding"), self.funding_page),
            (_("Expert pool"), self.experts_page),
            (_("Expert panels"), self.panels_page),
        ):
            self._add_page(title, page)

        central = QWidget()
        layout = QHBoxLayout(central)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addWidget(self.nav)
        layout.addWidget(self.pages, 1)
        self.setCentralWidget(central)
        self.nav.currentRowChanged.connect(self._show_page)

        self.busy_label = QLabel()
        self.statusBar().addPermanentWidget(self.busy_label)
        # Bound methods, not lambdas: Qt drops them when this window is destroyed,
        # while the task manager lives on for the next window.
        ctx.tasks.busy_changed.connect(self._show_busy)

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
        self.pages.setCurrentIndex(index)
        self.statusBar().showMessage(self._page_messages.get(self.pages.currentWidget(), ""))

    def select_page(self, key: str) -> bool:
        """Show the page named ``key`` (its ``page_key``, its guide, or its class name, e.g. "batches"); False if none."""
        stems = {key.lower(), key.lower().removesuffix("s"), key.lower().removesuffix("es")}
        for index in range(self.pages.count()):
            page = self.pages.widget(index)
            name = type(page).__name__.lower().removesuffix("page")
            if getattr(page, "page_key", None) == key or user_guide.guide_of(page) == key or name in stems:
                self.nav.setCurrentRow(index)
                return True
        return False

    def _add_page(self, title: str, page) -> None:
        self.pages.addWidget(page)
        QListWidgetItem(title, self.nav)
        status_message = getattr(page, "status_message", None)
        if status_message is not None:
            status_message.connect(self._page_status)

    def _build_menus(self) -> None:
        file_menu = self.menuBar().addMenu(_("&File"))
        # Intake: the applications page owns these actions (toolbar and menu share them).
        for action in (self.applications_page.import_action, self.applications_page.template_action):
            file_menu.addAction(action)
        file_menu.addSeparator()
        self.settings_action = QAction(_("&Settings…"), self)
        self.settings_action.setShortcut(QKeySequence.StandardKey.Preferences)
        self.settings_action.triggered.connect(self.open_settings)
        file_menu.addAction(self.settings_action)
        self.export_action = QAction(_("&Export documents…"), self)
        self.export_action.triggered.connect(self.open_export)
        file_menu.addAction(self.export_action)
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

        options.OPERATOR.write(self.ctx.settings, values.operator)
        options.PDF_FONT_FILE.write(self.ctx.settings, values.font_file)
        self.ctx.operator = values.operator
        language_changed = values.language != options.LANGUAGE.read(self.ctx.settings)
        options.LANGUAGE.write(self.ctx.settings, values.language)
        actor = self.ctx.actor

        def store(session, _p, _c):
            return data_settings.put(session, data_settings.BUREAU_NAME, values.bureau_name, actor=actor)

        def stored(_changed) -> None:
            if values.database_url != self.ctx.database.url or language_changed:
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
        first = self.pages.indexOf(self.applications_page)
        page = options.LAST_PAGE.read(self.ctx.settings) if self.ctx.settings.contains(options.LAST_PAGE.key) else first
        self.nav.setCurrentRow(page if 0 <= page < self.pages.count() else first)

    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802 - Qt API
        options.MAIN_GEOMETRY.write(self.ctx.settings, self.saveGeometry())
        options.MAIN_STATE.write(self.ctx.settings, self.saveState())
        options.LAST_PAGE.write(self.ctx.settings, self.nav.currentRow())
        self.ctx.settings.sync()
        super().closeEvent(event)
