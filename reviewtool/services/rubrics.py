"""Rubrics: storing versions, import/export (YAML, Excel), batch assignment
and choosing the rubric for an application.

Versioning: saving a rubric whose latest version is already used by a score
sheet creates a new version; otherwise the latest version is rewritten in
place. Identical content changes nothing.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

import yaml
from sqlalchemy import exists, func, select
from sqlalchemy.orm import Session

from reviewtool.core.enums import TagSource
from reviewtool.core.errors import NotFound, UserError
from reviewtool.core.rubric import (
    PLAN_MATCH_KINDS,
    Problem,
    RubricInvalid,
    RubricSpec,
    _num,
    parse_rubric,
    points_text,
)
from reviewtool.i18n import _
from reviewtool.paths import resource_path
from reviewtool.services import audit
from reviewtool.services.changes import Changes
from reviewtool.storage.models import (
    Application,
    ApplicationArea,
    Batch,
    BatchRubric,
    PriorityArea,
    Rubric,
    RubricBand,
    RubricCriterion,
    RubricVersion,
    RubricVetoItem,
    ScoreSheet,
)

SHIPPED = ("haidong-general", "haidong-ecology", "haidong-platform-talent")


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


@dataclass(frozen=True)
class BatchRubricRow:
    id: int
    rubric_code: str
    rubric_name: str
    priority: int
    categories: tuple[str, ...]
    area_codes: tuple[str, ...]


# --------------------------------------------------------------------------- reading


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


# --------------------------------------------------------------------------- writing


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


def save_rubric(session: Session, spec: RubricSpec, *, actor: str, source: str = "") -> SaveResult:
    """Store a validated rubric: new rubric, in-place edit, or a new version."""
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


# --------------------------------------------------------------------------- files


def read_rubric_document(path: Path) -> dict[str, Any]:
    """A rubric document from a YAML or Excel file (by content, not only by name)."""
    path = Path(path)
    try:
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
        document = yaml.safe_load(text)
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
        path.write_bytes(document_to_excel(spec))
    else:
        path.write_text(rubric_yaml(spec), encoding="utf-8")
    return path


def install_shipped_rubrics(session: Session, *, actor: str) -> list[SaveResult]:
    """Store (or update) the rubrics shipped in resources/rubrics."""
    results = []
    for path in sorted(resource_path("rubrics").glob("*.yaml")):
        results.append(import_rubric(session, path, actor=actor))
    return results


# --------------------------------------------------------------------------- Excel

META_FIELDS = [
    ("code", "编码"),
    ("name", "名称"),
    ("description", "说明"),
    ("total_points", "总分"),
    ("step", "最小分值单位"),
    ("rounding.places", "保留小数位数"),
    ("rounding.mode", "舍入方式"),
    ("scope.categories", "适用计划类别"),
    ("scope.area_codes", "适用重点领域"),
]
COLUMNS = [
    ("id", "编号"),
    ("group", "分组"),
    ("title", "评审指标"),
    ("description", "指标说明"),
    ("max_points", "满分"),
    ("weight", "权重"),
    ("plan_fit", "契合度指标"),
    ("suggested_bands", "建议档次"),
    ("comment_required", "需填写评语"),
    ("band", "档次"),
    ("low", "下限"),
    ("high", "上限"),
    ("descriptor", "档次说明"),
]
MATCH_CN = {
    "column_task": "专栏任务",
    "key_industry": "重点产业",
    "direction": "重点方向",
    "provincial": "省级专项",
    "none": "不契合",
}
COMMENT_CN = {"always": "始终", "lowest_band": "最低档", "full_score": "满分", "below": "低于", "bands": "档次"}
MODE_CN = {"half_up": "四舍五入", "half_even": "银行家舍入", "down": "截尾"}
SHEET_CRITERIA = "评分标准"
SHEET_VETO = "一票否决"


def _comment_text(rule: dict) -> str:
    parts = []
    for key, value in rule.items():
        if key == "below":
            parts.append(f"低于:{value}")
        elif key == "bands":
            parts.append("档次:" + ",".join(value))
        elif value:
            parts.append(COMMENT_CN[key])
    return "；".join(parts)


def _split(text: Any) -> list[str]:
    if text is None:
        return []
    return [
        p.strip() for p in str(text).replace("；", ";").replace("，", ",").replace(",", ";").split(";") if p.strip()
    ]


def document_to_excel(spec: RubricSpec) -> bytes:
    """An Excel workbook a panel secretary can edit and import again."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.worksheet.datavalidation import DataValidation

    doc = spec.as_dict()
    wb = Workbook()
    ws = wb.active
    ws.title = SHEET_CRITERIA
    bold = Font(bold=True)
    head_fill = PatternFill("solid", fgColor="DDEBF7")
    ws.append([f"{spec.name}（可编辑后导入；每个档次一行，指标信息写在其第一行）"])
    ws.append([])
    values = {
        "code": spec.code,
        "name": spec.name,
        "description": spec.description,
        "total_points": _num(spec.total_points),
        "step": _num(spec.step),
        "rounding.places": spec.rounding.places,
        "rounding.mode": MODE_CN[spec.rounding.mode],
        "scope.categories": "；".join(spec.scope_categories),
        "scope.area_codes": "；".join(spec.scope_area_codes),
    }
    for key, label in META_FIELDS:
        ws.append([label, values[key]])
        ws.cell(ws.max_row, 1).font = bold
    ws.append([])
    ws.append([label for _key, label in COLUMNS])
    header_row = ws.max_row
    for cell in ws[header_row]:
        cell.font = bold
        cell.fill = head_fill
    for c in doc["criteria"]:
        bands = c.get("bands") or [{}]
        for index, band in enumerate(bands):
            first = index == 0
            suggested = "；".join(f"{MATCH_CN[k]}={v}" for k, v in (c.get("suggested_bands") or {}).items())
            ws.append(
                [
                    c["id"] if first else None,
                    c.get("group") if first else None,
                    c["title"] if first else None,
                    c.get("description") if first else None,
                    c["max_points"] if first else None,
                    c.get("weight") if first else None,
                    ("是" if c.get("plan_fit") else None) if first else None,
                    (suggested or None) if first else None,
                    (_comment_text(c.get("comment_required") or {}) or None) if first else None,
                    band.get("label"),
                    band.get("low"),
                    band.get("high"),
                    band.get("descriptor"),
                ]
            )
    dv = DataValidation(type="decimal", operator="between", formula1="0", formula2="1000", allow_blank=True)
    dv.error = "请输入 0–1000 之间的数字"
    ws.add_data_validation(dv)
    dv.add(f"E{header_row + 1}:E{ws.max_row + 200}")
    dv.add(f"K{header_row + 1}:L{ws.max_row + 200}")
    for letter, width in zip("ABCDEFGHIJKLM", (8, 14, 30, 40, 7, 7, 10, 36, 20, 8, 7, 7, 40), strict=False):
        ws.column_dimensions[letter].width = width
    for row in ws.iter_rows(min_row=header_row + 1):
        for cell in row:
            cell.alignment = Alignment(wrap_text=True, vertical="top")
    vs = wb.create_sheet(SHEET_VETO)
    vs.append(["编号", "问题"])
    for cell in vs[1]:
        cell.font = bold
        cell.fill = head_fill
    for v in doc["veto_items"]:
        vs.append([v["id"], v["question"]])
    vs.column_dimensions["B"].width = 70
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def _cell(value: Any) -> Any:
    if isinstance(value, str):
        value = value.strip()
        return value or None
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, float):
        return repr(value)
    return value


