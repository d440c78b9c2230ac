"""Layout rules of the printed forms, read back from the PDFs themselves."""

from __future__ import annotations

import io
import json
import re

import openpyxl
import pytest
from pdf_pages import body_rows, page_texts, pages, squash
from reportlab.platypus import Paragraph

from reviewtool.cli.main import main
from reviewtool.services.documents.export import SheetKind, export_sheets, export_summary
from reviewtool.services.documents.fonts import document_fonts
from reviewtool.services.documents.layout import PageInfo, Styles, build_pdf
from reviewtool.services.exports.workbooks import export_funding_workbook
from reviewtool.storage.models import Application, Batch, ScoreSheet

CRITERIA_HEADER = ("评审指标", "评分标准")
DEMO_BATCH = "2025年海东市科技计划项目"


def _header_rows(body):
    return [i for i, (_y, text) in enumerate(body) if all(word in text for word in CRITERIA_HEADER)]


def assert_no_header_before_a_break(path):
    for number, page in enumerate(pages(path), start=1):
        body = body_rows(page)
        heads = _header_rows(body)
        assert len(heads) <= 1, f"page {number}: the criteria header appears {len(heads)} times"
        for index in heads:
            assert index < len(body) - 1, f"page {number}: the criteria header is the last row on the page"
            # the row below the header is table content, not the page's foot
            assert "第" not in body[index + 1][1][:1], f"page {number}"


def test_no_criteria_header_precedes_a_page_break_in_the_demo_sheets(demo_db, tmp_path):
    """The demo's combined expert sheets (the issue: 203 of 510 pages had a stray header)."""
    with demo_db.session() as s:
        batch = s.query(Batch).filter_by(name=DEMO_BATCH).one()
        result = export_sheets(s, batch.id, tmp_path / "all", combined=True)
    assert_no_header_before_a_break(result.files[0])


@pytest.mark.parametrize("kind", [SheetKind.EXPERT, SheetKind.BLANK])
def test_no_criteria_header_precedes_a_page_break_with_the_general_rubric(scored_db, tmp_path, kind):
    with scored_db.session() as s:
        result = export_sheets(s, scored_db.info.batch_id, tmp_path / kind.value, kind=kind)
    for path in result.files:
        assert_no_header_before_a_break(path)


def _documents(path):
    """Pages grouped by document (each starts at 第 1 页)."""
    docs = []
    for text in page_texts(path):
        if "第1页共" in text or not docs:
            docs.append([])
        docs[-1].append(text)
    return docs


def test_the_leader_box_and_signature_share_a_page(demo_db, tmp_path):
    with demo_db.session() as s:
        batch = s.query(Batch).filter_by(name=DEMO_BATCH).one()
        result = export_sheets(s, batch.id, tmp_path / "panel", kind=SheetKind.PANEL, combined=True)
    documents = _documents(result.files[0])
    assert len(documents) == result.documents > 40
    for doc in documents:
        box = [i for i, t in enumerate(doc) if "三、专家组组长综合意见" in t]
        signature = [i for i, t in enumerate(doc) if "专家组组长签名" in t]
        assert box and box == signature, doc[0][:60]
        members = [i for i, t in enumerate(doc) if "四、专家组成员" in t]
        assert members and "姓名" in doc[members[0]] and "签名" in doc[members[0]]


def test_the_summary_never_ends_with_only_its_header_and_total(scored_db, tmp_path):
    """Grow the list one application at a time across a page boundary: the
    合计 row always keeps an application row with it."""
    with scored_db.session() as s:
        unit_id = s.get(Application, scored_db.info.app_ids["HD2026-001"]).unit_id
    lonely = []
    for count in range(34):
        with scored_db.session() as s:
            s.add(
                Application(
                    batch_id=scored_db.info.batch_id,
                    number=f"HD2026-1{count:02d}",
                    title="高原特色作物栽培技术研究与示范",
                    unit_id=unit_id,
                    pi_name="李四",
                )
            )
        if count < 14:
            continue
        out = tmp_path / f"summary-{count}.pdf"
        with scored_db.session() as s:
            export_summary(s, scored_db.info.batch_id, out)
        texts = page_texts(out)
        last = next(t for t in reversed(texts) if "合计" in t)
        if not re.search(r"HD2026-\d{3}", last):
            lonely.append(count)
        assert len(texts) >= 2 or count < 20
    assert lonely == []


def test_a_per_expert_blank_sheet_leaves_the_signature_empty_and_names_the_expert_in_the_header(scored_db, tmp_path):
    with scored_db.session() as s:
        from reviewtool.services.stages.reach import current_stage
        from reviewtool.storage.models import Assignment

        stage_id = current_stage(s, scored_db.info.batch_id).id  # an assignment belongs to a review stage
        for app_id in scored_db.info.app_ids.values():
            for expert_id in scored_db.info.expert_ids:
                s.add(Assignment(stage_id=stage_id, application_id=app_id, expert_id=expert_id))
    with scored_db.session() as s:
        result = export_sheets(s, scored_db.info.batch_id, tmp_path / "pe", kind=SheetKind.BLANK, per_expert=True)
    text = page_texts(next(f for f in result.files if f.name.startswith("HD2026-002")))
    joined = "".join(text)
    assert "专家签名：________________" in joined
    for name in scored_db.info.expert_names:
        assert f"专家签名：{name}" not in joined and f"姓名{name}" not in joined
        assert f"评审专家：{name}" in joined  # the page header, so loose pages can be matched
    # every page names the application
    assert all("HD2026-002" in page and "智慧农牧业物联网平台研发" in page for page in text)

    with scored_db.session() as s:
        packets = export_sheets(s, scored_db.info.batch_id, tmp_path / "packets", kind=SheetKind.BLANK, by_expert=True)
    names = sorted(f.name for f in packets.files)
    assert names == sorted(f"{n}_空白专家评审表.pdf" for n in scored_db.info.expert_names)
    packet = "".join(page_texts(next(f for f in packets.files if f.name.startswith("王专家"))))
    assert all(number in packet for number in scored_db.info.app_ids)


