"""The main window's pages, each imported and built when it is first shown.

A page's module (and what it imports: scoring, panels, openpyxl …) is not
loaded at start-up: the stack holds an empty placeholder until the page is
first shown or asked for (``window.funding_page``), then the page takes the
placeholder's place. Hidden pages do no work: each page gets its own
``PageBus`` (``ctx.bus`` of the page's ``GuiContext``) that passes changes on
only while the page is the current one, and keeps them, merged, until it is
shown again — so a page reloads when it is shown and its data changed, not on
every change elsewhere. ``announce`` goes straight to the window's bus, so
every page still hears what this one changed.

``tests/gui/test_lazy_pages.py`` checks in a fresh interpreter that start-up
imports no hidden page's module and no heavy library.
"""

from __future__ import annotations

import dataclasses
import importlib
from collections.abc import Callable, Sequence

from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QStackedWidget, QWidget

from reviewtool.gui.context import ChangeBus, GuiContext
from reviewtool.gui.page_specs import PageSpec
from reviewtool.services.changes import Changes


def merged(first: Changes, second: Changes) -> Changes:
    """What two operations changed together (flags or-ed; the later message)."""
    values = {}
    for field in dataclasses.fields(Changes):
        a, b = getattr(first, field.name), getattr(second, field.name)
        if isinstance(a, bool):
            values[field.name] = a or b
        elif isinstance(a, dict):
            values[field.name] = {**a, **b}
        else:
            values[field.name] = b or a
    return Changes(**values)


class LoadsWhenShown:
    """Mixed into a page before ``QWidget``: it loads (``refresh``) when first shown, and a change
    announced while it is hidden waits until it is shown again — no work nobody looks at."""

    _stale = True

    def showEvent(self, event) -> None:  # noqa: N802 - Qt API
        super().showEvent(event)
        if self._stale:
            self._stale = False
            self.refresh()

    def reload_when_seen(self) -> None:
        """Something it shows changed: reload now if shown, else when next shown."""
        if self.isVisible():
            self._stale = False
            self.refresh()
        else:
            self._stale = True


class PageBus(QObject):
    """A page's view of the window's ``ChangeBus``: changes pass only while the page is shown."""

    changed = Signal(object)  # Changes
    database_switched = Signal()

    def __init__(self, bus: ChangeBus, is_shown: Callable[[], bool]) -> None:
        super().__init__(bus)
        self._bus = bus
        self._is_shown = is_shown
        self.pending: Changes | None = None
        bus.changed.connect(self._arrived)
        bus.database_switched.connect(self.database_switched)

    def announce(self, changes: Changes) -> None:
        self._bus.announce(changes)

    def _arrived(self, changes: Changes) -> None:
        if self._is_shown():
            self.changed.emit(changes)
        else:
            self.pending = changes if self.pending is None else merged(self.pending, changes)

    def flush(self) -> None:
        """The page is shown: hand over what changed while it was hidden (once, merged)."""
        pending, self.pending = self.pending, None
        if pending is not None:
            self.changed.emit(pending)


class LazyPages:
    """Builds the pages of ``stack`` on demand, in ``specs`` order."""

    def __init__(
        self,
        ctx: GuiContext,
        stack: QStackedWidget,
        specs: Sequence[PageSpec],
        on_built: Callable[[QWidget], None],
    ) -> None:
        self.ctx = ctx
        self.stack = stack
        self.specs = list(specs)
        self._on_built = on_built
        self._pages: dict[str, QWidget] = {}
        self._buses: dict[str, PageBus] = {}
        self._placeholders: list[QWidget] = []
        for spec in self.specs:
            placeholder = QWidget()
            placeholder.setObjectName(f"unbuilt-{spec.attribute}")
            self._placeholders.append(placeholder)
            stack.addWidget(placeholder)

    def index_of(self, attribute: str) -> int:
        return next(i for i, spec in enumerate(self.specs) if spec.attribute == attribute)

    def built(self, attribute: str) -> QWidget | None:
        return self._pages.get(attribute)

    def page_class(self, index: int) -> type[QWidget]:
        module, name = self.specs[index].target.split(":")
        return getattr(importlib.import_module(module), name)

    def page(self, attribute: str) -> QWidget:
        """The page, imported and built now if it was not yet (it takes its placeholder's place)."""
        page = self._pages.get(attribute)
        if page is not None:
            return page
        index = self.index_of(attribute)
        bus = PageBus(self.ctx.bus, lambda: self.stack.currentWidget() is self._pages.get(attribute))
        page = self.page_class(index)(dataclasses.replace(self.ctx, bus=bus))
        bus.setParent(page)  # gone with its page
        self._pages[attribute], self._buses[attribute] = page, bus
        placeholder = self._placeholders[index]
        was_current = self.stack.currentWidget() is placeholder
        self.stack.insertWidget(index, page)
        self.stack.removeWidget(placeholder)
        placeholder.deleteLater()
        if was_current:
            self.stack.setCurrentWidget(page)
        self._on_built(page)
        return page

    def show(self, index: int) -> QWidget:
        """Build the page at ``index`` if needed, make it current and give it what changed meanwhile."""
        attribute = self.specs[index].attribute
        page = self.page(attribute)
        self.stack.setCurrentWidget(page)
        self._buses[attribute].flush()
        return page


class PageAttribute:
    """``window.funding_page``: the page, built on first access (a descriptor of the window class)."""

    def __set_name__(self, owner, name: str) -> None:
        self.name = name

    def __get__(self, window, owner=None):
        if window is None:
            return self
        return window.page_stack.page(self.name)
