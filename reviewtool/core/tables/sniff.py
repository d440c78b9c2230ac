"""What a file really is, told by its bytes and not its name: a CSV or HTML
page renamed ``.xlsx``, an old binary ``.xls``, an encrypted workbook, a
corrupt or truncated zip (and zip bombs), a Word file, a PDF … each refused
with one clear message naming the file.
"""

from __future__ import annotations

import zipfile
from pathlib import Path

from reviewtool.core.tables.types import MAX_FILE_BYTES, MAX_UNCOMPRESSED_BYTES, TableError
from reviewtool.i18n import _

OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ZIP_MAGIC = b"PK\x03\x04"


def sniff(path: Path) -> str:
    """What the file really is: ``"xlsx"`` or ``"csv"``; anything else raises :class:`TableError`."""
    path = Path(path)
    name = path.name
    if not path.exists():
        raise TableError(_("{file}: the file does not exist.").format(file=name))
    if path.is_dir():
        raise TableError(_("{file}: is a folder, not a workbook.").format(file=name))
    size = path.stat().st_size
    if size == 0:
        raise TableError(_("{file}: the file is empty (0 bytes).").format(file=name))
    if size > MAX_FILE_BYTES:
        raise TableError(
            _("{file}: the file is too large ({size} MB; at most {limit} MB can be imported).").format(
                file=name, size=size // (1024 * 1024), limit=MAX_FILE_BYTES // (1024 * 1024)
            )
        )
    with path.open("rb") as handle:
        head = handle.read(8192)
    suffix = path.suffix.lower()
    if head.startswith(ZIP_MAGIC) or head.startswith(b"PK\x05\x06"):
        _check_zip(path)
        return "xlsx"
    if head.startswith(OLE_MAGIC):
        raise TableError(_describe_ole(path))
    if head.startswith(b"%PDF"):
        raise TableError(_("{file}: is a PDF document, not a workbook.").format(file=name))
    if b"\x00" in head[:4096] and not head.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise TableError(_("{file}: is not a workbook or a text table (unrecognised binary data).").format(file=name))
    text = head.decode("utf-8", errors="ignore") if not head.startswith((b"\xff\xfe", b"\xfe\xff")) else ""
    lowered = text.lstrip("\ufeff \r\n\t").lower()
    if lowered.startswith(("<!doctype html", "<html", "<table", "<?xml", "<meta")):
        if "urn:schemas-microsoft-com:office:spreadsheet" in lowered:
            raise TableError(
                _("{file}: is an Excel 2003 XML spreadsheet; open it in Excel or WPS and save it as .xlsx.").format(
                    file=name
                )
            )
        raise TableError(
            _(
                "{file}: is a web page (HTML) with a spreadsheet name, as some online systems export; "
                "open it in Excel or WPS and save it as .xlsx."
            ).format(file=name)
        )
    if suffix in (".xlsx", ".xlsm", ".xls", ".xltx", ".et"):
        raise TableError(
            _(
                "{file}: is a plain-text (CSV) file renamed {suffix}, not a real workbook; "
                "rename it to .csv or open it in Excel or WPS and save it as .xlsx."
            ).format(file=name, suffix=suffix)
        )
    return "csv"


def decode_text(data: bytes) -> str:
    """CSV text: UTF-8 (with or without BOM), UTF-16 with BOM, else GB18030 as Chinese Excel writes it."""
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8")
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return data.decode("gb18030")


def _check_zip(path: Path) -> None:
    name = path.name
    try:
        with zipfile.ZipFile(path) as archive:
            names = set(archive.namelist())
            total = sum(info.file_size for info in archive.infolist())
    except (zipfile.BadZipFile, OSError, EOFError, ValueError) as exc:
        raise TableError(
            _("{file}: the workbook is damaged or incomplete (not a valid zip package: {error}).").format(
                file=name, error=exc
            )
        ) from exc
    if "xl/workbook.xml" not in names:
        if "word/document.xml" in names:
            raise TableError(_("{file}: is a Word document, not a workbook.").format(file=name))
        if "ppt/presentation.xml" in names:
            raise TableError(_("{file}: is a PowerPoint presentation, not a workbook.").format(file=name))
        if "content.xml" in names and "mimetype" in names:
            raise TableError(
                _("{file}: is an OpenDocument spreadsheet; save it as .xlsx in WPS or LibreOffice.").format(file=name)
            )
        raise TableError(_("{file}: is a zip archive, not an Excel workbook.").format(file=name))
    if total > MAX_UNCOMPRESSED_BYTES:
        raise TableError(
            _("{file}: the workbook unpacks to {size} MB, more than the {limit} MB allowed.").format(
                file=name, size=total // (1024 * 1024), limit=MAX_UNCOMPRESSED_BYTES // (1024 * 1024)
            )
        )


def _describe_ole(path: Path) -> str:
    """An OLE compound file: encrypted OOXML, old binary .xls, or something else."""
    import olefile

    name = path.name
    try:
        with olefile.OleFileIO(str(path)) as ole:
            streams = {"/".join(entry).lower() for entry in ole.listdir(streams=True, storages=True)}
    except Exception:  # noqa: BLE001 - any parse failure means a damaged file
        return _("{file}: the file is damaged (an unreadable Office compound file).").format(file=name)
    if "encryptioninfo" in streams or "encryptedpackage" in streams:
        return _(
            "{file}: the workbook is protected with a password; open it in Excel or WPS, "
            "remove the password (File → Info → Protect Workbook) and save it again."
        ).format(file=name)
    if "workbook" in streams or "book" in streams:
        return _(
            "{file}: is an old Excel 97-2003 workbook (.xls); open it in Excel or WPS and save it as .xlsx."
        ).format(file=name)
    if "worddocument" in streams:
        return _("{file}: is an old Word document (.doc), not a workbook.").format(file=name)
    return _("{file}: is an Office compound file but not an Excel workbook.").format(file=name)
