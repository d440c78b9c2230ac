"""Word documents: official styling, the bureau's own templates (a broken
one is refused naming its placeholder), and LibreOffice's reading of them."""

from __future__ import annotations

import re
import shutil
import subprocess

import docx
import pytest
from docx.shared import Mm
from pdf_pages import page_texts
from sqlalchemy import select

from reviewtool.cli.main import main
from reviewtool.core.errors import UserError
from reviewtool.services.documents import document_templates as templates
from reviewtool.services.documents.export_notices import export_notices, export_panel_docx, export_publicity
from reviewtool.services.documents.notice_settings import set_notice_settings
from reviewtool.storage.models import AuditEvent, DocumentTemplate

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


def _publicity(db, tmp_path, name="gs.docx"):
    with db.session() as s:
        set_notice_settings(s, db.info.batch_id, {"publicity_start": "2026-07-01", "publicity_end": "2026-07-07"},
                            actor="t")  # fmt: skip
        return export_publicity(s, db.info.batch_id, tmp_path / name)


def test_word_documents_are_a4_official_style_with_page_numbers(scored_db, tmp_path):
    document = docx.Document(str(_publicity(scored_db, tmp_path).files[0]))
    section = document.sections[0]
    assert (round(section.page_width.mm), round(section.page_height.mm)) == (210, 297)
    assert abs(section.top_margin - Mm(37)) < Mm(0.5) and abs(section.left_margin - Mm(28)) < Mm(0.5)
    fonts = document.styles["Normal"].element.rPr.rFonts
    assert fonts.get(f"{W}eastAsia") == "仿宋"
    title = document.paragraphs[0]
    assert title.text == "关于2026年海东市科技计划项目拟立项项目的公示"
    assert title.runs[0].element.rPr.rFonts.get(f"{W}eastAsia") == "宋体"
    footer = section.footer._element.xml
    assert "第 " in footer and " PAGE " in footer and " NUMPAGES " in footer and "页 共 " in footer
    table = document.tables[0]
    assert table.rows[0]._tr.trPr.find(f"{W}tblHeader") is not None  # the header repeats on each page
    assert all(row._tr.trPr.find(f"{W}cantSplit") is not None for row in table.rows)
    # markup characters in a title are text, never XML
    assert any("<b>冷水鱼</b>" in c.text for r in table.rows for c in r.cells)


def test_the_panel_sheet_and_leader_draft_in_word(scored_db, tmp_path):
    with scored_db.session() as s:
        sheets = export_panel_docx(s, scored_db.info.batch_id, tmp_path / "sheets", combined=True)
        drafts = export_panel_docx(s, scored_db.info.batch_id, tmp_path / "drafts", leader_draft=True)
    document = docx.Document(str(sheets.files[0]))
    texts = [p.text for p in document.paragraphs]
    assert texts.count("项目综合评审意见表") == 4 and len(document.sections) == 4
    assert "三、专家组组长综合意见" in texts and any("专家组组长签名" in t for t in texts)
    assert len(drafts.files) == 4
    draft = docx.Document(str(next(f for f in drafts.files if f.name.startswith("HD2026-003"))))
    body = [p.text for p in draft.paragraphs]
    assert "专家组组长综合意见（草稿）" in body
    assert any(t.startswith("经专家组评议，该项目有效评审表 3 份，最终得分") for t in body)
    assert any("第1位专家意见：研究基础较好。" in t for t in body)
    assert "内部备注" not in " ".join(body)


def _header_text(section) -> str:
    return "\n".join(p.text for p in section.header.paragraphs)


