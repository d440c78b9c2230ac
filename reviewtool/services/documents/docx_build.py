"""Building Word (.docx) documents styled as Chinese official documents,
with python-docx.

- **Page.** A4, the margins of GB/T 9704-2012 (党政机关公文格式: top 37 mm,
  bottom 35 mm, left 28 mm, right 26 mm), a footer ``第 x 页 共 y 页`` made of
  PAGE and SECTIONPAGES fields (so every document of a combined file counts
  its own pages: each is a section that restarts numbering).
- **Type.** Body 仿宋 (FangSong), titles 宋体 (SimSun) bold; Latin text and
  digits in Times New Roman, as official documents set them.
- **Tables.** Ruled; the header row repeats on each page and no row splits.
- **Page headers.** ``page_headers`` gives each section a header of its own
  naming its document (the application, the panel), with the 保密 mark on
  internal copies, so a loose page can be matched.

The built-in templates (``docx_templates``) are made with these helpers and
then rendered by docxtpl like any template the bureau supplies.

Thread-safety: each call works on its own document.
"""

from __future__ import annotations

import copy
import io

from docx import Document
from docx.enum.section import WD_HEADER_FOOTER
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_TAB_ALIGNMENT
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt, RGBColor

BODY_FONT = "仿宋"
TITLE_FONT = "宋体"
LATIN_FONT = "Times New Roman"
BODY_SIZE = Pt(14)  # 四号: forms; official notices use 三号 (16 pt) for their text
NOTICE_SIZE = Pt(16)
TABLE_SIZE = Pt(10.5)  # 五号
TITLE_SIZE = Pt(22)  # 二号
HEADER_SIZE = Pt(9)  # 小五, as the PDF's page header
HEADER_GREY = RGBColor(0x55, 0x55, 0x55)
SECRET_RED = RGBColor(0xB0, 0x00, 0x20)


def set_run_fonts(run_or_style, east_asia: str, latin: str = LATIN_FONT) -> None:
    """Set the East Asian and Latin fonts of a run or a style (python-docx sets only the Latin one)."""
    element = run_or_style.element
    rpr = element.get_or_add_rPr()
    fonts = rpr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = OxmlElement("w:rFonts")
        rpr.insert(0, fonts)
    fonts.set(qn("w:ascii"), latin)
    fonts.set(qn("w:hAnsi"), latin)
    fonts.set(qn("w:eastAsia"), east_asia)
    fonts.set(qn("w:hint"), "eastAsia")


def new_document():
    """An empty A4 document with the official margins, styles and footer."""
    document = Document()
    section = document.sections[0]
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.top_margin, section.bottom_margin = Mm(37), Mm(35)
    section.left_margin, section.right_margin = Mm(28), Mm(26)
    section.footer_distance = Mm(20)
    normal = document.styles["Normal"]
    normal.font.size = BODY_SIZE
    set_run_fonts(normal, BODY_FONT)
    normal.paragraph_format.space_after = Pt(0)
    normal.paragraph_format.line_spacing = 1.25
    _restart_numbering(section._sectPr)
    page_footer(section)
    return document


def _restart_numbering(sect_pr) -> None:
    numbering = sect_pr.find(qn("w:pgNumType"))
    if numbering is None:
        numbering = OxmlElement("w:pgNumType")
        sect_pr.append(numbering)
    numbering.set(qn("w:start"), "1")


def _field(paragraph, instruction: str) -> None:
    """A Word field (PAGE, SECTIONPAGES …) in its own runs."""
    for kind, text in (("begin", None), (None, instruction), ("separate", None), (None, "1"), ("end", None)):
        run = paragraph.add_run()
        set_run_fonts(run, BODY_FONT)
        if kind:
            char = OxmlElement("w:fldChar")
            char.set(qn("w:fldCharType"), kind)
            run._r.append(char)
        elif text == instruction:
            instr = OxmlElement("w:instrText")
            instr.set(qn("xml:space"), "preserve")
            instr.text = f" {instruction} "
            run._r.append(instr)
        else:
            run.text = text


def page_footer(section) -> None:
    """``第 x 页 共 y 页``, centred, counting the pages of this section."""
    footer = section.footer
    paragraph = footer.paragraphs[0] if footer.paragraphs else footer.add_paragraph()
    paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
    for part in ("第 ", "PAGE", " 页 共 ", "SECTIONPAGES", " 页"):
        if part in ("PAGE", "SECTIONPAGES"):
            _field(paragraph, part)
        else:
            run = paragraph.add_run(part)
            run.font.size = Pt(10.5)
            set_run_fonts(run, BODY_FONT)