def test_every_page_of_a_filled_sheet_names_the_application_and_the_expert(scored_db, tmp_path):
    with scored_db.session() as s:
        result = export_sheets(s, scored_db.info.batch_id, tmp_path / "filled")
    first = next(f for f in result.files if f.name.startswith("HD2026-001"))
    texts = page_texts(first)
    assert len(texts) > 3  # the long abstract runs over several pages
    for text in texts:
        assert "HD2026-001" in text and "高原<b>冷水鱼" in text and "评审专家：" in text
    with scored_db.session() as s:
        anonymous = export_sheets(s, scored_db.info.batch_id, tmp_path / "anon", anonymous=True)
    texts = page_texts(next(f for f in anonymous.files if f.name.startswith("HD2026-001")))
    assert all("HD2026-001" in t and "评审专家：" not in t for t in texts)
    assert "专家签名：专家1" in "".join(texts)


def _veto_and_unreviewed(db):
    with db.session() as s:
        sheet = s.query(ScoreSheet).filter_by(application_id=db.info.app_ids["HD2026-004"]).first()
        from reviewtool.services.scoring import sheet_edits, sheets

        view = sheets.sheet_view(s, sheet).data
        data = sheets.sheet_input_from_mapping(
            points=view.points, comments=view.comments, vetoes={"V1": True, "V2": False, "V3": False},
            opinion=view.opinion, written_opinion=view.written_opinion,
        )  # fmt: skip
        sheet_edits.save_sheet(
            s, application_id=sheet.application_id, reviewer_id=sheet.reviewer_id, data=data, actor="t", submit=True
        )
        s.add(
            Application(
                batch_id=db.info.batch_id,
                number="HD2026-005",
                title="未评审的项目",
                unit_id=s.get(Application, db.info.app_ids["HD2026-001"]).unit_id,
                pi_name="王五",
            )
        )


def test_unreviewed_says_not_reviewed_and_vetoed_says_veto_everywhere(scored_db, tmp_path, capsys):
    _veto_and_unreviewed(scored_db)
    out = tmp_path / "summary.pdf"
    with scored_db.session() as s:
        export_summary(s, scored_db.info.batch_id, out)
        export_funding_workbook(s, scored_db.info.batch_id, tmp_path / "f.xlsx")
    text = "".join(page_texts(out))
    row_005 = text[text.index("HD2026-005") :]
    assert "未评审" in row_005[:80] and "未达推荐条件" not in row_005[:80]
    row_004 = text[text.index("HD2026-004") :]
    assert "一票否决" in row_004[:120]
    ranking = openpyxl.load_workbook(tmp_path / "f.xlsx")["评审排序"]
    decisions = {r[1]: r[14] for r in ranking.iter_rows(min_row=3, values_only=True) if r[1]}
    assert decisions["HD2026-005"] == "未评审" and decisions["HD2026-004"] == "一票否决"
    code = main(["export", "funding", "--batch", scored_db.info.batch_name, "--out", str(tmp_path / "f2.xlsx"),
                 "--db", scored_db.url])  # fmt: skip
    lines = capsys.readouterr().out.splitlines()
    assert code == 0
    assert "一票否决" in next(line for line in lines if "HD2026-004" in line)
    assert "未评审" in next(line for line in lines if "HD2026-005" in line)
    code = main(["export", "funding", "--batch", scored_db.info.batch_name, "--out", str(tmp_path / "f3.xlsx"),
                 "--json", "--db", scored_db.url])  # fmt: skip
    assert code == 0 and json.loads(capsys.readouterr().out)["file"].endswith("f3.xlsx")


def test_no_line_begins_with_a_comma_or_semicolon():
    fonts = document_fonts()
    st = Styles(fonts)
    texts = []
    for shift in range(12):  # put the punctuation at every position of a line
        texts.append("甲" * shift + "海东市科技局评审，专家意见；项目研究基础较好，技术路线可行；" * 6)
        # runs of marks that cannot start a line, and opening brackets that cannot end one
        texts.append("乙" * shift + "评审（初评），专家“意见”，结论（通过）。“方案”；" * 6)
    out = io.BytesIO()
    story = [st.start(PageInfo("测试"))]
    for text in texts:
        story.append(Paragraph(fonts.markup(text), st.body))
    build_pdf(out, story, fonts=fonts, info=PageInfo("测试"))
    starts, ends = [], []
    for page in pages(out):
        rows = [text for _y, text in body_rows(page)]
        starts += [text[:1] for text in rows]
        ends += [text[-1:] for text in rows]
    assert starts and not {"，", "；", "。", "）", "”"} & set(starts)
    assert not {"（", "“"} & set(ends)
    assert squash(texts[0])[:10]  # (the text itself is printed)
