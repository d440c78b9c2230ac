"""A small batch reviewed in stages through the service layer, for the stage tests
(and any other test that needs one): the panel tests' world, scored in 网络评审
by four experts with a different level per application, finalised; then,
when asked, the top five promoted to 会议评审 and scored there by three experts."""

from __future__ import annotations

from decimal import Decimal

from panels.conftest import attach_general_rubric, build_world, full_sheet
from reviewtool.services.panels import membership
from reviewtool.services.panels import panel as panels
from reviewtool.services.scoring import sheet_edits
from reviewtool.services.stages import finalise, promotion
from reviewtool.services.stages.reach import current_stage

REMOTE_EXPERTS = ("专家07", "专家08", "专家09", "专家10")
MEETING_EXPERTS = ("专家11", "专家12", "专家13")


def level(number: str) -> int:
    """The points per criterion an application gets in 网络评审: 6 … 12, HD2026-001 and -008 alike."""
    return 6 + int(number.rsplit("-", 1)[1]) % 7


def remote_total(number: str) -> Decimal:
    p = level(number)
    return Decimal(4 * min(p, 14) + min(p, 9) + min(p, 14) + min(p, 9) + 3)


def score_stage(session, world, panel_id: int, experts, points_of) -> None:
    for name in experts:
        membership.add_member(session, panel_id, world.experts[name], "测试", actor="t")
    apps = panels.group_application_ids(session, panels.get_panel(session, panel_id))
    numbers = {v: k for k, v in world.apps.items()}
    for app_id in apps:
        for name in experts:
            sheet_edits.save_sheet(
                session, application_id=app_id, reviewer_id=world.experts[name], actor="t", panel_id=panel_id,
                data=full_sheet(points_of(numbers[app_id])), submit=True,
            )  # fmt: skip


def remote_stage(session, *, n_apps: int = 12):
    """The world scored and finalised in 网络评审; (world, panel id)."""
    world = build_world(session, n_apps=n_apps, n_experts=14)
    attach_general_rubric(session, world.batch_id)
    panel_id, _c = panels.create_panel(session, world.batch_id, "网评组", actor="t")
    score_stage(session, world, panel_id, REMOTE_EXPERTS, level)
    finalise.finalize_stage(session, world.batch_id, "网络评审", actor="t")
    return world, panel_id


def meeting_stage(session, world, *, top: int = 5, points_of=lambda number: 12 - level(number) % 3):
    """Promote the top ``top`` and score them in 会议评审; (preview, panel id)."""
    preview, _c = promotion.apply_promotion(session, world.batch_id, "网络评审", actor="t", top=top)
    assert current_stage(session, world.batch_id).name == "会议评审"
    panel_id, _c = panels.create_panel(session, world.batch_id, "会评组", actor="t")
    score_stage(session, world, panel_id, MEETING_EXPERTS, points_of)
    return preview, panel_id
