"""The expert pool workbook as a careless user feeds it back (issue 11):
an export without contact details, a dry run, merged unit cells, bad
phone numbers and texts too long for their columns."""

from __future__ import annotations

import pytest
from openpyxl import Workbook, load_workbook
from sqlalchemy import func, select

from reviewtool.core.enums import ExpertStatus
from reviewtool.core.errors import UserError
from reviewtool.core.panels.conflicts import pair_conflicts
from reviewtool.services.experts import pool, pool_workbook
from reviewtool.services.panels.conflicts import application_facts, expert_facts
from reviewtool.storage.models import Application, AuditEvent, Batch, Expert, Unit

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
        ):
            with pytest.raises(UserError):
                pool.create_expert(s, data, actor="t")
        assert s.scalar(select(func.count(Expert.id))) == 0
