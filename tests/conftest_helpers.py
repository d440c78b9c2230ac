"""Small helpers importable from any test module."""

from __future__ import annotations

import os
from pathlib import Path


def screenshot_dir() -> Path:
    """Where GUI tests save screenshots for a person to look at
    (``$REVIEWTOOL_SCREENSHOTS`` or ``build/screenshots``)."""
    path = Path(
        os.environ.get("REVIEWTOOL_SCREENSHOTS", Path(__file__).resolve().parent.parent / "build" / "screenshots")
    )
    path.mkdir(parents=True, exist_ok=True)
    return path


DOC_IMAGES = Path(__file__).resolve().parent.parent / "docs" / "images"


def save_picture(widget, name: str) -> Path:
    """Save a picture of ``widget`` as ``name``.png in the screenshot folder; with
    ``REVIEWTOOL_DOC_IMAGES=1`` it also replaces the user guides' docs/images/``name``.png."""
    from PySide6.QtWidgets import QApplication

    QApplication.processEvents()
    target = screenshot_dir() / f"{name}.png"
    assert widget.grab().save(str(target), "PNG")
    publish_picture(target)
    return target


def publish_picture(picture: Path) -> None:
    """With ``REVIEWTOOL_DOC_IMAGES=1``, replace the user guides' docs/images/ picture of the same name."""
    if os.environ.get("REVIEWTOOL_DOC_IMAGES") == "1":
        # 256 colours (no dithering) keeps every picture well under 200 KB and looks the same.
        from PIL import Image

        with Image.open(picture) as image:
            small = image.convert("RGB").quantize(256, method=Image.Quantize.MEDIANCUT, dither=Image.Dither.NONE)
            small.save(DOC_IMAGES / picture.name, optimize=True)


def wait_idle(qtbot, ctx, timeout: int = 10000) -> None:
    """Wait until every queued database task of a GUI context has delivered its result."""
    qtbot.waitUntil(lambda: ctx.tasks.pending == 0, timeout=timeout)


def type_text(qtbot, widget, text: str) -> None:
    """Type into a widget as a user would. ASCII goes through key presses;
    Chinese arrives as an input-method commit, which is how an IME delivers
    it (QTest cannot synthesise key events for non-ASCII characters)."""
    from PySide6.QtGui import QInputMethodEvent
    from PySide6.QtWidgets import QApplication

    widget.setFocus()
    run = ""
    for char in text + "\0":
        if char != "\0" and char.isascii():
            run += char
            continue
        if run:
            qtbot.keyClicks(widget, run)
            run = ""
        if char != "\0":
            event = QInputMethodEvent()
            event.setCommitString(char)
            QApplication.sendEvent(widget, event)
