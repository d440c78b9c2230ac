"""The PDF documents read back with pypdf."""

from __future__ import annotations

import re

import pypdf
import pytest

from reviewtool.services.documents.export import SheetKind, export_sheets, export_summary
from reviewtool.services.documents.fonts import document_fonts
from reviewtool.services.progress import Cancelled, CancelToken, Progress

STANDARD_14 = {"/Helvetica", "/Times-Roman", "/Courier", "/Symbol", "/ZapfDingbats"}


def pdf_text(path) -> list[str]:
    return [p.extract_text() for p in pypdf.PdfReader(str(path)).pages]


def joined(path) -> str:
    """All the text with every space and line break removed (table cells
    wrap wherever the layout puts them), so assertions compare content."""
    return squash("".join(pdf_text(path)))


def squash(text: str) -> str:
    return re.sub(r"\s+", "", text)


def fonts_of(path) -> dict[str, dict]:
    found = {}
    for page in pypdf.PdfReader(str(path)).pages:
        for font in page["/Resources"]["/Font"].values():
            font = font.get_object()
            found[str(font["/BaseFont"])] = font
    return found


def export(db, kind=SheetKind.EXPERT, tmp=None, **kw):
    with db.session() as s:
        return export_sheets(s, db.info.batch_id, tmp, kind=kind, **kw)


def test_filled_sheets_hold_titles_criteria_points_totals_and_embed_the_font(scored_db, tmp_path):
    result = export(scored_db, tmp=tmp_path / "sheets")
    assert len(result.files) == 4 and result.documents == 12 and result.warning is None
    first = next(f for f in result.files if f.name.startswith("HD2026-001"))
    text = joined(first)
    pages = pdf_text(first)
    # header, title printed literally (markup characters and all)
    assert "海东市科学技术局" in pages[0] and "专家评审表" in pages[0] and scored_db.info.batch_name in pages[0]
    assert squash(scored_db.info.tricky_title) in squash(pages[0])
    assert "HD-I05特色养殖业高效生产与精深加工技术研发" in text
    # vetoes, criteria and bands
    assert "是否存在弄虚作假、抄袭剽窃等严重违反科研诚信行为？" in text
    assert "与海东“十四五”重点领域契合度" in text and "进度安排与组织管理" in text
    assert "优（13–15）" in text
    # the three experts' sheets, by name, with their totals (92, 92, 84)
    for name in ("王专家", "李专家", "赵专家"):
        assert f"姓名{name}工作单位青海大学" in text  # the identity block
        assert f"评审专家：{name}" in text  # the page header
    assert "专家签名：________________" in text  # the slot is left for the hand signature
    assert text.count("合计10092.00") == 2 and "合计10084.00" in text
    assert "创新性<突出>&有特色" in text  # a criterion comment, literally
    assert "☑推荐" in text and "第1位专家意见：研究基础较好。" in text
    assert "保密" in pages[0]
    # the long abstract flows as an annex over several pages
    assert "附：主要研究内容" in text
    # each sheet is numbered on its own
    assert "第 1 页 共" in pages[0]
    # the Chinese font is embedded as a subset; nothing else needs a font outside the PDF
    fonts = fonts_of(first)
    embedded = [name for name, f in fonts.items() if "+" in name]
    main_font = document_fonts()
    from reportlab.pdfbase import pdfmetrics

    face_name = pdfmetrics.getFont(main_font.name).face.name.decode()
    assert any(name.split("+", 1)[1].startswith(face_name) for name in embedded)  # the font the app found, embedded
    for name, font in fonts.items():
        if name in STANDARD_14:
            continue
        assert "/FontFile2" in font["/FontDescriptor"].get_object(), name
    # the internal note never prints
    assert "内部备注" not in text


