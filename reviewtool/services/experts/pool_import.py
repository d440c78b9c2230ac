"""Importing the expert pool from a workbook (or CSV): all or nothing.

Rules (docs/experts.md):

- **A column absent from the file never changes a stored value.** The pool
  exported with ``--no-contact`` has no 手机 / 电子邮箱 / 身份证后四位 columns;
  importing it back keeps every expert's contact details. A column that is
  present with an empty cell does clear the value (that is what it says).
- Every row is checked first (name, unit, phone, e-mail, ID tail, area codes,
  status, lengths — ``checks``); any problem refuses the whole file, naming
  the file, sheet, cell and what is wrong. Nothing is written.
- **The unit is what the 回避 rules compare**, so a 工作单位 or 回避单位 without
  a letter or 汉字 ("-5", "-1") is refused, and so is an empty 工作单位 cell (or
  one of only spaces, which reads as empty) that would add an expert without
  a unit or clear a stored one; an expert stored without a unit may stay so.
- **No second copy of an expert.** A row that matches no stored expert (by
  name and unit, or name and ID tail) but has the name and the phone, e-mail
  or ID tail of one — the same person with their unit typed differently — is
  refused, naming the cell and the stored unit; so are two such rows in the
  file. Different names with the same phone or e-mail are only warned about
  in the notes (a shared office landline or mailbox is legitimate); the same
  ID tail under different names is not (four digits: coincidences are common).
- **Hidden sheets and rows, as the application import treats them:** a
  hidden sheet is not read and the notes say so; a row hidden in Excel is
  read like the others, and the notes name it (and its entry in ``experts``
  carries ``"hidden": true``).
- **Merged cells** over several data rows of one column (a unit merged over
  three experts) are filled down: each row gets the merged value, and the
  result lists every range filled. A merged 姓名 cell, or a block merged
  across several columns, is refused.
- A dry run computes exactly what the import would do: an expert whose
  stored values equal the file's is 未变 (unchanged), not 更新.
- Each created or changed expert gets its own audit record with every
  changed field, old and new — contact details included, so a mistaken
  import can be undone by hand.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from reviewtool.core.enums import ExpertStatus, RelationKind
from reviewtool.core.errors import UserError
from reviewtool.core.panels.conflicts import normalise_name
from reviewtool.core.tables.merged import MergedRange, merged_ranges
from reviewtool.core.tables.read import read_table
from reviewtool.core.tables.text import cell_text
from reviewtool.core.tables.types import Table, TableRow
from reviewtool.i18n import _
from reviewtool.services import audit
from reviewtool.services.changes import Changes
from reviewtool.services.experts.checks import FIELD_LABELS, email_key, field_problems, phone_key
from reviewtool.services.experts.pool import area_ids, get_or_create_unit
from reviewtool.services.experts.pool_columns import POOL_COLUMNS, column_specs
from reviewtool.services.progress import NEVER_CANCELLED, NO_PROGRESS, CancelToken, Progress
from reviewtool.storage.models import Expert, ExpertField, ExpertRelation, Unit

_SPLIT = re.compile(r"[，,；;、\s]+")
_YES = {"是", "y", "yes", "true", "1", "√"}
_NO = {"否", "n", "no", "false", "0", ""}
#: The stored fields a column sets (id_tail → id_number_tail …).
FIELDS = ("name", "unit", "title", "speciality", "areas", "keywords", "phone", "email", "id_tail", "status",
          "status_reason", "is_staff")  # fmt: skip
HEADERS = {key: header for key, header, _a in POOL_COLUMNS}
#: The fields that tell one person from another besides the name.
CONTACTS = ("phone", "email", "id_tail")


@dataclass
class PoolImportResult:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    rows: int = 0
    dry_run: bool = False
    notes: list[str] = field(default_factory=list)  # hidden sheets and rows, merged cells filled down …
    kept_columns: list[str] = field(default_factory=list)  # headers absent from the file: stored values kept
    experts: list[dict] = field(default_factory=list)  # per row: name, action, changed fields
    changes: Changes = field(default_factory=Changes)

    def as_json(self) -> dict:
        return {
            "rows": self.rows,
            "created": self.created,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "dry_run": self.dry_run,
            "notes": self.notes,
            "kept_columns": self.kept_columns,
            "experts": self.experts,
        }

    def summary(self) -> str:
        """One line of counts, then one line per note (for the CLI and the GUI)."""
        lines = [
            _("{rows} rows: {created} new, {updated} updated, {unchanged} unchanged.").format(
                rows=self.rows, created=self.created, updated=self.updated, unchanged=self.unchanged
            )
        ]
        if self.kept_columns:
            lines.append(
                _("Columns not in the file, kept as stored: {columns}").format(columns="、".join(self.kept_columns))
            )
        lines += self.notes
        return "\n".join(lines)


@dataclass
class _Row:
    row: int
    values: dict[str, Any]  # only the columns present in the file
    avoid_units: list[str]
    avoid_persons: list[str]
    source: TableRow

    def where(self, key: str) -> str:
        """The cell of ``key`` in this row (``专家库!B4``), or the row when the file has no such column."""
        ref = self.source.ref(key)
        return str(ref) if ref else f"{self.source.sheet}!{self.row}"


def contact_keys(values: dict[str, Any]) -> dict[str, str]:
    """The row's phone, e-mail and ID tail as compared (only those given)."""
    keys = {
        "phone": phone_key(values.get("phone")),
        "email": email_key(values.get("email")),
        "id_tail": (values.get("id_tail") or "").strip().upper(),
    }
    return {kind: key for kind, key in keys.items() if key}


