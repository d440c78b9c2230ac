"""Every character printed: CJK Extension A/B characters come out whole in
the PDF and Word text when a fallback font is installed, and are named with
their document in the warning (CLI text, --json) when none is.

Fonts are found the way the app finds them (``document_fonts``), never by a
hard-coded path: on Windows SimSun-ExtB, on Debian 花园明朝 (fonts-hanazono,
installed by scripts/setup-system.sh)."""

from __future__ import annotations

import io
import json

import docx
import pypdf
import pytest
from pdf_pages import page_texts, squash

from reviewtool.cli.main import main
from reviewtool.services.documents import fonts as fonts_module
from reviewtool.services.documents.export import SheetKind, export_sheets
from reviewtool.services.documents.export_notices import export_notices, export_publicity
from reviewtool.services.documents.font_files import FontCandidate, extension_candidates
from reviewtool.services.documents.fonts import document_fonts
from reviewtool.services.documents.notice_settings import set_notice_settings
from reviewtool.services.documents.reportlab_fixes import to_unicode_cmap
from reviewtool.storage.models import Application

RARE = "㠓𠀀𪚥䶮𡈼"  # Ext-A U+3813, Ext-B U+20000, U+2A6A5, Ext-A U+4DAE, Ext-B U+2123C
TITLE = f"高原{RARE}冷水鱼养殖"


def _rare_title(db):
    with db.session() as s:
        s.get(Application, db.info.app_ids["HD2026-002"]).title = TITLE
        set_notice_settings(s, db.info.batch_id, {"publicity_start": "2026-07-01", "publicity_end": "2026-07-07"},
                            actor="t")  # fmt: skip


@pytest.fixture
def fallback_installed():
    """Skips only where the machine has none of the fonts the app lists for
    CJK extensions (so a broken fallback chain fails rather than skips)."""
    if not any(c.path.is_file() for c in extension_candidates()):
        pytest.skip("no font for CJK Extension A/B here (install fonts-hanazono, or SimSun-ExtB on Windows)")
    return document_fonts()


@pytest.fixture
def no_fallback(monkeypatch):
    """The main font and the symbol font the app found, no font for CJK extensions."""
    main_font = document_fonts()
    monkeypatch.setattr(fonts_module, "_cache", {})
    only = [FontCandidate(main_font.source)] if main_font.source else []
    monkeypatch.setattr(fonts_module, "system_candidates", lambda platform=None: list(only))
    monkeypatch.setattr(fonts_module, "extension_candidates", lambda platform=None: [])
    fonts = document_fonts()
    assert not any(fonts.face_for(ch) for ch in RARE if ord(ch) > 0xFFFF)
    return fonts


def test_the_text_layer_keeps_characters_beyond_the_bmp():
    cmap = to_unicode_cmap("X", [0x41, 0x2A6A5, 0x20000])
    assert "<01> <D869DEA5>" in cmap and "<02> <D840DC00>" in cmap and "<00> <0041>" in cmap


def test_rare_characters_come_out_whole_in_pdf_and_word(scored_db, tmp_path, fallback_installed):
    _rare_title(scored_db)
    with scored_db.session() as s:
        sheets = export_sheets(s, scored_db.info.batch_id, tmp_path / "sheets")
        publicity = export_publicity(s, scored_db.info.batch_id, tmp_path / "gs.pdf")
        word = export_publicity(s, scored_db.info.batch_id, tmp_path / "gs.docx")
        letters = export_notices(s, scored_db.info.batch_id, tmp_path / "letters", fmt="docx", combined=True)
    for result in (sheets, publicity, word, letters):
        assert result.missing == () and "U+" not in (result.warning or "")
    sheet = next(f for f in sheets.files if f.name.startswith("HD2026-002"))
    texts = page_texts(sheet)
    assert TITLE in texts[0]
    assert all(TITLE[:6] in t or "…" in t for t in texts)  # the page header too
    assert TITLE in "".join(page_texts(publicity.files[0]))
    # the glyphs are embedded: a font other than the main one appears in the PDF
    reader = pypdf.PdfReader(str(sheet))
    names = {str(f.get_object()["/BaseFont"]) for p in reader.pages for f in p["/Resources"]["/Font"].values()}
    assert len([n for n in names if "+" in n]) >= 2
    document = docx.Document(str(word.files[0]))
    cells = [c.text for t in document.tables for r in t.rows for c in r.cells]
    assert TITLE in cells
    runs = [r for t in document.tables for row in t.rows for c in row.cells for p in c.paragraphs for r in p.runs]
    ext_b = next(r for r in runs if r.text.startswith("𠀀"))
    fonts = ext_b._r.rPr.rFonts
    assert fonts.get("{http://schemas.openxmlformats.org/wordprocessingml/2006/main}eastAsia") == "SimSun-ExtB"
    letter = docx.Document(str(letters.files[0]))
    assert any(TITLE in p.text for p in letter.paragraphs)


