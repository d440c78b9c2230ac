"""Documents the bureau issues, and checking a PDF against them (文件指纹).

Every PDF an export writes gets a fingerprint before it is laid out: a
16-character code (``3F9A-0C1B-77E2-D405``) printed in each page's footer,
with a QR code of it, and stored in the PDF's keywords. Once the file is
complete its SHA-256 is written to the audit trail with what it holds (the
document, the batch, the application numbers, when and by whom), in the same
transaction as the rest. The audit trail is hash-chained, so the record of an
issued document cannot be altered unseen either (``reviewtool-cli audit verify``).

``verify_pdf`` reads a file's fingerprint, finds its record and compares the
file's hash: the file is the one the database issued, an altered copy of it,
or not a document of this database at all.

The fingerprint identifies; it does not sign. What proves a file unaltered is
its hash in the chained trail, which only the database's own users can write.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
import secrets
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from reviewtool.core.errors import UserError
from reviewtool.i18n import _
from reviewtool.services import audit
from reviewtool.storage.models import AuditEvent

ACTION = "documents.issued"
_FINGERPRINT = re.compile(r"reviewtool-fingerprint:([0-9A-F]{4}(?:-[0-9A-F]{4}){3})")
#: The /Keywords entry of a PDF's document information: a literal ``(…)`` or a hex ``<…>`` string.
_KEYWORDS = re.compile(rb"/Keywords\s*(\((?:\\.|[^\\)])*\)|<[0-9A-Fa-f\s]*>)", re.DOTALL)
_ESCAPES = {b"n": b"\n", b"r": b"\r", b"t": b"\t", b"b": b"\b", b"f": b"\f"}


def new_fingerprint() -> str:
    """A fresh code: 64 random bits, as four groups of four hexadecimal digits."""
    raw = secrets.token_hex(8).upper()
    return "-".join(raw[i : i + 4] for i in range(0, 16, 4))


def file_hash(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


@dataclass
class _Pending:
    fingerprint: str
    name: str
    numbers: tuple[str, ...]


@dataclass
class Ledger:
    """The PDFs of one export: ``issue`` a fingerprint for each file before it is
    written, then ``record`` them all once the files are complete."""

    kind: str  # e.g. 专家评审表, 拟立项项目清单
    batch_id: int | None
    batch_name: str
    pending: list[_Pending] = field(default_factory=list)

    def issue(self, name: str, numbers: Iterable[str] = ()) -> str:
        fingerprint = new_fingerprint()
        self.pending.append(_Pending(fingerprint, name, tuple(numbers)))
        return fingerprint

    def record(self, session: Session, folder: Path, *, actor: str | None = None) -> None:
        """Write each issued file's hash to the audit trail; ``folder`` holds the files."""
        made_at = dt.datetime.now().astimezone().replace(microsecond=0).isoformat()
        for item in self.pending:
            audit.record(
                session,
                actor=actor or audit.default_actor(),
                action=ACTION,
                entity_type="document",
                batch_id=self.batch_id,
                summary=_("Issued {file} ({kind}), fingerprint {fingerprint}").format(
                    file=item.name, kind=self.kind, fingerprint=item.fingerprint
                ),
                details={
                    "fingerprint": item.fingerprint,
                    "file": item.name,
                    "kind": self.kind,
                    "batch": self.batch_name,
                    "numbers": list(item.numbers),
                    "sha256": file_hash(folder / item.name),
                    "made_at": made_at,
                },
            )
        self.pending.clear()


@dataclass(frozen=True)
class Verification:
    """What ``reviewtool-cli verify FILE.pdf`` says about one file."""

    file: str
    ok: bool
    reason: str
    fingerprint: str | None = None
    document: str | None = None  # the file name it was issued under
    kind: str | None = None
    batch: str | None = None
    made_at: str | None = None
    made_by: str | None = None
    numbers: tuple[str, ...] = ()

    def as_json(self) -> dict:
        return {
            "ok": self.ok,
            "file": self.file,
            "reason": self.reason,
            "fingerprint": self.fingerprint,
            "document": self.document,
            "kind": self.kind,
            "batch": self.batch,
            "made_at": self.made_at,
            "made_by": self.made_by,
            "applications": list(self.numbers),
        }


def _pdf_string(token: bytes) -> str:
    """A PDF string token as text: literal strings with their escapes, hex strings, UTF-16 or Latin-1."""
    if token.startswith(b"<"):
        raw = bytes.fromhex(re.sub(rb"\s", b"", token[1:-1]).decode("ascii"))
    else:
        raw = re.sub(
            rb"\\([0-7]{1,3}|.)",
            lambda m: bytes([int(m[1], 8) & 0xFF]) if m[1][:1].isdigit() else _ESCAPES.get(m[1], m[1]),
            token[1:-1],
            flags=re.DOTALL,
        )
    if raw.startswith(b"\xfe\xff"):
        return raw[2:].decode("utf-16-be", errors="replace")
    return raw.decode("latin-1")


def read_fingerprint(path: Path) -> str | None:
    """The fingerprint in a PDF's keywords, however the last program to save the file wrote them
    (editors that append their changes keep ours; the newest entry wins)."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise UserError(_("Cannot read {file}: {reason}").format(file=path, reason=exc.strerror or exc)) from exc
    found: Sequence[str] = [m for token in _KEYWORDS.findall(data) for m in _FINGERPRINT.findall(_pdf_string(token))]
    return found[-1] if found else None


def verify_pdf(session: Session, path: str | Path) -> Verification:
    """Whether this database issued ``path`` as it is. Reads only."""
    path = Path(path)
    fingerprint = read_fingerprint(path)
    if fingerprint is None:
        return Verification(
            path.name,
            False,
            _("{file} carries no fingerprint: it is not a document issued by reviewtool.").format(file=path.name),
        )
    events = session.scalars(
        select(AuditEvent).where(AuditEvent.action == ACTION, AuditEvent.summary.contains(fingerprint))
    ).all()
    event = next((e for e in events if (e.details or {}).get("fingerprint") == fingerprint), None)
    if event is None:
        return Verification(
            path.name,
            False,
            _("This database issued no document with fingerprint {fingerprint}.").format(fingerprint=fingerprint),
            fingerprint,
        )
    details = event.details
    facts = {
        "fingerprint": fingerprint,
        "document": details.get("file"),
        "kind": details.get("kind"),
        "batch": details.get("batch"),
        "made_at": details.get("made_at"),
        "made_by": event.actor,
        "numbers": tuple(details.get("numbers") or ()),
    }
    if file_hash(path) != details.get("sha256"):
        reason = _(
            "Fingerprint {fingerprint} belongs to {document} ({kind}, {batch}, issued {made_at}), "
            "but this file's content differs from what was issued: it has been altered."
        ).format(**facts)
        return Verification(path.name, False, reason, **facts)
    reason = _("Issued by this database: {document} ({kind}, {batch}), {made_at}, by {made_by}.").format(**facts)
    return Verification(path.name, True, reason, **facts)