def _stored_contacts(expert: Expert) -> dict[str, str]:
    return contact_keys({"phone": expert.phone, "email": expert.email, "id_tail": expert.id_number_tail})


def _who(name: str, unit: str | None) -> str:
    return f"{name}（{unit}）" if unit else name


def _split(text: str) -> list[str]:
    return [part for part in _SPLIT.split(text or "") if part]


def _fill_merged(path: Path, table: Table, notes: list[str], errors: list[str]) -> None:
    """Give every row of a vertically merged cell the merged value (see the module's notes)."""
    by_row = {r.row: r for r in table.rows}
    by_column = {col.index: key for key, col in table.columns.items()}
    first, last = table.first_data_row, max(by_row, default=0)
    for block in merged_ranges(path, table.sheet):
        if block.max_row < first or block.min_row > last:
            continue  # the title or the header
        keys = [by_column[c] for c in range(block.min_col, block.max_col + 1) if c in by_column]
        if not keys:
            continue
        where = _("{file}, {sheet}!{ref}").format(file=path.name, sheet=table.sheet, ref=block.ref)
        if not block.vertical:
            if block.max_row > block.min_row:
                errors.append(_("{where}: a cell merged across several columns and rows; unmerge it.").format(
                    where=where))  # fmt: skip
            continue
        key = keys[0]
        if key == "name":
            errors.append(
                _("{where}: 姓名 is merged over several rows; each expert needs their own name.").format(where=where)
            )
            continue
        anchor = by_row.get(block.min_row)
        value = anchor.cells[key].value if anchor is not None and key in anchor.cells else None
        filled = _fill_block(block, key, value, by_row)
        if filled:
            notes.append(
                _("{where}: merged cell — {column} “{value}” filled down to rows {rows}.").format(
                    where=where, column=HEADERS[key], value=cell_text(value), rows=", ".join(map(str, filled))
                )
            )


def _fill_block(block: MergedRange, key: str, value: Any, by_row: dict[int, TableRow]) -> list[int]:
    filled = []
    for number in range(block.min_row + 1, block.max_row + 1):
        row = by_row.get(number)
        if row is None or key not in row.cells or value is None:
            continue
        if row.cells[key].is_blank:
            row.cells[key] = replace(row.cells[key], value=value)
            filled.append(number)
    return filled


