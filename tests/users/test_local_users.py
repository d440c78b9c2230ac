"""SQLite: optional local users. Without them nobody logs in (the actor is the system account);
with them everyone logs in, the audit trail names the login, and each role's permissions hold."""

from __future__ import annotations

import json

import pytest
from accounts_data import PASSWORD, declare, open_assignment
from sqlalchemy import func, select

from reviewtool.cli.main import main
from reviewtool.core.enums import Opinion
from reviewtool.core.errors import Refused
from reviewtool.core.scoring.maths import SheetInput
from reviewtool.core.users import Role
from reviewtool.services import settings as data_settings
from reviewtool.services.batches import batch as batches
from reviewtool.services.scoring.sheet_edits import save_sheet
from reviewtool.services.users import accounts, login
from reviewtool.services.users.permissions import NotPermitted
from reviewtool.storage.models import AppUser, AuditEvent, Batch, ScoreSheet


@pytest.fixture
def db(sqlite_db):
    """Local users belong to an SQLite file (on PostgreSQL the server's login roles are the users)."""
    return sqlite_db


def _add(database, name, *roles, expert_id=None, password=PASSWORD):
    with database.session() as session:
        accounts.add_user(session, name, roles=roles, password=password, actor="setup", expert_id=expert_id)


def _last_event(database):
    with database.session() as session:
        return session.scalars(select(AuditEvent).order_by(AuditEvent.seq.desc())).first()


def _as(database, name):
    """The database as ``name`` after logging in with the password (a fresh identity each time)."""
    login.sign_in_local(database, name, PASSWORD)
    return database


def test_without_local_users_nobody_logs_in_and_the_actor_is_the_system_account(db, capsys):
    assert not login.needs_local_login(db)
    assert main(["--db", db.url, "batch", "add", "无账户批次"]) == 0
    assert _last_event(db).actor == "tester"  # $REVIEWTOOL_USER, the system account of the tests


def test_the_first_local_user_must_be_an_administrator(db):
    with pytest.raises(Refused, match="第一个用户必须是系统管理员"):
        _add(db, "wangfang", "staff")
    _add(db, "admin1", "admin")
    _add(db, "wangfang", "staff")
    with db.session() as session:
        stored = session.scalar(select(AppUser.password_hash).where(AppUser.login == "wangfang"))
    assert stored.startswith("scrypt$") and PASSWORD not in stored


def test_a_local_login_checks_the_password(db):
    _add(db, "admin1", "admin")
    assert login.needs_local_login(db)
    with pytest.raises(login.WrongPassword, match="登录名或密码不正确"):
        login.sign_in_local(db, "admin1", "wrong-password")
    with pytest.raises(login.WrongPassword, match="登录名或密码不正确"):
        login.sign_in_local(db, "nobody", PASSWORD)
    identity = login.sign_in_local(db, "admin1", PASSWORD)
    assert (identity.login, identity.kind, identity.roles) == ("admin1", "user", frozenset({Role.ADMIN}))


def test_the_actor_is_the_logged_in_user_whatever_the_caller_passes(db):
    _add(db, "admin1", "admin")
    _add(db, "wangfang", "staff")
    _as(db, "wangfang")
    with db.session() as session:
        batches.create_batch(session, {"name": "2026年测试批次"}, actor="冒名顶替")
    event = _last_event(db)
    assert (event.actor, event.action) == ("wangfang", "batch.create")


