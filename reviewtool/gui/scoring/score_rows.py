"""The widgets of one criterion on the score sheet, and the key-driven combo.

A points field never rewrites what was typed. An entry the rubric refuses
(16 in a 0–15 field, 7.5 at step 1, "7." not finished, letters) stays
visible as typed, is marked red with the reason beside it, and keeps the
focus — Tab, Enter and the mouse do not leave it — until it is corrected
or cleared. ``value()`` is ``None`` for it, and the window saves nothing
while any field is invalid.

Comment boxes are never in the Tab order (so the order cannot change under
the typist's hands when a value needs a comment): F6 jumps from a points
field to its comment, and Enter or Tab in a comment goes on to the next
criterion's points.

Threading: GUI thread only.
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal

from PySide6.QtCore import QEvent, QObject, Qt, QTimer
from PySide6.QtWidgets import QComboBox, QFrame, QGridLayout, QLabel, QLineEdit, QPlainTextEdit

from reviewtool.core.enums import Opinion
from reviewtool.core.scoring.maths import ScoreRefused, check_points, comment_reason
from reviewtool.core.scoring.rubric import Criterion, points_text
from reviewtool.i18n import _

INVALID_STYLE = "QLineEdit { background: #fde2e2; border: 2px solid #b00020; }"
#: Focus changes an invalid entry does not give way to (a window losing focus does).
_KEEP_FOCUS_AGAINST = (
    Qt.FocusReason.TabFocusReason,
    Qt.FocusReason.BacktabFocusReason,
    Qt.FocusReason.MouseFocusReason,
    Qt.FocusReason.ShortcutFocusReason,
    Qt.FocusReason.OtherFocusReason,
)


class KeyChoiceCombo(QComboBox):
    """A combo box that also takes single keys (e.g. Y/N or 1/2/3) to choose;
    Enter moves on to the next field."""

    def __init__(self, items: list[tuple[object, str]], keys: dict[int, int], on_enter=None, parent=None) -> None:
        super().__init__(parent)
        for data, text in items:
            self.addItem(text, data)
        self._keys = keys
        self._on_enter = on_enter

    def keyPressEvent(self, event) -> None:  # noqa: N802 - Qt API
        index = self._keys.get(event.key())
        if index is not None:
            self.setCurrentIndex(index)
            event.accept()
            return
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and self._on_enter is not None:
            event.accept()
            self._on_enter()
            return
        super().keyPressEvent(event)


class _KeepFocus(QObject):
    """Gives the focus back to an invalid points field (after Qt finished moving it)."""

    def __init__(self, row: CriterionRow) -> None:
        super().__init__(row.points)
        self.row = row

    def eventFilter(self, watched, event) -> bool:  # noqa: N802 - Qt API
        if event.type() == QEvent.Type.FocusOut and self.row.problem and event.reason() in _KEEP_FOCUS_AGAINST:
            QTimer.singleShot(0, self.row.take_focus_back)
        return False


class CriterionRow:
    """The widgets of one criterion on the sheet: title, points, bands, message, comment."""

    def __init__(
        self,
        criterion: Criterion,
        step: Decimal,
        grid: QGridLayout,
        row: int,
        on_change: Callable[[], None],
        on_enter: Callable[[QLineEdit], None],
    ) -> None:
        self.criterion = criterion
        self.step = step
        self.problem = ""  # why the typed points are not valid ('' when they are, or are empty)
        self._value: Decimal | None = None
        title = QLabel(f"<b>{criterion.key}</b>  {criterion.title}")
        self.title = title
        line = title.fontMetrics().lineSpacing()
        if criterion.description:
            title.setToolTip(criterion.description)
        self.max_label = QLabel(_("/ {max}").format(max=points_text(criterion.max_points)))
        self.points = QLineEdit()
        self.points.setObjectName(f"points_{criterion.key}")
        self.points.setFixedWidth(64)
        self.points.setAlignment(Qt.AlignmentFlag.AlignRight)
        self.points.setPlaceholderText(f"0–{points_text(criterion.max_points)}")
        self.points.setProperty("invalid", False)
        self.bands = QLabel()
        self.bands.setWordWrap(True)
        self.bands.setTextFormat(Qt.TextFormat.RichText)
        self.bands.setMinimumHeight(2 * line + 6)
        self.bands.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
        self.message = QLabel()
        self.message.setMinimumHeight(line + 6)
        self.message.setWordWrap(True)
        self.message.setObjectName(f"message_{criterion.key}")
        self.comment = QLineEdit()
        self.comment.setObjectName(f"comment_{criterion.key}")
        self.comment.setPlaceholderText(_("Comment (optional; F6 from the points)"))
        self.comment.setFocusPolicy(Qt.FocusPolicy.ClickFocus)  # never in the Tab order
        top = Qt.AlignmentFlag.AlignTop
        grid.addWidget(title, row, 0, top)
        grid.addWidget(self.points, row, 1, top)
        grid.addWidget(self.max_label, row, 2, top)
        grid.addWidget(self.bands, row, 3)
        grid.addWidget(self.message, row + 1, 0)
        grid.addWidget(self.comment, row + 1, 1, 1, 3)
        self.comment.setMinimumHeight(self.comment.sizeHint().height())
        self.points.setMinimumHeight(self.points.sizeHint().height())
        self._keep_focus = _KeepFocus(self)
        self.points.installEventFilter(self._keep_focus)
        self.points.textEdited.connect(self._edited)
        self.points.returnPressed.connect(lambda: on_enter(self.points))
        self.comment.textEdited.connect(lambda _text: on_change())
        self.comment.returnPressed.connect(lambda: on_enter(self.comment))
        self._on_change = on_change
        self.refresh()

    # -- the typed value ---------------------------------------------------------

    def _check(self, text: str) -> None:
        stripped = text.strip()
        self._value, self.problem = None, ""
        if not stripped:
            return
        name = _("{key} “{title}”").format(key=self.criterion.key, title=self.criterion.title)
        if stripped in ("-", ".", "+") or stripped.endswith("."):
            self.problem = _("{criterion}: “{value}” is not a finished number").format(criterion=name, value=stripped)
            return
        try:
            self._value = check_points(self.criterion, stripped, self.step)
        except ScoreRefused as exc:
            self.problem = str(exc)

    def _edited(self, text: str) -> None:
        self._check(text)
        self.refresh()
        self._on_change()

    def value(self) -> Decimal | None:
        """The points typed, when valid; ``None`` when empty or invalid (see ``problem``)."""
        return self._value

    def set_value(self, points: Decimal | None, comment: str) -> None:
        self.points.setText(points_text(points) if points is not None else "")
        self._check(self.points.text())
        self.comment.setText(comment)
        self.refresh()

    def take_focus_back(self) -> None:
        if self.problem and self.points.isVisible() and self.points.window().isActiveWindow():
            self.points.setFocus(Qt.FocusReason.OtherFocusReason)

    # -- what is shown ----------------------------------------------------------

    def refresh(self) -> None:
        points = self.value()
        current = self.criterion.band_for(points) if points is not None else None
        parts = []
        for band in self.criterion.bands:
            text = f"{band.label} {points_text(band.low)}–{points_text(band.high)}"
            if band == current:
                text = f"<span style='background:#dbeafe;font-weight:bold'>{text}</span>"
            parts.append(text)
        descriptor = (
            f"<br><span style='color:#1e40af'>{current.descriptor}</span>" if current and current.descriptor else ""
        )
        self.bands.setText("　".join(parts) + descriptor)
        invalid = bool(self.problem)
        self.points.setProperty("invalid", invalid)
        self.points.setStyleSheet(INVALID_STYLE if invalid else "")
        self.points.setToolTip(self.problem)
        reason = comment_reason(self.criterion, points)
        if invalid:
            # Beside the field the reason alone (the criterion is on the same line); the
            # window's footer says the whole of it.
            name = _("{key} “{title}”").format(key=self.criterion.key, title=self.criterion.title)
            reason = self.problem.removeprefix(name).lstrip(":： ")
            self.message.setText(f"<span style='color:#b00020'>{reason}</span>")
            self.message.setToolTip(_("Not saved — correct it or clear it (Backspace)."))
        elif reason:
            self.message.setToolTip("")
            self.comment.setPlaceholderText(_("Comment required: {reason} (F6)").format(reason=reason))
            required = _("Comment required (F6)")
            needed = "" if self.comment.text().strip() else f"<span style='color:#9a3412'>{required}</span>"
            self.message.setText(needed)
        else:
            self.comment.setPlaceholderText(_("Comment (optional; F6 from the points)"))
            self.message.setText("")


def veto_box(items, on_change: Callable[[], None], on_enter: Callable[[], None]):
    """The veto questions (一票否决) with a Y/N combo each: (frame, combos by key)."""
    box = QFrame()
    box.setFrameShape(QFrame.Shape.StyledPanel)
    grid = QGridLayout(box)
    grid.addWidget(QLabel(_("<b>Veto items (一票否决)</b> — answer before scoring; Y = yes, N = no")), 0, 0, 1, 2)
    combos: dict[str, KeyChoiceCombo] = {}
    for index, item in enumerate(items, start=1):
        label = QLabel(f"{item.key}　{item.question}")
        label.setWordWrap(True)
        combo = KeyChoiceCombo(
            [(None, _("— not answered —")), (False, _("No")), (True, _("Yes (veto)"))],
            {Qt.Key.Key_N: 1, Qt.Key.Key_0: 1, Qt.Key.Key_Y: 2, Qt.Key.Key_1: 2},
            on_enter=on_enter,
        )
        combo.setObjectName(f"veto_{item.key}")
        combo.currentIndexChanged.connect(lambda _i: on_change())
        grid.addWidget(label, index, 0)
        grid.addWidget(combo, index, 1)
        grid.setColumnStretch(0, 1)
        combos[item.key] = combo
    return box, combos


def opinion_fields(on_change: Callable[[], None], on_enter: Callable[[], None]):
    """The overall opinion (1/2/3) and the written opinion: (frame, combo, text)."""
    box = QFrame()
    box.setFrameShape(QFrame.Shape.StyledPanel)
    grid = QGridLayout(box)
    opinion = KeyChoiceCombo(
        [(None, _("— choose —"))] + [(o.value, f"{i}  {o.label()}") for i, o in enumerate(Opinion, start=1)],
        {Qt.Key.Key_1: 1, Qt.Key.Key_2: 2, Qt.Key.Key_3: 3},
        on_enter=on_enter,
    )
    opinion.setObjectName("opinion")
    opinion.currentIndexChanged.connect(lambda _i: on_change())
    written = QPlainTextEdit()
    written.setObjectName("written_opinion")
    written.setTabChangesFocus(True)
    written.setPlaceholderText(_("Overall written opinion (评审意见)"))
    written.setFixedHeight(110)
    written.textChanged.connect(on_change)
    grid.addWidget(QLabel(_("<b>Overall opinion</b> (1/2/3)")), 0, 0)
    grid.addWidget(opinion, 0, 1)
    grid.addWidget(QLabel(_("<b>Written opinion</b>")), 1, 0, Qt.AlignmentFlag.AlignTop)
    grid.addWidget(written, 1, 1)
    grid.setColumnStretch(1, 1)
    return box, opinion, written
