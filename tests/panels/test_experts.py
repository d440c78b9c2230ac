"""The expert pool: create / edit / suspend, relations, and the pool workbook
(template, export, all-or-nothing import with cell references)."""

from __future__ import annotations

import pytest
from openpyxl import Workbook, load_workbook
from sqlalchemy import func, select

from reviewtool.core.enums import ExpertStatus, RelationKind
from reviewtool.core.errors import UserError
from reviewtool.services.experts import pool, pool_workbook
from reviewtool.storage.models import AuditEvent, Expert, ExpertRelation


def test_create_edit_suspend_with_audit(db):
    with db.session() as s:
        expert_id, _c = pool.create_expert(
            s,
            pool.ExpertInput(name="王海", unit="青海大学", title="教授", area_codes=["HD-I01"], phone="13900000000"),
            actor="clerk",
        )
        pool.update_expert(
            s, expert_id, pool.ExpertInput(name="王海", unit="青海大学", title="研究员", area_codes=["HD-I01", "HD-I02"],
                                              phone="13911111111"), actor="clerk",
        )  # fmt: skip
        row = pool.get_expert(s, expert_id)
        assert row.title == "研究员" and row.area_codes == ("HD-I01", "HD-I02")
        assert row.phone is None  # contact details only on request
        assert pool.get_expert(s, expert_id, with_contact=True).phone == "13911111111"
        event = s.scalar(select(AuditEvent).where(AuditEvent.action == "expert.update"))
        # Contact changes are audited like any other change (issue 11): old and new, so they can be undone.
        assert event.details["changed"]["phone"] == ["13900000000", "13911111111"]
        with pytest.raises(UserError):
            pool.set_status(s, expert_id, ExpertStatus.SUSPENDED, "", actor="clerk")
        pool.set_status(s, expert_id, ExpertStatus.SUSPENDED, "退休", actor="clerk")
        assert pool.get_expert(s, expert_id).status_reason == "退休"
        with pytest.raises(UserError, match="XX-1"):
            pool.create_expert(s, pool.ExpertInput(name="李", area_codes=["XX-1"]), actor="clerk")


def test_relations_and_filters(db):
    with db.session() as s:
        expert_id, _c = pool.create_expert(s, pool.ExpertInput(name="赵", area_codes=["HD-I03"]), actor="c")
        rel, _c = pool.add_relation(s, expert_id, RelationKind.PERSON, "钱某", actor="c")
        pool.add_relation(s, expert_id, RelationKind.UNIT, "某公司", actor="c")
        row = pool.get_expert(s, expert_id)
        assert {(r.kind, r.target) for r in row.relations} == {
            (RelationKind.PERSON, "钱某"),
            (RelationKind.UNIT, "某公司"),
        }
        pool.remove_relation(s, rel, actor="c")
        assert len(pool.get_expert(s, expert_id).relations) == 1
        assert [r.name for r in pool.list_experts(s, area_code="HD-I03")] == ["赵"]
        assert pool.list_experts(s, text="不存在") == []


def test_template_export_import_round_trip(db, tmp_path):
    template = pool_workbook.write_template(tmp_path / "template.xlsx")
    with db.session() as s:
        result = pool_workbook.import_pool(s, template, actor="c")
        assert result.created == 1
        row = pool.list_experts(s, with_contact=True, with_relations=True)[0]
        assert row.name == "张三" and row.area_codes == ("HD-C1-1", "HD-I01") and row.email == "zhangsan@example.cn"
        assert {r.target for r in row.relations} == {"海东市某农业公司", "李四"}
        path, count = pool_workbook.export_pool(s, tmp_path / "pool.xlsx", actor="c")
        public, _n = pool_workbook.export_pool(s, tmp_path / "pool-public.xlsx", actor="c", with_contact=False)
    text = " ".join(str(c.value) for r in load_workbook(public).active.iter_rows() for c in r if c.value)
    assert "zhangsan@example.cn" not in text and "13800000000" not in text
    with db.session() as s:
        again = pool_workbook.import_pool(s, path, actor="c")
        assert again.unchanged == 1 and again.created == 0
        assert s.scalar(select(func.count(ExpertRelation.id))) == 2


def write_pool(path, rows):
    wb = Workbook()
    ws = wb.active
    ws.append(["专家库"])
    ws.append(["姓名", "工作单位", "专业领域代码", "手机", "电子邮箱", "状态", "暂停原因"])
    for r in rows:
        ws.append(r)
    wb.save(path)
    return path


def test_import_is_all_or_nothing_with_cell_references(db, tmp_path):
    path = write_pool(
        tmp_path / "pool.xlsx",
        [
            ["甲", "单位A", "HD-I01", "13900000000", "a@b.cn", "在用", None],
            ["乙", "单位B", "HD-Z99", "13900000001", "not-an-email", "暂停", None],
            [None, "单位C", "HD-I02", None, None, None, None],
        ],
    )
    with db.session() as s:
        with pytest.raises(UserError) as err:
            pool_workbook.import_pool(s, path, actor="c")
        text = str(err.value)
        assert "pool.xlsx" in text
        assert "C4" in text and "HD-Z99" in text
        assert "E4" in text
        assert "G4" in text  # suspended without a reason
        assert "A5" in text
        assert s.scalar(select(func.count(Expert.id))) == 0
