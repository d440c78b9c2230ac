"""Compiled catalogs, kept in the user cache folder so start-up skips Babel.

Compiling the ``.po`` files with Babel costs a quarter of a second at every
start (reading them, and importing Babel itself). The compiled ``.mo`` bytes
of each file are cached under ``<user cache>/catalogs/``, named by the
language, the file's name and a hash of its content: an edited catalog gets a
new name (the old one is removed), so a cache entry is never stale. A cache
that cannot be written or read is only slower: the catalog is compiled in
memory as before. Thread-safety: files are written to a temporary name and
renamed, so two processes starting at once never read half a file.
"""

from __future__ import annotations

import gettext
import hashlib
import io
import os
import struct
import tempfile
from pathlib import Path

import platformdirs

from reviewtool.paths import APP_AUTHOR, APP_NAME

#: Bump when the compiled form changes (a different compiler, say).
FORMAT = "1"
DIGEST = 20


def cache_dir() -> Path:
    return Path(platformdirs.user_cache_dir(APP_NAME, APP_AUTHOR)) / "catalogs"


def compile_po(data: bytes, language: str) -> bytes:
    """A ``.po`` file's content compiled to ``.mo`` bytes with Babel (imported only here)."""
    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po

    catalog = read_po(io.BytesIO(data), locale=language)
    buffer = io.BytesIO()
    write_mo(buffer, catalog)
    return buffer.getvalue()


def translations_of(po_file: Path, language: str) -> gettext.GNUTranslations:
    """The translations of one ``.po`` file, from the cache when it holds them."""
    data = po_file.read_bytes()
    digest = hashlib.sha256(FORMAT.encode() + data).hexdigest()[:DIGEST]
    prefix = f"{language}-{po_file.stem}-"
    cached = cache_dir() / f"{prefix}{digest}.mo"
    try:
        return gettext.GNUTranslations(io.BytesIO(cached.read_bytes()))
    except (OSError, ValueError, IndexError, UnicodeDecodeError, struct.error):
        pass  # missing, unreadable or damaged: compile again
    compiled = compile_po(data, language)
    _store(cached, prefix, compiled)
    return gettext.GNUTranslations(io.BytesIO(compiled))


def _store(target: Path, prefix: str, compiled: bytes) -> None:
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        for old in target.parent.glob(f"{prefix}{'?' * DIGEST}.mo"):
            if old != target:
                old.unlink(missing_ok=True)
        handle, temporary = tempfile.mkstemp(dir=target.parent, prefix=".part-", suffix=".mo")
        with os.fdopen(handle, "wb") as out:
            out.write(compiled)
        os.replace(temporary, target)
    except OSError:
        pass  # a read-only or full cache folder only costs the compile next time
