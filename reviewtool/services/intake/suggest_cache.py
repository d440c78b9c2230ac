"""The suggestion model's disk cache, and the quick path of one
``reviewtool-cli suggest-areas --title …`` call (issue 16).

``suggest_model`` pickles each built model into the user cache folder under
its key (plan editions, confirmed tags, database; see there). Working the key
out needs the database, and opening the database costs SQLAlchemy and the
ORM models — most of a one-title call. So after a call that opened an SQLite
file, upgraded it if needed, found no local users and answered from the model
of key K, a *stamp* records the file's state (size, modification time and
inode of the file and of its ``-wal``), the program's version and K. The next
call on the same file, while that state is unchanged, loads model K straight
from the cache: nothing was written to the file since, so its plan editions,
tags, schema and users are what the full path saw. Any write (an import, a
confirmed tag, a new local user, the GUI saving anything) changes the state,
and the next call takes the full path again and stamps anew.

Only this module, ``pickle`` and the plain-data model of
``core.intake.suggest`` are needed on the quick path: no SQLAlchemy, no ORM,
no jieba, no scikit-learn. PostgreSQL (and any URL with options) always takes
the full path.
"""

from __future__ import annotations

import hashlib
import json
import os
import pickle
import tempfile
from pathlib import Path

import platformdirs

from reviewtool import __version__
from reviewtool.core.intake.suggest import MODEL_VERSION, AreaModel, AreaSuggester
from reviewtool.paths import APP_AUTHOR, APP_NAME, default_database_url, migrations_dir

#: As ``storage.database.ENV_VAR`` (not imported: that module loads SQLAlchemy).
DB_ENV_VAR = "REVIEWTOOL_DB"


def cache_dir() -> Path:
    return Path(platformdirs.user_cache_dir(APP_NAME, APP_AUTHOR)) / "suggest"


def model_path(key: str) -> Path:
    return cache_dir() / f"model-{key}.pickle"


def load_model(path: Path) -> AreaModel | None:
    """A cached model, or ``None`` when missing, damaged or of another model version."""
    try:
        with path.open("rb") as handle:
            model = pickle.load(handle)
    except (OSError, pickle.UnpicklingError, EOFError, AttributeError, ImportError, TypeError, ValueError):
        return None
    if not isinstance(model, AreaModel) or model.version != MODEL_VERSION:
        return None
    return model


def _write(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temp = tempfile.mkstemp(prefix=f".{path.stem}-", dir=path.parent)
    with os.fdopen(handle, "wb") as out:
        out.write(data)
    os.replace(temp, path)


def store_model(path: Path, model: AreaModel) -> None:
    """Write a built model (whole, under a temporary name first) and remove the older ones."""
    try:
        _write(path, pickle.dumps(model, protocol=pickle.HIGHEST_PROTOCOL))
        for old in path.parent.glob("model-*.pickle"):
            if old != path:
                old.unlink(missing_ok=True)
    except OSError:
        pass  # a read-only cache folder only costs a rebuild next time


# ---------------------------------------------------------------- the quick path


def sqlite_file(explicit: str | None) -> Path | None:
    """The SQLite file a ``--db`` value (else ``$REVIEWTOOL_DB``, else the default) names, as
    ``storage.database.resolve_url`` reads it; ``None`` for a server or a URL with options."""
    url = explicit or os.environ.get(DB_ENV_VAR) or default_database_url()
    if "://" not in url:
        return Path(url).expanduser().resolve()
    prefix = "sqlite:///"
    if not url.startswith(prefix) or "?" in url or url[len(prefix) :] in ("", ":memory:"):
        return None
    return Path(url[len(prefix) :]).expanduser().resolve()


def _state(path: Path) -> list | None:
    """What changes whenever anything is written to the file: it and its write-ahead log."""
    try:
        main = path.stat()
    except OSError:
        return None
    try:
        wal = Path(f"{path}-wal").stat()
        wal_state = [wal.st_size, wal.st_mtime_ns, wal.st_ino]
    except OSError:
        wal_state = None
    return [str(path), main.st_size, main.st_mtime_ns, main.st_ino, wal_state, _program()]


def _program() -> str:
    """This program: a new version, model or migration takes the full path (and may upgrade)."""
    try:
        migrations = migrations_dir().stat().st_mtime_ns
    except OSError:
        migrations = 0
    return f"{__version__}:{MODEL_VERSION}:{migrations}"


def _stamp_path(path: Path) -> Path:
    return cache_dir() / f"stamp-{hashlib.sha256(str(path).encode('utf-8')).hexdigest()[:24]}.json"


def remember(path: Path, key: str) -> None:
    """After a full call on ``path`` (closed again) that answered from model ``key``."""
    state = _state(path)
    if state is None or not model_path(key).is_file():
        return
    try:
        _write(_stamp_path(path), json.dumps({"state": state, "key": key}).encode("utf-8"))
    except OSError:
        pass


def quick_suggester(explicit: str | None) -> AreaSuggester | None:
    """The cached model for this SQLite file when nothing was written to it since the last
    full call stamped it; ``None`` when the full path is needed."""
    path = sqlite_file(explicit)
    if path is None:
        return None
    try:
        stamp = json.loads(_stamp_path(path).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(stamp, dict) or stamp.get("state") != _state(path) or not isinstance(stamp.get("key"), str):
        return None
    model = load_model(model_path(stamp["key"]))
    return AreaSuggester(model=model) if model is not None else None
