"""PostgreSQL enforces each role's permissions itself: checked through the app and through a raw
psycopg connection with the user's own credentials (what anyone could do with psql)."""

from __future__ import annotations

import psycopg
import pytest
from accounts_data import PASSWORD, another_expert, declare, open_assignment
from sqlalchemy import func, select, update

from reviewtool.core.enums import Opinion, SheetStatus
from reviewtool.core.scoring.maths import SheetInput
from reviewtool.services.batches import batch as batches
from reviewtool.services.scoring.sheet_edits import save_sheet
from reviewtool.services.users import login
from reviewtool.services.users.permissions import NotPermitted
from reviewtool.storage.database import PermissionRefused
from reviewtool.storage.models import (
    Application,
    AppUser,
    AuditEvent,
    CriterionScore,
    Expert,
    Panel,
    PanelApplication,
    PanelMember,
    ScoreSheet,
)

pytestmark = pytest.mark.pg


@pytest.fixture
def bureau(pg_server):
    """Five users, one per role: the expert has an open assignment and submitted sheets; the leader
    leads the demo panel, in which another member has a draft sheet."""
    owner = pg_server.owner
    with owner.session() as session:
        expert_id, open_app = open_assignment(session)
        draft_expert, draft_app = open_assignment(session, skip_expert=expert_id)
        panel = session.scalars(select(Panel)).first()
        leader_id = session.scalar(
            select(PanelMember.expert_id).where(
                PanelMember.panel_id == panel.id, PanelMember.expert_id.not_in([expert_id, draft_expert])
            )
        )
        panel.leader_id = leader_id
    with owner.session() as session:
        save_sheet(
            session, application_id=draft_app, reviewer_id=draft_expert, data=SheetInput(opinion=Opinion.RECOMMEND),
            actor="tester",
        )  # fmt: skip
    users = {
        "admin": pg_server.add_user(pg_server.login("admin"), "admin", password=PASSWORD, name="管理员"),
        "staff": pg_server.add_user(pg_server.login("staff"), "staff", password=PASSWORD, name="王芳"),
        "auditor": pg_server.add_user(pg_server.login("auditor"), "auditor", password=PASSWORD),
        "expert": pg_server.add_user(pg_server.login("expert"), "expert", password=PASSWORD, expert_id=expert_id),
        "leader": pg_server.add_user(
            pg_server.login("leader"), "leader", "expert", password=PASSWORD, expert_id=leader_id
        ),
    }
    return {
        "server": pg_server,
        "users": users,
        "expert_id": expert_id,
        "open_app": open_app,
        "panel_id": panel.id,
        "leader_id": leader_id,
        "draft_expert": draft_expert,
    }


def _raw(bureau, role: str) -> psycopg.Connection:
    server = bureau["server"]
    return psycopg.connect(**server.connect_kwargs(bureau["users"][role].login, PASSWORD))


def _as_app(bureau, role: str):
    server = bureau["server"]
    database = login.open_server(server.url_of(bureau["users"][role].login, PASSWORD))
    server.opened.append(database)
    return database


def _denied(connection: psycopg.Connection, sql: str, *args) -> None:
    with pytest.raises(psycopg.errors.InsufficientPrivilege):
        connection.execute(sql, args or None)


