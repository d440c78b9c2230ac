"""The meeting paperwork of one panel: the 签到表 and the 专家评审费签领表.

Reads only. Names, units and 职称 only — never phone numbers, e-mail or
identity numbers: the sheets leave those columns for the expert to fill in
by hand.
"""

from __future__ import annotations

from decimal import Decimal

from sqlalchemy.orm import Session

from reviewtool.services.documents.data_experts import panel_members
from reviewtool.services.documents.model_notices import MeetingSheet
from reviewtool.services.documents.notice_settings import notice_settings
from reviewtool.services.panels.panel import find_panel
from reviewtool.storage.models import Batch


def meeting_sheet(
    session: Session,
    batch_id: int,
    panel_name: str | None,
    *,
    fees: bool,
    fee: Decimal | None = None,
    stage_id: int | None = None,
) -> MeetingSheet:
    """The 签到表 (``fees`` false) or the 专家评审费签领表 of one panel (by name, or the stage's only one)."""
    batch = session.get(Batch, batch_id)
    panel = find_panel(session, batch_id, panel_name, stage_id)
    settings = notice_settings(session, batch_id)
    return MeetingSheet(
        batch=batch.name,
        panel=panel.name,
        members=panel_members(session, panel),
        date=settings.meeting_date,
        place=settings.meeting_place,
        fees=fees,
        fee_per_expert=settings.fee_per_expert if fee is None else fee,
    )
