"""The stage chooser (评审阶段) the batch pages share: the batch's expert stages,
the current one marked and chosen by default, and — on the ranking page —
“最终结果” for the final ranking across the stages.

The page loads the rows with ``services.stages.stage.stage_choices`` in its
own background task and hands them to ``fill``; choosing another stage emits
``activated`` (the page reloads). Threading: GUI thread only.
"""

from __future__ import annotations

from PySide6.QtWidgets import QComboBox, QWidget

from reviewtool.core.enums import StageKind
from reviewtool.i18n import _

FINAL = "final"


class StageChoice(QComboBox):
    def __init__(self, *, with_final: bool = False, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("stage-choice")
        self.with_final = with_final
        self.setMinimumContentsLength(8)
        self.setToolTip(_("The review stage (评审阶段) shown; the batch's current stage unless you choose another."))

    def wanted(self) -> int | None:
        """The stage id to show next (``None``: the current stage, or the final result)."""
        data = self.currentData()
        return data if isinstance(data, int) else None

    def is_final(self) -> bool:
        return self.currentData() == FINAL

    def stage_id(self) -> int | None:
        return self.wanted()

    def fill(self, rows, chosen: int | None) -> None:
        """Expert stages of ``rows`` (``StageRow``s), ``chosen`` selected (the final entry stays if it was)."""
        final = self.is_final()
        self.blockSignals(True)
        try:
            self.clear()
            for row in rows:
                if row.kind is not StageKind.EXPERT:
                    continue
                label = _("{stage} (current)").format(stage=row.name) if row.current else row.name
                self.addItem(label, row.id)
            if self.with_final:
                self.addItem(_("Final result (all stages)"), FINAL)
            index = self.findData(FINAL if final and self.with_final else chosen)
            self.setCurrentIndex(max(0, index))
        finally:
            self.blockSignals(False)
