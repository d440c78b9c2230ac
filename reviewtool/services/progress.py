"""Plain-Python progress reporting and cooperative cancellation.

Services that can take long accept ``progress`` and ``cancel`` arguments.
They call ``progress.update(done, total, message)`` now and then, and
``cancel.check()`` between units of work; ``check`` raises ``Cancelled``,
which rolls the surrounding transaction back. The GUI draws these; the CLI
ignores them or prints them.

Threading: ``CancelToken.cancel`` may be called from any thread.
"""

from __future__ import annotations

import threading
from collections.abc import Callable

from reviewtool.i18n import _


class Cancelled(Exception):
    """Raised inside a service when the user cancelled; nothing was written."""

    def __init__(self) -> None:
        super().__init__(_("Cancelled; nothing was changed."))


class CancelToken:
    def __init__(self) -> None:
        self._event = threading.Event()

    def cancel(self) -> None:
        self._event.set()

    @property
    def cancelled(self) -> bool:
        return self._event.is_set()

    def check(self) -> None:
        if self._event.is_set():
            raise Cancelled()


class Progress:
    """Forwards progress to a callback; the default does nothing."""

    def __init__(self, callback: Callable[[int, int, str], None] | None = None) -> None:
        self._callback = callback

    def update(self, done: int, total: int, message: str = "") -> None:
        if self._callback is not None:
            self._callback(done, total, message)


NO_PROGRESS = Progress()
NEVER_CANCELLED = CancelToken()