def _parse(
    path: Path, table: Table, areas: dict[str, int], cancel: CancelToken, notes: list[str]
) -> tuple[list[_Row], list[str]]:
    present = set(table.columns)
    errors: list[str] = []
    parsed: list[_Row] = []
    seen: dict[tuple[str, str], int] = {}
    seen_contacts: dict[tuple[str, str], _Row] = {}

    def bad(row: TableRow, key: str, message: str) -> None:
        ref = row.ref(key)
        where = str(ref) if ref else f"{row.sheet}!{row.row}"
        errors.append(_("{file}, {cell}: {message}").format(file=path.name, cell=where, message=message))

    for row in table.rows:
        cancel.check()

        def text(key: str, row=row) -> str:
            return cell_text(row.get(key, "")).strip()

        for key, cell in row.cells.items():
            if cell.formula:
                bad(row, key, _("a formula ({formula}) without a saved value; type the value instead").format(
                    formula=cell.formula[:40]))  # fmt: skip
        values: dict[str, Any] = {}
        for key in ("name", "unit", "title", "speciality", "keywords", "phone", "email", "id_tail", "status_reason"):
            if key in present:
                values[key] = text(key)
        avoid_units = _split(text("avoid_units"))
        avoid_persons = _split(text("avoid_persons"))
        problems = field_problems(
            name=values["name"], unit=values.get("unit"), title=values.get("title"),
            speciality=values.get("speciality"), phone=values.get("phone"), email=values.get("email"),
            id_tail=values.get("id_tail"), avoid_units=avoid_units, avoid_persons=avoid_persons,
        )  # fmt: skip
        for key, problem in problems.items():
            bad(row, key, problem)
        if "name" in problems:
            continue
        if row.hidden:
            notes.append(
                _("{file}, {cell}: {message}").format(
                    file=path.name,
                    cell=str(row.ref("name")),
                    message=_(
                        "{hidden}, and {name} is imported like the rows shown (delete the row to leave it out)"
                    ).format(hidden=_("this row is hidden in the workbook"), name=values["name"]),
                )
            )
        if "areas" in present:
            codes = list(dict.fromkeys(_split(text("areas").upper())))
            unknown = [c for c in codes if c not in areas]
            if unknown:
                bad(row, "areas", _("unknown priority-area code {codes}").format(codes=", ".join(unknown)))
            values["areas"] = sorted(c for c in codes if c in areas)
        if "status" in present:
            status_text = text("status")
            try:
                values["status"] = ExpertStatus.from_label(status_text) if status_text else ExpertStatus.ACTIVE
            except ValueError:
                bad(row, "status", _("unknown status “{value}” (在用 / 暂停)").format(value=status_text))
            if values.get("status") is ExpertStatus.SUSPENDED and not values.get("status_reason"):
                bad(row, "status_reason", _("a suspended expert needs a reason"))
        if "is_staff" in present:
            staff_text = text("is_staff").lower()
            if staff_text not in _YES | _NO:
                bad(row, "is_staff", _("answer 是 or 否, not “{value}”").format(value=staff_text))
            values["is_staff"] = staff_text in _YES
        key = (values["name"], values.get("unit") or values.get("id_tail") or "")
        if key in seen:
            bad(row, "name", _("the same expert is already on row {row}").format(row=seen[key]))
            continue
        seen[key] = row.row
        item = _Row(row.row, values, avoid_units, avoid_persons, row)
        first = _same_person_in_file(path, item, seen_contacts, notes)
        if first is not None:
            bad(row, "name", _("the same expert is already on row {row}").format(row=first))
            continue
        parsed.append(item)
    return parsed, errors


def _same_person_in_file(path: Path, item: _Row, seen: dict[tuple[str, str], _Row], notes: list[str]) -> int | None:
    """The earlier row with this row's name and its phone, e-mail or ID tail, if any; a different
    name with the same phone or e-mail is noted. Records this row's contacts for the rows after it."""
    name = normalise_name(item.values["name"])
    for kind, key in contact_keys(item.values).items():
        earlier = seen.get((kind, key))
        if earlier is None:
            continue
        if normalise_name(earlier.values["name"]) == name:
            return earlier.row
        if kind != "id_tail":
            notes.append(
                _(
                    "{file}, {cell}: {name} has the same {field} as {other} on row {row}; check it is not a "
                    "typing mistake (a shared office phone or mailbox is fine)."
                ).format(
                    file=path.name,
                    cell=item.where(kind),
                    name=item.values["name"],
                    field=_(FIELD_LABELS[kind]),
                    other=earlier.values["name"],
                    row=earlier.row,
                )  # fmt: skip
            )
    for kind, key in contact_keys(item.values).items():
        seen.setdefault((kind, key), item)
    return None


