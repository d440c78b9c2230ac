"""The expert pool workbook as a careless user feeds it back (issue 11):
an export without contact details, a dry run, merged unit cells, bad
phone numbers and texts too long for their columns, hidden sheets and rows,
units the 回避 rules cannot use, and an expert typed in again under another
unit."""

from __future__ import annotations

import json

import pytest
from openpyxl import Workbook, load_workbook
from sqlalchemy import func, select

from reviewtool.cli.main import main
from reviewtool.core.enums import ExpertStatus, RelationKind
from reviewtool.core.errors import UserError
from reviewtool.core.panels.conflicts import pair_conflicts
from reviewtool.services.experts import pool, pool_workbook
from reviewtool.services.panels.conflicts import application_facts, expert_facts
from reviewtool.storage.models import Application, AuditEvent, Batch, Expert, ExpertRelation, Unit

HEADERS = ["姓名", "工作单位", "职称", "专业领域代码", "手机", "电子邮箱", "身份证后四位", "状态", "暂停原因"]


def write(path, rows, headers=HEADERS, merges=()):
    wb = Workbook()
    ws = wb.active
    ws.title = "专家库"
    ws.append(["专家库（测试）"])
    ws.append(headers)
    for r in rows:
        ws.append(r)
    for ref in merges:
        ws.merge_cells(ref)
    wb.save(path)
    return path


def fill_pool(session, n=23):
    for i in range(1, n + 1):
        pool.create_expert(
            session,
            pool.ExpertInput(
                name=f"专家{i:02d}", unit=f"单位{i % 5}", title="研究员", area_codes=["HD-I01"],
                phone=f"139{i:08d}", email=f"e{i}@example.cn", id_number_tail=f"{i:03d}X",
            ),
            actor="t",
        )  # fmt: skip


def contacts(session):
    return {e.name: (e.phone, e.email, e.id_number_tail) for e in session.scalars(select(Expert))}


def test_no_contact_export_imported_back_keeps_every_contact(db, tmp_path):
    with db.session() as s:
        fill_pool(s)
        before = contacts(s)
        path, count = pool_workbook.export_pool(s, tmp_path / "public.xlsx", actor="t", with_contact=False)
    assert count == 23
    header = [c.value for c in load_workbook(path).active[2]]
    assert "手机" not in header and "电子邮箱" not in header
    with db.session() as s:
        result = pool_workbook.import_pool(s, path, actor="t")
        assert (result.created, result.updated, result.unchanged) == (0, 0, 23)
        assert "手机" in result.kept_columns
    with db.session() as s:
        assert contacts(s) == before  # not one phone or e-mail erased


def test_dry_run_says_unchanged_like_the_import(db, tmp_path):
    with db.session() as s:
        fill_pool(s, 5)
        path, _n = pool_workbook.export_pool(s, tmp_path / "pool.xlsx", actor="t")
    with db.session() as s:
        dry = pool_workbook.import_pool(s, path, actor="t", dry_run=True)
        real = pool_workbook.import_pool(s, path, actor="t")
    assert (dry.created, dry.updated, dry.unchanged) == (0, 0, 5)
    assert (real.created, real.updated, real.unchanged) == (0, 0, 5)
    # One real change: the dry run finds it, names the field, and agrees with the import.
    wb = load_workbook(path)
    ws = wb.active
    phone_col = [c.value for c in ws[2]].index("手机") + 1
    ws.cell(3, phone_col, "13700000000")
    wb.save(path)
    with db.session() as s:
        dry = pool_workbook.import_pool(s, path, actor="t", dry_run=True)
        assert (dry.updated, dry.unchanged) == (1, 4)
        assert [e["changed"] for e in dry.experts if e["action"] == "update"] == [["phone"]]
        assert s.scalar(select(func.count(AuditEvent.id)).where(AuditEvent.action == "expert.update")) == 0
        real = pool_workbook.import_pool(s, path, actor="t")
        assert (real.updated, real.unchanged) == (1, 4)
        event = s.scalar(select(AuditEvent).where(AuditEvent.action == "expert.update"))
        # Contact changes are audited with their values, like any other change.
        old, new = event.details["changed"]["phone"]
        assert new == "13700000000" and old.startswith("139")


