"""The expert pool as an Excel workbook: import (all or nothing, with a
preview of what is new, updated or unchanged), export with or without
contact details, and the blank template.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from reviewtool.core.enums import ExpertStatus, RelationKind
from reviewtool.core.errors import UserError
from reviewtool.core.tables.read import read_table
from reviewtool.core.tables.text import cell_text
from reviewtool.core.tables.types import ColumnSpec, TableRow
from reviewtool.i18n import _
from reviewtool.services import audit
from reviewtool.services.changes import Changes
from reviewtool.services.experts.pool import (
    ExpertInput,
    ExpertRow,
    apply_input,
    area_ids,
    expert_snapshot,
    get_or_create_unit,
    list_experts,
)
from reviewtool.services.exports.xlsx import Column, TableSheet, add_sheet, new_workbook, save_workbook
from reviewtool.services.progress import NEVER_CANCELLED, NO_PROGRESS, CancelToken, Progress
from reviewtool.storage.models import Expert, ExpertRelation

#: (key, header, aliases) of the pool workbook; the same columns for the template, export and import.
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
CONTACT_KEYS = ("phone", "email", "id_tail")
_SPLIT = re.compile(r"[，,；;、\s]+")
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_PHONE = re.compile(r"^[0-9+\-() ]{5,20}$")
_YES = {"是", "y", "yes", "true", "1", "√"}
_NO = {"否", "n", "no", "false", "0", ""}


@dataclass
class PoolImportResult:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    rows: int = 0
    dry_run: bool = False
    changes: Changes = field(default_factory=Changes)

    def as_json(self) -> dict:
        return {
            "rows": self.rows,
            "created": self.created,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "dry_run": self.dry_run,
        }


def _split(text: str) -> list[str]:
    return [part for part in _SPLIT.split(text or "") if part]


def import_pool(
    session: Session,
    path: Path,
    *,
    actor: str,
    dry_run: bool = False,
    progress: Progress = NO_PROGRESS,
    cancel: CancelToken = NEVER_CANCELLED,
) -> PoolImportResult:
    """Import the expert pool from a workbook (or CSV): all or nothing.

    Every row is checked first; any problem raises ``UserError`` listing each
    one with its sheet, row and column, and nothing is written. An expert is
    matched by name and unit (or name and ID tail); matches are updated,
    others created. Relations in 回避单位 / 回避人员 are added when missing."""
    path = Path(path)
    specs = [ColumnSpec(key, aliases, required=(key == "name"), label=header) for key, header, aliases in POOL_COLUMNS]
    table = read_table(path, specs, check_cancel=cancel.check)
    areas = area_ids(session)
    errors: list[str] = []
    parsed: list[tuple[int, ExpertInput, ExpertStatus, str, list[str], list[str]]] = []
    seen: dict[tuple[str, str], int] = {}

    def bad(row: TableRow, key: str, message: str) -> None:
        ref = row.ref(key)
        where = str(ref) if ref else f"{row.sheet}!{row.row}"
        errors.append(_("{file}, {cell}: {message}").format(file=path.name, cell=where, message=message))

    for row in table.rows:
        cancel.check()
        name = cell_text(row.get("name", "")).strip()
        if not name:
            bad(row, "name", _("the name is missing"))
            continue
        unit = cell_text(row.get("unit", "")).strip()
        codes = _split(cell_text(row.get("areas", "")).upper())
        unknown = [c for c in codes if c not in areas]
        if unknown:
            bad(row, "areas", _("unknown priority-area code {codes}").format(codes=", ".join(unknown)))
        phone = cell_text(row.get("phone", "")).strip()
        if phone and not _PHONE.match(phone):
            bad(row, "phone", _("“{value}” is not a phone number").format(value=phone))
        email = cell_text(row.get("email", "")).strip()
        if email and not _EMAIL.match(email):
            bad(row, "email", _("“{value}” is not an e-mail address").format(value=email))
        status_text = cell_text(row.get("status", "")).strip()
        try:
            status = ExpertStatus.from_label(status_text) if status_text else ExpertStatus.ACTIVE
        except ValueError:
            bad(row, "status", _("unknown status “{value}” (在用 / 暂停)").format(value=status_text))
            status = ExpertStatus.ACTIVE
        reason = cell_text(row.get("status_reason", "")).strip()
        if status is ExpertStatus.SUSPENDED and not reason:
            bad(row, "status_reason", _("a suspended expert needs a reason"))
        staff_text = cell_text(row.get("is_staff", "")).strip().lower()
        if staff_text not in _YES | _NO:
            bad(row, "is_staff", _("answer 是 or 否, not “{value}”").format(value=staff_text))
        key = (name, unit or cell_text(row.get("id_tail", "")).strip())
        if key in seen:
            bad(row, "name", _("the same expert is already on row {row}").format(row=seen[key]))
            continue
        seen[key] = row.row
        data = ExpertInput(
            name=name, unit=unit or None, title=cell_text(row.get("title", "")) or None,
            speciality=cell_text(row.get("speciality", "")) or None, keywords=cell_text(row.get("keywords", "")),
            phone=phone or None, email=email or None, id_number_tail=cell_text(row.get("id_tail", "")) or None,
            area_codes=[c for c in codes if c in areas], is_staff=staff_text in _YES and staff_text != "",
        )  # fmt: skip
        parsed.append((row.row, data, status, reason, _split(cell_text(row.get("avoid_units", ""))),
                       _split(cell_text(row.get("avoid_persons", "")))))  # fmt: skip
    if errors:
        shown = errors[:20]
        more = len(errors) - len(shown)
        raise UserError(
            _("{file}: {count} problems, nothing was imported:").format(file=path.name, count=len(errors))
            + "\n"
            + "\n".join(shown)
            + ("\n" + _("… and {more} more").format(more=more) if more > 0 else "")
        )
    if not parsed:
        raise UserError(_("{file}: has no expert rows.").format(file=path.name))

    result = PoolImportResult(rows=len(parsed), dry_run=dry_run)
    existing = list(session.scalars(select(Expert).options(selectinload(Expert.unit))))
    by_key: dict[tuple[str, str], Expert] = {}
    for e in existing:
        by_key[(e.name, e.unit.name if e.unit else "")] = e
        if e.id_number_tail:
            by_key.setdefault((e.name, e.id_number_tail), e)
    for done, (_row, data, status, reason, avoid_units, avoid_persons) in enumerate(parsed, start=1):
        progress.update(done, len(parsed), data.name)
        expert = by_key.get((data.name, data.unit or "")) or by_key.get((data.name, data.id_number_tail or ""))
        if expert is None:
            result.created += 1
            if dry_run:
                continue
            expert = Expert(name=data.name, status=status, status_reason=reason or None)
            session.add(expert)
            apply_input(session, expert, data, areas)
            session.flush()
        else:
            before = (expert_snapshot(expert), expert.phone, expert.email, expert.id_number_tail, expert.status)
            if dry_run:
                result.updated += 1
                continue
            apply_input(session, expert, data, areas)
            expert.status, expert.status_reason = status, reason or None
            session.flush()
            session.refresh(expert)
            after = (expert_snapshot(expert), expert.phone, expert.email, expert.id_number_tail, expert.status)
            if before == after:
                result.unchanged += 1
            else:
                result.updated += 1
        have_units = {r.unit_id for r in expert.relations if r.kind is RelationKind.UNIT}
        have_persons = {r.person_name for r in expert.relations if r.kind is RelationKind.PERSON}
        for unit_name in avoid_units:
            unit = get_or_create_unit(session, unit_name)
            if unit.id not in have_units:
                expert.relations.append(ExpertRelation(kind=RelationKind.UNIT, unit_id=unit.id))
        for person in avoid_persons:
            if person not in have_persons:
                expert.relations.append(ExpertRelation(kind=RelationKind.PERSON, person_name=person))
    if not dry_run:
        audit.record(
            session, actor=actor, action="expert.import", entity_type="expert",
            summary=_("Imported the expert pool from {file}: {created} new, {updated} updated").format(
                file=path.name, created=result.created, updated=result.updated),
            details={"file": path.name, **result.as_json()},
        )  # fmt: skip
        result.changes = Changes(experts=True)
    return result


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
