"""Files attached to an application (申报书 PDF, budget sheets …).

The bytes are stored in the database (``attachment_content``) with their
SHA-256, so a shared PostgreSQL server serves them to every workstation; the
checksum is verified whenever a file is read back.
"""

from __future__ import annotations

import hashlib
import mimetypes
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from reviewtool.core.errors import NotFound, UserError
from reviewtool.i18n import N_, _
from reviewtool.services import audit, files
from reviewtool.services.changes import Changes
from reviewtool.storage.models import Application, Attachment, AttachmentContent

MAX_ATTACHMENT_BYTES = 200 * 1024 * 1024

KINDS = {
    "application_form": N_("Application form (申报书)"),
    "budget": N_("Budget sheet"),
    "certificate": N_("Certificate or licence"),
    "other": N_("Other"),
}


@dataclass(frozen=True)
class AttachmentRow:
    id: int
    kind: str
    filename: str
    media_type: str
    size: int
    sha256: str
    added_by: str
    added_at: object


def _guess_kind(name: str) -> str:
    lowered = name.lower()
    if "申报书" in name or "申请书" in name:
        return "application_form"
    if "预算" in name or "budget" in lowered:
        return "budget"
    return "other"


def add_attachment(
    session: Session, application_id: int, path: str | Path, *, actor: str, kind: str | None = None
) -> tuple[int, Changes]:
    path = Path(path)
    application = session.get(Application, application_id)
    if application is None:
        raise NotFound(_("Application {id} does not exist.").format(id=application_id))
    if not path.is_file():
        raise UserError(_("{file}: the file does not exist.").format(file=path))
    size = path.stat().st_size
    if size > MAX_ATTACHMENT_BYTES:
        raise UserError(
            _("{file}: too large to attach ({size} MB; at most {limit} MB).").format(
                file=path.name, size=size // (1024 * 1024), limit=MAX_ATTACHMENT_BYTES // (1024 * 1024)
            )
        )
    data = path.read_bytes()
    digest = hashlib.sha256(data).hexdigest()
    duplicate = session.scalar(
        select(Attachment.filename).where(Attachment.application_id == application_id, Attachment.sha256 == digest)
    )
    if duplicate:
        raise UserError(_("{file} is already attached (as {other}).").format(file=path.name, other=duplicate))
    kind = kind or _guess_kind(path.name)
    if kind not in KINDS:
        raise UserError(_("Unknown attachment kind {kind}.").format(kind=kind))
    attachment = Attachment(
        application_id=application_id,
        kind=kind,
        filename=path.name[:255],
        media_type=mimetypes.guess_type(path.name)[0] or "application/octet-stream",
        size=len(data),
        sha256=digest,
        added_by=actor,
    )
    session.add(attachment)
    session.flush()
    session.add(AttachmentContent(attachment_id=attachment.id, data=data))
    audit.record(
        session,
        actor=actor,
        action="attachment.add",
        entity_type="application",
        entity_id=application_id,
        batch_id=application.batch_id,
        summary=_("Attached {file} to {number}").format(file=path.name, number=application.number),
        details={"attachment_id": attachment.id, "sha256": digest, "size": len(data)},
    )
    session.flush()
    return attachment.id, Changes(applications=True)


def list_attachments(session: Session, application_id: int) -> list[AttachmentRow]:
    stmt = (
        select(Attachment)
        .where(Attachment.application_id == application_id)
        .order_by(Attachment.added_at, Attachment.id)
    )
    return [
        AttachmentRow(a.id, a.kind, a.filename, a.media_type, a.size, a.sha256, a.added_by, a.added_at)
        for a in session.scalars(stmt)
    ]


def read_attachment(session: Session, attachment_id: int) -> tuple[str, bytes]:
    """The file name and bytes, after checking them against the stored checksum."""
    attachment = session.get(Attachment, attachment_id)
    content = session.get(AttachmentContent, attachment_id)
    if attachment is None or content is None:
        raise NotFound(_("Attachment {id} does not exist.").format(id=attachment_id))
    data = bytes(content.data)
    if hashlib.sha256(data).hexdigest() != attachment.sha256:
        raise UserError(
            _("{file}: the stored file does not match its checksum; it was damaged in the database.").format(
                file=attachment.filename
            )
        )
    return attachment.filename, data


def export_attachment(session: Session, attachment_id: int, folder: str | Path) -> Path:
    """Write the attachment into ``folder`` (for opening it with the desktop's viewer)."""
    name, data = read_attachment(session, attachment_id)
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    safe = "".join(c for c in name if c not in '\\/:*?"<>|') or f"attachment-{attachment_id}"
    target = folder / f"{attachment_id}-{safe}"
    files.write_bytes(target, data)  # atomic: a temporary name, then a rename
    return target


def remove_attachment(session: Session, attachment_id: int, *, actor: str) -> Changes:
    attachment = session.get(Attachment, attachment_id)
    if attachment is None:
        raise NotFound(_("Attachment {id} does not exist.").format(id=attachment_id))
    application = attachment.application
    audit.record(
        session,
        actor=actor,
        action="attachment.remove",
        entity_type="application",
        entity_id=application.id,
        batch_id=application.batch_id,
        summary=_("Removed {file} from {number}").format(file=attachment.filename, number=application.number),
        details={"sha256": attachment.sha256, "size": attachment.size},
    )
    session.delete(attachment)
    session.flush()
    return Changes(applications=True)
