"""The window shown at once at start-up, while the database opens (issue 16).

Opening the database needs SQLAlchemy, the models and the services (most of a
cold start); this window needs none of them: the main window's frame (title,
the navigation's sections, where the window was last) with "正在打开数据库…",
shown before the data layer is imported. When the database is open (and the
user logged in) the main window takes its place at the same spot; a failure
or a cancelled login closes it with the application.

Imports: PySide6, ``gui.options``, ``gui.page_specs`` and the catalogs only
(``tests/gui/test_start_window.py``).
"""

from __future__ import annotations

from PySide6.QtCore import QSettings, Qt
from PySide6.QtWidgets import QHBoxLayout, QLabel, QListWidget, QMainWindow, QWidget

from reviewtool.gui import options
from reviewtool.gui.page_specs import PAGES
from reviewtool.i18n import _


class StartWindow(QMainWindow):
    def __init__(self, settings: QSettings) -> None:
        super().__init__()
        self.setWindowTitle(_("Haidong S&T project review"))
        self.resize(1280, 800)
        geometry = options.MAIN_GEOMETRY.read(settings)
        if not geometry.isEmpty():
            self.restoreGeometry(geometry)
        nav = QListWidget()
        nav.setFixedWidth(150)
        nav.setWordWrap(True)
        nav.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        nav.addItems([_(spec.title) for spec in PAGES])
        nav.setEnabled(False)  # nothing to open until the database is
        self.message = QLabel(_("Opening the database…"))
        self.message.setAlignment(Qt.AlignmentFlag.AlignCenter)
        central = QWidget()
        layout = QHBoxLayout(central)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addWidget(nav)
        layout.addWidget(self.message, 1)
        self.setCentralWidget(central)
        self.menuBar().addMenu(_("&File")).setEnabled(False)
        self.statusBar().showMessage(_("Opening the database…"))