def excel_to_document(data: bytes, *, source: str) -> dict[str, Any]:
    """Read the workbook written by ``document_to_excel`` (possibly edited)."""
    from openpyxl import load_workbook

    try:
        wb = load_workbook(io.BytesIO(data), data_only=True, read_only=True)
    except Exception as exc:
        raise UserError(_("{file} is not a readable Excel workbook: {reason}").format(file=source, reason=exc)) from exc
    if SHEET_CRITERIA not in wb.sheetnames:
        raise UserError(
            _("{file} has no sheet named “{sheet}”; export a rubric to see the expected layout.").format(
                file=source, sheet=SHEET_CRITERIA
            )
        )
    rows = [[_cell(v) for v in row] for row in wb[SHEET_CRITERIA].iter_rows(values_only=True)]
    meta_labels = {label: key for key, label in META_FIELDS}
    header_labels = [label for _key, label in COLUMNS]
    doc: dict[str, Any] = {"criteria": [], "veto_items": []}
    rounding: dict[str, Any] = {}
    scope: dict[str, Any] = {}
    header_index = None
    for index, row in enumerate(rows):
        if row and row[0] == header_labels[0] and len(row) > 2 and row[2] == header_labels[2]:
            header_index = index
            break
        if row and row[0] in meta_labels:
            key = meta_labels[row[0]]
            value = row[1] if len(row) > 1 else None
            if key == "rounding.places":
                rounding["places"] = value
            elif key == "rounding.mode":
                rounding["mode"] = {v: k for k, v in MODE_CN.items()}.get(value, value)
            elif key.startswith("scope."):
                scope[key.split(".")[1]] = _split(value)
            elif value is not None:
                doc[key] = value
    if header_index is None:
        raise UserError(
            _("{file}: sheet “{sheet}” has no header row starting with “{label}”.").format(
                file=source, sheet=SHEET_CRITERIA, label=header_labels[0]
            )
        )
    if rounding:
        doc["rounding"] = rounding
    if any(scope.values()):
        doc["scope"] = scope
    header = [str(h) if h is not None else "" for h in rows[header_index]]
    positions = {}
    for key, label in COLUMNS:
        if label not in header:
            raise UserError(
                _("{file}: sheet “{sheet}” lacks the column “{label}”.").format(
                    file=source, sheet=SHEET_CRITERIA, label=label
                )
            )
        positions[key] = header.index(label)
    match_keys = {v: k for k, v in MATCH_CN.items()}
    comment_keys = {v: k for k, v in COMMENT_CN.items()}
    current: dict[str, Any] | None = None
    for offset, row in enumerate(rows[header_index + 1 :], start=header_index + 2):
        row = list(row) + [None] * (len(COLUMNS) - len(row))

        def get(key: str, row=row) -> Any:
            return row[positions[key]]

        if all(v is None for v in row):
            continue
        if get("id") is not None or get("title") is not None:
            current = {"id": str(get("id") or ""), "title": get("title")}
            for key in ("group", "description", "max_points", "weight"):
                if get(key) is not None:
                    current[key] = get(key)
            if get("plan_fit") in ("是", "yes", "true", True, 1):
                current["plan_fit"] = True
            suggested = {}
            for part in _split(get("suggested_bands")):
                name, _sep, label = part.partition("=")
                suggested[match_keys.get(name.strip(), name.strip())] = label.strip()
            if suggested:
                current["suggested_bands"] = suggested
            rule: dict[str, Any] = {}
            for part in _split(get("comment_required")):
                name, sep, value = part.replace("：", ":").partition(":")
                key = comment_keys.get(name.strip(), name.strip())
                if key == "below":
                    rule["below"] = value.strip()
                elif key == "bands":
                    rule["bands"] = [v for v in value.replace("、", " ").split() if v]
                else:
                    rule[key] = True
            if rule:
                current["comment_required"] = rule
            current["bands"] = []
            doc["criteria"].append(current)
        if current is None:
            raise UserError(
                _("{file}: row {row} has a band but no criterion above it (column “{label}” is empty).").format(
                    file=source, row=offset, label=COLUMNS[0][1]
                )
            )
        if get("band") is not None or get("low") is not None or get("high") is not None:
            current["bands"].append(
                {
                    "label": get("band"),
                    "low": get("low"),
                    "high": get("high"),
                    "descriptor": get("descriptor") or "",
                }
            )
    if SHEET_VETO in wb.sheetnames:
        for row in list(wb[SHEET_VETO].iter_rows(values_only=True))[1:]:
            row = [_cell(v) for v in row] + [None, None]
            if row[0] is None and row[1] is None:
                continue
            doc["veto_items"].append({"id": str(row[0] or ""), "question": row[1]})
    return doc


