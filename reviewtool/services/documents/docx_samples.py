"""Sample data of each Word document, made from sample models through
``docx_context``, so a bureau's template is checked against exactly the
placeholders the real exports fill.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from reviewtool.core.enums import Opinion
from reviewtool.services.documents import docx_context
from reviewtool.services.documents.model import AppHeader, ApplicantComment, ExpertTotal, PanelMemberLine, PanelSheet
from reviewtool.services.documents.model_notices import OutcomeLetter, PublicityDoc, PublicityRow

BUREAU = "海东市科学技术局"
_APP = AppHeader(
    id=0,
    number="HD2025-001",
    title="示例项目",
    unit="示例单位",
    pi_name="张三",
    category="重点研发",
    batch="2025年海东市科技计划项目",
    county="平安区",
)


def _publicity() -> dict:
    row = PublicityRow(1, _APP.title, _APP.unit, _APP.pi_name, "重点研发", "平安区", Decimal("50"))
    doc = PublicityDoc(_APP.batch, BUREAU, "公示", ("正文",), (row,), True, dt.date(2025, 7, 1))
    return docx_context.publicity_context(doc)


def _notices() -> dict:
    comment = ApplicantComment("专家1", Opinion.RECOMMEND, "意见", (("创新性", "评语"),))
    letters = [
        OutcomeLetter(_APP, True, BUREAU, dt.date(2025, 7, 1), amount=Decimal("50")),
        OutcomeLetter(_APP, False, BUREAU, dt.date(2025, 7, 1), comments=(comment,), reason="未达推荐条件"),
    ]
    return docx_context.notices_context(letters, BUREAU)


def _panel() -> dict:
    sheet = PanelSheet(
        app=_APP,
        experts=(ExpertTotal("专家1", "", Decimal("80"), Opinion.RECOMMEND),),
        sheet_count=1,
        mean=Decimal("80"),
        median=Decimal("80"),
        trimmed_mean=None,
        spread=Decimal("0"),
        std_dev=Decimal("0"),
        final_score=Decimal("80"),
        rule="平均分",
        members=(PanelMemberLine("王五", "青海大学", "教授", leader=True),),
        written_opinions=(("专家1", "意见"),),
    )
    return docx_context.panel_context([sheet], BUREAU)


SAMPLES = {"publicity": _publicity, "notices": _notices, "leader_draft": _panel, "panel_sheet": _panel}
