"""PostgreSQL enforces the declarations' privacy itself: an expert connecting with their own
credentials (a raw psycopg connection, as psql would) reads and inserts only their own
declaration, changes none, and cannot see another expert's; staff read them all. The app,
logged in as the expert, records the declaration through the same policies."""

from __future__ import annotations

import gc
import uuid

import psycopg
import pytest
from my_reviews_world import PASSWORD, fresh_assignments
from sqlalchemy import select, text
from sqlalchemy.engine import make_url

from reviewtool.services.demo import load_demo
from reviewtool.services.my_reviews import declarations, workspace
from reviewtool.services.users import accounts, login
from reviewtool.storage.database import Database
from reviewtool.storage.models import Assignment, AuditEvent, ReviewDeclaration

pytestmark = pytest.mark.pg


@pytest.fixture
def server(pg_template):
    """A demo database after ``users setup-server``, two experts (one with fresh assignments) and staff.
    Every role it creates is dropped afterwards (roles are cluster-wide)."""
    admin, admin_url, template = pg_template
    tag = "m" + uuid.uuid4().hex[:7]
    name = f"rt_myr_{tag}"
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}" TEMPLATE "{template}"'))
    url = make_url(admin_url).set(database=name).render_as_string(hide_password=False)
    owner = Database(url)
    opened: list[Database] = []
    try:
        with owner.session() as session:
            load_demo(session, actor="tester")
        with owner.session() as session:
            accounts.setup_server(session, actor="tester")
        with owner.session() as session:
            me, stage_id, _panel, fresh = fresh_assignments(session)
            other = session.scalar(
                select(Assignment.expert_id).where(Assignment.expert_id != me, Assignment.stage_id == stage_id).limit(1)
            )
        logins = {"me": f"{tag}_expert", "other": f"{tag}_other", "staff": f"{tag}_staff"}
        with owner.session() as session:
            accounts.add_user(session, logins["me"], roles=["expert"], password=PASSWORD, actor="t", expert_id=me)
            accounts.add_user(session, logins["other"], roles=["expert"], password=PASSWORD, actor="t", expert_id=other)
            accounts.add_user(session, logins["staff"], roles=["staff"], password=PASSWORD, actor="t")
        with owner.session() as session:  # the other expert's declaration, as the owner records it
            declarations.accept_declarations(
                session, stage_id, conflicts={}, confidentiality=True, actor="tester", expert_id=other
            )

        def connect(role: str) -> psycopg.Connection:
            parsed = make_url(url)
            return psycopg.connect(
                host=parsed.host, port=parsed.port or 5432, dbname=parsed.database, user=logins[role],
                password=PASSWORD, autocommit=True,
            )  # fmt: skip

        def as_app(role: str) -> Database:
            database = login.open_server(
                make_url(url).set(username=logins[role], password=PASSWORD).render_as_string(hide_password=False)
            )
            opened.append(database)
            return database

        yield {"owner": owner, "me": me, "other": other, "stage_id": stage_id, "fresh": fresh, "logins": logins,
               "connect": connect, "as_app": as_app}  # fmt: skip
    finally:
        with owner.engine.connect() as conn:
            users = list(conn.execute(text("SELECT login FROM app_user")).scalars())
            groups = list(
                conn.execute(text("SELECT rolname FROM pg_roles WHERE rolname LIKE :p"), {"p": name + "\\_%"}).scalars()
            )
        for database in [owner, *opened]:
            database.dispose()
        gc.collect()
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            for role in users + groups:
                conn.execute(text(f'DROP ROLE IF EXISTS "{role}"'))


def test_an_expert_reads_and_inserts_only_their_own_declaration(server):
    me, other, stage_id = server["me"], server["other"], server["stage_id"]
    # Through the app, logged in as the expert: recorded, audited under their login.
    expert = server["as_app"]("me")
    with expert.session() as session:
        assert {a.application_id for s in workspace.my_stages(session) for a in s.assignments} >= set(server["fresh"])
        declarations.accept_declarations(session, stage_id, conflicts={}, confidentiality=True, actor="冒名")
    with server["owner"].session() as session:
        assert set(session.scalars(select(ReviewDeclaration.expert_id))) == {me, other}
        event = session.scalars(select(AuditEvent).order_by(AuditEvent.seq.desc())).first()
        assert (event.action, event.actor) == ("declaration.accept", server["logins"]["me"])
    with server["connect"]("me") as conn:
        assert [r[0] for r in conn.execute("SELECT expert_id FROM review_declaration")] == [me]
        assert conn.execute("SELECT * FROM review_declaration WHERE expert_id = %s", (other,)).fetchall() == []
        with pytest.raises(psycopg.errors.InsufficientPrivilege):  # not in another expert's name
            conn.execute(
                "INSERT INTO review_declaration (stage_id, expert_id, conflicts, conflict_text, confidentiality_text, "
                "accepted_by, accepted_at) VALUES (%s, %s, '[]', '', '', 'x', now())",
                (stage_id + 1, other),
            )
        with pytest.raises(psycopg.errors.InsufficientPrivilege):  # and never changed afterwards
            conn.execute("UPDATE review_declaration SET conflicts = '[]' WHERE expert_id = %s", (me,))
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            conn.execute("DELETE FROM review_declaration")
        # A conflict: only on their own active assignment, and only to 'conflict' (never removed or back).
        assert conn.execute("UPDATE assignment SET status = 'conflict' WHERE expert_id = %s", (other,)).rowcount == 0
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            conn.execute("UPDATE assignment SET status = 'removed' WHERE application_id = %s", (server["fresh"][1],))
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            conn.execute("UPDATE assignment SET expert_id = %s WHERE expert_id = %s", (other, me))
    with server["connect"]("other") as conn:
        assert [r[0] for r in conn.execute("SELECT expert_id FROM review_declaration")] == [other]
    with server["connect"]("staff") as conn:
        assert {r[0] for r in conn.execute("SELECT expert_id FROM review_declaration")} == {me, other}


def test_an_expert_declares_a_conflict_through_the_app(server):
    avoided = server["fresh"][0]
    expert = server["as_app"]("me")
    with expert.session() as session:
        declarations.accept_declarations(
            session, server["stage_id"], conflicts={avoided: "本人为合作单位顾问"}, confidentiality=True, actor="x"
        )
    with server["owner"].session() as session:
        item = session.scalar(
            select(Assignment).where(Assignment.expert_id == server["me"], Assignment.application_id == avoided)
        )
        assert item.status.value == "conflict" and item.conflict_reason == "本人为合作单位顾问"