# --------------------------------------------------------------------------- batches


def attach_rubric(
    session: Session,
    batch_id: int,
    code: str,
    *,
    actor: str,
    categories: list[str] | None = None,
    area_codes: list[str] | None = None,
    priority: int | None = None,
) -> Changes:
    """Use a rubric for a batch, optionally restricted to categories / area groups.

    Restricted rules are tried before unrestricted ones (higher ``priority`` first)."""
    batch = session.get(Batch, batch_id)
    if batch is None:
        raise NotFound(_("No batch with id {id}.").format(id=batch_id))
    rubric = get_rubric(session, code)
    known = set(session.scalars(select(PriorityArea.code)))
    for area in area_codes or []:
        if area not in known:
            raise UserError(_("Unknown priority area code “{code}”.").format(code=area))
    if priority is None:
        priority = 10 if (categories or area_codes) else 0
    link = session.scalar(
        select(BatchRubric).where(BatchRubric.batch_id == batch_id, BatchRubric.rubric_id == rubric.id)
    )
    old = None
    if link is None:
        link = BatchRubric(batch_id=batch_id, rubric_id=rubric.id)
        session.add(link)
    else:
        old = {"priority": link.priority, "categories": link.categories, "area_codes": link.area_codes}
    link.priority = priority
    link.categories = list(categories or [])
    link.area_codes = list(area_codes or [])
    session.flush()
    audit.record(
        session,
        actor=actor,
        action="batch.rubric",
        entity_type="batch",
        entity_id=batch_id,
        batch_id=batch_id,
        summary=_("Rubric {code} used for batch {batch}").format(code=code, batch=batch.name),
        details={
            "rubric": code,
            "old": old,
            "new": {"priority": priority, "categories": link.categories, "area_codes": link.area_codes},
        },
    )
    return Changes(batches=True, rubrics=True)