def test_an_expert_reads_and_writes_only_their_own_sheets_and_assignments(bureau):
    owner, me = bureau["server"].owner, bureau["expert_id"]
    with owner.session() as session:
        mine = set(session.scalars(select(ScoreSheet.id).where(ScoreSheet.reviewer_id == me)))
        other = session.scalars(select(ScoreSheet).where(ScoreSheet.reviewer_id != me)).first()
        other_id, other_opinion = other.id, other.written_opinion
        assigned = set(session.scalars(select(Application.id).join(ScoreSheet).where(ScoreSheet.reviewer_id == me))) | {
            bureau["open_app"]
        }
        all_apps = session.scalar(select(func.count()).select_from(Application))
    assert mine and len(assigned) < all_apps
    with _raw(bureau, "expert") as conn:
        assert {r[0] for r in conn.execute("SELECT id FROM score_sheet")} == mine
        assert conn.execute("SELECT * FROM score_sheet WHERE id = %s", (other_id,)).fetchall() == []
        assert conn.execute("SELECT count(*) FROM criterion_score").fetchone()[0] > 0
        assert (
            conn.execute(
                "SELECT count(*) FROM criterion_score c JOIN score_sheet s ON s.id = c.sheet_id WHERE s.reviewer_id <> %s",
                (me,),
            ).fetchone()[0]
            == 0
        )
        # Updating someone else's sheet changes nothing; one's own changes.
        assert conn.execute("UPDATE score_sheet SET written_opinion = 'x' WHERE id = %s", (other_id,)).rowcount == 0
        # Without a WHERE (so no SELECT policy applies), the UPDATE policy alone keeps others' rows out.
        conn.execute("UPDATE score_sheet SET written_opinion = '全部改写'")
        conn.execute("UPDATE criterion_score SET comment = '全部改写'")
        own = min(mine)
        assert conn.execute("UPDATE score_sheet SET written_opinion = '本人意见' WHERE id = %s", (own,)).rowcount == 1
        assert conn.execute("UPDATE criterion_score SET comment = 'x' WHERE sheet_id = %s", (other_id,)).rowcount == 0
        # Who reviews is not theirs to change, nor locking.
        _denied(conn, "UPDATE score_sheet SET locked = false WHERE id = %s", own)
        _denied(conn, "UPDATE score_sheet SET reviewer_id = %s WHERE id = %s", bureau["draft_expert"], own)
        # Only the applications assigned to them.
        assert {r[0] for r in conn.execute("SELECT id FROM application")} == assigned
        assert {r[0] for r in conn.execute("SELECT expert_id FROM assignment")} == {me}
        # Their own expert record only: no other expert's name or contact details.
        assert [r[0] for r in conn.execute("SELECT id FROM expert")] == [me]
        assert conn.execute("SELECT count(phone) FROM expert WHERE id <> %s", (me,)).fetchone()[0] == 0
        _denied(conn, "SELECT * FROM panel_result")
        _denied(conn, "SELECT * FROM meeting_vote")
        _denied(conn, "UPDATE application SET title = 'x'")
        # No sheet for an application not assigned to them.
        other_app = next(iter(set(range(1, all_apps + 1)) - assigned))
        _denied(
            conn,
            "INSERT INTO score_sheet (application_id, reviewer_id, rubric_version_id, status, source, entered_by, "
            "written_opinion, internal_note, vetoed, locked, excluded, created_at, updated_at) "
            "SELECT %s, %s, rubric_version_id, 'draft', 'screen', '', '', '', false, false, false, now(), now() "
            "FROM score_sheet WHERE id = %s",
            other_app,
            me,
            own,
        )
    with owner.session() as session:
        assert session.get(ScoreSheet, other_id).written_opinion == other_opinion
        assert session.get(ScoreSheet, own).written_opinion == "本人意见"
        others_rewritten = (
            select(func.count())
            .select_from(CriterionScore)
            .join(ScoreSheet)
            .where(ScoreSheet.reviewer_id != me, CriterionScore.comment == "全部改写")
        )
        assert session.scalar(others_rewritten) == 0


def test_an_expert_through_the_app_scores_their_own_assignment_only(bureau):
    database = _as_app(bureau, "expert")
    me, login_name = bureau["expert_id"], bureau["users"]["expert"].login
    assert database.identity.expert_id == me and database.identity.kind == "user"
    declare(database, bureau["open_app"])  # from any client, the declarations come before the first save
    with database.session() as session:
        result = save_sheet(
            session, application_id=bureau["open_app"], reviewer_id=me, data=SheetInput(opinion=Opinion.RECOMMEND),
            actor="冒名",
        )  # fmt: skip
    with bureau["server"].owner.session() as session:
        assert session.get(ScoreSheet, result.sheet_id).status is SheetStatus.DRAFT
        event = session.scalars(select(AuditEvent).order_by(AuditEvent.seq.desc())).first()
        assert (event.actor, event.action) == (login_name, "sheet.create")
    with pytest.raises(NotPermitted, match="只能填写本人的评审表"):
        with database.session() as session:
            save_sheet(
                session, application_id=bureau["open_app"], reviewer_id=another_expert(session, me),
                data=SheetInput(opinion=Opinion.RECOMMEND), actor=login_name,
            )  # fmt: skip
    with pytest.raises(NotPermitted, match="无权受理申报.*（角色：评审专家）"):
        with database.session() as session:
            batches.create_batch(session, {"name": "专家不能建批次"}, actor=login_name)


def test_a_leader_sees_the_submitted_sheets_of_their_panel_but_no_draft_and_no_other_expert(bureau):
    owner, panel_id = bureau["server"].owner, bureau["panel_id"]
    with owner.session() as session:
        panel_apps = select(PanelApplication.application_id).where(PanelApplication.panel_id == panel_id)
        submitted = set(
            session.scalars(
                select(ScoreSheet.id).where(
                    ScoreSheet.application_id.in_(panel_apps), ScoreSheet.status == SheetStatus.SUBMITTED
                )
            )
        )
        drafts = set(
            session.scalars(
                select(ScoreSheet.id).where(
                    ScoreSheet.status == SheetStatus.DRAFT, ScoreSheet.reviewer_id != bureau["leader_id"]
                )
            )
        )
    assert submitted and drafts
    with _raw(bureau, "leader") as conn:
        seen = {r[0] for r in conn.execute("SELECT id FROM score_sheet")}
        assert submitted <= seen and not (drafts & seen)
        assert [r[0] for r in conn.execute("SELECT id FROM expert")] == [bureau["leader_id"]]


