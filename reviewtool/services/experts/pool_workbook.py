"""The expert pool as an Excel workbook: export with or without contact
details, and the blank template. Importing it is ``pool_import``.
"""

from __future__ import annotations

from pathlib import Path

from sqlalchemy.orm import Session

from reviewtool.core.enums import RelationKind
from reviewtool.i18n import _
from reviewtool.services import audit
from reviewtool.services.experts.pool import ExpertRow, list_experts
from reviewtool.services.experts.pool_columns import CONTACT_KEYS, POOL_COLUMNS
from reviewtool.services.experts.pool_import import PoolImportResult, import_pool
from reviewtool.services.exports.xlsx import Column, TableSheet, add_sheet, new_workbook, save_workbook

__all__ = ["PoolImportResult", "export_pool", "import_pool", "write_template"]


def _pool_row(row: ExpertRow, with_contact: bool) -> list:
    values = {
        "name": row.name,
        "unit": row.unit or "",
        "title": row.title or "",
        "speciality": row.speciality or "",
        "areas": "、".join(row.area_codes),
        "keywords": row.keywords,
        "phone": row.phone or "",
        "email": row.email or "",
        "id_tail": row.id_number_tail or "",
        "status": row.status.label(),
        "status_reason": row.status_reason or "",
        "avoid_units": "；".join(r.target for r in row.relations if r.kind is RelationKind.UNIT),
        "avoid_persons": "；".join(r.target for r in row.relations if r.kind is RelationKind.PERSON),
        "is_staff": "是" if row.is_staff else "否",
    }
    return [values[key] for key, _h, _a in POOL_COLUMNS if with_contact or key not in CONTACT_KEYS]


def _pool_columns(with_contact: bool) -> list[Column]:
    return [
        Column(header, wrap=key in ("keywords",))
        for key, header, _a in POOL_COLUMNS
        if with_contact or key not in CONTACT_KEYS
    ]


def export_pool(session: Session, path: Path, *, actor: str, with_contact: bool = True) -> tuple[Path, int]:
    """The pool as a workbook in the import format. Contact details (personal
    data) only with ``with_contact``; the export is recorded in the audit trail."""
    rows = list_experts(session, with_contact=with_contact, with_relations=True)
    wb = new_workbook()
    ws = add_sheet(wb, _("Expert pool"))
    table = TableSheet(ws, _pool_columns(with_contact), title=_("Expert pool (专家库)"))
    for row in rows:
        table.append(_pool_row(row, with_contact))
    table.finish()
    saved = save_workbook(wb, path)
    audit.record(
        session, actor=actor, action="expert.export", entity_type="expert",
        summary=_("Exported {count} experts to {file}").format(count=len(rows), file=Path(path).name),
        details={"file": Path(path).name, "with_contact": with_contact, "count": len(rows)},
    )  # fmt: skip
    return saved, len(rows)


def write_template(path: Path) -> Path:
    """An empty pool workbook with the headers, one example row and notes."""
    wb = new_workbook()
    ws = add_sheet(wb, _("Expert pool"))
    table = TableSheet(ws, _pool_columns(True), title=_("Expert pool (专家库)"))
    table.append(["张三", "青海大学", "教授", "作物遗传育种", "HD-I01、HD-C1-1", "高原特色作物；育种", "13800000000",
                  "zhangsan@example.cn", "1234", "在用", "", "海东市某农业公司", "李四", "否"])  # fmt: skip
    table.finish(autofilter=False)
    notes = add_sheet(wb, _("Notes"))
    for i, text in enumerate(
        [
            _("Fill one expert per row on the first sheet; 姓名 is required."),
            _("专业领域代码: priority-area codes such as HD-I01 or QH-E1-1, separated by 、 or ；."),
            _("状态: 在用 or 暂停 (a suspended expert needs 暂停原因)."),
            _("回避单位 / 回避人员: units and persons the expert must not review, separated by ；."),
            _("Replace the example row; an expert already in the pool (same name and unit) is updated."),
        ],
        start=1,
    ):
        notes.cell(i, 1, text)
    notes.column_dimensions["A"].width = 100
    return save_workbook(wb, path)
