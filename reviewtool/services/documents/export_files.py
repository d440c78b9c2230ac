"""What every document export shares: its result (the files written and
the warnings, missing characters named per document), the staging folder
that makes a many-file export all-or-nothing, and safe file names.

Files are written into a temporary folder beside the target (each file
itself through ``services.files``) and moved into place only when every
file is complete, so a cancelled or failed export leaves nothing
half-written and overwrites nothing with a partial file.
"""

from __future__ import annotations

import re
import shutil
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy.orm import Session

from reviewtool.core.errors import UserError
from reviewtool.i18n import _
from reviewtool.services import settings as data_settings
from reviewtool.services.documents.fonts import describe_characters
from reviewtool.services.progress import CancelToken
from reviewtool.storage.models import Batch


@dataclass(frozen=True)
class MissingCharacters:
    """Characters that no font on this machine has, in one written document."""

    document: str  # the file name
    characters: str

    def sentence(self) -> str:
        return _(
            "{document}: no installed font has {characters}; they are printed as their code points. "
            "Install a font that has them (Windows: SimSun-ExtB; Debian: fonts-hanazono) or choose one in the settings."
        ).format(document=self.document, characters=describe_characters(self.characters))

    def as_json(self) -> dict:
        return {
            "document": self.document,
            "characters": list(self.characters),
            "code_points": [f"U+{ord(ch):04X}" for ch in self.characters],
        }


@dataclass(frozen=True)
class ExportResult:
    files: tuple[Path, ...]
    documents: int
    font_warning: str | None = None
    skipped: tuple[str, ...] = field(default_factory=tuple)  # 申报编号 with nothing to print
    missing: tuple[MissingCharacters, ...] = ()
    notes: tuple[str, ...] = ()  # other things the user should know (e.g. an unset notice period)

    @property
    def warning(self) -> str | None:
        """Every warning in one text: the font in use, missing characters, notes."""
        parts = [p for p in (self.font_warning, *(m.sentence() for m in self.missing), *self.notes) if p]
        return "\n".join(parts) or None

    def as_json(self) -> dict:
        return {
            "files": [str(f) for f in self.files],
            "documents": self.documents,
            "warning": self.warning,
            "warnings": self.warning.splitlines() if self.warning else [],
            "skipped": list(self.skipped),
            "missing_characters": [m.as_json() for m in self.missing],
        }


_UNSAFE = re.compile(r'[\\/:*?"<>|\x00-\x1f]+')


def safe_filename(text: str, limit: int = 80) -> str:
    """A file name that Windows, macOS and Linux all accept."""
    name = _UNSAFE.sub("_", text).strip(" .") or "_"
    return name[:limit]


def get_batch(session: Session, batch_id: int) -> Batch:
    batch = session.get(Batch, batch_id)
    if batch is None:
        raise UserError(_("No batch with id {id}.").format(id=batch_id))
    return batch


def bureau_name(session: Session) -> str:
    return str(data_settings.get(session, data_settings.BUREAU_NAME) or "")


def layout_cancel(cancel: CancelToken) -> Callable[[str, int], None]:
    def on_progress(kind: str, value: int) -> None:
        cancel.check()

    return on_progress


class Staging:
    """A temporary folder beside the target; ``commit`` moves its files in.

    ``missing`` collects the missing characters of each file written."""

    def __init__(self, target_dir: Path) -> None:
        try:
            target_dir.mkdir(parents=True, exist_ok=True)
            self.path = Path(tempfile.mkdtemp(prefix=".reviewtool-export-", dir=target_dir))
        except OSError as exc:
            raise UserError(
                _("Cannot write {file}: {reason}").format(file=target_dir, reason=exc.strerror or exc)
            ) from exc
        self.target_dir = target_dir
        self.missing: list[MissingCharacters] = []

    def note_missing(self, name: str, characters: str) -> None:
        if characters:
            self.missing.append(MissingCharacters(name, characters))

    def commit(self) -> list[Path]:
        moved = []
        for item in sorted(self.path.iterdir()):
            final = self.target_dir / item.name
            item.replace(final)
            moved.append(final)
        self.cleanup()
        return moved

    def cleanup(self) -> None:
        shutil.rmtree(self.path, ignore_errors=True)

    def __enter__(self) -> Staging:
        return self

    def __exit__(self, exc_type, exc, tb) -> None:
        if exc_type is not None:
            self.cleanup()
