"""The columns of the expert pool workbook: the same for the template, the
export and the import."""

from __future__ import annotations

from reviewtool.core.tables.types import ColumnSpec

#: (key, header, aliases) of the pool workbook.
POOL_COLUMNS: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    ("name", "姓名", ("姓名", "专家姓名", "name")),
    ("unit", "工作单位", ("工作单位", "单位", "所在单位", "unit")),
    ("title", "职称", ("职称", "title")),
    ("speciality", "专业", ("专业", "所学专业", "speciality")),
    ("areas", "专业领域代码", ("专业领域代码", "领域代码", "重点领域代码", "areas")),
    ("keywords", "关键词", ("关键词", "研究方向", "keywords")),
    ("phone", "手机", ("手机", "手机号码", "联系电话", "电话", "phone")),
    ("email", "电子邮箱", ("电子邮箱", "邮箱", "email")),
    ("id_tail", "身份证后四位", ("身份证后四位", "证件号后四位")),
    ("status", "状态", ("状态", "status")),
    ("status_reason", "暂停原因", ("暂停原因", "状态说明")),
    ("avoid_units", "回避单位", ("回避单位", "需回避单位")),
    ("avoid_persons", "回避人员", ("回避人员", "需回避人员")),
    ("is_staff", "局内人员", ("局内人员", "是否局内人员")),
)
#: Personal data, left out of an export with ``with_contact=False``.
CONTACT_KEYS = ("phone", "email", "id_tail")


def column_specs() -> list[ColumnSpec]:
    return [ColumnSpec(key, aliases, required=(key == "name"), label=header) for key, header, aliases in POOL_COLUMNS]
