"""Migration 0005 adds ``document_template`` only: the demo data (and the
per-batch notice settings in ``batch.settings``) stay as they are down and up."""

from __future__ import annotations

from alembic import command
from alembic.script import ScriptDirectory
from sqlalchemy import inspect, text

from reviewtool.services.demo import load_demo
from reviewtool.services.documents.notice_settings import notice_settings, set_notice_settings
from reviewtool.storage import migrate
from reviewtool.storage.models import Batch


def test_the_template_table_comes_and_goes_and_nothing_else_moves(any_db, tmp_path):
    with any_db.session() as session:
        load_demo(session, actor="tester")
        batch_id = session.query(Batch.id).scalar()
        set_notice_settings(session, batch_id, {"phone": "0972-8612345", "review_days": 7}, actor="tester")
    config = migrate.alembic_config(any_db.engine)
    query = "SELECT id, name, budget FROM batch ORDER BY id"
    with any_db.engine.connect() as conn:
        before = conn.execute(text(query)).all()
        apps = conn.execute(text("SELECT count(*) FROM application")).scalar_one()
    assert "document_template" in inspect(any_db.engine).get_table_names()
    below = ScriptDirectory.from_config(config).get_revision("0005").down_revision  # the slot before ours
    command.downgrade(config, below)
    assert "document_template" not in inspect(any_db.engine).get_table_names()
    with any_db.engine.connect() as conn:
        assert conn.execute(text(query)).all() == before
        assert conn.execute(text("SELECT count(*) FROM application")).scalar_one() == apps
    command.upgrade(config, "head")
    assert {c["name"] for c in inspect(any_db.engine).get_columns("document_template")} >= {"document", "content"}
    with any_db.session() as session:
        settings = notice_settings(session, batch_id)
        assert settings.phone == "0972-8612345" and settings.review_days == 7
