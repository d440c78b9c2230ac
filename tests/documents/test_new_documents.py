"""The fields real forms have, and the documents that leave the bureau —
公示名单, outcome letters, meeting paperwork — read back from the files
(pypdf, python-docx, openpyxl)."""

from __future__ import annotations

import datetime as dt
import json
import re
import zipfile
from decimal import Decimal

import docx
import openpyxl
import pytest
from pdf_pages import page_texts, squash

from reviewtool.cli.main import main
from reviewtool.core.errors import UserError
from reviewtool.services import audit
from reviewtool.services.documents.export import SheetKind, export_sheets
from reviewtool.services.documents.export_notices import (
    export_meeting_sheet,
    export_notices,
    export_panel_docx,
    export_publicity,
)
from reviewtool.services.documents.notice_settings import notice_settings, set_notice_settings
from reviewtool.services.documents.text import rmb_upper
from reviewtool.storage.models import Batch, Expert

DEMO = "2025年海东市科技计划项目"
SETTINGS = {
    "publicity_start": "2026-07-01",
    "publicity_end": "2026-07-07",
    "phone": "0972-8612345",
    "contact": "李娟",
    "issued": "2026-06-30",
    "review_days": "10",
}


def _demo_batch(db) -> int:
    with db.session() as s:
        return s.query(Batch).filter_by(name=DEMO).one().id


def _settings(db, batch_id, **extra):
    with db.session() as s:
        set_notice_settings(s, batch_id, {**SETTINGS, **extra}, actor="tester")


def test_the_expert_sheet_has_identity_block_and_commitment(scored_db, tmp_path):
    with scored_db.session() as s:
        expert = s.get(Expert, scored_db.info.expert_ids[0])
        expert.title, expert.speciality = "教授", "水产养殖"
        filled = export_sheets(s, scored_db.info.batch_id, tmp_path / "filled")
        blank = export_sheets(s, scored_db.info.batch_id, tmp_path / "blank", kind=SheetKind.BLANK)
    text = "".join(page_texts(next(f for f in filled.files if f.name.startswith("HD2026-002"))))
    assert "评审专家姓名王专家工作单位青海大学职称教授从事专业水产养殖" in text
    assert "评审专家承诺与回避声明" in text and "严格保密" in text and "无需回避" in text and "申请回避" in text
    assert "专家签名：________________" in text  # an empty slot for the hand signature
    text = "".join(page_texts(next(f for f in blank.files if f.name.startswith("HD2026-002"))))
    assert "评审专家姓名工作单位职称从事专业" in text and "王专家" not in text


def test_the_panel_sheet_lists_its_members_for_signature(demo_db, tmp_path):
    batch_id = _demo_batch(demo_db)
    with demo_db.session() as s:
        result = export_sheets(s, batch_id, tmp_path / "panel", kind=SheetKind.PANEL)
        word = export_panel_docx(s, batch_id, tmp_path / "word")
    text = "".join(page_texts(result.files[0]))
    members = text[text.index("四、专家组成员") :]
    assert members.startswith("四、专家组成员序号姓名单位职称签名")
    names = re.findall(r"\d([\u4e00-\u9fff]{2,3})(?:（组长）)?(?:青海|中国|海东)", members)
    assert len(names) >= 3
    document = docx.Document(str(word.files[0]))
    headers = [[c.text for c in t.rows[0].cells] for t in document.tables]
    assert ["序号", "姓名", "单位", "职称", "签名"] in headers
    member_table = next(t for t in document.tables if [c.text for c in t.rows[0].cells][1:3] == ["姓名", "单位"])
    assert len(member_table.rows) - 1 == len(names)
    paragraphs = [p.text for p in document.paragraphs]
    assert any("专家组组长签名" in p for p in paragraphs)


def test_the_applicant_letter_has_the_issuer_the_date_and_the_re_review_sentence(scored_db, tmp_path):
    _settings(scored_db, scored_db.info.batch_id)
    with scored_db.session() as s:
        result = export_sheets(s, scored_db.info.batch_id, tmp_path / "a", kind=SheetKind.APPLICANT)
    text = "".join(page_texts(result.files[0]))
    assert "海东市科学技术局2026年6月30日（盖章）" in text
    assert "于2026年7月10日前（自印发之日起10日内）向海东市科学技术局书面提出复核申请" in text
    assert "0972-8612345" in text


