"""A save refused because someone else saved the record first (``StaleEdit``).

The message names who and when ("已被 X 于 HH:MM 修改"). The clerk chooses:
reload the record as it now is (what she typed is replaced, and she is told
so before), or keep editing with her text still in the window, so she can
copy what she needs first — nothing of hers is dropped without her saying so.
"""

from __future__ import annotations

from PySide6.QtWidgets import QMessageBox, QWidget

from reviewtool.i18n import _
from reviewtool.storage.versioning import StaleEdit

__all__ = ["StaleEdit", "offer_reload"]


def offer_reload(parent: QWidget, error: StaleEdit) -> bool:
    """Show the refusal; True when the user chose to reload the saved version."""
    box = QMessageBox(QMessageBox.Icon.Warning, _("Changed by someone else"), str(error), parent=parent)
    box.setInformativeText(
        _(
            "Reload shows the saved version and replaces what you typed here. Keep editing leaves your "
            "text in the window; saving it is refused until you reload."
        )
    )
    reload = box.addButton(_("Reload"), QMessageBox.ButtonRole.AcceptRole)
    box.addButton(_("Keep editing"), QMessageBox.ButtonRole.RejectRole)
    box.setDefaultButton(reload)
    box.exec()
    return box.clickedButton() is reload
