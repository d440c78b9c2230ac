"""The one list of permissions: every role, every audited action covered."""

from __future__ import annotations

import ast
from pathlib import Path

import reviewtool
from reviewtool.core.users import (
    ROLE_PERMISSIONS,
    Identity,
    Permission,
    Role,
    check_login,
    permission_for_action,
    permission_table,
)

PACKAGE = Path(reviewtool.__file__).resolve().parent


def _audited_actions() -> dict[str, str]:
    """Every action string the code passes to the audit trail: ``action=`` keywords, ``"action":``
    keys of bulk records, and ``action = …`` assignments (conditional ones too)."""
    found: dict[str, str] = {}

    def collect(node: ast.AST, where: str) -> None:
        for sub in ast.walk(node):
            if isinstance(sub, ast.Constant) and isinstance(sub.value, str) and "." in sub.value:
                found.setdefault(sub.value, where)

    for path in (PACKAGE / "services").rglob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        where = str(path.relative_to(PACKAGE))
        for node in ast.walk(tree):
            if isinstance(node, ast.Call):
                for keyword in node.keywords:
                    if keyword.arg == "action":
                        collect(keyword.value, where)
            elif isinstance(node, ast.Dict):
                for key, value in zip(node.keys, node.values, strict=True):
                    if isinstance(key, ast.Constant) and key.value == "action":
                        collect(value, where)
            elif isinstance(node, ast.Assign) and any(
                isinstance(t, ast.Name) and t.id == "action" for t in node.targets
            ):
                collect(node.value, where)
    return found


def test_the_scan_finds_the_actions_it_should():
    actions = _audited_actions()
    for action in ("application.import", "sheet.save", "sheet.create_submit", "setting.change", "user.add"):
        assert action in actions


def test_every_audited_action_needs_a_named_permission():
    """An action without a rule would be refused for every logged-in user: name it in ACTION_PERMISSIONS."""
    missing = {a: w for a, w in _audited_actions().items() if permission_for_action(a) is None}
    assert missing == {}


def test_longest_prefix_wins():
    assert permission_for_action("batch.rubric") is Permission.RUBRICS
    assert permission_for_action("batch.create") is Permission.INTAKE
    assert permission_for_action("sheet.lock") is Permission.PANELS
    assert permission_for_action("sheet.save") is Permission.TRANSCRIBE_SHEETS
    assert permission_for_action("nothing.known") is None


def test_the_roles_grant_what_the_issue_lists():
    assert Permission.MANAGE_USERS in ROLE_PERMISSIONS[Role.ADMIN]
    assert Permission.EDIT_SETTINGS in ROLE_PERMISSIONS[Role.ADMIN]
    for permission in (Permission.INTAKE, Permission.FORMAL_REVIEW, Permission.PANELS, Permission.DOCUMENTS):
        assert permission in ROLE_PERMISSIONS[Role.STAFF]
    assert Permission.READ_PANEL_SHEETS in ROLE_PERMISSIONS[Role.LEADER]
    assert ROLE_PERMISSIONS[Role.EXPERT] == {Permission.SCORE_OWN}
    # 纪检/审计 reads everything, the audit log included, and changes nothing.
    assert ROLE_PERMISSIONS[Role.AUDITOR] == {Permission.READ_ALL, Permission.READ_AUDIT, Permission.READ_USERS}
    assert Permission.MANAGE_USERS not in ROLE_PERMISSIONS[Role.STAFF]


def test_identity_kinds():
    clerk = Identity("wangfang", "user", "王芳", frozenset({Role.STAFF}))
    assert clerk.can(Permission.INTAKE) and not clerk.can(Permission.MANAGE_USERS)
    assert clerk.label == "王芳 · wangfang（业务人员）"
    assert Identity("reviewtool", "owner").can(Permission.MANAGE_USERS)
    assert Identity("tester", "account").unrestricted


def test_login_names():
    assert check_login("zhangsan") is None
    assert check_login("li_juan2") is None
    for bad in ("Zhang", "张三", "a", "1abc", "pg_admin", "zhang san", "x" * 41):
        assert check_login(bad), bad


def test_the_permission_table_is_in_chinese():
    table = dict(permission_table())
    assert set(table) == {"系统管理员", "业务人员", "专家组长", "评审专家", "纪检/审计"}
    assert "管理用户及其角色" in table["系统管理员"]


def test_every_table_is_named_in_the_table_permissions():
    """A new table must say which permission writing it needs (or None: derived / checked elsewhere)."""
    from reviewtool.core.users import TABLE_PERMISSIONS
    from reviewtool.storage.models import Base

    assert sorted(set(Base.metadata.tables) - set(TABLE_PERMISSIONS)) == []


def test_a_table_needs_what_its_own_actions_need():
    """Writing a table named like an action prefix (``publicity`` / ``publicity.``) needs the same
    permission as the action, so a role allowed to act is never refused the row it writes."""
    from reviewtool.core.users import ACTION_PERMISSIONS, TABLE_PERMISSIONS

    differ = {
        table: (rule, ACTION_PERMISSIONS[table + "."])
        for table, rule in TABLE_PERMISSIONS.items()
        if table + "." in ACTION_PERMISSIONS
        and isinstance(rule, type(ACTION_PERMISSIONS[table + "."]))
        and rule != ACTION_PERMISSIONS[table + "."]
    }
    assert differ == {}
