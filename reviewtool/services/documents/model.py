"""What the documents print, as plain frozen dataclasses.

``services.documents.data`` fills these from the database (inside a
session); the renderers in ``services.documents.render`` only read them, so
rendering needs no session and may run anywhere. Applicant-facing and
anonymised variants are produced here by dropping data, not by hiding it at
print time.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field, replace
from decimal import Decimal

from reviewtool.core.enums import Opinion


@dataclass(frozen=True)
class AppHeader:
    """The cover-page facts of one application."""

    id: int
    number: str
    title: str
    unit: str
    pi_name: str = ""
    category: str | None = None
    areas: tuple[str, ...] = ()  # "HD-I06 智慧农牧业关键技术研究与示范", primary first
    requested: Decimal | None = None
    recommended: Decimal | None = None
    abstract: str = ""
    batch: str = ""
    period: str = ""  # 起止年限, e.g. 2026-01 至 2027-12
    county: str = ""  # 所在县区 of the applicant unit


@dataclass(frozen=True)
class BandText:
    label: str
    low: Decimal
    high: Decimal
    descriptor: str = ""


@dataclass(frozen=True)
class CriterionLine:
    key: str
    title: str
    max_points: Decimal
    description: str = ""
    group: str | None = None
    weight: Decimal | None = None
    bands: tuple[BandText, ...] = ()
    points: Decimal | None = None
    comment: str = ""


@dataclass(frozen=True)
class VetoLine:
    question: str
    answer: bool | None = None
    note: str = ""


@dataclass(frozen=True)
class ExpertSheet:
    """One 专家评审表: filled when ``blank`` is false."""

    app: AppHeader
    rubric_name: str
    total_points: Decimal
    criteria: tuple[CriterionLine, ...]
    vetoes: tuple[VetoLine, ...] = ()
    expert_label: str = ""  # the expert's name, 专家1 when anonymised, "" on a blank sheet
    expert_unit: str = ""
    expert_title: str = ""  # 职称
    expert_speciality: str = ""  # 从事专业
    anonymous: bool = False
    #: the expert a per-expert blank sheet is for: named in the page header, never in the form
    intended_for: str = ""
    total: Decimal | None = None
    vetoed: bool = False
    opinion: Opinion | None = None
    written_opinion: str = ""
    date: dt.date | None = None
    blank: bool = False

    def as_blank(self) -> ExpertSheet:
        """The same sheet with every answer and the expert's identity removed."""
        return replace(
            self,
            expert_label="",
            expert_unit="",
            expert_title="",
            expert_speciality="",
            criteria=tuple(replace(c, points=None, comment="") for c in self.criteria),
            vetoes=tuple(replace(v, answer=None, note="") for v in self.vetoes),
            total=None,
            vetoed=False,
            opinion=None,
            written_opinion="",
            date=None,
            blank=True,
        )


@dataclass(frozen=True)
class ExpertTotal:
    label: str  # name or 专家1
    unit: str
    total: Decimal | None
    opinion: Opinion | None
    vetoed: bool = False


@dataclass(frozen=True)
class PanelMemberLine:
    """One row of the panel's signature table."""

    name: str
    unit: str = ""
    title: str = ""
    leader: bool = False


@dataclass(frozen=True)
class PanelSheet:
    """One 项目综合评审意见表."""

    app: AppHeader
    experts: tuple[ExpertTotal, ...]
    sheet_count: int
    mean: Decimal | None
    median: Decimal | None
    trimmed_mean: Decimal | None
    spread: Decimal | None
    std_dev: Decimal | None
    final_score: Decimal | None
    rule: str  # translated description of the rule in force
    opinions: dict[str, int] = field(default_factory=dict)  # Opinion value -> count
    flags: tuple[str, ...] = ()  # translated flags
    threshold: Decimal | None = None
    anonymous: bool = False
    vote: str = ""  # the meeting vote, when one was held
    panel: str = ""  # the panel's name
    members: tuple[PanelMemberLine, ...] = ()  # for the signature table
    decision: str = ""  # 一票否决 / 未评审 / …, translated
    written_opinions: tuple[tuple[str, str], ...] = ()  # (label, text): for the leader's draft


@dataclass(frozen=True)
class SummaryRow:
    rank: int | None
    number: str
    title: str
    unit: str
    area: str  # primary area "HD-I06 …"
    area_code: str
    score: Decimal | None
    sheet_count: int
    opinions: dict[str, int]
    requested: Decimal
    recommended: Decimal
    decision: str  # translated
    funded: bool
    vetoed: bool = False
    stability: str = ""  # translated, or ""
    vote: str = ""  # the meeting vote, when one was held


@dataclass(frozen=True)
class SummaryDoc:
    """The 评审结果汇总表 of a batch."""

    batch: str
    rows: tuple[SummaryRow, ...]
    rule: str
    threshold: Decimal | None
    budget: Decimal | None
    used: Decimal
    remaining: Decimal | None
    funding_rule: str
    cut_rank: int | None
    group_by_area: bool = False
    area_titles: dict[str, str] = field(default_factory=dict)
    title: str = ""  # default: 评审结果汇总表; 拟立项项目清单 for the funding list
    draft: bool = False  # a panel is not finalised: the title says 未定稿


@dataclass(frozen=True)
class ApplicantComment:
    label: str  # 专家1 …
    opinion: Opinion | None
    written_opinion: str
    criterion_comments: tuple[tuple[str, str], ...] = ()  # (criterion title, comment)


@dataclass(frozen=True)
class ApplicantLetter:
    """The comments returned to the applicant: anonymised, own result only,
    no internal notes, no other application's figures, no expert data."""

    app: AppHeader
    comments: tuple[ApplicantComment, ...]
    final_score: Decimal | None = None
    show_score: bool = True
    bureau: str = ""
    issued: dt.date | None = None  # the date of issue at the foot
    review_note: str = ""  # how and by when to ask for 复核