def test_missing_status_column_does_not_reactivate_a_suspended_expert(db, tmp_path):
    with db.session() as s:
        fill_pool(s, 2)
        expert_id = s.scalar(select(Expert.id).where(Expert.name == "专家01"))
        pool.set_status(s, expert_id, ExpertStatus.SUSPENDED, "出国", actor="t")
    path = write(tmp_path / "p.xlsx", [["专家01", "单位1", "教授"]], headers=["姓名", "工作单位", "职称"])
    with db.session() as s:
        result = pool_workbook.import_pool(s, path, actor="t")
        assert result.updated == 1
        expert = s.get(Expert, expert_id)
        assert expert.status is ExpertStatus.SUSPENDED and expert.title == "教授" and expert.phone == "13900000001"


def test_merged_unit_cell_is_filled_down_so_the_same_unit_rule_fires(db, tmp_path):
    path = write(
        tmp_path / "merged.xlsx",
        [
            ["甲一", "青海大学", "教授", "HD-I01", "13900000001", None, None, "在用", None],
            ["甲二", None, "教授", "HD-I01", "13900000002", None, None, "在用", None],
            ["甲三", None, "教授", "HD-I01", "13900000003", None, None, "在用", None],
            ["乙一", "海东市农科院", "研究员", "HD-I02", "13900000004", None, None, "在用", None],
        ],
        merges=["B3:B5"],
    )
    with db.session() as s:
        result = pool_workbook.import_pool(s, path, actor="t")
        assert result.created == 4
        assert any("B3:B5" in note and "青海大学" in note for note in result.notes)
        units = {e.name: e.unit.name if e.unit else None for e in s.scalars(select(Expert))}
        assert units == {"甲一": "青海大学", "甲二": "青海大学", "甲三": "青海大学", "乙一": "海东市农科院"}
        batch = Batch(name="回避测试")
        s.add(batch)
        s.flush()
        unit = s.scalar(select(Unit).where(Unit.name == "青海大学"))
        app = Application(batch_id=batch.id, number="T-001", title="测试", unit_id=unit.id, pi_name="某人")
        s.add(app)
        s.flush()
        facts = expert_facts(s)
        app_facts = application_facts(s, [app.id])[app.id]
        in_conflict = {e.name for e in s.scalars(select(Expert)) if pair_conflicts(facts[e.id], app_facts)}
        assert in_conflict == {"甲一", "甲二", "甲三"}


def test_merged_name_cell_is_refused_with_its_range(db, tmp_path):
    path = write(
        tmp_path / "merged-name.xlsx",
        [["甲", "单位A"], [None, "单位B"]],
        headers=["姓名", "工作单位"],
        merges=["A3:A4"],
    )
    with db.session() as s:
        with pytest.raises(UserError, match="A3:A4"):
            pool_workbook.import_pool(s, path, actor="t")
        assert s.scalar(select(func.count(Expert.id))) == 0


@pytest.mark.parametrize(
    ("column", "value", "cell"),
    [
        ("手机", -13800000000, "E3"),
        ("手机", "-1", "E3"),
        ("手机", "12345", "E3"),
        ("手机", "=1+1", "E3"),
        ("手机", "1.38E+10", "E3"),
        ("电子邮箱", "a@b", "F3"),
        ("身份证后四位", "123456789012345678", "G3"),
        ("身份证后四位", "-123", "G3"),
        ("姓名", "-1", "A3"),
        ("姓名", "甲" * 10_000, "A3"),
        ("工作单位", "单" * 300, "B3"),
        ("职称", "职" * 65, "C3"),
    ],
)
def test_bad_fields_are_refused_naming_the_cell(any_db, tmp_path, column, value, cell):
    row = ["某专家", "某单位", "教授", "HD-I01", "13900000001", "a@b.cn", "1234", "在用", None]
    row[HEADERS.index(column)] = value
    path = write(tmp_path / "bad.xlsx", [row])
    with any_db.session() as s:
        with pytest.raises(UserError) as err:
            pool_workbook.import_pool(s, path, actor="t")
        assert "bad.xlsx" in str(err.value) and cell in str(err.value)
        assert s.scalar(select(func.count(Expert.id))) == 0


def test_good_phone_forms_are_accepted(db, tmp_path):
    phones = ["13800000000", "+86 138 0000 0000", "0972-8123456", "(0972)8123456", "0972-8123456 转 801", "8123456"]
    rows = [[f"专家{i}", "单位", "教授", "HD-I01", p, None, None, "在用", None] for i, p in enumerate(phones)]
    with db.session() as s:
        result = pool_workbook.import_pool(s, write(tmp_path / "ok.xlsx", rows), actor="t")
        assert result.created == len(phones)