def test_without_a_fallback_the_warning_names_the_characters_and_the_document(scored_db, tmp_path, no_fallback):
    _rare_title(scored_db)
    with scored_db.session() as s:
        result = export_sheets(s, scored_db.info.batch_id, tmp_path / "sheets", kind=SheetKind.BLANK)
        word = export_publicity(s, scored_db.info.batch_id, tmp_path / "gs.docx")
    (missing,) = result.missing
    assert missing.document.startswith("HD2026-002") and missing.document.endswith(".pdf")
    assert "𠀀" in missing.characters and "𪚥" in missing.characters
    assert "HD2026-002" in result.warning and "𪚥" in result.warning and "U+2A6A5" in result.warning
    # printed as the code point, never as a silent "?"
    text = "".join(page_texts(next(f for f in result.files if f.name.startswith("HD2026-002"))))
    assert "[U+2A6A5]" in text and "?" not in text.replace("？", "")
    assert word.missing and word.missing[0].document == "gs.docx" and "𡈼" in word.missing[0].characters
    assert TITLE in [c.text for t in docx.Document(str(word.files[0])).tables for r in t.rows for c in r.cells]


def test_the_cli_names_missing_characters_in_text_and_json(scored_db, tmp_path, no_fallback, capsys):
    _rare_title(scored_db)
    args = ["export", "sheets", "--batch", scored_db.info.batch_name, "--db", scored_db.url]
    assert main([*args, "--out", str(tmp_path / "a")]) == 0
    err = capsys.readouterr().err
    line = next(line for line in err.splitlines() if "U+2A6A5" in line)
    assert "HD2026-002" in line and "𪚥" in line and "警告" in line
    assert main([*args, "--out", str(tmp_path / "b"), "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    (entry,) = data["missing_characters"]
    assert entry["document"].startswith("HD2026-002") and "U+2A6A5" in entry["code_points"]
    assert "𪚥" in entry["characters"] and "𪚥" in data["warning"]


def test_markup_escapes_and_runs_each_character_in_a_font_that_has_it():
    fonts = document_fonts()
    markup = fonts.markup("标题<b>粗</b> & 1<2\n第二行 ☑")
    assert "&lt;b&gt;" in markup and "&amp;" in markup and "<br/>" in markup and "<b>" not in markup
    assert not fonts.covers("☑") and '<font face="' in markup and "☑</font>" in markup
    missing: set[str] = set()
    assert fonts.markup("\U0010fffd", missing) == "[U+10FFFD]" and missing == {"\U0010fffd"}


def test_a_pdf_of_rare_characters_reads_back_whole(fallback_installed):
    from reviewtool.services.documents.layout import PageInfo, Styles, build_pdf

    st = Styles(fallback_installed)
    out = io.BytesIO()
    build_pdf(out, [st.start(PageInfo("测试", detail=TITLE)), st.p(TITLE, st.title)], fonts=fallback_installed,
              info=PageInfo("测试"))  # fmt: skip
    text = squash(pypdf.PdfReader(io.BytesIO(out.getvalue())).pages[0].extract_text())
    assert text.count(TITLE) == 2 and st.take_missing() == ""
