"""Accounts: the five roles, what each may do, and who is logged in.

This module is the one list of permissions. ``ROLE_PERMISSIONS`` says what
each role grants; ``ACTION_PERMISSIONS`` says which permission each audited
action needs (every change the app makes writes an audit record, so the
audit writer checks it there for every service at once);
``storage/pg_security.py`` turns the same roles into PostgreSQL group roles,
GRANTs and row-level security policies. The README and docs/users.md show
the table ``permission_table()`` prints.

Plain Python: no database, no Qt.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from enum import StrEnum

from reviewtool.i18n import N_, _


class Role(StrEnum):
    ADMIN = "admin"  # 系统管理员
    STAFF = "staff"  # 业务人员
    LEADER = "leader"  # 专家组长
    EXPERT = "expert"  # 评审专家
    AUDITOR = "auditor"  # 纪检/审计

    @property
    def label(self) -> str:
        return _(ROLE_TITLES[self])


ROLE_TITLES = {
    Role.ADMIN: N_("System administrator"),
    Role.STAFF: N_("Bureau staff"),
    Role.LEADER: N_("Panel leader"),
    Role.EXPERT: N_("Reviewing expert"),
    Role.AUDITOR: N_("Discipline inspection / audit"),
}

#: Roles whose user is linked to an expert record of the pool.
EXPERT_ROLES = frozenset({Role.EXPERT, Role.LEADER})


class Permission(StrEnum):
    MANAGE_USERS = "users.manage"
    READ_USERS = "users.read"
    EDIT_SETTINGS = "settings.edit"
    READ_ALL = "data.read_all"
    READ_AUDIT = "audit.read"
    INTAKE = "intake.edit"
    FORMAL_REVIEW = "formal_review.edit"
    EXPERT_POOL = "experts.edit"
    PANELS = "panels.edit"
    RUBRICS = "rubrics.edit"
    TRANSCRIBE_SHEETS = "sheets.transcribe"
    FUNDING = "funding.edit"
    DOCUMENTS = "documents.export"
    SCORE_OWN = "sheets.score_own"
    READ_PANEL_SHEETS = "sheets.read_panel"
    LEADER_OPINION = "panels.leader_opinion"

    @property
    def label(self) -> str:
        return _(PERMISSION_TITLES[self])


PERMISSION_TITLES = {
    Permission.MANAGE_USERS: N_("manage users and their roles"),
    Permission.READ_USERS: N_("see the list of users"),
    Permission.EDIT_SETTINGS: N_("change the shared settings (bureau name …)"),
    Permission.READ_ALL: N_("read every application, expert, panel and score sheet"),
    Permission.READ_AUDIT: N_("read the audit trail"),
    Permission.INTAKE: N_("take in applications (batches, import, edit, attachments, areas)"),
    Permission.FORMAL_REVIEW: N_("do the formal review"),
    Permission.EXPERT_POOL: N_("keep the expert pool"),
    Permission.PANELS: N_("form panels, draw and assign experts, lock and finalise sheets"),
    Permission.RUBRICS: N_("keep the rubrics"),
    Permission.TRANSCRIBE_SHEETS: N_("enter and correct any expert's score sheet"),
    Permission.FUNDING: N_("set recommended amounts and the funding line"),
    Permission.DOCUMENTS: N_("export documents and lists"),
    Permission.SCORE_OWN: N_("see their own assignments and fill in their own score sheets"),
    Permission.READ_PANEL_SHEETS: N_("see the submitted sheets of the panels they lead"),
    Permission.LEADER_OPINION: N_("write the panel leader's opinion"),
}

_STAFF = frozenset(
    {
        Permission.READ_ALL,
        Permission.READ_AUDIT,
        Permission.INTAKE,
        Permission.FORMAL_REVIEW,
        Permission.EXPERT_POOL,
        Permission.PANELS,
        Permission.RUBRICS,
        Permission.TRANSCRIBE_SHEETS,
        Permission.FUNDING,
        Permission.DOCUMENTS,
    }
)

#: What each role grants. A user may hold several roles (a leader is usually an expert too).
ROLE_PERMISSIONS: dict[Role, frozenset[Permission]] = {
    Role.ADMIN: frozenset(
        {
            Permission.MANAGE_USERS,
            Permission.READ_USERS,
            Permission.EDIT_SETTINGS,
            Permission.READ_ALL,
            Permission.READ_AUDIT,
        }
    ),
    Role.STAFF: _STAFF,
    Role.LEADER: frozenset({Permission.SCORE_OWN, Permission.READ_PANEL_SHEETS, Permission.LEADER_OPINION}),
    Role.EXPERT: frozenset({Permission.SCORE_OWN}),
    Role.AUDITOR: frozenset({Permission.READ_ALL, Permission.READ_AUDIT, Permission.READ_USERS}),
}

#: Audited actions by prefix (the longest prefix wins) → the permission the actor needs.
ACTION_PERMISSIONS: dict[str, Permission] = {
    "application.": Permission.INTAKE,
    "attachment.": Permission.INTAKE,
    "intake.": Permission.INTAKE,
    "batch.": Permission.INTAKE,
    "demo.load": Permission.INTAKE,
    "batch.rubric": Permission.RUBRICS,
    "rubric.": Permission.RUBRICS,
    "formal.": Permission.FORMAL_REVIEW,
    "expert.": Permission.EXPERT_POOL,
    "panel.": Permission.PANELS,
    "stage.": Permission.PANELS,
    "assignment.": Permission.PANELS,
    "calibration.": Permission.PANELS,
    "workbooks.": Permission.PANELS,
    "demo.sheets": Permission.PANELS,
    "sheet.lock": Permission.PANELS,
    "sheet.reopen": Permission.PANELS,
    "sheet.exclude": Permission.PANELS,
    # Saving and submitting a sheet: one's own (SCORE_OWN), or anyone's when transcribing.
    "sheet.": Permission.TRANSCRIBE_SHEETS,
    "funding.": Permission.FUNDING,
    # 公示, objections and the final decisions (issue 14): the funding decision's own steps.
    "publicity.": Permission.FUNDING,
    "objection.": Permission.FUNDING,
    "decision.": Permission.FUNDING,
    "documents.": Permission.DOCUMENTS,
    "list.export": Permission.DOCUMENTS,
    "setting.": Permission.EDIT_SETTINGS,
    "audit.export": Permission.READ_AUDIT,  # writing the audit log to a file is reading it
    "user.": Permission.MANAGE_USERS,
    # An expert's own 回避 declaration and 保密承诺 of a stage (services/my_reviews).
    "declaration.": Permission.SCORE_OWN,
}

#: Tables by name → the permission a change to a row needs, checked when the session writes it
#: (``services.users.permissions.check_flush``). ``SHEET`` rows follow the own-sheet rule,
#: ``None`` is checked elsewhere (audit records by their action) or is derived (``panel_result``).
SHEET = "sheet"
TABLE_PERMISSIONS: dict[str, Permission | str | None] = {
    "application": Permission.INTAKE,
    "application_area": Permission.INTAKE,
    "attachment": Permission.INTAKE,
    "attachment_content": Permission.INTAKE,
    "avoid_request": Permission.INTAKE,
    "unit": Permission.INTAKE,
    "batch": Permission.INTAKE,
    "intake_mapping_profile": Permission.INTAKE,
    "formal_check_result": Permission.FORMAL_REVIEW,
    "formal_check_item": Permission.FORMAL_REVIEW,
    "batch_quota": Permission.FUNDING,
    "publicity": Permission.FUNDING,  # as its actions: 公示 is a step of the funding decision
    "document_template": Permission.DOCUMENTS,
    "expert": Permission.EXPERT_POOL,
    "expert_field": Permission.EXPERT_POOL,
    "expert_relation": Permission.EXPERT_POOL,
    "panel": Permission.PANELS,
    "panel_application": Permission.PANELS,
    "panel_draw": Permission.PANELS,
    "panel_member": Permission.PANELS,
    "assignment": Permission.PANELS,
    "meeting_vote": Permission.PANELS,
    "review_stage": Permission.PANELS,
    "stage_application": Permission.PANELS,
    "objection": Permission.FUNDING,
    "plan_edition": Permission.EDIT_SETTINGS,
    "priority_area": Permission.EDIT_SETTINGS,
    "setting": Permission.EDIT_SETTINGS,  # the workbook signing key: PANELS
    "rubric": Permission.RUBRICS,
    "rubric_version": Permission.RUBRICS,
    "rubric_criterion": Permission.RUBRICS,
    "rubric_band": Permission.RUBRICS,
    "rubric_veto_item": Permission.RUBRICS,
    "batch_rubric": Permission.RUBRICS,
    "score_sheet": SHEET,
    "criterion_score": SHEET,
    "veto_answer": SHEET,
    "app_user": Permission.MANAGE_USERS,  # one's own password: anyone
    "user_role": Permission.MANAGE_USERS,
    "review_declaration": Permission.SCORE_OWN,  # one's own (services/my_reviews)
    "panel_result": None,
    "audit_event": None,
}
#: Columns recomputed when something else changes (a sheet saved rewrites the panel score).
DERIVED_COLUMNS = {"application": frozenset({"panel_score", "updated_at", "row_version"})}

#: Sheet actions an expert may take on a sheet of their own.
OWN_SHEET_ACTIONS = frozenset({"sheet.create", "sheet.save", "sheet.submit", "sheet.create_submit"})
#: A user may change their own password without MANAGE_USERS.
OWN_ACCOUNT_ACTIONS = frozenset({"user.passwd"})
#: An expert declares a conflict (回避) on an assignment of their own (services/my_reviews).
OWN_ASSIGNMENT_ACTIONS = frozenset({"assignment.conflict"})


def permission_for_action(action: str) -> Permission | None:
    """The permission an audited action needs, or None when no rule names it (then it is refused)."""
    best = None
    for prefix, permission in ACTION_PERMISSIONS.items():
        if (action == prefix or action.startswith(prefix)) and (best is None or len(prefix) > len(best[0])):
            best = (prefix, permission)
    return best[1] if best else None


def permissions_of(roles) -> frozenset[Permission]:
    out: set[Permission] = set()
    for role in roles:
        out |= ROLE_PERMISSIONS[Role(role)]
    return frozenset(out)


LOGIN_PATTERN = re.compile(r"^[a-z][a-z0-9_]{1,39}$")


def check_login(login: str) -> str | None:
    """Why ``login`` cannot be a login name (None when it can): ASCII letters, digits and ``_``,
    starting with a letter, 2–40 characters, not starting with ``pg_`` — the same name is the
    PostgreSQL login role, usable from psql without quoting."""
    if not LOGIN_PATTERN.match(login):
        return _("A login name is 2–40 lower-case letters, digits or _, starting with a letter (for example zhangsan).")
    if login.startswith("pg_"):
        return _("A login name cannot start with pg_.")
    return None


@dataclass(frozen=True)
class Identity:
    """Who is using the database.

    ``kind``:
    - ``"user"``: an app user: on PostgreSQL their own login role, on SQLite a local
      user who logged in with a password. Holds exactly the permissions of ``roles``.
    - ``"owner"``: the PostgreSQL role that owns the schema (it runs the migrations and
      ``users setup-server``); unrestricted, as a superuser would be.
    - ``"account"``: an SQLite database without local users: the operating-system
      account, unrestricted (a file protects nothing from whoever holds it).
    """

    login: str
    kind: str = "user"
    name: str = ""
    roles: frozenset[Role] = field(default_factory=frozenset)
    expert_id: int | None = None
    user_id: int | None = None

    @property
    def unrestricted(self) -> bool:
        return self.kind in ("owner", "account")

    @property
    def permissions(self) -> frozenset[Permission]:
        return frozenset(Permission) if self.unrestricted else permissions_of(self.roles)

    def can(self, permission: Permission) -> bool:
        return permission in self.permissions

    @property
    def label(self) -> str:
        """``张三（zhangsan，业务人员）`` as shown in the window title and the status bar."""
        if self.kind == "owner":
            return _("{login} (database owner)").format(login=self.login)
        if self.kind == "account":
            return self.login
        roles = "、".join(Role(r).label for r in sorted(self.roles, key=list(Role).index)) or _("no role")
        who = f"{self.name} · {self.login}" if self.name and self.name != self.login else self.login
        return _("{who} ({roles})").format(who=who, roles=roles)


def permission_table() -> list[tuple[str, list[str]]]:
    """(role title, [permission titles]) for every role, in role order: for the docs and the GUI."""
    return [(role.label, [p.label for p in Permission if p in ROLE_PERMISSIONS[role]]) for role in Role]