def test_every_page_of_the_word_sheets_names_its_application(scored_db, tmp_path):
    """Headers are outside the template's loop: each application of a combined file is a
    section with a header of its own naming it (the PDFs' page header), marked 保密."""
    with scored_db.session() as s:
        sheets = export_panel_docx(s, scored_db.info.batch_id, tmp_path / "sheets", combined=True)
        drafts = export_panel_docx(s, scored_db.info.batch_id, tmp_path / "drafts", leader_draft=True)
    document = docx.Document(str(sheets.files[0]))
    numbers = ["HD2026-001", "HD2026-002", "HD2026-003", "HD2026-004"]
    headers = [_header_text(section) for section in document.sections]
    assert len(headers) == 4 and all(not section.header.is_linked_to_previous for section in document.sections)
    for header, number in zip(headers, numbers, strict=True):
        assert header.startswith("海东市科学技术局 · 项目综合评审意见表\t保密\n" + number + " · "), header
        assert [n for n in numbers if n in header] == [number]
    assert "智慧农牧业物联网平台研发" in headers[1] and "<b>冷水鱼</b>" in headers[0]  # text, never XML
    red = document.sections[0].header.paragraphs[-1].runs
    assert any(r.text == "保密" and r.font.color.rgb == docx.shared.RGBColor(0xB0, 0, 0x20) for r in red)
    footer = document.sections[0].footer._element.xml
    assert " PAGE " in footer and "SECTIONPAGES" not in footer and "共" not in footer  # combined: 第 x 页 only
    draft = docx.Document(str(next(f for f in drafts.files if f.name.startswith("HD2026-003"))))
    assert [_header_text(sec) for sec in draft.sections] == [
        "海东市科学技术局 · 专家组组长综合意见（草稿）\t保密\nHD2026-003 · 湟水流域水生态修复示范"
    ]
    assert " NUMPAGES " in draft.sections[0].footer._element.xml  # one document: 第 x 页 共 y 页


def test_a_bureau_templates_own_header_is_kept_above_the_application(scored_db, tmp_path):
    mine = tmp_path / "意见表模板.docx"
    with scored_db.session() as s:
        templates.write_template(s, "panel_sheet", mine)
    document = docx.Document(str(mine))
    document.sections[0].header.paragraphs[0].text = "{{ bureau }}（内部）"
    document.save(str(mine))
    with scored_db.session() as s:
        templates.install_template(s, "panel_sheet", mine, actor="t")
        result = export_panel_docx(s, scored_db.info.batch_id, tmp_path / "sheets", combined=True)
    sections = docx.Document(str(result.files[0])).sections
    headers = [_header_text(section) for section in sections]
    assert len(headers) == 4 and len({section.header.part.partname for section in sections}) == 4
    assert all(h.startswith("海东市科学技术局（内部）\n海东市科学技术局 · 项目综合评审意见表") for h in headers), (
        headers
    )
    assert "HD2026-004 · 碳化硅材料工艺改进" in headers[3]


def test_a_bureau_template_replaces_the_built_in_one(scored_db, tmp_path, capsys):
    mine = tmp_path / "我们的公示模板.docx"
    assert main(["export", "templates", "write", "--document", "publicity", "--out", str(mine),
                 "--db", scored_db.url]) == 0  # fmt: skip
    document = docx.Document(str(mine))
    document.paragraphs[0].insert_paragraph_before("海东市科学技术局文件 {{ bureau }}（{{ batch }}）")
    document.save(str(mine))
    assert main(["export", "templates", "install", "--document", "publicity", str(mine), "--db", scored_db.url]) == 0
    assert "模板已安装" in capsys.readouterr().out
    result = _publicity(scored_db, tmp_path)
    first = docx.Document(str(result.files[0])).paragraphs[0].text
    assert first == "海东市科学技术局文件 海东市科学技术局（2026年海东市科技计划项目）"
    with scored_db.session() as s:
        assert s.scalar(select(DocumentTemplate.filename)) == "我们的公示模板.docx"
        assert s.scalar(select(AuditEvent.action).where(AuditEvent.action == "documents.template_install"))
    assert main(["export", "templates", "list", "--json", "--db", scored_db.url]) == 0
    listed = {t["document"]: t for t in __import__("json").loads(capsys.readouterr().out)}
    assert listed["publicity"]["installed"] and not listed["notices"]["installed"]
    assert main(["export", "templates", "remove", "--document", "publicity", "--db", scored_db.url]) == 0
    capsys.readouterr()
    again = docx.Document(str(_publicity(scored_db, tmp_path, "again.docx").files[0])).paragraphs[0].text
    assert again.startswith("关于")


