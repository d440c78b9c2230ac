"""``reviewtool-cli users …`` on PostgreSQL: login roles created and altered by an administrator's connection."""

from __future__ import annotations

import io
import json

import psycopg
import pytest
from accounts_data import PASSWORD
from sqlalchemy import select, text

from reviewtool.cli.main import main
from reviewtool.storage.models import Expert

pytestmark = pytest.mark.pg


def _run(capsys, monkeypatch, *argv, stdin: str | None = None):
    if stdin is not None:
        monkeypatch.setattr("sys.stdin", io.StringIO(stdin))
    code = main(list(argv))
    out = capsys.readouterr()
    return code, out.out, out.err


def _can_connect(server, login_name: str, password: str) -> bool:
    try:
        with psycopg.connect(**server.connect_kwargs(login_name, password)):
            return True
    except psycopg.OperationalError:
        return False


def test_users_commands_on_the_server(pg_server, capsys, monkeypatch):
    server = pg_server
    admin, staff, expert = server.login("admin"), server.login("staff"), server.login("expert")
    code, out, _ = _run(capsys, monkeypatch, "--db", server.url, "users", "setup-server", "--json")
    assert code == 0 and json.loads(out)["created"] == []  # already set up: nothing new
    code, out, err = _run(
        capsys, monkeypatch, "--db", server.url, "users", "add", admin, "--role", "admin", "--password-stdin",
        stdin=PASSWORD + "\n",
    )  # fmt: skip
    assert (code, err) == (0, "")
    as_admin = server.url_of(admin, PASSWORD)
    code, out, err = _run(
        capsys, monkeypatch, "--db", as_admin, "users", "add", staff, "--role", "staff", "--name", "王芳",
        "--password-stdin", stdin="Staff-Pass-1\n",
    )  # fmt: skip
    assert code == 0 and "已新增用户" in out
    code, _out, err = _run(
        capsys, monkeypatch, "--db", as_admin, "users", "add", expert, "--role", "expert", "--password-stdin",
        stdin="Expert-Pass-1\n",
    )  # fmt: skip
    assert code == 1 and "必须关联专家库中的一位专家" in err
    with server.owner.session() as session:
        expert_id = session.scalar(select(Expert.id).where(Expert.is_staff.is_(False)).limit(1))
    code, out, err = _run(
        capsys, monkeypatch, "--db", as_admin, "users", "add", expert, "--role", "expert", "--expert",
        str(expert_id), "--password-stdin", "--json", stdin="Expert-Pass-1\n",
    )  # fmt: skip
    assert code == 0 and json.loads(out)["expert_id"] == expert_id
    code, out, _ = _run(capsys, monkeypatch, "--db", as_admin, "users", "list", "--json")
    assert {r["login"]: r["roles"] for r in json.loads(out)} == {admin: ["admin"], staff: ["staff"], expert: ["expert"]}

    # A clerk cannot add users; the refusal says why, in Chinese.
    as_staff = server.url_of(staff, "Staff-Pass-1")
    code, _out, err = _run(
        capsys, monkeypatch, "--db", as_staff, "users", "add", "someone", "--role", "staff", "--password-stdin",
        stdin=PASSWORD + "\n",
    )  # fmt: skip
    assert code == 1 and "无权管理用户及其角色" in err

    # Disabling stops the login; enabling brings it back.
    assert _can_connect(server, staff, "Staff-Pass-1")
    assert _run(capsys, monkeypatch, "--db", as_admin, "users", "disable", staff)[0] == 0
    assert not _can_connect(server, staff, "Staff-Pass-1")
    assert _run(capsys, monkeypatch, "--db", as_admin, "users", "disable", staff, "--enable")[0] == 0
    assert _can_connect(server, staff, "Staff-Pass-1")

    # A new password from the administrator; then the clerk changes their own.
    assert _run(capsys, monkeypatch, "--db", as_admin, "users", "passwd", staff, "--password-stdin",
                stdin="Staff-Pass-2\n")[0] == 0  # fmt: skip
    assert not _can_connect(server, staff, "Staff-Pass-1") and _can_connect(server, staff, "Staff-Pass-2")
    assert _run(capsys, monkeypatch, "--db", server.url_of(staff, "Staff-Pass-2"), "users", "passwd", staff,
                "--password-stdin", stdin="Staff-Pass-3\n")[0] == 0  # fmt: skip
    assert _can_connect(server, staff, "Staff-Pass-3")

    # Roles: granted and revoked as group memberships.
    group = f"{server.owner.url.rsplit('/', 1)[1]}_auditor"
    assert _run(capsys, monkeypatch, "--db", as_admin, "users", "grant", staff, "--role", "auditor")[0] == 0

    def member() -> bool:
        with server.owner.engine.connect() as conn:
            return conn.execute(text("SELECT pg_has_role(:u, :g, 'MEMBER')"), {"u": staff, "g": group}).scalar()

    assert member()
    code, out, _ = _run(capsys, monkeypatch, "--db", as_admin, "users", "grant", staff, "--role", "auditor", "--revoke")
    assert code == 0 and not member() and "业务人员" in out


def test_a_wrong_or_missing_password_is_one_clear_line(pg_server, capsys, monkeypatch):
    monkeypatch.delenv("PGPASSWORD", raising=False)
    pg_server.add_user(pg_server.login("staff"), "staff", password=PASSWORD)
    code, _out, err = _run(
        capsys, monkeypatch, "--db", pg_server.url_of(pg_server.login("staff"), "wrong"), "users", "whoami"
    )
    assert code == 1 and err.strip() == "错误：登录名或密码不正确。"
    bare = pg_server.url_of(pg_server.login("staff"), "x").replace(":x@", "@")
    code, _out, err = _run(capsys, monkeypatch, "--db", bare, "users", "whoami")
    assert code == 1 and "PGPASSWORD" in err  # no password anywhere and no terminal to ask on
    monkeypatch.setenv("PGPASSWORD", PASSWORD)
    code, out, _ = _run(capsys, monkeypatch, "--db", bare, "users", "whoami", "--json")
    assert code == 0 and json.loads(out)["roles"] == ["staff"]
