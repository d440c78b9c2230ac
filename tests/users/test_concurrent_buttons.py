"""Two clerks pressing the same button at once (issue 15): a draw, a finalisation, a promotion.

Each pair runs on two threads with their own sessions, released together by a barrier. The locked
row (``storage.locks``) makes the second wait for the first and then see its result: one draw, one
finalisation, one set of promoted applications, and the second caller refused with the usual
message (or finding nothing left to do), never a duplicate and never a raw database error."""

from __future__ import annotations

import threading

import pytest
from sqlalchemy import delete, func, select

from reviewtool.core.enums import PanelStatus, StageStatus
from reviewtool.core.errors import Refused
from reviewtool.services.demo import load_demo
from reviewtool.services.panels import draw
from reviewtool.services.stages import finalise, promotion
from reviewtool.storage.models import AuditEvent, Panel, PanelDraw, PanelMember, Stage, StageApplication


@pytest.fixture
def demo(any_db):
    with any_db.session() as session:
        load_demo(session, actor="tester")
        current = session.scalars(select(Panel).order_by(Panel.id)).first()
    return any_db, current.batch_id, current.stage_id


def _at_once(database, *calls) -> list[object]:
    """Run each ``call(session)`` on its own thread and session, all released at once; the results
    (or the exceptions raised) in order."""
    barrier = threading.Barrier(len(calls))
    outcomes: list[object] = [None] * len(calls)

    def run(index, call) -> None:
        try:
            barrier.wait()
            with database.session() as session:
                outcomes[index] = call(session)
        except BaseException as exc:  # noqa: BLE001 - returned to the test
            outcomes[index] = exc

    threads = [threading.Thread(target=run, args=(i, c)) for i, c in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    return outcomes


def _split(outcomes) -> tuple[list, list]:
    failed = [o for o in outcomes if isinstance(o, BaseException)]
    for exc in failed:
        assert isinstance(exc, Refused), f"{type(exc).__name__}: {exc}"
    return [o for o in outcomes if not isinstance(o, BaseException)], failed


def _count(database, stmt) -> int:
    with database.session() as session:
        return session.scalar(stmt)


def test_two_draws_at_once_draw_one_panel(demo):
    """The demo panel emptied of its members (as before its draw): without the lock both would draw."""
    database, _batch_id, _stage_id = demo
    with database.session() as session:
        panel_id = session.scalar(select(Panel.id).order_by(Panel.id))
        session.execute(delete(PanelMember).where(PanelMember.panel_id == panel_id))
        session.execute(delete(PanelDraw).where(PanelDraw.panel_id == panel_id))
    outcomes = _at_once(
        database,
        lambda s: draw.draw_panel(s, panel_id, 3, actor="clerk1", seed="a"),
        lambda s: draw.draw_panel(s, panel_id, 3, actor="clerk2", seed="b"),
    )
    done, refused = _split(outcomes)
    assert len(done) == 1 and len(refused) == 1
    assert "已有成员" in str(refused[0]) or "已被" in str(refused[0]), str(refused[0])
    assert _count(database, select(func.count(PanelDraw.id)).where(PanelDraw.panel_id == panel_id)) == 1
    assert _count(database, select(func.count(PanelMember.id)).where(PanelMember.panel_id == panel_id)) == 3


def test_two_stage_finalisations_at_once_finalise_once_then_two_promotions_promote_one_set(demo):
    database, batch_id, stage_id = demo
    outcomes = _at_once(
        database,
        lambda s: finalise.finalize_stage(s, batch_id, stage_id, actor="clerk1", allow_missing=True),
        lambda s: finalise.finalize_stage(s, batch_id, stage_id, actor="clerk2", allow_missing=True),
    )
    done, refused = _split(outcomes)
    assert len(done) == 1 and len(refused) == 1 and "定稿" in str(refused[0]), str(refused[0])
    with database.session() as session:
        assert session.get(Stage, stage_id).status is StageStatus.FINALISED
        assert all(p.status is PanelStatus.FINALIZED for p in session.scalars(select(Panel)))
        finalised = session.scalar(
            select(func.count(AuditEvent.id)).where(AuditEvent.action.in_(["stage.finalize", "panel.finalize"]))
        )
    assert finalised == 2  # the stage once, its one panel once

    outcomes = _at_once(
        database,
        lambda s: promotion.apply_promotion(s, batch_id, stage_id, actor="clerk1", top=5)[0],
        lambda s: promotion.apply_promotion(s, batch_id, stage_id, actor="clerk2", top=5)[0],
    )
    done, refused = _split(outcomes)
    assert done, refused
    target = done[0].target_id
    assert all(d.target_id == target and d.promoted == done[0].promoted for d in done)
    assert _count(database, select(func.count(StageApplication.id)).where(StageApplication.stage_id == target)) == 5

    by_hand = [c.number for c in done[0].not_promoted[:1]]
    outcomes = _at_once(
        database,
        lambda s: promotion.apply_promotion(s, batch_id, stage_id, actor="clerk1", numbers=by_hand, reason="复核"),
        lambda s: promotion.apply_promotion(s, batch_id, stage_id, actor="clerk2", numbers=by_hand, reason="复核"),
    )
    _split(outcomes)
    assert _count(database, select(func.count(StageApplication.id)).where(StageApplication.stage_id == target)) == 6
