"""The 回避 (conflict of interest) rules, as plain Python.

An expert may not review an application when:

- they work at the applicant's unit (``same_unit``);
- they declared the applicant's unit as one to avoid (``declared_unit``);
- they declared the project leader as a person to avoid (``declared_person``);
- the application is their own (``own_application``), or they have their own,
  competing application in the same group (``competing_application``);
- the applicant asked to avoid them, one of up to three names (``avoid_request``);
- staff excluded them, with a reason (``staff_exclusion``).

The service layer gathers the facts (``ExpertFacts``, ``ApplicationFacts``)
from the database; this module only decides. Pure functions, thread-safe.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from reviewtool.i18n import N_, _

#: Rule code -> translatable title (used in exclusion lists and reports).
RULES: dict[str, str] = {
    "same_unit": N_("Same unit as the applicant"),
    "declared_unit": N_("Declared relation with the applicant's unit"),
    "declared_person": N_("Declared relation with the project leader"),
    "own_application": N_("The expert's own application"),
    "competing_application": N_("Has a competing application in the same group"),
    "avoid_request": N_("The applicant asked to avoid this expert"),
    "staff_exclusion": N_("Excluded by staff"),
}

MAX_AVOID_REQUESTS = 3


def normalise_name(name: str | None) -> str:
    """Names compare without spaces (全角 or 半角) and case."""
    if not name:
        return ""
    return "".join(name.split()).replace("\u3000", "").casefold()


@dataclass(frozen=True)
class ExpertFacts:
    id: int
    name: str
    unit_id: int | None = None
    unit_name: str | None = None
    avoid_unit_ids: frozenset[int] = frozenset()
    avoid_persons: frozenset[str] = frozenset()  # normalised names
    own_application_ids: frozenset[int] = frozenset()


@dataclass(frozen=True)
class ApplicationFacts:
    id: int
    number: str
    unit_id: int
    pi_name: str = ""
    avoid_expert_ids: frozenset[int] = frozenset()
    #: Avoid requests not linked to a pool record: (normalised name, unit name or None).
    avoid_names: frozenset[tuple[str, str | None]] = frozenset()


@dataclass(frozen=True)
class Conflict:
    """One reason why ``expert_id`` may not review ``application_id``
    (``application_id`` is None for a reason that applies to the whole group)."""

    rule: str
    expert_id: int
    application_id: int | None
    detail: str = ""

    @property
    def title(self) -> str:
        return _(RULES[self.rule])

    def describe(self) -> str:
        return f"{self.title}：{self.detail}" if self.detail else self.title

    def as_json(self) -> dict:
        return {
            "rule": self.rule,
            "expert_id": self.expert_id,
            "application_id": self.application_id,
            "reason": self.describe(),
        }


@dataclass(frozen=True)
class StaffExclusion:
    expert_id: int
    reason: str
    application_id: int | None = None  # None: the whole group


def pair_conflicts(expert: ExpertFacts, application: ApplicationFacts) -> list[Conflict]:
    """Every rule that forbids this expert on this application (empty: allowed)."""
    found: list[Conflict] = []
    number = application.number
    if expert.unit_id is not None and expert.unit_id == application.unit_id:
        found.append(Conflict("same_unit", expert.id, application.id, expert.unit_name or number))
    if application.unit_id in expert.avoid_unit_ids:
        found.append(Conflict("declared_unit", expert.id, application.id, number))
    pi = normalise_name(application.pi_name)
    if pi and pi in expert.avoid_persons:
        found.append(Conflict("declared_person", expert.id, application.id, application.pi_name))
    if application.id in expert.own_application_ids:
        found.append(Conflict("own_application", expert.id, application.id, number))
    if expert.id in application.avoid_expert_ids or _named_in(expert, application.avoid_names):
        found.append(Conflict("avoid_request", expert.id, application.id, number))
    return found


def _named_in(expert: ExpertFacts, names: Iterable[tuple[str, str | None]]) -> bool:
    own = normalise_name(expert.name)
    unit = normalise_name(expert.unit_name)
    for name, unit_name in names:
        if name == own and (not unit_name or normalise_name(unit_name) == unit):
            return True
    return False


@dataclass
class ConflictMatrix:
    """Conflicts between a set of experts and a set of applications."""

    by_pair: dict[tuple[int, int], list[Conflict]] = field(default_factory=dict)
    #: Reasons that bar an expert from the whole group (competing application, staff exclusion).
    group: dict[int, list[Conflict]] = field(default_factory=dict)

    def allowed(self, application_id: int, expert_id: int) -> bool:
        return expert_id not in self.group and (application_id, expert_id) not in self.by_pair

    def reasons(self, application_id: int, expert_id: int) -> list[Conflict]:
        return list(self.group.get(expert_id, [])) + list(self.by_pair.get((application_id, expert_id), []))

    def for_expert(self, expert_id: int) -> list[Conflict]:
        pairs = [c for (a, e), cs in sorted(self.by_pair.items()) if e == expert_id for c in cs]
        return list(self.group.get(expert_id, [])) + pairs


def conflict_matrix(
    experts: Iterable[ExpertFacts],
    applications: Iterable[ApplicationFacts],
    *,
    staff_exclusions: Iterable[StaffExclusion] = (),
    batch_application_numbers: Mapping[int, str] | None = None,
) -> ConflictMatrix:
    """All conflicts between ``experts`` and the group ``applications``.

    ``batch_application_numbers`` maps every application id of the batch to
    its number: an expert's own application anywhere in the batch makes
    them a competitor for the whole group.
    """
    experts = list(experts)
    applications = list(applications)
    batch_numbers = dict(batch_application_numbers or {a.id: a.number for a in applications})
    matrix = ConflictMatrix()
    for expert in experts:
        competing = sorted(expert.own_application_ids & set(batch_numbers))
        if competing:
            numbers = ", ".join(batch_numbers[a] for a in competing)
            matrix.group.setdefault(expert.id, []).append(Conflict("competing_application", expert.id, None, numbers))
        for application in applications:
            found = pair_conflicts(expert, application)
            if found:
                matrix.by_pair[(application.id, expert.id)] = found
    for exclusion in staff_exclusions:
        conflict = Conflict("staff_exclusion", exclusion.expert_id, exclusion.application_id, exclusion.reason)
        if exclusion.application_id is None:
            matrix.group.setdefault(exclusion.expert_id, []).append(conflict)
        else:
            matrix.by_pair.setdefault((exclusion.application_id, exclusion.expert_id), []).append(conflict)
    return matrix
