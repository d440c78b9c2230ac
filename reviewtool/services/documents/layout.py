"""Page layout shared by every PDF document: A4 templates (portrait and
landscape), a header with the bureau and the document title, a 保密 mark,
and a footer ``第 x 页 共 y 页`` that counts the pages of each document —
so a combined file of many sheets numbers each sheet on its own.

The page count needs two passes: ``_NumberedCanvas`` keeps every page's
state and draws the header and footer only when the document is saved,
when the totals are known. ``DocumentStart`` flowables mark where a new
document (with its own title and numbering) begins inside one file.

``Styles`` turns plain text into paragraphs through
``DocumentFonts.markup`` — text is always escaped, so ``<b>`` or ``&`` in a
title prints literally. Tables repeat their header rows on each page and
may split inside a tall row, so long comments flow across pages.

Thread-safety: the functions build new objects on every call; a build may
run on any thread.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from reportlab.graphics import renderPDF
from reportlab.graphics.barcode.qr import QrCodeWidget
from reportlab.graphics.shapes import Drawing
from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER, TA_LEFT, TA_RIGHT
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfgen import canvas as rl_canvas
from reportlab.platypus import (
    BaseDocTemplate,
    Flowable,
    Frame,
    FrameBreak,
    PageTemplate,
    Paragraph,
    Spacer,
    Table,
    TableStyle,
)

from reviewtool.i18n import _
from reviewtool.services.documents.fonts import DocumentFonts

MARGIN = 18 * mm
HEADER_GAP = 10 * mm
GRID = colors.HexColor("#333333")
HEADER_FILL = colors.HexColor("#E8ECF2")
SECRET_RED = colors.HexColor("#B00020")


@dataclass(frozen=True)
class PageInfo:
    """What the header of each page of one document shows, so that a loose
    page can be matched to its document: the bureau, the document, the
    application (number and title) and, on internal copies, the expert."""

    title: str  # the document's name, e.g. 专家评审表
    subtitle: str = ""  # e.g. 申报编号 or the batch
    bureau: str = ""
    confidential: bool = True
    detail: str = ""  # e.g. the project title, shortened to fit
    person: str = ""  # e.g. 专家：王专家 (internal copies only)

    def texts(self) -> tuple[str, ...]:
        return (self.title, self.subtitle, self.bureau, self.detail, self.person)


class DocumentStart(Flowable):
    """Zero-size marker: a new document (new header, numbering from 1) starts here."""

    def __init__(self, info: PageInfo) -> None:
        super().__init__()
        self.info = info
        self.width = self.height = 0

    def wrap(self, availWidth, availHeight):  # noqa: N803 - reportlab API
        return 0, 0

    def draw(self) -> None:
        start = getattr(self.canv, "start_document", None)
        if start is not None:
            start(self.info)


class _NumberedCanvas(rl_canvas.Canvas):
    """Two-pass canvas: pages are kept until ``save`` so that each can say
    第 x 页 共 y 页 for its own document."""

    fonts: DocumentFonts  # set by ``build_pdf`` through a subclass
    first_info: PageInfo
    fingerprint: str = ""  # the file's 文件指纹 (``services.documents.issued``), on every page

    def __init__(self, *args, **kwargs) -> None:
        # Start every page in the document font, so no unembedded Helvetica is referenced.
        kwargs.setdefault("initialFontName", self.fonts.name)
        super().__init__(*args, **kwargs)
        self._pages: list[tuple[dict, int, PageInfo]] = []
        self._doc_index = 0
        self._info = self.first_info

    def start_document(self, info: PageInfo) -> None:
        # Builders put a PageBreak before every DocumentStart but the first, so
        # the marker is drawn on the first page of its document: that page is
        # not stored yet, and the stored pages belong to the previous document.
        if self._pages and self._pages[-1][1] == self._doc_index:
            self._doc_index += 1
        self._info = info

    def showPage(self) -> None:  # noqa: N802 - reportlab API
        self._pages.append((dict(self.__dict__), self._doc_index, self._info))
        self._startPage()

    def save(self) -> None:
        totals: dict[int, int] = {}
        for _state, index, _info in self._pages:
            totals[index] = totals.get(index, 0) + 1
        seen: dict[int, int] = {}
        for state, index, info in self._pages:
            self.__dict__.update(state)
            seen[index] = seen.get(index, 0) + 1
            self._decorate(info, seen[index], totals[index])
            super().showPage()
        super().save()

    def _decorate(self, info: PageInfo, page: int, total: int) -> None:
        fonts = self.fonts
        width, height = self._pagesize
        self.saveState()
        self.setFillColor(colors.HexColor("#555555"))
        mark_width = 0.0
        if info.confidential:
            mark = _("Confidential")
            mark_width = text_width(fonts, mark, 11) + 10 * mm
        room = width - 2 * MARGIN - mark_width
        parts = [part for part in (info.bureau, info.title, info.subtitle) if part]
        tail = [part for part in (info.person,) if part]
        left = fit_text(fonts, parts, info.detail, tail, 9, room)
        draw_text(self, fonts, MARGIN, height - MARGIN + 4 * mm, left, 9)
        self.setStrokeColor(colors.HexColor("#999999"))
        self.setLineWidth(0.5)
        self.line(MARGIN, height - MARGIN + 2.5 * mm, width - MARGIN, height - MARGIN + 2.5 * mm)
        footer = _("Page {page} of {total}").format(page=page, total=total)
        draw_text(self, fonts, width / 2, MARGIN - 9 * mm, footer, 9, centred=True)
        if self.fingerprint:
            self._draw_fingerprint(width)
        if info.confidential:
            size = 11
            mark_text = text_width(fonts, mark, size)
            x = width - MARGIN - mark_text - 4 * mm
            y = height - MARGIN + 5 * mm
            self.setStrokeColor(SECRET_RED)
            self.setFillColor(SECRET_RED)
            self.setLineWidth(1)
            self.rect(x - 2 * mm, y - 1.6 * mm, mark_text + 4 * mm, 6 * mm, stroke=1, fill=0)
            draw_text(self, fonts, x, y, mark, size)
        self.restoreState()

    def _draw_fingerprint(self, width: float) -> None:
        """The fingerprint at the foot of the page, left, and its QR code, right. The QR code is
        one form drawn once per file and placed on each page (a sheet packet has thousands)."""
        text = _("Fingerprint {fingerprint}").format(fingerprint=self.fingerprint)
        draw_text(self, self.fonts, MARGIN, MARGIN - 9 * mm, text, 7)
        if not getattr(self, "_qr_form", False):
            self.beginForm("fingerprint_qr")
            renderPDF.draw(qr_drawing(QR_PREFIX + self.fingerprint, QR_SIZE), self, 0, 0)
            self.endForm()
            self._qr_form = True
        self.saveState()
        self.translate(width - MARGIN - QR_SIZE, MARGIN - 9 * mm - QR_SIZE / 2 + 1 * mm)
        self.doForm("fingerprint_qr")
        self.restoreState()


SEPARATOR = " · "


def text_width(fonts: DocumentFonts, text: str, size: float) -> float:
    return sum(pdfmetrics.stringWidth(chunk, face, size) for face, chunk in fonts.runs(text))


def draw_text(canvas, fonts: DocumentFonts, x: float, y: float, text: str, size: float, *, centred=False) -> None:
    """One line of plain text on the canvas, each run in a font that has it."""
    runs = fonts.runs(text)
    if centred:
        x -= sum(pdfmetrics.stringWidth(chunk, face, size) for face, chunk in runs) / 2
    for face, chunk in runs:
        canvas.setFont(face, size)
        canvas.drawString(x, y, chunk)
        x += pdfmetrics.stringWidth(chunk, face, size)


def fit_text(fonts: DocumentFonts, head: list[str], detail: str, tail: list[str], size: float, room: float) -> str:
    """``head · detail · tail`` in one line of ``room`` points, the detail
    shortened with "…" when needed (the head and tail are kept whole)."""

    def join(middle: str) -> str:
        return SEPARATOR.join([*head, *([middle] if middle else []), *tail])

    text = join(detail)
    if not detail or text_width(fonts, text, size) <= room:
        return text
    low, high = 0, len(detail)
    while low < high:  # the longest prefix that fits
        mid = (low + high + 1) // 2
        if text_width(fonts, join(detail[:mid] + "…"), size) <= room:
            low = mid
        else:
            high = mid - 1
    return join(detail[:low] + "…" if low else "")


class Styles:
    """Paragraph styles in the document font, and helpers that escape text."""

    def __init__(self, fonts: DocumentFonts) -> None:
        self.fonts = fonts
        #: characters no installed font has, met while building paragraphs (see ``take_missing``)
        self.missing: set[str] = set()
        name = fonts.name
        self.title = ParagraphStyle("rt-title", fontName=name, fontSize=18, leading=24, alignment=TA_CENTER)
        self.subtitle = ParagraphStyle("rt-subtitle", fontName=name, fontSize=11, leading=15, alignment=TA_CENTER)
        self.heading = ParagraphStyle(
            "rt-heading", fontName=name, fontSize=12, leading=16, spaceBefore=8, spaceAfter=4, textColor=colors.black
        )
        self.body = ParagraphStyle("rt-body", fontName=name, fontSize=10.5, leading=16, wordWrap="CJK")
        self.cell = ParagraphStyle("rt-cell", fontName=name, fontSize=9.5, leading=13, wordWrap="CJK")
        self.cell_small = ParagraphStyle("rt-cell-small", fontName=name, fontSize=8.5, leading=11, wordWrap="CJK")
        self.cell_head = ParagraphStyle(
            "rt-cell-head", fontName=name, fontSize=9.5, leading=13, alignment=TA_CENTER, wordWrap="CJK"
        )
        self.cell_right = ParagraphStyle(
            "rt-cell-right", fontName=name, fontSize=9.5, leading=13, alignment=TA_RIGHT, wordWrap="CJK"
        )
        self.cell_center = ParagraphStyle(
            "rt-cell-center", fontName=name, fontSize=9.5, leading=13, alignment=TA_CENTER, wordWrap="CJK"
        )
        self.note = ParagraphStyle(
            "rt-note", fontName=name, fontSize=8.5, leading=12, textColor=colors.HexColor("#444444"), wordWrap="CJK"
        )
        self.signature = ParagraphStyle(
            "rt-signature", fontName=name, fontSize=10.5, leading=22, alignment=TA_LEFT, wordWrap="CJK"
        )

    def p(self, text: object, style: ParagraphStyle | None = None) -> Paragraph:
        """A paragraph of plain text (escaped; never interpreted as markup)."""
        return Paragraph(self.fonts.markup(text, self.missing), style or self.body)

    def start(self, info: PageInfo) -> DocumentStart:
        """The marker that starts a document; its header texts are checked for missing characters."""
        for text in info.texts():
            self.fonts.runs(text, self.missing)
        return DocumentStart(info)

    def take_missing(self) -> str:
        """The missing characters met since the last call, in code point order; clears them."""
        found = "".join(sorted(self.missing))
        self.missing.clear()
        return found


class BreakingTable(Table):
    """A ``Table`` whose split always ends the frame after its first part.

    reportlab tries the rest of a split table in the space left below the
    first part; with in-row splitting that space often takes the repeated
    header and a sliver of the next row — a stray header in mid-page or two
    empty headers stacked at the foot. Ending the frame there puts the rest,
    with its header, on the next page."""

    def split(self, availWidth, availHeight):  # noqa: N803 - reportlab API
        parts = super().split(availWidth, availHeight)
        if len(parts) < 2:
            return parts
        return [parts[0], FrameBreak(), *parts[1:]]


def table(
    rows: Sequence[Sequence[object]],
    col_widths: Sequence[float],
    *,
    header_rows: int = 1,
    style: Sequence[tuple] = (),
    zebra: bool = False,
    row_heights: Sequence[float | None] | None = None,
    keep_last: int = 0,
) -> Table:
    """A ruled table that repeats its header rows on every page and can split
    inside a tall row. Cells should be paragraphs (see ``Styles``).
    ``keep_last`` rows at the end stay on one page (a 合计 row with the row before it)."""
    t = BreakingTable(
        [list(r) for r in rows],
        colWidths=list(col_widths),
        rowHeights=list(row_heights) if row_heights else None,
        repeatRows=header_rows,
        splitByRow=1,
        splitInRow=1,
        hAlign="CENTER",
    )
    commands = [
        ("GRID", (0, 0), (-1, -1), 0.6, GRID),
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
        ("LEFTPADDING", (0, 0), (-1, -1), 4),
        ("RIGHTPADDING", (0, 0), (-1, -1), 4),
        ("TOPPADDING", (0, 0), (-1, -1), 3),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 3),
    ]
    if header_rows:
        commands.append(("BACKGROUND", (0, 0), (-1, header_rows - 1), HEADER_FILL))
    if zebra:
        for index in range(header_rows, len(rows)):
            if (index - header_rows) % 2 == 1:
                commands.append(("BACKGROUND", (0, index), (-1, index), colors.HexColor("#F7F7F7")))
    if keep_last > 1 and len(rows) - header_rows >= keep_last:
        commands.append(("NOSPLIT", (0, len(rows) - keep_last), (-1, -1)))
    commands.extend(style)
    t.setStyle(TableStyle(commands))
    return t


def page_size(wide: bool) -> tuple[float, float]:
    return landscape(A4) if wide else A4


def frame_width(wide: bool) -> float:
    return page_size(wide)[0] - 2 * MARGIN


def build_pdf(
    target: str | Path | IO[bytes],
    story: list[Flowable],
    *,
    fonts: DocumentFonts,
    info: PageInfo,
    wide: bool = False,
    author: str = "",
    on_progress=None,
    fingerprint: str = "",
) -> None:
    """Lay out ``story`` on A4 (landscape when ``wide``) and write the PDF; a
    ``fingerprint`` is printed on every page and kept in the PDF's keywords.

    ``info`` labels the first document; ``DocumentStart`` flowables in the
    story start further documents with their own header and numbering.
    """
    size = page_size(wide)
    doc = BaseDocTemplate(
        str(target) if isinstance(target, Path) else target,
        pagesize=size,
        leftMargin=MARGIN,
        rightMargin=MARGIN,
        topMargin=MARGIN + HEADER_GAP / 2,
        bottomMargin=MARGIN,
        title=info.title,
        subject=info.subtitle,
        author=author or info.bureau,
        creator="reviewtool",
        keywords=[f"reviewtool-fingerprint:{fingerprint}"] if fingerprint else [],
    )
    frame = Frame(doc.leftMargin, doc.bottomMargin, doc.width, doc.height, id="body")
    doc.addPageTemplates([PageTemplate(id="page", frames=[frame], pagesize=size)])
    if on_progress is not None:
        doc.setProgressCallBack(on_progress)  # (kind, value); may raise to stop the build
    canvas_class = type(
        "_DocCanvas", (_NumberedCanvas,), {"fonts": fonts, "first_info": info, "fingerprint": fingerprint}
    )
    doc.build(story, canvasmaker=canvas_class)


QR_SIZE = 13 * mm
QR_PREFIX = "REVIEWTOOL:"


def qr_drawing(value: str, size: float) -> Drawing:
    """A QR code of ``value``, ``size`` points square (reportlab's own encoder)."""
    widget = QrCodeWidget(value, barLevel="M")
    x0, y0, x1, y1 = widget.getBounds()
    drawing = Drawing(size, size, transform=[size / (x1 - x0), 0, 0, size / (y1 - y0), 0, 0])
    drawing.add(widget)
    return drawing


def gap(height_mm: float = 4) -> Spacer:
    return Spacer(1, height_mm * mm)
