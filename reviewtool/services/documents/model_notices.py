"""What the outgoing documents print — the 公示名单 with its notice, the
outcome letters to applicant units, and the meeting paperwork — as plain
frozen dataclasses, filled by ``data_notices`` / ``data_meeting`` and read
by the PDF, Word and Excel writers.

The 公示 model has no field for a score, a rank or an internal mark: what
is published cannot carry them.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from reviewtool.services.documents.model import AppHeader, ApplicantComment, PanelMemberLine


@dataclass(frozen=True)
class PublicityRow:
    """One line of the 公示名单."""

    seq: int  # 序号
    title: str  # 项目名称
    unit: str  # 承担单位
    pi_name: str  # 项目负责人
    category: str  # 项目类别
    county: str  # 所在县区
    amount: Decimal | None = None  # only when the batch shows amounts


@dataclass(frozen=True)
class PublicityDoc:
    """The 公示 notice and list of one batch."""

    batch: str
    bureau: str
    title: str  # 关于…拟立项项目的公示
    paragraphs: tuple[str, ...]  # the notice text, in order
    rows: tuple[PublicityRow, ...]
    show_amount: bool
    issued: dt.date
    contact: str = ""
    phone: str = ""
    address: str = ""


@dataclass(frozen=True)
class OutcomeLetter:
    """A 立项通知 (``funded``) or a 不予立项 letter for one application."""

    app: AppHeader
    funded: bool
    bureau: str
    issued: dt.date
    amount: Decimal | None = None  # the approved amount (万元), funded only
    comments: tuple[ApplicantComment, ...] = ()  # anonymised, not funded only
    review_note: str = ""  # how and by when to ask for 复核
    reason: str = ""  # 一票否决 / 未达推荐条件 … (not funded)
    contact: str = ""
    phone: str = ""


@dataclass(frozen=True)
class MeetingSheet:
    """The 签到表 (``fees`` false) or the 专家评审费签领表 of one panel."""

    batch: str
    panel: str
    members: tuple[PanelMemberLine, ...]
    date: dt.date | None = None
    place: str = ""
    fees: bool = False
    fee_per_expert: Decimal = Decimal(0)  # 元

    @property
    def fee_total(self) -> Decimal:
        return self.fee_per_expert * len(self.members)
