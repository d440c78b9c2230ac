"""Migration 0006 on a database full of demonstration data: the audit records already stored are
chained in the order they were written, so the upgraded trail verifies; down and up keeps them."""

from __future__ import annotations

from alembic import command
from sqlalchemy import func, inspect, select

from reviewtool.services import audit
from reviewtool.services.demo import load_demo
from reviewtool.storage import migrate
from reviewtool.storage.models import AuditEvent


def test_the_records_of_an_older_database_are_chained_on_upgrade(any_db):
    with any_db.session() as session:
        load_demo(session, actor="tester")
    with any_db.session() as session:
        count = session.scalar(select(func.count()).select_from(AuditEvent))
        first_ids = list(session.scalars(select(AuditEvent.id).order_by(AuditEvent.seq)))
    assert count > 0
    config = migrate.alembic_config(any_db.engine)
    command.downgrade(config, "0005")
    columns = {c["name"] for c in inspect(any_db.engine).get_columns("audit_event")}
    assert not {"seq", "prev_hash", "hash"} & columns
    assert "app_user" not in inspect(any_db.engine).get_table_names()
    command.upgrade(config, "head")
    with any_db.session() as session:
        check = audit.verify(session)
        assert (check.ok, check.records) == (True, count)
        # Chained in the order written (by id), numbered from 1.
        rows = session.execute(select(AuditEvent.id, AuditEvent.seq).order_by(AuditEvent.id)).all()
        assert [seq for _id, seq in rows] == list(range(1, count + 1))
        assert [i for i, _seq in rows] == sorted(first_ids)
        # New records continue the chain.
        audit.record(session, actor="tester", action="test.after", entity_type="t")
    with any_db.session() as session:
        assert audit.verify(session).ok
    # The batch id is history, not a foreign key: the record outlives its batch.
    assert not [fk for fk in inspect(any_db.engine).get_foreign_keys("audit_event")]