@pytest.mark.parametrize(
    ("text", "named"),
    [("{{ bureau_seal }}", "bureau_seal"), ("{% for r in rows %}{{ r.budget }}{% endfor %}", "budget"),
     ("{{ title ", "“{{ title”"), ("见 {{ d.bureau + }} 为准", "“{{ d.bureau + }}”")],
)  # fmt: skip
def test_a_broken_template_is_refused_naming_the_placeholder(scored_db, tmp_path, capsys, text, named):
    broken = tmp_path / "坏模板.docx"
    with scored_db.session() as s:
        templates.write_template(s, "publicity", broken)
    document = docx.Document(str(broken))
    document.add_paragraph(text)
    document.save(str(broken))
    code = main(["export", "templates", "install", "--document", "publicity", str(broken), "--db", scored_db.url])
    err = capsys.readouterr().err
    assert code == 1 and "坏模板.docx" in err and len(err.strip().splitlines()) == 1
    assert named in err
    if "{" in named:  # the malformed tag quoted with its paragraph, in Chinese (no Jinja English)
        assert "格式错误" in err and "所在段落" in err and "expected" not in err
    else:
        assert "title" in err and "rows[" in err  # what it may use
    with scored_db.session() as s:
        assert s.scalar(select(DocumentTemplate)) is None  # nothing stored
    not_word = tmp_path / "not.docx"
    not_word.write_text("hello")
    with scored_db.session() as s, pytest.raises(UserError, match="不是 Word 文档"):
        templates.install_template(s, "notices", not_word, actor="t")


@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice (libreoffice-writer) is not installed")
def test_libreoffice_reads_the_word_letters(scored_db, tmp_path):
    with scored_db.session() as s:
        result = export_notices(s, scored_db.info.batch_id, tmp_path / "letters", fmt="docx", combined=True)
    out = tmp_path / "pdf"
    subprocess.run(
        ["soffice", "--headless", f"-env:UserInstallation=file://{tmp_path}/lo-profile", "--convert-to", "pdf",
         "--outdir", str(out), str(result.files[0])],
        check=True, capture_output=True, timeout=240,
    )  # fmt: skip
    texts = page_texts(next(out.glob("*.pdf")))
    joined = "".join(texts)
    assert joined.count("立项通知") >= 1 and "不予立项通知" in joined and "碳化硅材料工艺改进" in joined
    assert all(t.startswith(("立项通知", "不予立项通知")) or "第" in t for t in texts)


def _footer_numbers(text: str) -> tuple[int, int | None]:
    """(x, y) of the page's footer ``第 x 页 共 y 页`` (y None: ``第 x 页`` only)."""
    found = re.findall(r"第\s*(\d+)\s*页(?:\s*共\s*(\d+)\s*页)?", text)
    assert found, text
    page, total = found[-1]
    return int(page), int(total) if total else None


@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice (libreoffice-writer) is not installed")
def test_libreoffice_numbers_the_pages_of_combined_and_single_files(scored_db, tmp_path):
    """Each document of a combined file is numbered from 1 with 第 x 页 only (LibreOffice prints
    SECTIONPAGES' saved value: "第 2 页 共 1 页"); a single document says 第 x 页 共 y 页."""
    with scored_db.session() as s:
        combined = [
            export_panel_docx(s, scored_db.info.batch_id, tmp_path / "sheets", combined=True).files[0],
            export_notices(s, scored_db.info.batch_id, tmp_path / "letters", fmt="docx", combined=True).files[0],
        ]
        single = export_panel_docx(s, scored_db.info.batch_id, tmp_path / "one").files[0]
    out = tmp_path / "pdf"
    subprocess.run(
        ["soffice", "--headless", f"-env:UserInstallation=file://{tmp_path}/lo-profile", "--convert-to", "pdf",
         "--outdir", str(out), *map(str, [*combined, single])],
        check=True, capture_output=True, timeout=300,
    )  # fmt: skip
    for path in combined:
        numbers = [_footer_numbers(t) for t in page_texts(out / f"{path.stem}.pdf")]
        assert all(total is None for _page, total in numbers), (path.name, numbers)
        pages = [page for page, _total in numbers]
        assert pages[0] == 1 and all(b in (a + 1, 1) for a, b in zip(pages, pages[1:], strict=False)), pages
        assert pages.count(1) > 1  # every document restarts at 1
    texts = page_texts(out / f"{single.stem}.pdf")
    assert [_footer_numbers(t) for t in texts] == [(k, len(texts)) for k in range(1, len(texts) + 1)]
