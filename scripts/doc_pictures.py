#!/usr/bin/env python3
"""Draw the pictures of the documents in the user guide (docs/images/documents-*.png)
from real exports of the demonstration batch: each document exported by the
app's own export service, one page of it rendered with ``pdftoppm`` at 60 dpi
(A4 is then 496 × 702 pixels); the Word documents are converted to PDF by
LibreOffice first, as the bureau would open them.

    python scripts/doc_pictures.py              # rewrite docs/images/documents-*.png
    python scripts/doc_pictures.py --out DIR    # write them elsewhere, to look at first

It needs ``pdftoppm`` (poppler-utils) and, for the Word pictures,
``soffice`` (libreoffice-writer). tests/documents/test_doc_pictures.py runs it
on every test run (into build/screenshots/; with ``REVIEWTOOL_DOC_IMAGES=1``
into docs/images/, like the GUI screenshots). Look at the pictures before
committing them: each carries a new 文件指纹, so they change on every run.
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
DOC_IMAGES = REPO / "docs" / "images"
DPI = 60
APPLICATION = "HDKJ2025-001"  # the demo's first application: its sheets, panel sheet and comments
REJECTED = "HDKJ2025-002"  # a 不予立项 letter with the experts' comments
PANEL = "第一专家组"
#: The batch's 公示与通知设置, as the user guide's example sets them (docs/documents.md).
SETTINGS = {
    "publicity_start": "2025-07-01", "publicity_end": "2025-07-07", "contact": "李娟", "phone": "0972-8612345",
    "address": "海东市平安区平安大道", "issued": "2025-07-01", "show_amount": True, "meeting_date": "2025-06-20",
    "meeting_place": "海东市科技局三楼会议室",
}  # fmt: skip


@dataclass(frozen=True)
class Picture:
    name: str  # docs/images/<name>.png
    source: Path  # the PDF the page is taken from (for a Word document, LibreOffice's PDF of it)
    page: int  # 1-based
    png: Path | None = None


def _ids(session, batch_id: int) -> dict[str, int]:
    from sqlalchemy import select

    from reviewtool.storage.models import Application

    rows = session.execute(select(Application.number, Application.id).where(Application.batch_id == batch_id))
    return {number: id_ for number, id_ in rows}


def _exports(session, batch_id: int, work: Path) -> tuple[list[Picture], list[tuple[str, Path, int]]]:
    """The PDF pages to draw, and the Word documents to convert: (name, .docx, page)."""
    from reviewtool.services.documents.export import SheetKind, export_sheets, export_summary
    from reviewtool.services.documents.export_notices import (
        export_meeting_sheet,
        export_notices,
        export_panel_docx,
        export_publicity,
    )
    from reviewtool.services.documents.notice_settings import set_notice_settings

    set_notice_settings(session, batch_id, SETTINGS, actor="doc_pictures")
    ids = _ids(session, batch_id)
    one, rejected = [ids[APPLICATION]], [ids[REJECTED]]

    def sheets(kind: SheetKind) -> Path:
        return export_sheets(session, batch_id, work / kind.value, kind=kind, application_ids=one).files[0]

    pdfs: list[tuple[str, Callable[[], Path], int]] = [
        ("documents-expert-sheet", lambda: sheets(SheetKind.EXPERT), 1),
        ("documents-blank-sheet", lambda: sheets(SheetKind.BLANK), 1),
        ("documents-panel-sheet", lambda: sheets(SheetKind.PANEL), 2),  # the leader's box, signature, members
        ("documents-applicant", lambda: sheets(SheetKind.APPLICANT), 1),
        (
            "documents-summary",
            lambda: export_summary(session, batch_id, work / "拟立项项目清单.pdf", funded_only=True).files[0],
            1,
        ),  # fmt: skip
        ("documents-publicity", lambda: export_publicity(session, batch_id, work / "公示.pdf").files[0], 1),
        (
            "documents-notice",
            lambda: export_notices(session, batch_id, work / "notices", application_ids=rejected).files[0],
            1,
        ),  # fmt: skip
        (
            "documents-signin",
            lambda: export_meeting_sheet(session, batch_id, work / "签到表.pdf", panel=PANEL).files[0],
            1,
        ),  # fmt: skip
        (
            "documents-fees",
            lambda: export_meeting_sheet(session, batch_id, work / "评审费签领表.pdf", panel=PANEL, fees=True).files[0],
            1,
        ),  # fmt: skip
    ]
    pictures = [Picture(name, export(), page) for name, export, page in pdfs]
    words = [
        ("documents-word-panel", export_panel_docx(session, batch_id, work / "word", application_ids=one).files[0], 1),
        ("documents-word-publicity", export_publicity(session, batch_id, work / "公示.docx").files[0], 1),
    ]
    return pictures, words


def soffice() -> str | None:
    return shutil.which("soffice") or shutil.which("libreoffice")


def _convert(documents: list[Path], work: Path) -> dict[Path, Path]:
    """Each .docx converted to PDF by LibreOffice (one run for all)."""
    out = work / "libreoffice"
    subprocess.run(
        [soffice(), "--headless", f"-env:UserInstallation={(work / 'lo-profile').as_uri()}", "--convert-to", "pdf",
         "--outdir", str(out), *map(str, documents)],
        check=True, capture_output=True, timeout=300,
    )  # fmt: skip
    return {d: out / f"{d.stem}.pdf" for d in documents}


def _draw(picture: Picture, out_dir: Path) -> Picture:
    target = out_dir / f"{picture.name}.png"
    stem = target.with_suffix("")
    subprocess.run(
        ["pdftoppm", "-png", "-r", str(DPI), "-f", str(picture.page), "-l", str(picture.page), "-singlefile",
         str(picture.source), str(stem)],
        check=True, capture_output=True, timeout=120,
    )  # fmt: skip
    try:  # 256 colours, no dithering (as the GUI screenshots): well under 100 KB, looks the same
        from PIL import Image

        with Image.open(target) as image:
            small = image.convert("RGB").quantize(256, method=Image.Quantize.MEDIANCUT, dither=Image.Dither.NONE)
        small.save(target, optimize=True)
    except ImportError:
        pass
    return Picture(picture.name, picture.source, picture.page, target)


def make_pictures(db, out_dir: Path, work: Path, *, word: bool = True) -> list[Picture]:
    """Export the documents of the demo batch in ``db`` into ``work`` and draw their pictures
    into ``out_dir``; ``word``: also the Word documents (needs LibreOffice)."""
    from sqlalchemy import select

    from reviewtool.storage.models import Batch

    out_dir.mkdir(parents=True, exist_ok=True)
    with db.session() as session:
        batch_id = session.scalar(select(Batch.id).order_by(Batch.id))
        pictures, words = _exports(session, batch_id, work)
    if word:
        pdfs = _convert([path for _name, path, _page in words], work)
        pictures += [Picture(name, pdfs[path], page) for name, path, page in words]
    return [_draw(p, out_dir) for p in pictures]


def demo_database(folder: Path):
    """A new SQLite database in ``folder`` with the demonstration data loaded."""
    from reviewtool.services.demo import load_demo
    from reviewtool.services.setup import open_database

    db = open_database(f"sqlite:///{(folder / 'demo.sqlite3').as_posix()}")
    with db.session() as session:
        load_demo(session, actor="doc_pictures")
    return db


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, default=DOC_IMAGES, help="folder for the pictures (default docs/images)")
    args = parser.parse_args(argv)
    if shutil.which("pdftoppm") is None:
        print("pdftoppm is missing: install poppler-utils", file=sys.stderr)
        return 1
    word = soffice() is not None
    if not word:
        print("LibreOffice is missing: the Word pictures are left as they are", file=sys.stderr)
    with tempfile.TemporaryDirectory(prefix="doc-pictures-db-") as tmp:
        db = demo_database(Path(tmp))
        try:
            for picture in make_pictures(db, args.out, Path(tmp), word=word):
                print(picture.png)
        finally:
            db.dispose()
    return 0


if __name__ == "__main__":
    sys.exit(main())