def test_the_publicity_list_has_its_fields_and_no_score_anywhere(scored_db, tmp_path):
    _settings(scored_db, scored_db.info.batch_id, show_amount="yes", address="海东市平安区平安大道")
    with scored_db.session() as s:
        results = {suffix: export_publicity(s, scored_db.info.batch_id, tmp_path / f"gs{suffix}")
                   for suffix in (".pdf", ".docx", ".xlsx")}  # fmt: skip
    scores = ["89.33", "78.67", "76.00", "92", "84", "评分", "得分", "排名", "保密", "专家1", "稳定", "临界", "内部"]
    funded = ["HD2026-001", "HD2026-002", "HD2026-003"]
    pdf = "".join(page_texts(results[".pdf"].files[0]))
    document = docx.Document(str(results[".docx"].files[0]))
    word = squash(" ".join([p.text for p in document.paragraphs]
                           + [c.text for t in document.tables for r in t.rows for c in r.cells]))  # fmt: skip
    wb = openpyxl.load_workbook(results[".xlsx"].files[0])
    excel = squash(" ".join(str(c.value) for ws in wb for row in ws.iter_rows() for c in row if c.value is not None))
    with zipfile.ZipFile(results[".xlsx"].files[0]) as z:
        excel_xml = z.read("xl/worksheets/sheet1.xml").decode()
    for text in (pdf, word, excel):
        assert "关于2026年海东市科技计划项目拟立项项目的公示" in text
        assert "公示期：2026年7月1日至2026年7月7日" in text
        assert "异议" in text and "0972-8612345" in text and "李娟" in text and "海东市科学技术局" in text
        assert "序号项目名称承担单位项目负责人项目类别所在县区" in text
        assert "智慧农牧业物联网平台研发海东市高原渔业科技有限公司张三重点研发" in text
        assert "碳化硅" not in text  # below the line: not published
        for word_ in scores:
            assert word_ not in text, word_
        for number in funded:
            assert number not in text  # not even the internal 申报编号
    assert "2026年6月30日" in pdf and "50.00" in pdf and "45.00" in pdf  # the amounts shown by choice
    assert "<f>SUM(" in excel_xml  # the Excel 合计 is a formula
    ws = wb.active
    assert int(ws.page_setup.paperSize) == 9 and ws.print_title_rows  # 9: A4
    with scored_db.session() as s:
        set_notice_settings(s, scored_db.info.batch_id, {"show_amount": False}, actor="t")
        plain = export_publicity(s, scored_db.info.batch_id, tmp_path / "plain.pdf")
    assert "万元" not in "".join(page_texts(plain.files[0]))


def test_the_publicity_warns_when_the_period_is_not_set(scored_db, tmp_path):
    with scored_db.session() as s:
        result = export_publicity(s, scored_db.info.batch_id, tmp_path / "gs.pdf")
    assert "公示期" in result.warning and "公示期：____年__月__日至____年__月__日" in "".join(
        page_texts(result.files[0])
    )


def test_outcome_letters_per_unit_and_combined(demo_db, tmp_path):
    batch_id = _demo_batch(demo_db)
    _settings(demo_db, batch_id)
    with demo_db.session() as s:
        per_unit = export_notices(s, batch_id, tmp_path / "units")
        combined = export_notices(s, batch_id, tmp_path / "one", combined=True, fmt="docx")
        experts = [e.name for e in s.query(Expert)]
    assert len(per_unit.files) > 20 and all(f.name.endswith("_立项结果通知.pdf") for f in per_unit.files)
    texts = {f.name.split("_")[0]: "".join(page_texts(f)) for f in per_unit.files}
    funded = next(t for t in texts.values() if "立项通知" in t and "不予立项" not in t)
    assert re.search(r"安排专项经费\d+\.\d{2}万元", funded) and "签订项目任务书" in funded
    refused = next(t for t in texts.values() if "不予立项通知" in t)
    assert "附件：专家评审意见" in refused and "专家1" in refused and "复核申请" in refused
    assert "海东市科学技术局2026年6月30日" in refused
    for name in experts:
        assert name not in refused
    for unit, text in texts.items():
        assert text.count(f"{unit}：") >= 1  # each letter is addressed to its unit
    (word,) = combined.files
    document = docx.Document(str(word))
    paragraphs = [p.text for p in document.paragraphs]
    assert paragraphs.count("立项通知") + paragraphs.count("不予立项通知") == combined.documents
    assert len(document.sections) == combined.documents  # each letter numbers its own pages
    sizes = {(round(s.page_width.mm), round(s.page_height.mm)) for s in document.sections}
    assert sizes == {(210, 297)}
    footer = document.sections[0].footer._element.xml
    # Several letters in one file: each restarts at 1 and says 第 x 页 only (LibreOffice miscounts 共 y 页 per section).
    assert "PAGE" in footer and "第 " in footer and "SECTIONPAGES" not in footer and "共" not in footer