def page_headers(document, texts: list[str], *, mark: str = "") -> None:
    """Give section k a header of its own ending in ``texts[k]`` (one text per
    section; a newline starts a second line), with ``mark`` (保密) at the right
    of its first line. What the template's header
    held (a bureau's red header, a logo) is kept above the line in every section."""
    sections = list(document.sections)
    kinds = [WD_HEADER_FOOTER.PRIMARY, WD_HEADER_FOOTER.FIRST_PAGE]
    if document.settings.odd_and_even_pages_header_footer:
        kinds.append(WD_HEADER_FOOTER.EVEN_PAGE)
    part = document.part
    shown: dict[tuple[int, WD_HEADER_FOOTER], object] = {}  # the header part each section shows today
    for kind in kinds:
        current = None
        for index, section in enumerate(sections):
            reference = section._sectPr.get_headerReference(kind)
            if reference is not None:  # (through the relationship: docxtpl replaces rendered parts behind
                current = part.rels[reference.rId].target_part  # python-docx's ``related_parts``)
            shown[index, kind] = current
    replaced: set[str] = set()
    for index, (section, text) in enumerate(zip(sections, texts, strict=True)):
        for kind in kinds:
            if kind == WD_HEADER_FOOTER.FIRST_PAGE and not section.different_first_page_header_footer:
                continue
            sect_pr = section._sectPr
            if sect_pr.get_headerReference(kind) is not None:
                replaced.add(sect_pr.remove_headerReference(kind))  # (the part stays while others show it)
            new_part, rid = part.add_header_part()
            sect_pr.add_headerReference(kind, rid)
            _copy_header(shown[index, kind], new_part)
            header = {
                WD_HEADER_FOOTER.PRIMARY: section.header,
                WD_HEADER_FOOTER.FIRST_PAGE: section.first_page_header,
                WD_HEADER_FOOTER.EVEN_PAGE: section.even_page_header,
            }[kind]
            _header_line(header, text, mark, section.page_width - section.left_margin - section.right_margin)
    for rid in replaced:
        if part._rel_ref_count(rid) == 0:
            part.drop_rel(rid)


def _copy_header(template_part, new_part) -> None:
    """Put the template's header content (if it has any) into a new header part."""
    if template_part is None:
        return
    source = template_part.element
    if not "".join(source.itertext()).strip() and not source.xpath(".//w:drawing|.//w:pict"):
        return
    target = new_part.element
    for child in list(target):
        target.remove(child)
    for child in source:
        target.append(copy.deepcopy(child))
    for rel in template_part.rels.values():  # the images the copied content refers to
        new_part.load_rel(rel.reltype, rel._target, rel.rId, rel.is_external)


_AFTER_PBDR = ("w:shd", "w:tabs", "w:suppressAutoHyphens", "w:kinsoku", "w:wordWrap", "w:overflowPunct",
               "w:topLinePunct", "w:autoSpaceDE", "w:autoSpaceDN", "w:bidi", "w:adjustRightInd", "w:snapToGrid",
               "w:spacing", "w:ind", "w:contextualSpacing", "w:mirrorIndents", "w:suppressOverlap", "w:jc",
               "w:textDirection", "w:textAlignment", "w:textboxTightWrap", "w:outlineLvl", "w:divId", "w:cnfStyle",
               "w:rPr", "w:sectPr", "w:pPrChange")  # fmt: skip
_AFTER_BDR = ("w:shd", "w:fitText", "w:vertAlign", "w:rtl", "w:cs", "w:em", "w:lang", "w:eastAsianLayout",
              "w:specVanish", "w:oMath")  # fmt: skip


def _header_line(header, text: str, mark: str, width) -> None:
    """The lines naming the document, grey, over a thin rule; ``mark`` right-aligned in a red box."""
    last = header.paragraphs[-1] if header.paragraphs else None
    p = last if last is not None and not last.text.strip() and not last._p.xpath(".//w:drawing") else None
    p = p or header.add_paragraph()
    p.style = None  # (the Header style's centre and right tab stops are for US Letter)
    fmt = p.paragraph_format
    fmt.space_before = fmt.space_after = Pt(0)
    fmt.line_spacing = 1.0
    fmt.tab_stops.add_tab_stop(width, WD_TAB_ALIGNMENT.RIGHT)
    first, *rest = text.split("\n")
    _grey_run(p, first)
    if mark:
        p.add_run("\t")
        run = p.add_run(mark)
        run.font.size, run.font.color.rgb, run.bold = Pt(10.5), SECRET_RED, True
        set_run_fonts(run, "黑体")
        run.element.get_or_add_rPr().insert_element_before(_line("w:bdr", "B00020"), *_AFTER_BDR)
    for line in rest:
        p.add_run().add_break()
        _grey_run(p, line)
    borders = OxmlElement("w:pBdr")
    borders.append(_line("w:bottom", "999999"))
    p._p.get_or_add_pPr().insert_element_before(borders, *_AFTER_PBDR)


def _grey_run(p, text: str) -> None:
    run = p.add_run(text)
    run.font.size, run.font.color.rgb = HEADER_SIZE, HEADER_GREY
    set_run_fonts(run, BODY_FONT)


def _line(tag: str, colour: str):
    line = OxmlElement(tag)
    line.set(qn("w:val"), "single")
    line.set(qn("w:sz"), "4")
    line.set(qn("w:space"), "1")
    line.set(qn("w:color"), colour)
    return line