def test_each_role_is_held_to_its_permissions_with_a_chinese_refusal(db):
    _add(db, "admin1", "admin")
    _add(db, "wangfang", "staff")
    _add(db, "jijian", "auditor")
    _as(db, "jijian")
    with pytest.raises(NotPermitted, match="jijian 无权受理申报.*角色：纪检/审计"):
        with db.session() as session:
            batches.create_batch(session, {"name": "审计不能建的批次"}, actor="jijian")
    _as(db, "wangfang")
    with pytest.raises(NotPermitted, match="wangfang 无权修改共享设置.*角色：业务人员"):
        with db.session() as session:
            data_settings.put(session, data_settings.BUREAU_NAME, "改名", actor="wangfang")
    with pytest.raises(NotPermitted, match="无权管理用户及其角色"):
        with db.session() as session:
            accounts.add_user(session, "newbie", roles=["staff"], password=PASSWORD, actor="wangfang")
    _as(db, "admin1")
    with pytest.raises(NotPermitted, match="admin1 无权受理申报"):
        with db.session() as session:
            batches.create_batch(session, {"name": "管理员不能建的批次"}, actor="admin1")
    with db.session() as session:
        assert data_settings.put(session, data_settings.BUREAU_NAME, "海东市科学技术局（新）", actor="admin1")
        # Nothing of a refused operation was written.
        assert session.scalar(select(func.count()).select_from(Batch)) == 0
        assert session.scalar(select(func.count()).select_from(AppUser).where(AppUser.login == "newbie")) == 0


def test_an_expert_fills_in_only_their_own_sheet(demo_db):
    with demo_db.session() as session:
        expert_id, application_id = open_assignment(session)
        other_sheet = session.scalars(select(ScoreSheet).where(ScoreSheet.reviewer_id != expert_id)).first()
        other = (other_sheet.application_id, other_sheet.reviewer_id)
    _add(demo_db, "admin1", "admin")
    _add(demo_db, "zhuanjia", "expert", expert_id=expert_id)
    _as(demo_db, "zhuanjia")
    declare(demo_db, application_id)
    with demo_db.session() as session:
        result = save_sheet(
            session, application_id=application_id, reviewer_id=expert_id, data=SheetInput(opinion=Opinion.RECOMMEND),
            actor="zhuanjia",
        )  # fmt: skip
    assert _last_event(demo_db).actor == "zhuanjia" and result.sheet_id
    with pytest.raises(NotPermitted):
        with demo_db.session() as session:
            save_sheet(
                session, application_id=other[0], reviewer_id=other[1], data=SheetInput(opinion=Opinion.NOT_RECOMMEND),
                actor="zhuanjia",
            )  # fmt: skip


def test_users_are_disabled_not_deleted_and_the_last_administrator_stays(db):
    _add(db, "admin1", "admin")
    _add(db, "wangfang", "staff")
    _as(db, "admin1")
    with pytest.raises(Refused, match="不能停用自己的账户"):
        with db.session() as session:
            accounts.set_active(session, "admin1", False, actor="admin1")
    with db.session() as session:
        accounts.set_active(session, "wangfang", False, actor="admin1")
    with pytest.raises(login.LoginFailed, match="已被停用"):
        login.sign_in_local(db, "wangfang", PASSWORD)
    with pytest.raises(Refused, match="最后一位系统管理员"):
        with db.session() as session:
            accounts.change_roles(session, "admin1", revoke=["admin"], grant=["staff"], actor="admin1")


def test_everyone_changes_their_own_password_only(db):
    _add(db, "admin1", "admin")
    _add(db, "wangfang", "staff")
    _add(db, "lijuan", "staff")
    _as(db, "wangfang")
    with db.session() as session:
        accounts.set_password(session, "wangfang", "A-new-password-1", actor="wangfang")
    with pytest.raises(NotPermitted):
        with db.session() as session:
            accounts.set_password(session, "lijuan", "A-new-password-2", actor="wangfang")
    assert login.sign_in_local(db, "wangfang", "A-new-password-1").login == "wangfang"
    with pytest.raises(login.WrongPassword):
        login.sign_in_local(db, "lijuan", "A-new-password-2")