def test_the_form_refuses_what_the_import_refuses(any_db):
    with any_db.session() as s:
        for data in (
            pool.ExpertInput(name="甲" * 65),
            pool.ExpertInput(name="王", phone="-1"),
            pool.ExpertInput(name="王", id_number_tail="123456789012345678"),
            pool.ExpertInput(name="王", unit="单" * 201),
            pool.ExpertInput(name="王", unit="-5"),
        ):
            with pytest.raises(UserError):
                pool.create_expert(s, data, actor="t")
        assert s.scalar(select(func.count(Expert.id))) == 0
        expert_id, _c = pool.create_expert(s, pool.ExpertInput(name="王", unit="青海大学"), actor="t")
        with pytest.raises(UserError, match="回避单位"):
            pool.add_relation(s, expert_id, RelationKind.UNIT, "-1", actor="t")
        assert s.scalar(select(func.count(ExpertRelation.id))) == 0


# -- hidden sheets and rows (as the application import reports them) ------------------------------


def hidden_workbook(path):
    """A visible sheet whose second expert's row is hidden, and a hidden sheet 草稿（作废）."""
    wb = Workbook()
    ws = wb.active
    ws.title = "专家库"
    ws.append(["专家库（测试）"])
    ws.append(HEADERS)
    ws.append(["甲一", "青海大学", "教授", "HD-I01", "13900000001", None, None, "在用", None])
    ws.append(["甲二", "海东市农科院", "研究员", "HD-I01", "13900000002", None, None, "在用", None])
    ws.row_dimensions[4].hidden = True
    draft = wb.create_sheet("草稿（作废）")
    draft.append(HEADERS)
    draft.append(["草稿专家", "某单位", "教授", "HD-I01", "13900000009", None, None, "在用", None])
    draft.sheet_state = "hidden"
    wb.save(path)
    return path


def test_hidden_sheets_and_rows_are_named_in_the_dry_run_and_the_json(db, tmp_path, capsys):
    path = hidden_workbook(tmp_path / "hidden.xlsx")
    with db.session() as s:
        dry = pool_workbook.import_pool(s, path, actor="t", dry_run=True)
    assert dry.created == 2
    sheet_notes = [n for n in dry.notes if "未读取隐藏的工作表" in n]
    row_notes = [n for n in dry.notes if "此行在工作簿中被隐藏" in n]
    assert len(sheet_notes) == 1 and "草稿（作废）" in sheet_notes[0]
    assert (
        len(row_notes) == 1 and "hidden.xlsx" in row_notes[0] and "专家库!A4" in row_notes[0] and "甲二" in row_notes[0]
    )
    assert [(e["name"], e.get("hidden", False)) for e in dry.experts] == [("甲一", False), ("甲二", True)]
    assert sheet_notes[0] in dry.summary() and row_notes[0] in dry.summary()

    assert main(["experts", "import", str(path), "--json", "--db", db.url]) in (0, None)
    data = json.loads(capsys.readouterr().out)
    assert data["notes"] == dry.notes and data["created"] == 2
    assert [e.get("hidden", False) for e in data["experts"]] == [False, True]
    with db.session() as s:
        assert sorted(s.scalars(select(Expert.name))) == ["甲一", "甲二"]  # the hidden sheet was not read


# -- the units the 回避 rules compare ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("column", "value", "cell"),
    [
        ("工作单位", "-5", "B3"),
        ("工作单位", -5, "B3"),
        ("工作单位", "123", "B3"),
        ("工作单位", "   ", "B3"),
        ("工作单位", "\u3000", "B3"),
        ("工作单位", None, "B3"),
        ("回避单位", "-1", "J3"),
        ("回避单位", "青海大学；-1", "J3"),
    ],
)
def test_units_without_letters_or_blank_are_refused_naming_the_cell(any_db, tmp_path, column, value, cell):
    headers = [*HEADERS, "回避单位"]
    row = ["某专家", "某单位", "教授", "HD-I01", "13900000001", "a@b.cn", "1234", "在用", None, None]
    row[headers.index(column)] = value
    path = write(tmp_path / "units.xlsx", [row], headers=headers)
    with any_db.session() as s:
        with pytest.raises(UserError) as err:
            pool_workbook.import_pool(s, path, actor="t", dry_run=True)
        assert "units.xlsx" in str(err.value) and f"专家库!{cell}" in str(err.value)
        with pytest.raises(UserError):
            pool_workbook.import_pool(s, path, actor="t")
        assert s.scalar(select(func.count(Expert.id))) == 0
        assert s.scalar(select(func.count(Unit.id))) == 0