def _same_person_in_pool(
    path: Path,
    item: _Row,
    target: Expert | None,
    by_contact: dict[tuple[str, str], list[Expert]],
    errors: list[str],
    notes: list[str],
) -> None:
    """Refuse a new row that is a stored expert under another unit (same name and phone, e-mail or
    ID tail); note a row whose phone or e-mail is another stored expert's (see the module's rules)."""
    name = normalise_name(item.values["name"])
    noted: set[int] = set()
    for kind, key in contact_keys(item.values).items():
        for other in by_contact.get((kind, key), []):
            if other is target:
                continue
            unit = other.unit.name if other.unit else None
            if target is None and normalise_name(other.name) == name:
                cell = item.where("unit") if "unit" in item.values else item.where(kind)
                errors.append(
                    _(
                        "{file}, {cell}: {who} is already in the pool with the same {field}; this row's "
                        "工作单位 “{unit}” does not match theirs, so it would add a second {name}. Type the unit "
                        "as stored, or change it in the pool first."
                    ).format(
                        file=path.name,
                        cell=cell,
                        who=_who(other.name, unit),
                        field=_(FIELD_LABELS[kind]),
                        unit=item.values.get("unit") or "",
                        name=item.values["name"],
                    )  # fmt: skip
                )
                return
            if kind != "id_tail" and other.id not in noted:
                noted.add(other.id)
                notes.append(
                    _(
                        "{file}, {cell}: {name} has the same {field} as {other}, already in the pool; check it "
                        "is not a typing mistake (a shared office phone or mailbox is fine)."
                    ).format(
                        file=path.name,
                        cell=item.where(kind),
                        name=item.values["name"],
                        field=_(FIELD_LABELS[kind]),
                        other=_who(other.name, unit),
                    )  # fmt: skip
                )


def _refuse(path: Path, errors: list[str]) -> UserError:
    shown = errors[:20]
    more = len(errors) - len(shown)
    return UserError(
        _("{file}: {count} problems, nothing was imported:").format(file=path.name, count=len(errors))
        + "\n"
        + "\n".join(shown)
        + ("\n" + _("… and {more} more").format(more=more) if more > 0 else "")
    )


def stored_values(expert: Expert) -> dict[str, Any]:
    """An expert's fields as the import compares them."""
    return {
        "name": expert.name,
        "unit": expert.unit.name if expert.unit else "",
        "title": expert.title or "",
        "speciality": expert.speciality or "",
        "areas": sorted(f.area.code for f in expert.fields if f.area is not None),
        "keywords": expert.keywords or "",
        "phone": expert.phone or "",
        "email": expert.email or "",
        "id_tail": expert.id_number_tail or "",
        "status": expert.status,
        "status_reason": expert.status_reason or "",
        "is_staff": bool(expert.is_staff),
    }


def _jsonable(value: Any) -> Any:
    return value.value if isinstance(value, ExpertStatus) else value


def _changed(before: dict[str, Any], values: dict[str, Any]) -> dict[str, list]:
    out = {}
    for key, new in values.items():
        old = before.get(key)
        if key == "status_reason" and values.get("status", before.get("status")) is ExpertStatus.ACTIVE:
            continue  # a reason only matters while suspended
        if old != new:
            out[key] = [_jsonable(old), _jsonable(new)]
    return out


