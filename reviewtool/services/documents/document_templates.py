"""The bureau's own Word templates, stored in the database.

- ``install_template(session, code, path, actor=)`` reads a .docx, checks it
  by filling it with sample data (a placeholder the document cannot fill,
  or a malformed tag, is refused with a message naming it), stores it and
  audits the change;
- ``remove_template`` goes back to the built-in template;
- ``template_for(session, code, **options)`` is what the exports fill: the
  installed template, else the built-in one;
- ``write_template(session, code, out)`` writes the one in use as a starting
  point for editing.

Templates are shared by every workstation on the database.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from reviewtool.core.errors import UserError
from reviewtool.i18n import _
from reviewtool.services import audit, files
from reviewtool.services.changes import Changes
from reviewtool.services.documents import docx_samples
from reviewtool.services.documents.docx_render import render_docx
from reviewtool.services.documents.docx_templates import DOCUMENTS, builtin_template
from reviewtool.services.documents.fonts import document_fonts
from reviewtool.storage.models import DocumentTemplate

MAX_TEMPLATE_BYTES = 20 * 1024 * 1024


@dataclass(frozen=True)
class TemplateInfo:
    code: str
    name: str  # translated
    installed: bool
    filename: str = ""
    installed_by: str = ""
    installed_at: dt.datetime | None = None

    def as_json(self) -> dict:
        return {
            "document": self.code,
            "name": self.name,
            "installed": self.installed,
            "filename": self.filename,
            "installed_by": self.installed_by,
            "installed_at": self.installed_at.isoformat() if self.installed_at else None,
        }


def _check_code(code: str) -> None:
    if code not in DOCUMENTS:
        raise UserError(
            _("Unknown document “{code}”; choose one of: {codes}.").format(code=code, codes=", ".join(DOCUMENTS))
        )


def list_templates(session: Session) -> list[TemplateInfo]:
    rows = {t.document: t for t in session.scalars(select(DocumentTemplate))}
    out = []
    for code, (name, _build) in DOCUMENTS.items():
        row = rows.get(code)
        out.append(
            TemplateInfo(
                code,
                _(name),
                row is not None,
                row.filename if row else "",
                row.installed_by if row else "",
                row.installed_at if row else None,
            )
        )
    return out


def template_for(session: Session, code: str, **options) -> tuple[bytes, str]:
    """(template bytes, its name for messages): the bureau's, else the built-in one."""
    _check_code(code)
    row = session.scalar(select(DocumentTemplate).where(DocumentTemplate.document == code))
    if row is not None:
        return row.content, row.filename
    return builtin_template(code, **options), _("built-in template “{name}”").format(name=_(DOCUMENTS[code][0]))


def sample_context(code: str) -> dict:
    """Data of the shape each document gets, to check a template before it is stored."""
    return docx_samples.SAMPLES[code]()


def install_template(session: Session, code: str, path: str | Path, *, actor: str) -> Changes:
    _check_code(code)
    path = Path(path)
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise UserError(_("Cannot read {file}: {reason}").format(file=path, reason=exc.strerror or exc)) from exc
    if len(data) > MAX_TEMPLATE_BYTES:
        raise UserError(_("{file} is larger than 20 MB.").format(file=path))
    render_docx(data, sample_context(code), name=path.name, fonts=document_fonts())  # raises naming the placeholder
    digest = hashlib.sha256(data).hexdigest()
    row = session.scalar(select(DocumentTemplate).where(DocumentTemplate.document == code))
    if row is None:
        row = DocumentTemplate(document=code, filename=path.name, content=data, sha256=digest, installed_by=actor)
        session.add(row)
    else:
        row.filename, row.content, row.sha256, row.installed_by = path.name, data, digest, actor
        row.installed_at = dt.datetime.now(dt.UTC)
    audit.record(
        session,
        actor=actor,
        action="documents.template_install",
        entity_type="document_template",
        summary=_("Installed the Word template {file} for {document}").format(
            file=path.name, document=_(DOCUMENTS[code][0])
        ),
        details={"document": code, "file": path.name, "sha256": digest},
    )
    return Changes(settings=True, message=_("Template installed."))


def remove_template(session: Session, code: str, *, actor: str) -> Changes:
    _check_code(code)
    row = session.scalar(select(DocumentTemplate).where(DocumentTemplate.document == code))
    if row is None:
        return Changes(message=_("The built-in template is already in use."))
    session.delete(row)
    audit.record(
        session,
        actor=actor,
        action="documents.template_remove",
        entity_type="document_template",
        summary=_("Removed the Word template {file} for {document}").format(
            file=row.filename, document=_(DOCUMENTS[code][0])
        ),
        details={"document": code, "file": row.filename},
    )
    return Changes(settings=True, message=_("The built-in template is in use again."))


def write_template(session: Session, code: str, out: str | Path) -> Path:
    """Write the template in use for ``code`` (to edit and install again)."""
    data, _name = template_for(session, code)
    return files.write_bytes(out, data)
