"""A table's filter bar with its "导出 Excel…" button, in one call: what
every list of the app offers (filter as you type, export as shown).

GUI thread only.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from PySide6.QtWidgets import QWidget

from reviewtool.gui.context import GuiContext
from reviewtool.gui.widgets.filter_bar import FilterBar
from reviewtool.gui.widgets.table_export import ExportTableAction


def filter_and_export(
    ctx: GuiContext,
    view,
    title: str | Callable[[], str],
    parent: QWidget,
    *,
    choices: Sequence[tuple[int, str]] = (),
    on_message: Callable[[str], None] | None = None,
) -> FilterBar:
    """A ``FilterBar`` over ``view`` whose export button writes the rows shown under ``title``
    (the filter in words added); the action is the bar's ``export_action``."""
    bar = FilterBar(view, choices=choices)
    bar.export_action = ExportTableAction(ctx, view, title, parent, describe=bar.describe, on_message=on_message)
    bar.add_action(bar.export_action)
    return bar
