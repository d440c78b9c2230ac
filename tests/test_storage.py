"""The schema, built through the migrations, on SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect, select, text
from sqlalchemy.exc import IntegrityError, StatementError

from reviewtool.core.enums import ApplicationStatus, AreaRole, TagSource, UnitType
from reviewtool.services.setup import init_database
from reviewtool.storage import migrate
from reviewtool.storage.database import Database
from reviewtool.storage.models import (
    Application,
    ApplicationArea,
    AuditEvent,
    Base,
    Batch,
    PriorityArea,
    Unit,
)


def _application(session, batch, unit, number="HD-001", **extra) -> Application:
    application = Application(
        batch=batch, unit=unit, number=number, title="高原富硒马铃薯绿色栽培技术集成与示范", pi_name="张明", **extra
    )
    session.add(application)
    session.flush()
    return application


def test_migrations_reach_head_and_match_the_models(any_db: Database):
    assert migrate.current_revision(any_db.engine) == migrate.head_revision()
    with any_db.engine.connect() as connection:
        diff = compare_metadata(MigrationContext.configure(connection, opts={"compare_type": True}), Base.metadata)
    assert diff == [], "models and migrations differ: write a migration"


def test_money_round_trips_exactly(any_db: Database):
    amount = Decimal("12345678.123456")  # 万元 to the fen
    with any_db.session() as session:
        batch = Batch(name="2025年测试批次", budget=Decimal("1500.5"))
        unit = Unit(name="青海高原农业科技有限公司", unit_type=UnitType.ENTERPRISE, county="乐都区")
        _application(session, batch, unit, requested_amount=amount, self_funding=Decimal("0.01"))
    with any_db.session() as session:
        stored = session.scalar(select(Application))
        assert stored.requested_amount == amount
        assert isinstance(stored.requested_amount, Decimal)
        assert stored.self_funding == Decimal("0.01")
        assert session.scalar(select(Batch.budget)) == Decimal("1500.5")


def test_money_refuses_floats_and_excess_precision(any_db: Database):
    with pytest.raises(StatementError):
        with any_db.session() as session:
            session.add(Batch(name="浮点批次", budget=0.1))
    with pytest.raises(StatementError):
        with any_db.session() as session:
            session.add(Batch(name="精度批次", budget=Decimal("1.0000001")))
    with any_db.session() as session:
        assert session.scalar(select(Batch)) is None


def test_money_sorts_and_sums_in_sql(any_db: Database):
    with any_db.session() as session:
        batch = Batch(name="排序批次")
        unit = Unit(name="海东市农业科学研究所", unit_type=UnitType.INSTITUTE)
        for number, amount in (("A", "9.5"), ("B", "100"), ("C", "10.25")):
            _application(session, batch, unit, number=number, requested_amount=Decimal(amount))
    with any_db.session() as session:
        ordered = session.scalars(select(Application.number).order_by(Application.requested_amount)).all()
        assert ordered == ["A", "C", "B"]


def test_foreign_keys_are_enforced(any_db: Database):
    with pytest.raises(IntegrityError):
        with any_db.session() as session:
            session.add(Application(batch_id=999, unit_id=999, number="X", title="无效", pi_name="某"))


def test_enum_values_are_checked_by_the_database(any_db: Database):
    with any_db.session() as session:
        batch = Batch(name="检查批次")
        unit = Unit(name="互助县某合作社")
        _application(session, batch, unit)
    with pytest.raises(IntegrityError):
        with any_db.session() as session:
            session.execute(text("UPDATE application SET status = 'bogus'"))
    with any_db.session() as session:
        assert session.scalar(select(Application.status)) is ApplicationStatus.RECEIVED


def test_batch_numbers_are_unique_within_a_batch(any_db: Database):
    with pytest.raises(IntegrityError):
        with any_db.session() as session:
            batch = Batch(name="唯一批次")
            unit = Unit(name="循化县某公司")
            _application(session, batch, unit, number="HD-1")
            _application(session, batch, unit, number="HD-1")


def test_area_tags_and_audit_events_store_unicode(any_db: Database):
    with any_db.session() as session:
        batch = Batch(name="标签批次")
        unit = Unit(name="民和县某单位")
        application = _application(session, batch, unit)
        area = session.scalar(select(PriorityArea).where(PriorityArea.code == "HD-I04"))
        session.add(
            ApplicationArea(
                application=application,
                area_id=area.id,
                role=AreaRole.PRIMARY,
                source=TagSource.CONFIRMED,
                terms=["马铃薯", "栽培"],
            )
        )
        session.add(
            AuditEvent(
                actor="张三", action="test", entity_type="application", entity_id=application.id, details={"旧": "值"}
            )
        )
    with any_db.session() as session:
        tag = session.scalar(select(ApplicationArea))
        assert tag.terms == ["马铃薯", "栽培"]
        assert tag.area.title == "农作物高产优质栽培与高效利用技术引进与创新"
        event = session.scalar(select(AuditEvent))
        assert event.details == {"旧": "值"}
        assert event.at.tzinfo is not None or any_db.is_sqlite


def test_init_is_idempotent(any_db: Database):
    again = init_database(any_db)
    assert again.revision_before == again.revision_after == migrate.head_revision()
    assert again.editions_loaded == []


def test_downgrade_to_base_and_back(any_db: Database):
    migrate_config = migrate.alembic_config(any_db.engine)
    from alembic import command

    command.downgrade(migrate_config, "base")
    assert "application" not in inspect(any_db.engine).get_table_names()
    init_database(any_db)
    assert "application" in inspect(any_db.engine).get_table_names()


def test_sqlite_file_uses_wal_and_foreign_keys(sqlite_template, tmp_path):
    database = Database(f"sqlite:///{(tmp_path / 'wal.sqlite3').as_posix()}")
    init_database(database)
    with database.engine.connect() as connection:
        assert connection.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert connection.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
    database.dispose()


def test_fresh_file_is_created_by_init(empty_sqlite_url):
    database = Database(empty_sqlite_url)
    result = init_database(database)
    assert result.revision_before is None
    assert result.revision_after == migrate.head_revision()
    assert sorted(result.editions_loaded) == ["haidong-14", "qinghai-14"]
    database.dispose()


def test_timestamps_default_to_now(any_db: Database):
    before = dt.datetime.now(dt.UTC) - dt.timedelta(seconds=5)
    with any_db.session() as session:
        session.add(Batch(name="时间批次"))
    with any_db.session() as session:
        created = session.scalar(select(Batch.created_at))
        if created.tzinfo is None:  # SQLite keeps no offset; values are written in UTC
            created = created.replace(tzinfo=dt.UTC)
        assert created >= before
