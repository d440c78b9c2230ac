"""Word templates a bureau installs in place of the built-in ones."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import LargeBinary, String
from sqlalchemy.orm import Mapped, mapped_column

from reviewtool.storage.models.base import Base, utcnow


class DocumentTemplate(Base):
    """The bureau's own .docx for one document (公示, letters, …), shared by
    every workstation on the database; without a row the built-in template is used."""

    __tablename__ = "document_template"

    id: Mapped[int] = mapped_column(primary_key=True)
    document: Mapped[str] = mapped_column(String(32), unique=True)  # a code of docx_templates.DOCUMENTS
    filename: Mapped[str] = mapped_column(String(255))
    content: Mapped[bytes] = mapped_column(LargeBinary)
    sha256: Mapped[str] = mapped_column(String(64))
    installed_by: Mapped[str] = mapped_column(String(64), default="")
    installed_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
