"""The expert pool (专家库): create, edit, suspend, relations, listing.

Phone numbers and e-mail addresses are personal data: ``list_experts`` leaves
them out unless ``with_contact=True`` (the clerk's pool page and the pool
export for the bureau ask for them; nothing applicant-facing does).
Importing and exporting the pool as a workbook: ``import_pool``,
``export_pool`` and ``write_template`` below.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session, selectinload

from reviewtool.core.enums import ExpertStatus, RelationKind
from reviewtool.core.errors import NotFound, UserError
from reviewtool.core.xlsx_table import ColumnSpec, TableRow, cell_text, read_table
from reviewtool.i18n import _
from reviewtool.services import audit
from reviewtool.services.changes import Changes
from reviewtool.services.exports.xlsx import Column, TableSheet, add_sheet, new_workbook, save_workbook
from reviewtool.services.progress import NEVER_CANCELLED, NO_PROGRESS, CancelToken, Progress
from reviewtool.storage.models import Application, Expert, ExpertField, ExpertRelation, PriorityArea, Unit


@dataclass
class ExpertInput:
    """What a clerk types for an expert. ``area_codes`` are priority-area codes."""

    name: str
    unit: str | None = None
    title: str | None = None
    speciality: str | None = None
    keywords: str = ""
    phone: str | None = None
    email: str | None = None
    id_number_tail: str | None = None
    area_codes: list[str] = field(default_factory=list)
    is_staff: bool = False


@dataclass(frozen=True)
class RelationRow:
    id: int
    kind: RelationKind
    target: str  # unit name, person name or application number
    note: str | None


@dataclass(frozen=True)
class ExpertRow:
    id: int
    name: str
    unit: str | None
    title: str | None
    speciality: str | None
    keywords: str
    area_codes: tuple[str, ...]
    status: ExpertStatus
    status_reason: str | None
    is_staff: bool
    phone: str | None = None  # only with_contact
    email: str | None = None
    id_number_tail: str | None = None
    relations: tuple[RelationRow, ...] = ()

    def as_json(self) -> dict:
        data = {
            "id": self.id,
            "name": self.name,
            "unit": self.unit,
            "title": self.title,
            "speciality": self.speciality,
            "keywords": self.keywords,
            "areas": list(self.area_codes),
            "status": self.status.value,
            "status_reason": self.status_reason,
            "is_staff": self.is_staff,
            "relations": [{"kind": r.kind.value, "target": r.target, "note": r.note} for r in self.relations],
        }
        if self.phone is not None or self.email is not None:
            data.update(phone=self.phone, email=self.email)
        return data


def get_or_create_unit(session: Session, name: str | None) -> Unit | None:
    name = (name or "").strip()
    if not name:
        return None
    unit = session.scalar(select(Unit).where(Unit.name == name))
    if unit is None:
        unit = Unit(name=name)
        session.add(unit)
        session.flush()
    return unit


def _area_map(session: Session) -> dict[str, int]:
    return {code: id_ for id_, code in session.execute(select(PriorityArea.id, PriorityArea.code))}


def _check_input(data: ExpertInput, areas: dict[str, int]) -> None:
    if not data.name or not data.name.strip():
        raise UserError(_("The expert's name is required."))
    unknown = [code for code in data.area_codes if code not in areas]
    if unknown:
        raise UserError(_("Unknown priority-area code: {codes}").format(codes=", ".join(unknown)))


def _apply(session: Session, expert: Expert, data: ExpertInput, areas: dict[str, int]) -> None:
    expert.name = data.name.strip()
    expert.unit = get_or_create_unit(session, data.unit)
    expert.title = (data.title or "").strip() or None
    expert.speciality = (data.speciality or "").strip() or None
    expert.keywords = (data.keywords or "").strip()
    expert.phone = (data.phone or "").strip() or None
    expert.email = (data.email or "").strip() or None
    expert.id_number_tail = (data.id_number_tail or "").strip() or None
    expert.is_staff = bool(data.is_staff)
    wanted = list(dict.fromkeys(data.area_codes))
    current = {f.area_id: f for f in expert.fields}
    expert.fields = [current.get(areas[code]) or ExpertField(area_id=areas[code]) for code in wanted]


def _snapshot(expert: Expert) -> dict:
    return {
        "name": expert.name,
        "unit": expert.unit.name if expert.unit else None,
        "title": expert.title,
        "speciality": expert.speciality,
        "keywords": expert.keywords,
        "areas": sorted(f.area.code for f in expert.fields if f.area is not None),
        "is_staff": expert.is_staff,
        "contact_changed": False,
    }


def create_expert(session: Session, data: ExpertInput, *, actor: str) -> tuple[int, Changes]:
    areas = _area_map(session)
    _check_input(data, areas)
    expert = Expert(name=data.name.strip())
    session.add(expert)
    _apply(session, expert, data, areas)
    session.flush()
    audit.record(
        session, actor=actor, action="expert.create", entity_type="expert", entity_id=expert.id,
        summary=_("Added expert {name}").format(name=expert.name), details={"areas": data.area_codes},
    )  # fmt: skip
    return expert.id, Changes(experts=True, message=_("Added expert {name}").format(name=expert.name))


def _expert(session: Session, expert_id: int) -> Expert:
    expert = session.get(Expert, expert_id)
    if expert is None:
        raise NotFound(_("No expert with id {id}.").format(id=expert_id))
    return expert


def update_expert(session: Session, expert_id: int, data: ExpertInput, *, actor: str) -> Changes:
    areas = _area_map(session)
    _check_input(data, areas)
    expert = _expert(session, expert_id)
    before = _snapshot(expert)
    contact_before = (expert.phone, expert.email, expert.id_number_tail)
    _apply(session, expert, data, areas)
    session.flush()
    session.refresh(expert)
    after = _snapshot(expert)
    after["contact_changed"] = contact_before != (expert.phone, expert.email, expert.id_number_tail)
    changed = {k: [before[k], after[k]] for k in after if before[k] != after[k]}
    # Contact details are personal data: the audit says they changed, not what to.
    audit.record(
        session, actor=actor, action="expert.update", entity_type="expert", entity_id=expert.id,
        summary=_("Edited expert {name}").format(name=expert.name), details={"changed": changed},
    )  # fmt: skip
    return Changes(experts=True, message=_("Edited expert {name}").format(name=expert.name))


def set_status(session: Session, expert_id: int, status: ExpertStatus, reason: str, *, actor: str) -> Changes:
    """Suspend (deactivate) or reactivate an expert; suspending needs a reason."""
    expert = _expert(session, expert_id)
    reason = (reason or "").strip()
    if status is ExpertStatus.SUSPENDED and not reason:
        raise UserError(_("Give a reason for suspending {name}.").format(name=expert.name))
    if expert.status is status:
        return Changes()
    old = expert.status
    expert.status = status
    expert.status_reason = reason or None
    audit.record(
        session, actor=actor, action="expert.status", entity_type="expert", entity_id=expert.id,
        summary=_("{name}: {old} → {new}").format(name=expert.name, old=old.label(), new=status.label()),
        details={"from": old.value, "to": status.value, "reason": reason},
    )  # fmt: skip
    return Changes(experts=True, message=_("{name} is now {status}").format(name=expert.name, status=status.label()))


def add_relation(
    session: Session,
    expert_id: int,
    kind: RelationKind,
    target: str,
    *,
    actor: str,
    batch_id: int | None = None,
    note: str | None = None,
) -> tuple[int, Changes]:
    """Declare a unit or person to avoid, or the expert's own application
    (``target`` is then the application number, looked up in ``batch_id``
    if given, else across batches and it must be unique)."""
    expert = _expert(session, expert_id)
    target = (target or "").strip()
    if not target:
        raise UserError(_("Name the unit, person or application of the relation."))
    relation = ExpertRelation(kind=kind, note=(note or "").strip() or None)
    if kind is RelationKind.UNIT:
        relation.unit_id = get_or_create_unit(session, target).id
    elif kind is RelationKind.PERSON:
        relation.person_name = target
    else:
        stmt = select(Application).where(Application.number == target)
        if batch_id is not None:
            stmt = stmt.where(Application.batch_id == batch_id)
        found = list(session.scalars(stmt))
        if not found:
            raise NotFound(_("No application numbered {number}.").format(number=target))
        if len(found) > 1:
            raise UserError(_("Application number {number} is in several batches; choose the batch.").format(
                number=target))  # fmt: skip
        relation.application_id = found[0].id
    expert.relations.append(relation)
    session.flush()
    audit.record(
        session, actor=actor, action="expert.relation.add", entity_type="expert", entity_id=expert.id,
        summary=_("{name}: declared {kind} {target}").format(name=expert.name, kind=kind.label(), target=target),
        details={"kind": kind.value, "target": target, "relation_id": relation.id},
    )  # fmt: skip
    return relation.id, Changes(experts=True)


def remove_relation(session: Session, relation_id: int, *, actor: str) -> Changes:
    relation = session.get(ExpertRelation, relation_id)
    if relation is None:
        raise NotFound(_("No relation with id {id}.").format(id=relation_id))
    expert = relation.expert
    text = _relation_target(session, relation)
    expert.relations.remove(relation)
    session.flush()
    audit.record(
        session, actor=actor, action="expert.relation.remove", entity_type="expert", entity_id=expert.id,
        summary=_("{name}: removed relation {target}").format(name=expert.name, target=text),
        details={"kind": relation.kind.value, "target": text},
    )  # fmt: skip
    return Changes(experts=True)


def _relation_target(session: Session, relation: ExpertRelation) -> str:
    if relation.kind is RelationKind.UNIT:
        unit = session.get(Unit, relation.unit_id) if relation.unit_id else None
        return unit.name if unit else ""
    if relation.kind is RelationKind.PERSON:
        return relation.person_name or ""
    app = session.get(Application, relation.application_id) if relation.application_id else None
    return app.number if app else ""


def _row(session: Session, expert: Expert, with_contact: bool, with_relations: bool) -> ExpertRow:
    relations: tuple[RelationRow, ...] = ()
    if with_relations:
        relations = tuple(
            RelationRow(r.id, r.kind, _relation_target(session, r), r.note)
            for r in sorted(expert.relations, key=lambda r: r.id)
        )
    return ExpertRow(
        id=expert.id,
        name=expert.name,
        unit=expert.unit.name if expert.unit else None,
        title=expert.title,
        speciality=expert.speciality,
        keywords=expert.keywords or "",
        area_codes=tuple(sorted(f.area.code for f in expert.fields)),
        status=expert.status,
        status_reason=expert.status_reason,
        is_staff=expert.is_staff,
        phone=expert.phone if with_contact else None,
        email=expert.email if with_contact else None,
        id_number_tail=expert.id_number_tail if with_contact else None,
        relations=relations,
    )


def get_expert(session: Session, expert_id: int, *, with_contact: bool = False) -> ExpertRow:
    return _row(session, _expert(session, expert_id), with_contact, True)


def list_experts(
    session: Session,
    *,
    text: str = "",
    status: ExpertStatus | None = None,
    area_code: str | None = None,
    with_contact: bool = False,
    with_relations: bool = False,
) -> list[ExpertRow]:
    """The pool, filtered in SQL, ordered by name."""
    stmt = (
        select(Expert)
        .outerjoin(Unit, Expert.unit_id == Unit.id)
        .options(selectinload(Expert.fields).selectinload(ExpertField.area), selectinload(Expert.unit))
        .order_by(Expert.name, Expert.id)
    )
    if with_relations:
        stmt = stmt.options(selectinload(Expert.relations))
    text = text.strip()
    if text:
        pattern = f"%{text}%"
        stmt = stmt.where(
            or_(
                Expert.name.ilike(pattern),
                Unit.name.ilike(pattern),
                Expert.speciality.ilike(pattern),
                Expert.keywords.ilike(pattern),
            )
        )
    if status is not None:
        stmt = stmt.where(Expert.status == status)
    if area_code:
        tagged = (
            select(ExpertField.expert_id)
            .join(PriorityArea, ExpertField.area_id == PriorityArea.id)
            .where(or_(PriorityArea.code == area_code, PriorityArea.code.like(f"{area_code}-%")))
        )
        stmt = stmt.where(Expert.id.in_(tagged))
    return [_row(session, e, with_contact, with_relations) for e in session.scalars(stmt).unique()]


def count_experts(session: Session) -> int:
    return session.scalar(select(func.count(Expert.id))) or 0


# --------------------------------------------------------------------------- pool workbook

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
    areas = _area_map(session)
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
            _apply(session, expert, data, areas)
            session.flush()
        else:
            before = (_snapshot(expert), expert.phone, expert.email, expert.id_number_tail, expert.status)
            if dry_run:
                result.updated += 1
                continue
            _apply(session, expert, data, areas)
            expert.status, expert.status_reason = status, reason or None
            session.flush()
            session.refresh(expert)
            after = (_snapshot(expert), expert.phone, expert.email, expert.id_number_tail, expert.status)
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
