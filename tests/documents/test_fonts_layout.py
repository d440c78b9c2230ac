"""Fonts (discovery, fallback, glyph coverage) and the shared page layout."""

from __future__ import annotations

import io

import pypdf
import pytest
from reportlab.platypus import PageBreak

from reviewtool.services.documents import fonts as fonts_module
from reviewtool.services.documents.fonts import CID_FALLBACK, document_fonts, parse_font_setting
from reviewtool.services.documents.layout import DocumentStart, PageInfo, Styles, build_pdf, table


def _collection() -> str:
    """A .ttc the app itself finds (never a hard-coded path)."""
    source = document_fonts().source
    if source is None or source.suffix.lower() != ".ttc":
        pytest.skip("the main font found here is not a .ttc collection")
    return str(source)


def text_of(data: bytes) -> list[str]:
    return [page.extract_text() for page in pypdf.PdfReader(io.BytesIO(data)).pages]


def test_a_truetype_chinese_font_is_found_and_registered_once():
    first = document_fonts()
    assert first.embedded and first.source is not None and first.warning is None
    assert first.covers("海东市科学技术局专家评审表")
    again = document_fonts()
    assert again is first  # cached: fonts are registered once per process


def test_a_collection_face_can_be_chosen_with_an_index():
    collection = _collection()
    chosen = parse_font_setting(f"{collection}#1")
    assert chosen.subfont_index == 1 and str(chosen.path) == collection
    fonts = document_fonts(f"{collection}#1")
    assert fonts.source is not None and str(fonts.source) == collection
    assert fonts.name.endswith("-1")


def test_an_unusable_chosen_font_falls_back_with_a_warning(tmp_path):
    bogus = tmp_path / "not-a-font.ttf"
    bogus.write_bytes(b"this is not a font")
    fonts = document_fonts(str(bogus))
    assert fonts.embedded  # a system font took over
    assert "not-a-font.ttf" in fonts.warning


def test_without_truetype_fonts_stsong_light_is_used_with_a_warning(monkeypatch):
    monkeypatch.setattr(fonts_module, "_cache", {})
    monkeypatch.setattr(fonts_module, "system_candidates", lambda platform=None: [])
    fonts = document_fonts()
    assert fonts.name == CID_FALLBACK and not fonts.embedded
    assert "STSong-Light" in fonts.warning
    out = io.BytesIO()
    st = Styles(fonts)
    build_pdf(out, [st.p("海东市科学技术局 评审表")], fonts=fonts, info=PageInfo("测试"))
    assert "海东市科学技术局" in text_of(out.getvalue())[0]


def test_markup_escapes_and_falls_back_per_run():
    fonts = document_fonts()
    markup = fonts.markup("标题<b>粗</b> & 1<2\n第二行 ☑")
    assert "&lt;b&gt;" in markup and "&amp;" in markup and "<br/>" in markup
    assert "<b>" not in markup
    # ☑ is not in the main Chinese font: it is printed in a fallback face, not as a box
    if not fonts.covers("☑"):
        assert '<font face="' in markup and "☑</font>" in markup
    # a character no font has prints its code point (and is reported), never "?"
    assert fonts.markup("\U0010fffd") == "[U+10FFFD]"


def test_markup_characters_print_literally_and_every_page_is_numbered():
    fonts = document_fonts()
    st = Styles(fonts)
    title = "项目<b>名称</b> & <i>x</i> 1<2 <font size=40>大</font>"
    rows = [[st.p("序号", st.cell_head), st.p("内容", st.cell_head)]]
    rows += [[st.p(str(i), st.cell), st.p("评语" * 300, st.cell)] for i in range(12)]
    story = [st.p(title, st.title), st.p("很长的摘要。" * 1500), table(rows, [40, 400])]
    story += [PageBreak(), DocumentStart(PageInfo("第二份文件", "B-2")), st.p("second")]
    out = io.BytesIO()
    build_pdf(out, story, fonts=fonts, info=PageInfo("第一份文件", "A-1", "海东市科学技术局"))
    pages = text_of(out.getvalue())
    assert title in pages[0].replace("\n", "")
    first_doc = [p for p in pages if "第一份文件" in p]
    n = len(first_doc)
    assert n >= 4
    for index, page in enumerate(first_doc, start=1):
        assert f"第 {index} 页 共 {n} 页" in page
        assert "保密" in page
    # the table's header row is repeated on the pages it continues on
    table_pages = [p for p in first_doc if "评语评语" in p]
    assert len(table_pages) >= 2 and all("序号" in p for p in table_pages)
    # the second document starts its own numbering
    assert "第 1 页 共 1 页" in pages[-1] and "第二份文件" in pages[-1]


@pytest.mark.parametrize("wide", [False, True])
def test_portrait_and_landscape(wide):
    fonts = document_fonts()
    out = io.BytesIO()
    build_pdf(out, [Styles(fonts).p("x")], fonts=fonts, info=PageInfo("t"), wide=wide)
    box = pypdf.PdfReader(io.BytesIO(out.getvalue())).pages[0].mediabox
    assert (box.width > box.height) is wide