def test_anonymous_sheets_and_panel_sheet(scored_db, tmp_path):
    result = export(scored_db, tmp=tmp_path / "anon", anonymous=True)
    text = joined(next(f for f in result.files if f.name.startswith("HD2026-001")))
    assert "专家签名：专家1" in text and "专家签名：专家3" in text
    assert "王专家" not in text and "青海大学" not in text

    named = export(scored_db, SheetKind.PANEL, tmp=tmp_path / "panel")
    text = joined(next(f for f in named.files if f.name.startswith("HD2026-003")))
    assert "项目综合评审意见表" in text and "王专家" in text and "青海大学" in text
    assert "平均分76.00" in text and "中位数68.00" in text and "极差（最高分−最低分）24.00" in text
    assert "推荐3票" in text and "专家组组长签名" in text

    anonymous = export(scored_db, SheetKind.PANEL, tmp=tmp_path / "panel-anon", anonymous=True)
    text = joined(next(f for f in anonymous.files if f.name.startswith("HD2026-003")))
    assert "专家1" in text and "专家2" in text and "王专家" not in text and "青海大学" not in text


def test_blank_sheets_have_empty_boxes(scored_db, tmp_path):
    result = export(scored_db, SheetKind.BLANK, tmp=tmp_path / "blank")
    text = joined(next(f for f in result.files if f.name.startswith("HD2026-002")))
    assert "与海东“十四五”重点领域契合度" in text and "智慧农牧业物联网平台研发" in text
    assert "☑" not in text and "92.00" not in text and "王专家" not in text
    assert "____年__月__日" in text


def test_applicant_comments_hide_names_notes_and_other_applications(scored_db, tmp_path):
    result = export(scored_db, SheetKind.APPLICANT, tmp=tmp_path / "applicant")
    path = next(f for f in result.files if f.name.startswith("HD2026-002"))
    text = joined(path)
    assert "专家1" in text and "创新性<突出>&有特色" in text
    for secret in ("王专家", "李专家", "青海大学", "13900000000", "example.cn", "内部备注", "保密"):
        assert secret not in text
    for other in ("HD2026-001", "HD2026-003", "湟水流域"):
        assert other not in text
    # its own score only
    assert "本项目专家组评分：78.67" in text and "89.33" not in text


def test_combined_file_numbers_each_sheet(scored_db, tmp_path):
    result = export(scored_db, tmp=tmp_path / "combined", combined=True)
    assert len(result.files) == 1
    pages = pdf_text(result.files[0])
    starts = [p for p in pages if "第 1 页 共" in p]
    assert len(starts) == 12  # one per sheet


def test_progress_and_cancel_leave_nothing_behind(scored_db, tmp_path):
    seen = []
    export(scored_db, tmp=tmp_path / "p", progress=Progress(lambda d, t, m: seen.append((d, t, m))))
    assert seen[-1][0] == seen[-1][1] == 4 and seen[0][2] == "HD2026-001"

    token = CancelToken()

    def cancel_after_two(done, total, message):
        if done == 2:
            token.cancel()

    target = tmp_path / "cancelled"
    with pytest.raises(Cancelled):
        export(scored_db, tmp=target, progress=Progress(cancel_after_two), cancel=token)
    assert list(target.iterdir()) == []

    token = CancelToken()
    token.cancel()
    with pytest.raises(Cancelled):
        export(scored_db, tmp=tmp_path / "cancelled2", combined=True, cancel=token)
    assert list((tmp_path / "cancelled2").iterdir()) == []


def test_summary_is_landscape_ranked_with_money(scored_db, tmp_path):
    out = tmp_path / "summary.pdf"
    with scored_db.session() as s:
        export_summary(s, scored_db.info.batch_id, out)
    reader = pypdf.PdfReader(str(out))
    box = reader.pages[0].mediabox
    assert box.width > box.height
    text = joined(out)
    assert "评审结果汇总表" in text and "经费预算：150.00万元" in text and "剩余：5.00万元" in text
    order = [text.index(n) for n in ("HD2026-001", "HD2026-002", "HD2026-003", "HD2026-004")]
    assert order == sorted(order)
    assert "89.33" in text and "80.0050.00" in text  # requested 80 capped to 50
    assert "合计215.00145.00" in text
    assert "临界" in text and "稳定落选" in text

    grouped = tmp_path / "grouped.pdf"
    with scored_db.session() as s:
        export_summary(s, scored_db.info.batch_id, grouped, group_by_area=True)
    text = joined(grouped)
    assert "HD-I06智慧农牧业关键技术研究与示范—共1项，拟立项1项，45.00万元" in text