def section_break(document) -> None:
    """A paragraph ending the current document of a combined file: a new page,
    numbered from 1, with the same footer (a copy of the document's section)."""
    paragraph = document.add_paragraph()
    ppr = paragraph._p.get_or_add_pPr()
    sect_pr = copy.deepcopy(document.sections[-1]._sectPr)
    sect_type = sect_pr.find(qn("w:type"))
    if sect_type is None:
        sect_type = OxmlElement("w:type")
        sect_pr.insert(0, sect_type)
    sect_type.set(qn("w:val"), "nextPage")
    ppr.append(sect_pr)
    return paragraph


def paragraph(document_or_cell, text: str = "", *, size=None, bold=False, align=None, indent=False,
              font: str = BODY_FONT, keep_next=False, space_before=0, space_after=0):  # fmt: skip
    p = document_or_cell.add_paragraph()
    if align == "center":
        p.alignment = WD_ALIGN_PARAGRAPH.CENTER
    elif align == "right":
        p.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    fmt = p.paragraph_format
    if indent:
        fmt.first_line_indent = Pt(2 * (size.pt if size else BODY_SIZE.pt))
    fmt.keep_with_next = keep_next
    fmt.space_before, fmt.space_after = Pt(space_before), Pt(space_after)
    if text:
        run = p.add_run(text)
        run.bold = bold
        if size:
            run.font.size = size
        set_run_fonts(run, font)
    return p


def title(document, text: str):
    return paragraph(document, text, size=TITLE_SIZE, bold=True, align="center", font=TITLE_FONT, space_after=12)


def heading(document, text: str):
    return paragraph(document, text, bold=True, font="黑体", keep_next=True, space_before=8, space_after=4)


def table(document, headers: list[str], widths_mm: list[float], *, header_repeat: bool = True):
    """A ruled table with one header row (repeated on each page); rows never split."""
    t = document.add_table(rows=1, cols=len(headers))
    t.style = "Table Grid"
    t.alignment = WD_TABLE_ALIGNMENT.CENTER
    t.autofit = False
    for column, width in zip(t.columns, widths_mm, strict=True):
        column.width = Mm(width)  # the grid LibreOffice and WPS lay out by
    for cell, text, width in zip(t.rows[0].cells, headers, widths_mm, strict=True):
        cell.width = Mm(width)
        cell.paragraphs[0].alignment = WD_ALIGN_PARAGRAPH.CENTER
        run = cell.paragraphs[0].add_run(text)
        run.bold = True
        run.font.size = TABLE_SIZE
        set_run_fonts(run, BODY_FONT)
        shade(cell, "E8ECF2")
    if header_repeat:
        mark_row(t.rows[0], header=True)
    else:
        mark_row(t.rows[0])
    return t


def box(document, width_mm: float, height_mm: float):
    """A ruled box to write in (one cell, kept on one page)."""
    t = document.add_table(rows=1, cols=1)
    t.style = "Table Grid"
    t.alignment = WD_TABLE_ALIGNMENT.CENTER
    t.autofit = False
    t.columns[0].width = Mm(width_mm)
    t.rows[0].cells[0].width = Mm(width_mm)
    t.rows[0].height = Mm(height_mm)
    t.rows[0].cells[0].paragraphs[0].paragraph_format.keep_with_next = True  # the box stays with what follows
    mark_row(t.rows[0])
    return t


def mark_row(row, *, header: bool = False) -> None:
    """No split inside the row; ``header`` repeats it at the top of each page."""
    trpr = row._tr.get_or_add_trPr()
    trpr.append(OxmlElement("w:cantSplit"))
    if header:
        trpr.append(OxmlElement("w:tblHeader"))


def shade(cell, fill: str) -> None:
    tcpr = cell._tc.get_or_add_tcPr()
    shading = OxmlElement("w:shd")
    shading.set(qn("w:val"), "clear")
    shading.set(qn("w:color"), "auto")
    shading.set(qn("w:fill"), fill)
    tcpr.append(shading)


def add_row(t, values: list[str], *, align: list[str] | None = None, bold: bool = False):
    row = t.add_row()
    mark_row(row)
    for index, (cell, text) in enumerate(zip(row.cells, values, strict=False)):
        cell.width = t.columns[index].width
        p = cell.paragraphs[0]
        where = (align or [])[index] if align and index < len(align) else ""
        if where == "center":
            p.alignment = WD_ALIGN_PARAGRAPH.CENTER
        elif where == "right":
            p.alignment = WD_ALIGN_PARAGRAPH.RIGHT
        run = p.add_run(text)
        run.font.size = TABLE_SIZE
        run.bold = bold
        set_run_fonts(run, BODY_FONT)
    return row


def loop_row(t, tag: str) -> None:
    """A row holding only a docxtpl ``{%tr … %}`` tag (removed when rendered)."""
    row = t.add_row()
    for index, cell in enumerate(row.cells):
        cell.width = t.columns[index].width
    row.cells[0].paragraphs[0].add_run(tag)


def to_bytes(document) -> bytes:
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()
