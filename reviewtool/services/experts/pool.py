"""The expert pool (专家库): experts with their unit, fields and contact
details, their 回避 relations, suspension, and the pool list. Contact
details are read only where the caller asks for them (``with_contact``).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session, selectinload

from reviewtool.core.enums import ExpertStatus, RelationKind
from reviewtool.core.errors import NotFound, UserError
from reviewtool.i18n import _
from reviewtool.services import audit
from reviewtool.services.changes import Changes
from reviewtool.services.experts.checks import FIELD_LABELS, field_problems, unit_problem
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


def area_ids(session: Session) -> dict[str, int]:
    return {code: id_ for id_, code in session.execute(select(PriorityArea.id, PriorityArea.code))}


def _check_input(data: ExpertInput, areas: dict[str, int]) -> None:
    if not data.name or not data.name.strip():
        raise UserError(_("The expert's name is required."))
    problems = field_problems(
        name=data.name, unit=data.unit, title=data.title, speciality=data.speciality, phone=data.phone,
        email=data.email, id_tail=data.id_number_tail,
    )  # fmt: skip
    if problems:
        raise UserError("\n".join(f"{_(FIELD_LABELS[key])}: {text}" for key, text in problems.items()))
    unknown = [code for code in data.area_codes if code not in areas]
    if unknown:
        raise UserError(_("Unknown priority-area code: {codes}").format(codes=", ".join(unknown)))


def apply_input(session: Session, expert: Expert, data: ExpertInput, areas: dict[str, int]) -> None:
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


def expert_snapshot(expert: Expert) -> dict:
    """Every field the audit compares, contact details included (so a change can be undone)."""
    return {
        "name": expert.name,
        "unit": expert.unit.name if expert.unit else None,
        "title": expert.title,
        "speciality": expert.speciality,
        "keywords": expert.keywords,
        "areas": sorted(f.area.code for f in expert.fields if f.area is not None),
        "is_staff": expert.is_staff,
        "phone": expert.phone,
        "email": expert.email,
        "id_tail": expert.id_number_tail,
    }


def create_expert(session: Session, data: ExpertInput, *, actor: str) -> tuple[int, Changes]:
    areas = area_ids(session)
    _check_input(data, areas)
    expert = Expert(name=data.name.strip())
    session.add(expert)
    apply_input(session, expert, data, areas)
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
    areas = area_ids(session)
    _check_input(data, areas)
    expert = _expert(session, expert_id)
    before = expert_snapshot(expert)
    apply_input(session, expert, data, areas)
    session.flush()
    session.refresh(expert)
    after = expert_snapshot(expert)
    changed = {k: [before[k], after[k]] for k in after if before[k] != after[k]}
    # Contact details are audited like any other field: a mistaken change can be undone from the trail.
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
        problem = unit_problem(target, field="avoid_units")
        if problem:
            raise UserError(f"{_(FIELD_LABELS['avoid_units'])}: {problem}")
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


def expert_row(session: Session, expert: Expert, with_contact: bool, with_relations: bool) -> ExpertRow:
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
    return expert_row(session, _expert(session, expert_id), with_contact, True)


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
    return [expert_row(session, e, with_contact, with_relations) for e in session.scalars(stmt).unique()]


def count_experts(session: Session) -> int:
    return session.scalar(select(func.count(Expert.id))) or 0