def test_sign_in_and_fee_sheets_of_a_panel(demo_db, tmp_path):
    batch_id = _demo_batch(demo_db)
    _settings(demo_db, batch_id, meeting_date="2026-06-20", meeting_place="科技局三楼会议室", fee_per_expert="800")
    with demo_db.session() as s:
        signin = export_meeting_sheet(s, batch_id, tmp_path / "signin.pdf")
        fees = export_meeting_sheet(s, batch_id, tmp_path / "fees.pdf", fees=True, fee=Decimal("600"))
    text = "".join(page_texts(signin.files[0]))
    assert "专家签到表" in text and "会议日期：2026年6月20日" in text and "科技局三楼会议室" in text
    assert "序号姓名工作单位职称联系电话签到时间签名" in text
    count = len(re.findall(r"(?:教授|研究员|工程师|医师|农艺师|高级)", text))
    assert count >= 5
    text = "".join(page_texts(fees.files[0]))
    assert "专家评审费签领表" in text and "序号姓名工作单位职称身份证号金额（元）签名" in text
    members = text.count("600.00")
    total = Decimal(600) * (members - 1)
    assert f"合计{total:,.2f}" in text and rmb_upper(total) in text


def test_capital_numerals():
    assert rmb_upper(Decimal("2400")) == "贰仟肆佰元整"
    assert rmb_upper(Decimal("10800")) == "壹万零捌佰元整"
    assert rmb_upper(Decimal("100.05")) == "壹佰元零伍分"
    assert rmb_upper(Decimal("100000")) == "壹拾万元整"
    assert rmb_upper(Decimal("0")) == "零元整"
    assert rmb_upper(Decimal("1001.5")) == "壹仟零壹元伍角"


def test_notice_settings_are_validated_stored_and_audited(scored_db, capsys):
    batch_id = scored_db.info.batch_id
    with scored_db.session() as s, pytest.raises(UserError, match="公示期止"):
        set_notice_settings(s, batch_id, {"publicity_start": "2026-07-08", "publicity_end": "2026-07-01"}, actor="t")
    with scored_db.session() as s, pytest.raises(UserError, match="每位专家评审费.*很多"):
        set_notice_settings(s, batch_id, {"fee_per_expert": "很多"}, actor="t")
    with scored_db.session() as s:
        assert notice_settings(s, batch_id).publicity_start is None  # nothing stored by the refusals
        changes = set_notice_settings(s, batch_id, {"review_days": 20, "phone": "0972-1"}, actor="t")
        assert changes.batches
    with scored_db.session() as s:
        settings = notice_settings(s, batch_id)
        assert settings.review_days == 20 and settings.phone == "0972-1"
        assert settings.review_deadline(dt.date(2026, 1, 1)) == dt.date(2026, 1, 21)
        events = audit.events_for(s, "batch", batch_id)
        assert events[-1].action == "documents.notice_settings" and events[-1].details["review_days"]["to"] == 20
    code = main(["export", "notice-settings", "--batch", scored_db.info.batch_name, "--meeting-place", "会议室",
                 "--json", "--db", scored_db.url])  # fmt: skip
    data = json.loads(capsys.readouterr().out)
    assert code == 0 and data["meeting_place"] == "会议室" and data["review_days"] == 20
    code = main(["export", "notice-settings", "--batch", scored_db.info.batch_name, "--issued", "明天",
                 "--db", scored_db.url])  # fmt: skip
    err = capsys.readouterr().err
    assert code == 1 and "印发日期" in err and "明天" in err and len(err.strip().splitlines()) == 1