def test_the_command_line_logs_in_with_reviewtool_user_and_password(db, capsys, monkeypatch):
    monkeypatch.setattr("sys.stdin", __import__("io").StringIO(PASSWORD + "\n"))
    assert (
        main(["--db", db.url, "users", "add", "admin1", "--role", "admin", "--name", "张管理", "--password-stdin"]) == 0
    )
    capsys.readouterr()
    # From now on the file asks for a login; without a password (and no terminal) it says what to do.
    assert main(["--db", db.url, "users", "list"]) == 1
    assert "REVIEWTOOL_PASSWORD" in capsys.readouterr().err
    monkeypatch.setenv("REVIEWTOOL_USER", "admin1")
    monkeypatch.setenv("REVIEWTOOL_PASSWORD", "wrong")
    assert main(["--db", db.url, "users", "list"]) == 1
    assert "登录名或密码不正确" in capsys.readouterr().err
    monkeypatch.setenv("REVIEWTOOL_PASSWORD", PASSWORD)
    assert main(["--db", db.url, "users", "list", "--json"]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert [(r["login"], r["name"], r["roles"], r["active"]) for r in rows] == [("admin1", "张管理", ["admin"], True)]
    assert main(["--db", db.url, "users", "whoami", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["roles"] == ["admin"]
    assert main(["--db", db.url, "batch", "add", "管理员的批次"]) == 1
    assert "admin1 无权受理申报" in capsys.readouterr().err


def test_a_write_no_audit_record_names_is_refused_before_it_reaches_the_database(demo_db):
    """Rows are checked by their table as the session writes them, audited or not."""
    from reviewtool.storage.models import Application

    _add(demo_db, "admin1", "admin")
    _add(demo_db, "jijian", "auditor")
    _as(demo_db, "jijian")
    with pytest.raises(NotPermitted, match="jijian 无权受理申报"):
        with demo_db.session() as session:
            session.scalars(select(Application)).first().title = "审计改的标题"
    with pytest.raises(NotPermitted, match="jijian 无权受理申报"):
        with demo_db.session() as session:
            session.add(Batch(name="审计员直接写入的批次"))
    with demo_db.session() as session:
        assert "审计改的标题" not in set(session.scalars(select(Application.title)))
        assert session.scalar(select(func.count()).where(Batch.name == "审计员直接写入的批次")) == 0


def test_a_bulk_import_is_refused_by_its_audit_record_and_writes_nothing(db):
    """Bulk inserts bypass the session's row check; the audit record they must write stops them."""
    from pathlib import Path

    from reviewtool.services.intake.import_result import ImportOptions
    from reviewtool.services.intake.importer import import_applications
    from reviewtool.storage.models import Application

    sample = Path(__file__).resolve().parents[2] / "resources" / "samples" / "申报汇总表示例.xlsx"
    with db.session() as session:
        batches.create_batch(session, {"name": "2026年导入批次"}, actor="tester")
    _add(db, "admin1", "admin")
    _as(db, "admin1")
    with pytest.raises(NotPermitted, match="admin1 无权受理申报"):
        with db.session() as session:
            import_applications(session, sample, ImportOptions(batch="2026年导入批次"), actor="admin1")
    with db.session() as session:
        assert session.scalar(select(func.count()).select_from(Application)) == 0


def test_the_audit_writer_refuses_an_action_the_user_may_not_take(db):
    """Every audited change is checked by its action, also when no row check saw it (bulk Core writes)."""
    from reviewtool.services import audit

    _add(db, "admin1", "admin")
    _add(db, "jijian", "auditor")
    _as(db, "jijian")
    with pytest.raises(NotPermitted, match="jijian 无权组建专家组"):
        with db.session() as session:
            audit.record(session, actor="jijian", action="panel.draw", entity_type="panel", entity_id=1)
    with pytest.raises(NotPermitted, match="无权执行“mystery.thing”"):
        with db.session() as session:
            audit.record(session, actor="jijian", action="mystery.thing", entity_type="x")
    with db.session() as session:  # what the auditor may do: export the audit log they read
        audit.record(session, actor="jijian", action="audit.export", entity_type="audit_event")
    assert _last_event(db).action == "audit.export"
