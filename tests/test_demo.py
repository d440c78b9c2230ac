"""The demonstration data set: realistic, complete, loaded only into an empty database."""

from __future__ import annotations

from collections import Counter
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from reviewtool.core.enums import AreaRole, TagSource
from reviewtool.core.errors import Refused
from reviewtool.services.demo import load_demo
from reviewtool.storage.models import Application, ApplicationArea, AuditEvent, AvoidRequest, Expert, PriorityArea, Unit

COUNTIES = {
    "平安区",
    "乐都区",
    "民和回族土族自治县",
    "互助土族自治县",
    "化隆回族自治县",
    "循化撒拉族自治县",
    "海东工业园区",
}


def test_demo_covers_every_key_industry_and_the_ecological_tasks(demo_db):
    with demo_db.session() as session:
        primary = Counter(
            session.scalars(
                select(PriorityArea.code)
                .join(ApplicationArea, ApplicationArea.area_id == PriorityArea.id)
                .where(ApplicationArea.role == AreaRole.PRIMARY, ApplicationArea.source == TagSource.CONFIRMED)
            )
        )
        for number in range(1, 15):
            assert primary[f"HD-I{number:02d}"] >= 3, f"HD-I{number:02d}"
        assert sum(n for code, n in primary.items() if code.startswith("QH-E")) >= 6
        applications = session.scalars(select(Application)).all()
        assert len(applications) == sum(primary.values())  # exactly one primary area each


def test_demo_money_is_consistent_and_in_wan_yuan(demo_db):
    with demo_db.session() as session:
        for application in session.scalars(select(Application)):
            assert application.total_budget == application.requested_amount + application.self_funding, (
                application.number
            )
            assert sum(Decimal(v) for v in application.budget_lines.values()) == application.total_budget
            assert Decimal("5") <= application.requested_amount <= Decimal("150")


def test_demo_units_experts_and_avoid_requests_are_realistic(demo_db):
    with demo_db.session() as session:
        counties = set(session.scalars(select(Unit.county).where(Unit.county.isnot(None))))
        assert counties == COUNTIES
        assert session.scalar(select(func.count()).select_from(Expert).where(Expert.is_staff)) == 1
        assert session.scalar(select(func.count()).select_from(Expert)) >= 10
        assert all(expert.fields for expert in session.scalars(select(Expert)))
        avoid = session.scalars(select(AvoidRequest)).all()
        assert avoid and all(request.expert_id is not None for request in avoid)
        titles = session.scalars(select(Application.title)).all()
        assert len(set(titles)) == len(titles)
        assert all(len(a) >= 100 for a in session.scalars(select(Application.abstract)))
        event = session.scalar(select(AuditEvent).where(AuditEvent.action == "demo.load"))
        assert event.actor == "tester"


def test_demo_refuses_a_database_with_data(demo_db):
    with pytest.raises(Refused):
        with demo_db.session() as session:
            load_demo(session, actor="tester")
    with demo_db.session() as session:
        assert session.scalar(select(func.count()).select_from(Application)) == 53
