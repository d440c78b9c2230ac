"""Writing files atomically: every file the app writes goes through here.

A file is written under a temporary name in the target's own folder
(``.~<name>.<random>.tmp``: hidden, and skipped by every folder import),
flushed to disk, and only then renamed over the final name with
``os.replace``, which is atomic on one file system (POSIX and Windows). A
crash, a kill or an error part-way therefore never leaves a half-written
file under the final name: the reader sees the old file or the new one.

Permissions are those of an ordinary new file (``0666`` less the umask), or
the replaced file's own, never the ``0600`` of ``tempfile.mkstemp`` — exports
are meant to be shared.

Use ``atomic_path`` for writers that want a file name (openpyxl, reportlab),
``write_bytes`` / ``write_text`` for data already in memory.

Thread-safe: each call uses its own temporary name.
"""

from __future__ import annotations

import contextlib
import os
import secrets
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import IO, TypeVar

from reviewtool.core.errors import UserError
from reviewtool.i18n import _

TEMP_PREFIX = ".~"
TEMP_SUFFIX = ".tmp"
T = TypeVar("T")


def temporary_name(target: Path) -> Path:
    """A fresh hidden name beside ``target``."""
    return target.with_name(f"{TEMP_PREFIX}{target.name}.{secrets.token_hex(4)}{TEMP_SUFFIX}")


def is_temporary(path: Path) -> bool:
    """Whether ``path`` is one of our temporary names (left behind by a crash)."""
    return path.name.startswith(TEMP_PREFIX) and path.name.endswith(TEMP_SUFFIX)


def _create(temp: Path, mode: int) -> None:
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0)
    os.close(os.open(temp, flags, mode))


def _fsync(path: Path) -> None:
    with contextlib.suppress(OSError):
        with open(path, "rb+") as handle:
            os.fsync(handle.fileno())


def _fsync_folder(folder: Path) -> None:
    if os.name != "posix":
        return
    with contextlib.suppress(OSError):
        handle = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(handle)
        finally:
            os.close(handle)


def _cannot_write(target: Path, exc: OSError) -> UserError:
    return UserError(_("Cannot write {file}: {reason}").format(file=target, reason=exc.strerror or exc))


@contextlib.contextmanager
def atomic_path(target: str | Path, *, create_folder: bool = True) -> Iterator[Path]:
    """Yield a temporary path beside ``target``; write the file there.

    On normal exit the file is flushed and renamed to ``target``; on an
    exception (or a cancel) it is removed and ``target`` is left as it was.
    A folder or file that cannot be written raises ``UserError`` naming it."""
    target = Path(target)
    folder = target.parent
    try:
        if create_folder:
            folder.mkdir(parents=True, exist_ok=True)
        if target.is_dir():
            raise UserError(_("Cannot write {file}: it is a folder.").format(file=target))
        try:
            mode = target.stat().st_mode & 0o7777
        except FileNotFoundError:
            mode = 0o666  # less the umask, as for any new file
        temp = temporary_name(target)
        _create(temp, mode)
        if target.exists():
            with contextlib.suppress(OSError):
                os.chmod(temp, mode)
    except OSError as exc:
        raise _cannot_write(target, exc) from exc
    try:
        yield temp
        _fsync(temp)
        try:
            os.replace(temp, target)
        except OSError as exc:
            raise _cannot_write(target, exc) from exc
    except BaseException:
        with contextlib.suppress(OSError):
            temp.unlink()
        raise
    _fsync_folder(folder)


def write_with(target: str | Path | IO[bytes], write: Callable[[str | Path | IO[bytes]], T]) -> T:
    """Call ``write(destination)`` atomically for a path; a stream is passed through."""
    if isinstance(target, (str, Path)):
        with atomic_path(target) as temp:
            return write(temp)
    return write(target)


def write_bytes(target: str | Path, data: bytes) -> Path:
    with atomic_path(target) as temp:
        temp.write_bytes(data)
    return Path(target)


def write_text(target: str | Path, text: str, *, encoding: str = "utf-8") -> Path:
    with atomic_path(target) as temp:
        temp.write_text(text, encoding=encoding)
    return Path(target)


def stale_temporaries(folder: str | Path) -> list[Path]:
    """Temporary files a crash left in ``folder`` (never under a final name)."""
    folder = Path(folder)
    if not folder.is_dir():
        return []
    return sorted(p for p in folder.iterdir() if is_temporary(p))