def _apply(session: Session, expert: Expert, values: dict[str, Any], areas: dict[str, int]) -> None:
    simple = {"name": "name", "title": "title", "speciality": "speciality", "phone": "phone", "email": "email",
              "id_tail": "id_number_tail", "status_reason": "status_reason"}  # fmt: skip
    for key, attribute in simple.items():
        if key in values:
            setattr(expert, attribute, values[key] or None)
    if "keywords" in values:
        expert.keywords = values["keywords"]
    if "unit" in values:
        expert.unit = get_or_create_unit(session, values["unit"])
    if "status" in values:
        expert.status = values["status"]
        if values["status"] is ExpertStatus.ACTIVE:
            expert.status_reason = None
    if "is_staff" in values:
        expert.is_staff = values["is_staff"]
    if "areas" in values:
        current = {f.area_id: f for f in expert.fields}
        expert.fields = [current.get(areas[code]) or ExpertField(area_id=areas[code]) for code in values["areas"]]


def _find(by_key: dict, by_name: dict, values: dict[str, Any], present: set[str]) -> Expert | None:
    name = values["name"]
    if "unit" in present:
        found = by_key.get((name, values.get("unit") or ""))
        if found is None and values.get("id_tail"):
            found = by_key.get((name, values["id_tail"]))
        return found
    if values.get("id_tail"):
        return by_key.get((name, values["id_tail"]))
    namesakes = by_name.get(name, [])
    return namesakes[0] if len(namesakes) == 1 else None


def import_pool(
    session: Session,
    path: Path,
    *,
    actor: str,
    dry_run: bool = False,
    progress: Progress = NO_PROGRESS,
    cancel: CancelToken = NEVER_CANCELLED,
) -> PoolImportResult:
    """Import the expert pool (see the module's rules). An expert is matched by
    name and unit (or name and ID tail; by name alone when the file has no 工作单位
    column and the name is unique); matches are updated, others created.
    Relations in 回避单位 / 回避人员 are added when missing, never removed."""
    path = Path(path)
    table = read_table(path, column_specs(), check_cancel=cancel.check)
    areas = area_ids(session)
    notes: list[str] = []
    errors: list[str] = []
    if table.hidden_sheets:
        notes.append(
            _("Hidden sheets were not read: {sheets} (unhide a sheet in Excel to import it).").format(
                sheets="、".join(table.hidden_sheets)
            )
        )
    if table.kind == "xlsx":
        _fill_merged(path, table, notes, errors)
    parsed, row_errors = _parse(path, table, areas, cancel, notes)
    errors += row_errors
    present = set(table.columns)
    existing = list(session.scalars(select(Expert).options(selectinload(Expert.unit), selectinload(Expert.relations))))
    by_key: dict[tuple[str, str], Expert] = {}
    by_name: dict[str, list[Expert]] = {}
    by_contact: dict[tuple[str, str], list[Expert]] = {}
    for e in existing:
        by_key[(e.name, e.unit.name if e.unit else "")] = e
        if e.id_number_tail:
            by_key.setdefault((e.name, e.id_number_tail), e)
        by_name.setdefault(e.name, []).append(e)
        for kind_key in _stored_contacts(e).items():
            by_contact.setdefault(kind_key, []).append(e)
    for item in parsed:
        target = _find(by_key, by_name, item.values, present)
        if "unit" in present and not item.values["unit"] and (target is None or target.unit is not None):
            errors.append(
                _("{file}, {cell}: {message}").format(
                    file=path.name,
                    cell=item.where("unit"),
                    message=_(
                        "the 工作单位 is empty; the 回避 rules compare it with the applicants' units. Type it, "
                        "or leave the 工作单位 column out of the file to keep the stored units."
                    ),
                )
            )
        _same_person_in_pool(path, item, target, by_contact, errors, notes)
    if "unit" not in present:
        for item in parsed:
            if not item.values.get("id_tail") and len(by_name.get(item.values["name"], [])) > 1:
                errors.append(
                    _("{file}, row {row}: several experts are named {name}; add the 工作单位 column.").format(
                        file=path.name, row=item.row, name=item.values["name"]
                    )
                )
    if errors:
        raise _refuse(path, errors)
    if not parsed:
        raise UserError(_("{file}: has no expert rows.").format(file=path.name))

    result = PoolImportResult(rows=len(parsed), dry_run=dry_run, notes=notes)
    result.kept_columns = [header for key, header, _a in POOL_COLUMNS if key not in present and key in FIELDS]
    for done, item in enumerate(parsed, start=1):
        progress.update(done, len(parsed), item.values["name"])
        cancel.check()
        expert = _find(by_key, by_name, item.values, present)
        hidden = {"hidden": True} if item.source.hidden else {}
        before = stored_values(expert) if expert is not None else {}
        changed = _changed(before, item.values) if expert is not None else {}
        relations = _new_relations(session, expert, item)
        if relations:
            changed["relations"] = [[], relations]
        if expert is None:
            result.created += 1
            result.experts.append({"row": item.row, "name": item.values["name"], "action": "new", **hidden})
            if not dry_run:
                expert = Expert(name=item.values["name"])
                session.add(expert)
                _apply(session, expert, item.values, areas)
                _add_relations(session, expert, item)
                session.flush()
                audit.record(
                    session, actor=actor, action="expert.create", entity_type="expert", entity_id=expert.id,
                    summary=_("Added expert {name}").format(name=expert.name),
                    details={"file": path.name, "row": item.row,
                             "values": {k: _jsonable(v) for k, v in item.values.items()}},
                )  # fmt: skip
            continue
        if not changed:
            result.unchanged += 1
            result.experts.append({"row": item.row, "name": expert.name, "action": "unchanged", **hidden})
            continue
        result.updated += 1
        result.experts.append(
            {"row": item.row, "name": expert.name, "action": "update", "changed": sorted(changed), **hidden}
        )
        if dry_run:
            continue
        _apply(session, expert, item.values, areas)
        _add_relations(session, expert, item)
        session.flush()
        audit.record(
            session, actor=actor, action="expert.update", entity_type="expert", entity_id=expert.id,
            summary=_("Edited expert {name}").format(name=expert.name),
            details={"file": path.name, "row": item.row, "changed": changed},
        )  # fmt: skip
    if not dry_run:
        audit.record(
            session, actor=actor, action="expert.import", entity_type="expert",
            summary=_("Imported the expert pool from {file}: {created} new, {updated} updated").format(
                file=path.name, created=result.created, updated=result.updated),
            details={"file": path.name, **{k: v for k, v in result.as_json().items() if k != "experts"}},
        )  # fmt: skip
        result.changes = Changes(experts=True, message=result.summary())
    return result