def test_an_empty_unit_is_refused_only_where_it_would_clear_a_unit(db, tmp_path):
    with db.session() as s:
        fill_pool(s, 1)  # 专家01 at 单位1
        pool.create_expert(s, pool.ExpertInput(name="李", phone="13700000000"), actor="t")  # no unit stored
    keeps = write(tmp_path / "keeps.xlsx", [["李", None]], headers=["姓名", "工作单位"])
    clears = write(tmp_path / "clears.xlsx", [["专家01", None, "001X"]], headers=["姓名", "工作单位", "身份证后四位"])
    with db.session() as s:
        assert pool_workbook.import_pool(s, keeps, actor="t").unchanged == 1
        with pytest.raises(UserError, match="专家库!B3"):
            pool_workbook.import_pool(s, clears, actor="t")
    with db.session() as s:
        assert s.scalar(select(Expert).where(Expert.name == "专家01")).unit.name == "单位1"


# -- an expert typed in again under another unit -----------------------------------------------------


@pytest.mark.parametrize(
    ("column", "value"),
    [("手机", "139 0000 0001"), ("手机", "+86 13900000001"), ("电子邮箱", "E1@Example.CN"), ("身份证后四位", "001x")],
)
def test_a_unit_typed_differently_does_not_add_a_second_expert(any_db, tmp_path, column, value):
    with any_db.session() as s:
        fill_pool(s, 1)  # 专家01, 单位1, 13900000001, e1@example.cn, 001X
    row = ["专家01", "单位1（新址）", "研究员", "HD-I01", None, None, None, "在用", None]
    row[HEADERS.index(column)] = value
    path = write(tmp_path / "again.xlsx", [row])
    with any_db.session() as s:
        for dry_run in (True, False):
            with pytest.raises(UserError) as err:
                pool_workbook.import_pool(s, path, actor="t", dry_run=dry_run)
            text = str(err.value)
            assert "again.xlsx" in text and "专家库!B3" in text and "专家01（单位1）" in text and column in text
        assert s.scalar(select(func.count(Expert.id))) == 1


def test_namesakes_with_their_own_contacts_are_still_two_experts(db, tmp_path):
    with db.session() as s:
        fill_pool(s, 1)
    path = write(
        tmp_path / "namesake.xlsx",
        [["专家01", "单位9", "教授", "HD-I01", "13600000000", "x@y.cn", "9999", "在用", None]],
    )
    with db.session() as s:
        result = pool_workbook.import_pool(s, path, actor="t")
        assert result.created == 1 and result.notes == []
        assert s.scalar(select(func.count(Expert.id)).where(Expert.name == "专家01")) == 2


def test_another_name_with_a_stored_phone_or_email_is_warned_about_not_refused(db, tmp_path, capsys):
    with db.session() as s:
        fill_pool(s, 1)
    rows = [
        ["新专家", "单位9", "教授", "HD-I01", "139-0000-0001", None, None, "在用", None],
        ["另一专家", "单位9", "教授", "HD-I01", None, "e1@example.cn", "001X", "在用", None],
    ]
    path = write(tmp_path / "shared.xlsx", rows)
    with db.session() as s:
        dry = pool_workbook.import_pool(s, path, actor="t", dry_run=True)
    assert dry.created == 2
    assert [n for n in dry.notes if "专家01" in n] == dry.notes and len(dry.notes) == 2  # the ID tail alone: no note
    assert "专家库!E3" in dry.notes[0] and "手机" in dry.notes[0] and "新专家" in dry.notes[0]
    assert "专家库!F4" in dry.notes[1] and "电子邮箱" in dry.notes[1]
    assert main(["experts", "import", str(path), "--dry-run", "--db", db.url]) in (0, None)
    assert dry.notes[0] in capsys.readouterr().out


def test_the_same_expert_twice_in_the_file_under_two_units_is_refused(db, tmp_path):
    rows = [
        ["王五", "青海大学", "教授", "HD-I01", "13900000005", None, None, "在用", None],
        ["王五", "青海大学农牧学院", "教授", "HD-I01", "139-0000-0005", None, None, "在用", None],
    ]
    with db.session() as s:
        with pytest.raises(UserError, match=r"专家库!A4.*第 3 行"):
            pool_workbook.import_pool(s, write(tmp_path / "twice.xlsx", rows), actor="t")
        assert s.scalar(select(func.count(Expert.id))) == 0
