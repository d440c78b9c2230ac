"""Choosing a batch's rubric (评分标准) from the batch screen: the rubrics in
the database and the ones shipped with reviewtool (resources/rubrics) that
are not installed yet, so a fresh database can set up its first batch. A
shipped rubric is installed when chosen, then attached
(``services.scoring.rubric_batches.attach_rubric``, audited).
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.orm import Session

from reviewtool.core.errors import NotFound
from reviewtool.i18n import _
from reviewtool.paths import resource_path
from reviewtool.services.changes import Changes
from reviewtool.services.scoring import rubric_batches, rubrics


@dataclass(frozen=True)
class RubricChoice:
    code: str
    name: str
    version: int | None  # None: shipped, not installed yet
    installed: bool

    def label(self) -> str:
        if self.installed:
            return f"{self.name}（{self.code} v{self.version}）"
        return _("{name} ({code}, comes with reviewtool)").format(name=self.name, code=self.code)


def _shipped() -> dict[str, tuple[object, str]]:
    """Code → (file, name) of the rubrics shipped with reviewtool."""
    found = {}
    for path in sorted(resource_path("rubrics").glob("*.yaml")):
        spec = rubrics.load_rubric_file(path)
        found[spec.code] = (path, spec.name)
    return found


def rubric_choices(session: Session) -> list[RubricChoice]:
    installed = [r for r in rubrics.list_rubrics(session, include_archived=False)]
    codes = {r.code for r in installed}
    choices = [RubricChoice(r.code, r.name, r.version, True) for r in installed]
    choices += [RubricChoice(code, name, None, False) for code, (_p, name) in _shipped().items() if code not in codes]
    return choices


def use_rubric(
    session: Session,
    batch_id: int,
    code: str,
    *,
    actor: str,
    categories: list[str] | None = None,
    area_codes: list[str] | None = None,
) -> Changes:
    """Attach a rubric to the batch, installing it first when it is a shipped one not yet in the database."""
    if code not in {r.code for r in rubrics.list_rubrics(session)}:
        shipped = _shipped()
        if code not in shipped:
            raise NotFound(_("No rubric with the code “{code}”.").format(code=code))
        rubrics.import_rubric(session, shipped[code][0], actor=actor)
    changes = rubric_batches.attach_rubric(
        session, batch_id, code, actor=actor, categories=categories, area_codes=area_codes
    )
    changes.rubrics = True
    return changes
