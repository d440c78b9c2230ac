"""Rubrics (评分标准) in the database: versions, saving (a new version when
a used rubric is edited), archiving, YAML and Excel files, and the shipped
rubrics. The rules a rubric must satisfy are ``core.scoring.rubric_check``.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

import yaml
from sqlalchemy import exists, func, select
from sqlalchemy.orm import Session

from reviewtool.core.errors import NotFound, UserError
from reviewtool.core.safe_yaml import load_limited
from reviewtool.core.scoring.rubric import Problem, RubricSpec, points_text
from reviewtool.core.scoring.rubric_check import parse_rubric
from reviewtool.i18n import _
from reviewtool.paths import resource_path
from reviewtool.services import audit, files
from reviewtool.services.changes import Changes
from reviewtool.services.scoring.rubric_excel import document_to_excel, excel_to_document
from reviewtool.storage.lengths import length_problem
from reviewtool.storage.models import Rubric, RubricBand, RubricCriterion, RubricVersion, RubricVetoItem, ScoreSheet

SHIPPED = ("haidong-general", "haidong-ecology", "haidong-platform-talent")
#: A rubric file is a few kilobytes; anything this large is refused unread.
MAX_FILE_BYTES = 5_000_000


@dataclass(frozen=True)
class RubricRow:
    id: int
    code: str
    name: str
    version_id: int
    version: int
    total_points: Decimal
    criteria: int
    sheets: int
    archived: bool

    def as_json(self) -> dict:
        return {
            "code": self.code,
            "name": self.name,
            "version": self.version,
            "version_id": self.version_id,
            "total_points": points_text(self.total_points),
            "criteria": self.criteria,
            "sheets": self.sheets,
            "archived": self.archived,
        }


@dataclass(frozen=True)
class SaveResult:
    rubric_id: int
    version_id: int
    version: int
    created_rubric: bool
    created_version: bool
    changed: bool
    changes: Changes

    def as_json(self) -> dict:
        return {
            "rubric_id": self.rubric_id,
            "version_id": self.version_id,
            "version": self.version,
            "created_rubric": self.created_rubric,
            "created_version": self.created_version,
            "changed": self.changed,
        }


def spec_of_version(version: RubricVersion) -> RubricSpec:
    """The spec a version was stored with (its ``definition`` document)."""
    return parse_rubric(version.definition, source=f"{version.rubric.code} v{version.number}")


def load_version_spec(session: Session, version_id: int) -> RubricSpec:
    version = session.get(RubricVersion, version_id)
    if version is None:
        raise NotFound(_("No rubric version with id {id}.").format(id=version_id))
    return spec_of_version(version)


def get_rubric(session: Session, code: str) -> Rubric:
    rubric = session.scalar(select(Rubric).where(Rubric.code == code))
    if rubric is None:
        raise NotFound(_("No rubric with the code “{code}”.").format(code=code))
    return rubric


def latest_version(session: Session, rubric_id: int) -> RubricVersion:
    version = session.scalar(
        select(RubricVersion).where(RubricVersion.rubric_id == rubric_id).order_by(RubricVersion.number.desc()).limit(1)
    )
    if version is None:
        raise NotFound(_("The rubric has no version."))
    return version


def get_version(session: Session, code: str, number: int | None = None) -> RubricVersion:
    rubric = get_rubric(session, code)
    if number is None:
        return latest_version(session, rubric.id)
    version = session.scalar(
        select(RubricVersion).where(RubricVersion.rubric_id == rubric.id, RubricVersion.number == number)
    )
    if version is None:
        raise NotFound(_("Rubric “{code}” has no version {number}.").format(code=code, number=number))
    return version


def version_in_use(session: Session, version_id: int) -> bool:
    return bool(session.scalar(select(exists().where(ScoreSheet.rubric_version_id == version_id))))


def list_rubrics(session: Session, *, include_archived: bool = True) -> list[RubricRow]:
    rows = []
    stmt = select(Rubric).order_by(Rubric.code)
    if not include_archived:
        stmt = stmt.where(Rubric.archived.is_(False))
    for rubric in session.scalars(stmt):
        version = latest_version(session, rubric.id)
        sheets = session.scalar(
            select(func.count(ScoreSheet.id))
            .join(RubricVersion, ScoreSheet.rubric_version_id == RubricVersion.id)
            .where(RubricVersion.rubric_id == rubric.id)
        )
        count = session.scalar(select(func.count(RubricCriterion.id)).where(RubricCriterion.version_id == version.id))
        rows.append(
            RubricRow(
                rubric.id,
                rubric.code,
                rubric.name,
                version.id,
                version.number,
                version.total_points,
                count or 0,
                sheets or 0,
                rubric.archived,
            )
        )
    return rows


def _fill_version(session: Session, version: RubricVersion, spec: RubricSpec, actor: str) -> None:
    """Write the spec into a version (its definition and mirror rows)."""
    version.criteria.clear()
    version.veto_items.clear()
    session.flush()
    version.total_points = spec.total_points
    version.rounding = spec.rounding.as_storage()
    version.definition = spec.as_dict()
    version.content_hash = spec.content_hash()
    version.created_by = actor
    for position, c in enumerate(spec.criteria):
        row = RubricCriterion(
            key=c.key,
            group=c.group,
            position=position,
            title=c.title,
            description=c.description,
            max_points=c.max_points,
            weight=c.weight,
            comment_rule=c.comment_rule.as_dict(),
            plan_fit=c.plan_fit,
        )
        row.bands = [
            RubricBand(position=i, label=b.label, low=b.low, high=b.high, descriptor=b.descriptor)
            for i, b in enumerate(c.bands)
        ]
        version.criteria.append(row)
    for position, v in enumerate(spec.veto_items):
        version.veto_items.append(RubricVetoItem(key=v.key, position=position, question=v.question))
    session.flush()


def length_problems(spec: RubricSpec) -> list[str]:
    """Texts of a rubric too long for their columns, each with its field named."""
    checks = [(spec.code, Rubric.code, _("rubric code")), (spec.name, Rubric.name, _("rubric name"))]
    for c in spec.criteria:
        key = c.key[:20]
        checks += [
            (c.key, RubricCriterion.key, _("criterion {key}").format(key=key)),
            (c.title, RubricCriterion.title, _("criterion {key}, title").format(key=key)),
            (c.group, RubricCriterion.group, _("criterion {key}, group").format(key=key)),
        ]
        checks += [(b.label, RubricBand.label, _("criterion {key}, band label").format(key=key)) for b in c.bands]
    checks += [(v.key, RubricVetoItem.key, _("veto item {key}").format(key=v.key[:20])) for v in spec.veto_items]
    return [p for value, column, field in checks if (p := length_problem(value, column, field=field))]


def save_rubric(session: Session, spec: RubricSpec, *, actor: str, source: str = "") -> SaveResult:
    """Store a validated rubric: new rubric, in-place edit, or a new version."""
    too_long = length_problems(spec)
    if too_long:
        head = (
            _("{file}: rubric {code} cannot be stored:").format(file=source, code=spec.code[:64])
            if source
            else _("Rubric {code} cannot be stored:").format(code=spec.code[:64])
        )
        raise UserError(head + "\n" + "\n".join(too_long))
    rubric = session.scalar(select(Rubric).where(Rubric.code == spec.code))
    created_rubric = rubric is None
    if rubric is None:
        rubric = Rubric(code=spec.code, name=spec.name, description=spec.description)
        session.add(rubric)
        session.flush()
        version = None
    else:
        version = latest_version(session, rubric.id)
        if version.content_hash == spec.content_hash():
            return SaveResult(rubric.id, version.id, version.number, False, False, False, Changes())
    created_version = False
    old = version.definition if version is not None else None
    if version is None or version_in_use(session, version.id):
        number = 1 if version is None else version.number + 1
        version = RubricVersion(rubric_id=rubric.id, number=number)
        session.add(version)
        session.flush()
        created_version = True
    rubric.name = spec.name
    rubric.description = spec.description
    _fill_version(session, version, spec, actor)
    audit.record(
        session,
        actor=actor,
        action="rubric.create" if created_rubric else ("rubric.version" if created_version else "rubric.edit"),
        entity_type="rubric",
        entity_id=rubric.id,
        summary=_("Saved rubric {code} version {number}").format(code=spec.code, number=version.number),
        details={"version": version.number, "source": source, "old": old, "new": spec.as_dict()},
    )
    return SaveResult(
        rubric.id,
        version.id,
        version.number,
        created_rubric,
        created_version,
        True,
        Changes(rubrics=True, message=_("Rubric {code} saved").format(code=spec.code)),
    )


def set_archived(session: Session, code: str, archived: bool, *, actor: str) -> Changes:
    rubric = get_rubric(session, code)
    if rubric.archived == archived:
        return Changes()
    rubric.archived = archived
    audit.record(
        session,
        actor=actor,
        action="rubric.archive" if archived else "rubric.unarchive",
        entity_type="rubric",
        entity_id=rubric.id,
        summary=code,
        details={"old": not archived, "new": archived},
    )
    return Changes(rubrics=True)


def read_rubric_document(path: Path) -> dict[str, Any]:
    """A rubric document from a YAML or Excel file (by content, not only by name)."""
    path = Path(path)
    try:
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            raise UserError(
                _("{file}: {size} bytes, more than the {limit} a rubric file may have.").format(
                    file=path.name, size=size, limit=MAX_FILE_BYTES
                )
            )
        data = path.read_bytes()
    except OSError as exc:
        raise UserError(_("Cannot read {file}: {reason}").format(file=path.name, reason=exc.strerror)) from exc
    if data[:4] == b"PK\x03\x04":
        return excel_to_document(data, source=path.name)
    if path.suffix.lower() in (".xlsx", ".xlsm"):
        raise UserError(_("{file} is not an Excel workbook (.xlsx).").format(file=path.name))
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise UserError(_("{file} is not a UTF-8 text file.").format(file=path.name)) from exc
    try:
        document = load_limited(text, source=path.name)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = _("line {line}, column {column}").format(line=mark.line + 1, column=mark.column + 1) if mark else ""
        raise UserError(
            _("{file} is not valid YAML ({where}): {reason}").format(
                file=path.name, where=where, reason=getattr(exc, "problem", "") or exc
            )
        ) from exc
    return document


def load_rubric_file(path: Path) -> RubricSpec:
    return parse_rubric(read_rubric_document(path), source=Path(path).name)


def import_rubric(session: Session, path: Path, *, actor: str) -> SaveResult:
    """Validate a file completely, then store it; a bad file changes nothing."""
    spec = load_rubric_file(path)
    return save_rubric(session, spec, actor=actor, source=Path(path).name)


def rubric_yaml(spec: RubricSpec) -> str:
    return yaml.safe_dump(spec.as_dict(), allow_unicode=True, sort_keys=False, width=120)


def export_rubric(
    session: Session, code: str, path: Path, *, number: int | None = None, fmt: str | None = None
) -> Path:
    """Write one rubric version as YAML or Excel (by ``fmt`` or the file suffix)."""
    spec = spec_of_version(get_version(session, code, number))
    path = Path(path)
    fmt = fmt or ("xlsx" if path.suffix.lower() in (".xlsx", ".xlsm") else "yaml")
    if fmt == "xlsx":
        files.write_bytes(path, document_to_excel(spec))
    else:
        files.write_text(path, rubric_yaml(spec))
    return path


def install_shipped_rubrics(session: Session, *, actor: str) -> list[SaveResult]:
    """Store (or update) the rubrics shipped in resources/rubrics."""
    results = []
    for path in sorted(resource_path("rubrics").glob("*.yaml")):
        results.append(import_rubric(session, path, actor=actor))
    return results


def problems_text(problems: list[Problem]) -> str:
    return "\n".join(str(p) for p in problems)