def batch_rubrics(session: Session, batch_id: int) -> list[BatchRubricRow]:
    stmt = (
        select(BatchRubric, Rubric)
        .join(Rubric, BatchRubric.rubric_id == Rubric.id)
        .where(BatchRubric.batch_id == batch_id)
        .order_by(BatchRubric.priority.desc(), BatchRubric.id)
    )
    return [
        BatchRubricRow(
            link.id, rubric.code, rubric.name, link.priority, tuple(link.categories or ()), tuple(link.area_codes or ())
        )
        for link, rubric in session.execute(stmt)
    ]


def application_area_codes(session: Session, application_id: int, *, with_ancestors: bool = True) -> list[str]:
    """Confirmed area codes of an application (and their parents, for group rules)."""
    areas = session.scalars(
        select(PriorityArea)
        .join(ApplicationArea, ApplicationArea.area_id == PriorityArea.id)
        .where(ApplicationArea.application_id == application_id, ApplicationArea.source == TagSource.CONFIRMED)
    ).all()
    codes: list[str] = []
    for area in areas:
        node = area
        while node is not None:
            if node.code not in codes:
                codes.append(node.code)
            node = node.parent if with_ancestors else None
    return codes


def select_rubric_version(session: Session, application_id: int) -> RubricVersion:
    """The latest version of the rubric that applies to an application.

    Rules of the batch are tried by priority (restricted before general);
    a rule matches when its categories (if any) include the application's
    category and its area codes (if any) include one of the application's
    confirmed areas or their parents (so ``HD-D1`` covers its industries)."""
    application = session.get(Application, application_id)
    if application is None:
        raise NotFound(_("No application with id {id}.").format(id=application_id))
    codes = set(application_area_codes(session, application_id))
    links = session.scalars(
        select(BatchRubric)
        .where(BatchRubric.batch_id == application.batch_id)
        .order_by(BatchRubric.priority.desc(), BatchRubric.id)
    ).all()
    for link in links:
        if link.categories and application.category not in link.categories:
            continue
        if link.area_codes and not codes.intersection(link.area_codes):
            continue
        return latest_version(session, link.rubric_id)
    raise UserError(
        _("No rubric applies to application {number}: attach a rubric to its batch first.").format(
            number=application.number
        )
    )


def problems_text(problems: list[Problem]) -> str:
    return "\n".join(str(p) for p in problems)


__all__ = [
    "PLAN_MATCH_KINDS",
    "RubricInvalid",
    "SaveResult",
    "attach_rubric",
    "export_rubric",
    "import_rubric",
    "install_shipped_rubrics",
    "list_rubrics",
    "load_version_spec",
    "save_rubric",
    "select_rubric_version",
]