def test_the_auditor_reads_everything_and_changes_nothing(bureau):
    owner = bureau["server"].owner
    with owner.session() as session:
        counts = {
            table: session.scalar(select(func.count()).select_from(model))
            for table, model in (
                ("application", Application),
                ("score_sheet", ScoreSheet),
                ("audit_event", AuditEvent),
                ("app_user", AppUser),
                ("expert", Expert),
            )
        }
    with _raw(bureau, "auditor") as conn:
        for table, count in counts.items():
            assert conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0] == count, table
        assert conn.execute("SELECT count(phone) FROM expert").fetchone()[0] > 0
        for sql in (
            "UPDATE application SET title = 'x'",
            "DELETE FROM score_sheet",
            "INSERT INTO batch (name) VALUES ('x')",
            "UPDATE expert SET phone = NULL",
            "UPDATE app_user SET active = false",
            "UPDATE setting SET value = '\"x\"'",
        ):
            _denied(conn, sql)
    database = _as_app(bureau, "auditor")
    with pytest.raises((NotPermitted, PermissionRefused)):
        with database.session() as session:
            batches.create_batch(session, {"name": "审计不能建批次"}, actor="x")


def test_staff_work_the_business_tables_but_not_the_users(bureau):
    with _raw(bureau, "staff") as conn:
        assert conn.execute("UPDATE application SET title = title || '' WHERE id = 1").rowcount == 1
        assert conn.execute("SELECT count(*) FROM score_sheet").fetchone()[0] > 0
        assert [r[0] for r in conn.execute("SELECT login FROM app_user")] == [bureau["users"]["staff"].login]
        _denied(conn, "INSERT INTO app_user (login, name, active, created_by, created_at, updated_at) "
                      "VALUES ('x', '', true, '', now(), now())")  # fmt: skip
        # The shared settings are the administrator's (row-level security on the key).
        _denied(conn, "INSERT INTO setting (key, value, updated_at) VALUES ('bureau_name', '\"x\"', now())")
    database = _as_app(bureau, "staff")
    with database.session() as session:
        batches.create_batch(session, {"name": "业务人员的批次"}, actor="x")
    with bureau["server"].owner.session() as session:
        event = session.scalars(select(AuditEvent).order_by(AuditEvent.seq.desc())).first()
        assert (event.actor, event.action) == (bureau["users"]["staff"].login, "batch.create")


def test_the_admin_manages_users_but_not_the_business_data(bureau):
    with _raw(bureau, "admin") as conn:
        assert conn.execute("SELECT count(*) FROM app_user").fetchone()[0] == 5
        _denied(conn, "UPDATE application SET title = 'x'")
        _denied(conn, "DELETE FROM expert")


@pytest.mark.parametrize("role", ["admin", "staff", "leader", "expert", "auditor"])
def test_no_role_but_the_owner_updates_or_deletes_audit_records(bureau, role):
    with _raw(bureau, role) as conn:
        _denied(conn, "UPDATE audit_event SET summary = 'x'")
        _denied(conn, "DELETE FROM audit_event")
        _denied(conn, "TRUNCATE audit_event")
        # Appending works, in the role's own name whatever it writes.
        conn.execute(
            "INSERT INTO audit_event (actor, action, entity_type, summary, details) "
            "VALUES ('别人的名字', 'test.raw', 't', 'psql', '{}')"
        )
    with bureau["server"].owner.session() as session:
        event = session.scalars(select(AuditEvent).order_by(AuditEvent.seq.desc())).first()
        assert (event.actor, event.action) == (bureau["users"][role].login, "test.raw")
        # The owner may (that is what the chain is for).
        session.execute(update(AuditEvent).where(AuditEvent.id == event.id).values(summary="owner"))


def test_only_staff_can_read_the_workbook_signing_key(bureau):
    """Whoever reads the HMAC key can forge a returned workbook: staff, who export and import them, only."""
    from reviewtool.services.panels.workbook_key import SECRET_SETTING, workbook_secret

    with bureau["server"].owner.session() as session:
        workbook_secret(session, create=True, actor="tester")
    query = "SELECT count(*) FROM setting WHERE key = %s"
    for role, visible in (("staff", 1), ("admin", 0), ("auditor", 0)):
        with _raw(bureau, role) as conn:
            assert conn.execute(query, (SECRET_SETTING,)).fetchone()[0] == visible, role
    for role in ("expert", "leader"):  # no settings at all
        with _raw(bureau, role) as conn:
            _denied(conn, query, SECRET_SETTING)
    with _raw(bureau, "auditor") as conn:  # the other settings stay readable
        assert conn.execute("SELECT count(*) FROM setting WHERE key NOT LIKE 'workbooks.%'").fetchone()[0] >= 0