def _new_relations(session: Session, expert: Expert | None, item: _Row) -> list[str]:
    """The 回避 relations of the row that the expert does not have yet (as text)."""
    have_units: set[str] = set()
    have_persons: set[str | None] = set()
    if expert is not None:
        for r in expert.relations:
            if r.kind is RelationKind.UNIT and r.unit_id is not None:
                unit = session.get(Unit, r.unit_id)
                have_units.add(unit.name if unit else "")
            elif r.kind is RelationKind.PERSON:
                have_persons.add(r.person_name)
    new = [f"{RelationKind.UNIT.label()}:{u}" for u in dict.fromkeys(item.avoid_units) if u not in have_units]
    new += [f"{RelationKind.PERSON.label()}:{p}" for p in dict.fromkeys(item.avoid_persons) if p not in have_persons]
    return new


def _add_relations(session: Session, expert: Expert, item: _Row) -> None:
    have_units = {r.unit_id for r in expert.relations if r.kind is RelationKind.UNIT}
    have_persons = {r.person_name for r in expert.relations if r.kind is RelationKind.PERSON}
    for unit_name in dict.fromkeys(item.avoid_units):
        unit = get_or_create_unit(session, unit_name)
        if unit.id not in have_units:
            expert.relations.append(ExpertRelation(kind=RelationKind.UNIT, unit_id=unit.id))
            have_units.add(unit.id)
    for person in dict.fromkeys(item.avoid_persons):
        if person not in have_persons:
            expert.relations.append(ExpertRelation(kind=RelationKind.PERSON, person_name=person))
            have_persons.add(person)
