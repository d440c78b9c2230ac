"""Plan taxonomies: the areas of a development plan that applications are filed under.

Each plan edition (e.g. 海东市“十四五”科技创新发展规划) is one versioned YAML file
under ``resources/plans/``::

    edition: {code, title, issuer, period, published, published_text?, source}
    areas:
      - {code, kind, title, parent, section, description, attributes}

Areas are listed in tree order (a parent before its children). A new plan
(十五五 …) is a new file; no code change is needed. This module is plain
Python: it reads and validates the files and knows nothing of Qt or the
database.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

import yaml

from reviewtool.i18n import _
from reviewtool.paths import resource_path

AREA_KINDS = (
    "direction",
    "industry",
    "column_task",
    "key_task",
    "support",
    "special",
    "special_task",
    "target",
)
TOP_LEVEL_KEYS = ("edition", "areas")
EDITION_KEYS = ("code", "title", "issuer", "period", "published", "published_text", "source")
AREA_KEYS = ("code", "kind", "title", "parent", "section", "description", "attributes")

#: libyaml's safe loader when PyYAML was built with it (ten times faster; the plan is read at every start).
SAFE_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class TaxonomyError(ValueError):
    """A plan file is malformed; the message names the file and the code or key at fault."""


@dataclass(frozen=True)
class AreaSpec:
    """One area of a plan (a direction, an industry, a 专栏 task, a target …)."""

    code: str
    kind: str
    title: str
    parent: str | None
    description: str
    position: int  # order in the file, 0-based
    section: str | None = None
    attributes: Mapping[str, object] = field(default_factory=dict, hash=False)


@dataclass(frozen=True)
class PlanEditionSpec:
    """One plan edition and its areas, in file (tree) order."""

    code: str
    title: str
    issuer: str
    period: str
    published: date | None
    source: str | None
    areas: tuple[AreaSpec, ...]
    published_text: str | None = None

    def by_code(self) -> dict[str, AreaSpec]:
        """Areas keyed by code, in file order."""
        return {area.code: area for area in self.areas}

    def children(self, code: str | None) -> list[AreaSpec]:
        """The areas whose parent is ``code`` (``None``: the top-level areas), in file order."""
        return [area for area in self.areas if area.parent == code]


# --------------------------------------------------------------------------
# Parsing and validation


def _text(value: object) -> str | None:
    """A stripped non-empty string, or None."""
    if isinstance(value, str) and value.strip():
        return value.strip()
    return None


def _optional_text(value: object, *, file: str, where: str, key: str) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str):
        raise TaxonomyError(
            _("{file}: {where}: {key} must be text, not {value!r}").format(file=file, where=where, key=key, value=value)
        )
    return value.strip() or None


def _check_keys(data: Mapping, allowed: tuple[str, ...], *, file: str, where: str) -> None:
    for key in data:
        if key not in allowed:
            raise TaxonomyError(
                _("{file}: {where}: unknown key {key!r} (allowed: {allowed})").format(
                    file=file, where=where, key=key, allowed=", ".join(allowed)
                )
            )


def _parse_published(value: object, *, file: str) -> date | None:
    if value is None:
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, str):
        try:
            return date.fromisoformat(value.strip())
        except ValueError:
            pass
    raise TaxonomyError(
        _("{file}: edition: published must be a date (YYYY-MM-DD), not {value!r}").format(file=file, value=value)
    )


def _parse_area(data: object, index: int, *, file: str) -> AreaSpec:
    where = _("area #{number}").format(number=index + 1)
    if not isinstance(data, Mapping):
        raise TaxonomyError(_("{file}: {where}: expected a mapping").format(file=file, where=where))
    code = _text(data.get("code"))
    if code is None:
        raise TaxonomyError(_("{file}: {where}: missing or empty code").format(file=file, where=where))
    where = _("area {code}").format(code=code)
    _check_keys(data, AREA_KEYS, file=file, where=where)

    kind = _text(data.get("kind"))
    if kind is None:
        raise TaxonomyError(_("{file}: area {code}: missing or empty kind").format(file=file, code=code))
    if kind not in AREA_KINDS:
        raise TaxonomyError(
            _("{file}: area {code}: unknown kind {kind!r} (allowed: {allowed})").format(
                file=file, code=code, kind=kind, allowed=", ".join(AREA_KINDS)
            )
        )
    title = _text(data.get("title"))
    if title is None:
        raise TaxonomyError(_("{file}: area {code}: missing or empty title").format(file=file, code=code))

    parent = data.get("parent")
    if parent is not None and _text(parent) is None:
        raise TaxonomyError(
            _("{file}: area {code}: parent must be an area code or null, not {value!r}").format(
                file=file, code=code, value=parent
            )
        )
    description = data.get("description", "")
    if not isinstance(description, str):
        raise TaxonomyError(
            _("{file}: area {code}: description must be text, not {value!r}").format(
                file=file, code=code, value=description
            )
        )
    attributes = data.get("attributes")
    if attributes is None:
        attributes = {}
    if not isinstance(attributes, Mapping) or not all(isinstance(key, str) for key in attributes):
        raise TaxonomyError(
            _("{file}: area {code}: attributes must be a mapping with text keys").format(file=file, code=code)
        )
    return AreaSpec(
        code=code,
        kind=kind,
        title=title,
        parent=_text(parent),
        description=description.strip(),
        position=index,
        section=_optional_text(data.get("section"), file=file, where=where, key="section"),
        attributes=dict(attributes),
    )


def _check_tree(areas: list[AreaSpec], *, file: str) -> None:
    """Codes are unique; every parent exists, is not a descendant, and comes first."""
    positions: dict[str, int] = {}
    for area in areas:
        if area.code in positions:
            raise TaxonomyError(_("{file}: area {code}: duplicate code").format(file=file, code=area.code))
        positions[area.code] = area.position
    parents = {area.code: area.parent for area in areas}
    for area in areas:
        if area.parent is None:
            continue
        if area.parent not in positions:
            raise TaxonomyError(
                _("{file}: area {code}: parent {parent} does not exist").format(
                    file=file, code=area.code, parent=area.parent
                )
            )
        chain = [area.code]
        ancestor: str | None = area.parent
        while ancestor is not None:
            chain.append(ancestor)
            if ancestor in chain[:-1]:
                raise TaxonomyError(
                    _("{file}: area {code}: parent cycle {chain}").format(
                        file=file, code=area.code, chain=" -> ".join(chain)
                    )
                )
            ancestor = parents.get(ancestor)
        if positions[area.parent] > area.position:
            raise TaxonomyError(
                _("{file}: area {code}: parent {parent} must be listed before its child").format(
                    file=file, code=area.code, parent=area.parent
                )
            )


def parse_edition(data: Mapping, *, source_name: str) -> PlanEditionSpec:
    """Validate the loaded YAML of one plan file; ``source_name`` names it in errors."""
    file = source_name
    if not isinstance(data, Mapping):
        raise TaxonomyError(_("{file}: expected a mapping with 'edition' and 'areas'").format(file=file))
    for key in data:
        if key not in TOP_LEVEL_KEYS:
            raise TaxonomyError(
                _("{file}: unknown top-level key {key!r} (allowed: {allowed})").format(
                    file=file, key=key, allowed=", ".join(TOP_LEVEL_KEYS)
                )
            )

    edition = data.get("edition")
    if not isinstance(edition, Mapping):
        raise TaxonomyError(_("{file}: missing or malformed key 'edition'").format(file=file))
    _check_keys(edition, EDITION_KEYS, file=file, where="edition")
    required: dict[str, str] = {}
    for key in ("code", "title"):
        value = _text(edition.get(key))
        if value is None:
            raise TaxonomyError(_("{file}: edition: missing or empty {key}").format(file=file, key=key))
        required[key] = value
    optional = {
        key: _optional_text(edition.get(key), file=file, where="edition", key=key)
        for key in ("issuer", "period", "published_text", "source")
    }

    raw_areas = data.get("areas")
    if raw_areas is None:
        raw_areas = []
    if not isinstance(raw_areas, list):
        raise TaxonomyError(_("{file}: key 'areas' must be a list").format(file=file))
    areas = [_parse_area(item, index, file=file) for index, item in enumerate(raw_areas)]
    _check_tree(areas, file=file)

    return PlanEditionSpec(
        code=required["code"],
        title=required["title"],
        issuer=optional["issuer"] or "",
        period=optional["period"] or "",
        published=_parse_published(edition.get("published"), file=file),
        source=optional["source"],
        areas=tuple(areas),
        published_text=optional["published_text"],
    )


def load_edition(path: Path) -> PlanEditionSpec:
    """Read and validate one plan file."""
    path = Path(path)
    file = str(path)
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise TaxonomyError(_("{file}: not UTF-8 text ({error})").format(file=file, error=exc)) from exc
    try:
        data = yaml.load(text, Loader=SAFE_LOADER)  # a safe loader (libyaml when built)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
        problem = getattr(exc, "problem", None) or str(exc)
        if mark is not None:
            message = _("{file}, line {line}: YAML syntax error: {problem}").format(
                file=file, line=mark.line + 1, problem=problem
            )
        else:
            message = _("{file}: YAML syntax error: {problem}").format(file=file, problem=problem)
        raise TaxonomyError(message) from exc
    return parse_edition(data, source_name=file)


def shipped_edition_files() -> list[Path]:
    """The plan files shipped with reviewtool, sorted by name."""
    folder = resource_path("plans")
    return sorted(folder.glob("*.yaml")) if folder.is_dir() else []


def shipped_editions() -> list[PlanEditionSpec]:
    """All shipped plan editions; edition codes must be unique across files."""
    editions: list[PlanEditionSpec] = []
    seen: dict[str, Path] = {}
    for path in shipped_edition_files():
        edition = load_edition(path)
        if edition.code in seen:
            raise TaxonomyError(
                _("{file}: edition code {code} is already used by {other}").format(
                    file=path, code=edition.code, other=seen[edition.code].name
                )
            )
        seen[edition.code] = path
        editions.append(edition)
    return editions
