"""The PostgreSQL server's side of the accounts: group roles, GRANTs and row-level security.

Every app user is a PostgreSQL login role of the same name (``pg_roles.py``),
a member of one **group role per app role**, named after the database:
``<database>_admin``, ``_staff``, ``_leader``, ``_expert``, ``_auditor``.
What a group may touch is granted here, table by table; which *rows* it sees
and changes is decided by row-level security policies keyed on the logged-in
user's ``app_user`` row (``rt_*`` functions below): the roles held, and for a
评审专家 or 专家组长 the expert record linked to the login. So a user connecting
with psql or any other client gets exactly what the app would give them.

- 系统管理员 (admin): reads everything, manages ``app_user``/``user_role`` and
  the shared settings; creates login roles (``CREATEROLE``).
- 业务人员 (staff): reads and writes the business tables (not users).
- 纪检/审计 (auditor): reads every table, the audit trail included; writes nothing.
- 评审专家 (expert): only their own assignments, the applications assigned to
  them, their own sheets (read and write) and their own expert record: no
  other expert's name or contact details, no panel results, no votes.
- 专家组长 (leader): what an expert has, plus the panels they lead: the
  assignments, the applications and the sheets submitted in those panels.
- ``audit_event``: every role may INSERT (the trigger of
  migration 0006 chains the record and stamps the login as actor); nobody
  but the owner has UPDATE or DELETE. Readers see all records, others their own.

The owner (the role that runs the migrations, not necessarily a superuser)
bypasses row-level security as table owners do. ``apply`` runs after every
upgrade (``services.setup.init_database``) when the owner connects and is a
no-op when nothing changed; ``setup_server`` (``reviewtool-cli users
setup-server``) creates the group roles (needs ``CREATEROLE``) and applies.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass

from sqlalchemy import Connection, text

from reviewtool.core.users import Role

#: pg_advisory_xact_lock key serialising two owners applying at once.
APPLY_LOCK = 7310010016
MARKER_FUNCTION = "rt_user_roles()"

READERS = (Role.ADMIN, Role.STAFF, Role.AUDITOR)
SCORERS = (Role.EXPERT, Role.LEADER)
#: Tables nobody but the owner and the admin (users) writes.
ACCOUNT_TABLES = ("app_user", "user_role")
#: What a 评审专家 / 专家组长 may read at all (rows narrowed by the policies).
SCORER_READ = (
    "alembic_version", "batch", "plan_edition", "priority_area", "rubric", "rubric_version", "rubric_criterion",
    "rubric_band", "rubric_veto_item", "batch_rubric", "unit", "application", "application_area", "attachment",
    "attachment_content", "assignment", "panel", "panel_member", "panel_application", "score_sheet",
    "criterion_score", "veto_answer", "app_user", "user_role", "audit_event", "review_stage", "stage_application",
    "review_declaration",
)  # fmt: skip
#: Tables a scorer sees the rows of for the applications they see (by ``application_id``).
BY_APPLICATION = ("application_area", "attachment", "stage_application")
#: Columns a scorer may change on their own sheet (never locked/excluded or whose sheet it is).
SCORER_UPDATE = {
    "score_sheet": (
        "status", "opinion", "written_opinion", "internal_note", "vetoed", "total", "submitted_at", "updated_at",
        "source", "entered_by", "row_version",  # the version: saving bumps it (storage/versioning.py)
    ),
    "criterion_score": ("points", "comment"),
    "veto_answer": ("answer", "note"),
}  # fmt: skip


def _definer(name: str, returns: str, body: str, schema: str, args: str = "") -> str:
    return (
        f"CREATE OR REPLACE FUNCTION {name}({args}) RETURNS {returns} LANGUAGE sql STABLE SECURITY DEFINER "
        f'SET search_path = pg_catalog, "{schema}" AS $$ {body} $$'
    )


def functions(schema: str) -> list[str]:
    """The session's user, roles and reach; SECURITY DEFINER (they read past the policies),
    keyed on ``session_user``: the login role that connected."""
    me = "SELECT u.id FROM app_user u WHERE u.login = session_user AND u.active"
    assigned = "SELECT a.application_id FROM assignment a WHERE a.expert_id = rt_expert_id() AND a.status = 'active'"
    led = "SELECT p.id FROM panel p WHERE p.leader_id = rt_expert_id()"
    return [
        _definer("rt_user_id", "integer", me, schema),
        _definer(
            "rt_user_roles",
            "text[]",
            "SELECT coalesce(array_agg(r.role::text ORDER BY r.role), '{}') FROM user_role r "
            f"WHERE r.user_id = ({me})",
            schema,
        ),
        _definer("rt_has_role", "boolean", "SELECT rt_user_roles() && roles", schema, "VARIADIC roles text[]"),
        _definer(
            "rt_expert_id",
            "integer",
            "SELECT u.expert_id FROM app_user u WHERE u.login = session_user AND u.active "
            "AND rt_has_role('expert', 'leader')",
            schema,
        ),
        _definer("rt_assigned_applications", "integer[]", f"SELECT coalesce(array_agg(x), '{{}}') FROM ({assigned}) s(x)", schema),
        _definer("rt_led_panels", "integer[]", f"SELECT coalesce(array_agg(x), '{{}}') FROM ({led}) s(x)", schema),
        _definer(
            "rt_led_applications",
            "integer[]",
            "SELECT coalesce(array_agg(DISTINCT pa.application_id), '{}') FROM panel_application pa "
            "WHERE pa.panel_id = ANY(rt_led_panels())",
            schema,
        ),
        _definer(
            "rt_my_panels",
            "integer[]",
            "SELECT coalesce(array_agg(DISTINCT x), '{}') FROM (SELECT m.panel_id FROM panel_member m "
            f"WHERE m.expert_id = rt_expert_id() UNION {led}) s(x)",
            schema,
        ),
    ]  # fmt: skip


FUNCTION_SIGNATURES = (
    "rt_user_id()", "rt_user_roles()", "rt_has_role(text[])", "rt_expert_id()", "rt_assigned_applications()",
    "rt_led_panels()", "rt_led_applications()", "rt_my_panels()",
)  # fmt: skip


@dataclass(frozen=True)
class Policy:
    table: str
    name: str
    command: str  # SELECT / INSERT / UPDATE / DELETE / ALL
    using: str | None = None
    check: str | None = None

    def sql(self) -> str:
        out = f'CREATE POLICY {self.name} ON "{self.table}" FOR {self.command}'
        if self.using:
            out += f" USING ({self.using})"
        if self.check:
            out += f" WITH CHECK ({self.check})"
        return out


# Wrapped in SELECT so PostgreSQL evaluates each once per query, not once per row.
READER = "(SELECT rt_has_role('admin', 'staff', 'auditor'))"
STAFF = "(SELECT rt_has_role('staff'))"
ADMIN = "(SELECT rt_has_role('admin'))"
AUDITOR = "(SELECT rt_has_role('auditor'))"
ME = "(SELECT rt_expert_id())"
# ``::integer[]``: an array expression for ANY(), computed once (a bare ``ANY((SELECT …))`` is a row comparison).
ASSIGNED = "(SELECT rt_assigned_applications())::integer[]"
LED = "(SELECT rt_led_panels())::integer[]"
LED_APPS = "(SELECT rt_led_applications())::integer[]"
SEEN_APPS = f"(id = ANY({ASSIGNED}) OR id = ANY({LED_APPS}))"
OWN_SHEET = f"EXISTS (SELECT 1 FROM score_sheet s WHERE s.id = sheet_id AND s.reviewer_id = {ME} AND NOT s.locked)"


def _staff_writes(table: str) -> list[Policy]:
    return [Policy(table, "rt_staff_write", "ALL", STAFF, STAFF)]


def policies() -> list[Policy]:
    by_app = f"(application_id = ANY({ASSIGNED}) OR application_id = ANY({LED_APPS}))"
    out = [
        Policy("application", "rt_read", "SELECT", f"{READER} OR {SEEN_APPS}"),
        *(Policy(t, "rt_read", "SELECT", f"{READER} OR {by_app}") for t in BY_APPLICATION),
        Policy(
            "attachment_content",
            "rt_read",
            "SELECT",
            f"{READER} OR EXISTS (SELECT 1 FROM attachment a WHERE a.id = attachment_id)",
        ),
        Policy("assignment", "rt_read", "SELECT", f"{READER} OR expert_id = {ME} OR panel_id = ANY({LED})"),
        Policy("panel", "rt_read", "SELECT", f"{READER} OR id = ANY((SELECT rt_my_panels())::integer[])"),
        Policy("panel_member", "rt_read", "SELECT", f"{READER} OR expert_id = {ME} OR panel_id = ANY({LED})"),
        Policy(
            "panel_application", "rt_read", "SELECT", f"{READER} OR panel_id = ANY({LED}) OR application_id = ANY({ASSIGNED})"
        ),
        # A scorer sees one expert: themselves (so nobody else's name or contact details).
        Policy("expert", "rt_read", "SELECT", f"{READER} OR id = {ME}"),
        Policy(
            "score_sheet",
            "rt_read",
            "SELECT",
            f"{READER} OR reviewer_id = {ME} OR (application_id = ANY({LED_APPS}) AND status = 'submitted')",
        ),
        Policy(
            "score_sheet",
            "rt_own_insert",
            "INSERT",
            check=f"reviewer_id = {ME} AND application_id = ANY({ASSIGNED}) AND NOT locked AND NOT excluded",
        ),
        Policy(
            "score_sheet",
            "rt_own_update",
            "UPDATE",
            using=f"reviewer_id = {ME} AND NOT locked",
            check=f"reviewer_id = {ME} AND NOT locked AND NOT excluded",
        ),
        # 回避 and 保密承诺 (services/my_reviews): an expert reads and inserts only their own, never changes one.
        Policy("review_declaration", "rt_read", "SELECT", f"{READER} OR expert_id = {ME}"),
        Policy("review_declaration", "rt_own_insert", "INSERT", check=f"expert_id = {ME}"),
        # A declared conflict (services/panels/conflicts.py): their own active assignment becomes 'conflict'.
        Policy(
            "assignment", "rt_own_conflict", "UPDATE", f"expert_id = {ME} AND status = 'active'",
            f"expert_id = {ME} AND status = 'conflict'",
        ),
        Policy("audit_event", "rt_read", "SELECT", f"{READER} OR actor = session_user"),
        Policy("audit_event", "rt_append", "INSERT", check="true"),
        Policy("app_user", "rt_read", "SELECT", f"{ADMIN} OR {AUDITOR} OR login = session_user"),
        Policy("app_user", "rt_admin_insert", "INSERT", check=ADMIN),
        Policy("app_user", "rt_admin_update", "UPDATE", ADMIN, ADMIN),
        Policy("user_role", "rt_read", "SELECT", f"{ADMIN} OR {AUDITOR} OR user_id = (SELECT rt_user_id())"),
        Policy("user_role", "rt_admin_insert", "INSERT", check=ADMIN),
        Policy("user_role", "rt_admin_delete", "DELETE", ADMIN),
        # The shared settings are the administrator's; the workbook signing key is made by staff exporting.
        # The signing key (workbooks.hmac_secret) is readable by staff only, who export and import the
        # workbooks: an administrator or auditor reading it could forge a returned workbook.
        Policy("setting", "rt_read", "SELECT", f"({READER} AND key NOT LIKE 'workbooks.%') OR {STAFF}"),
        Policy("setting", "rt_admin_write", "ALL", f"{ADMIN} AND key NOT LIKE 'workbooks.%'", f"{ADMIN} AND key NOT LIKE 'workbooks.%'"),
        Policy("setting", "rt_staff_key", "ALL", f"{STAFF} AND key LIKE 'workbooks.%'", f"{STAFF} AND key LIKE 'workbooks.%'"),
    ]  # fmt: skip
    for table in ("criterion_score", "veto_answer"):
        out += [
            Policy(table, "rt_read", "SELECT", f"{READER} OR EXISTS (SELECT 1 FROM score_sheet s WHERE s.id = sheet_id)"),
            Policy(table, "rt_own_insert", "INSERT", check=OWN_SHEET),
            Policy(table, "rt_own_update", "UPDATE", OWN_SHEET, OWN_SHEET),
        ]  # fmt: skip
    for table in (
        "application", *BY_APPLICATION, "attachment_content", "assignment", "panel", "panel_member",
        "panel_application", "expert", "score_sheet", "criterion_score", "veto_answer",
    ):  # fmt: skip
        out += _staff_writes(table)
    return out


def group_prefix(connection: Connection) -> str:
    """The group roles' prefix: the database's name, as a plain identifier."""
    name = connection.execute(text("SELECT current_database()")).scalar_one()
    prefix = re.sub(r"[^a-z0-9_]", "_", name.lower())
    if not prefix[:1].isalpha():
        prefix = "rt_" + prefix
    if len(prefix) > 48:
        prefix = prefix[:39] + "_" + hashlib.sha256(name.encode()).hexdigest()[:8]
    return prefix


def group_names(connection: Connection) -> dict[Role, str]:
    prefix = group_prefix(connection)
    return {role: f"{prefix}_{role.value}" for role in Role}


def existing_groups(connection: Connection) -> dict[Role, str]:
    names = group_names(connection)
    found = set(
        connection.execute(text("SELECT rolname FROM pg_roles WHERE rolname = ANY(:n)"), {"n": list(names.values())})
        .scalars()
        .all()
    )
    return {role: name for role, name in names.items() if name in found}


def schema_name(connection: Connection) -> str:
    return connection.execute(text("SELECT current_schema()")).scalar_one()


def owner_role(connection: Connection) -> str | None:
    """The role owning the schema's tables (``alembic_version``), or None before the first migration."""
    return connection.execute(
        text("SELECT tableowner FROM pg_tables WHERE schemaname = current_schema() AND tablename = 'alembic_version'")
    ).scalar()


def is_owner(connection: Connection) -> bool:
    """Whether the connected role owns the schema (or could: a superuser, or the database's owner before
    any table exists)."""
    owner = owner_role(connection)
    if owner is None:
        owner = connection.execute(
            text("SELECT pg_get_userbyid(datdba) FROM pg_database WHERE datname = current_database()")
        ).scalar_one()
    return bool(connection.execute(text("SELECT pg_has_role(current_user, :o, 'MEMBER')"), {"o": owner}).scalar())


def _tables(connection: Connection) -> list[str]:
    return list(
        connection.execute(
            text("SELECT tablename FROM pg_tables WHERE schemaname = current_schema() ORDER BY tablename")
        ).scalars()
    )


def _sequences(connection: Connection) -> dict[str, list[str]]:
    """Table → the sequences its columns own (serial / identity ids)."""
    rows = connection.execute(
        text(
            "SELECT t.relname, s.relname FROM pg_class s JOIN pg_depend d ON d.objid = s.oid "
            "AND d.classid = 'pg_class'::regclass AND d.deptype IN ('a', 'i') JOIN pg_class t ON t.oid = d.refobjid "
            "WHERE s.relkind = 'S' AND s.relnamespace = current_schema()::regnamespace ORDER BY 1, 2"
        )
    ).all()
    out: dict[str, list[str]] = {}
    for table, name in rows:
        out.setdefault(table, []).append(name)
    return out


def quote_ident(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def grants(connection: Connection, groups: dict[Role, str]) -> list[str]:
    """REVOKE everything from the groups, then GRANT what each role may touch (existing tables only)."""
    tables = _tables(connection)
    schema = quote_ident(schema_name(connection))
    out: list[str] = []
    for group in groups.values():
        out += [
            f"REVOKE ALL ON ALL TABLES IN SCHEMA {schema} FROM {quote_ident(group)}",
            f"REVOKE ALL ON ALL SEQUENCES IN SCHEMA {schema} FROM {quote_ident(group)}",
            f"GRANT USAGE ON SCHEMA {schema} TO {quote_ident(group)}",
        ]

    def grant(privileges: str, table: str, *roles: Role) -> None:
        for role in roles:
            if role in groups and table in tables:
                out.append(f"GRANT {privileges} ON {quote_ident(table)} TO {quote_ident(groups[role])}")

    sequences = _sequences(connection)

    def sequence(table: str, *roles: Role) -> None:
        for role in roles:
            if role in groups:
                for name in sequences.get(table, ()):
                    out.append(f"GRANT USAGE ON SEQUENCE {quote_ident(name)} TO {quote_ident(groups[role])}")

    for table in tables:
        grant("SELECT", table, *READERS)
        if table not in (*ACCOUNT_TABLES, "audit_event", "alembic_version"):
            grant("INSERT, UPDATE, DELETE", table, Role.STAFF)
            sequence(table, Role.STAFF)
    grant("INSERT, UPDATE", "app_user", Role.ADMIN)
    grant("INSERT, DELETE", "user_role", Role.ADMIN)
    grant("INSERT, UPDATE, DELETE", "setting", Role.ADMIN)
    sequence("app_user", Role.ADMIN)
    # Everyone appends (an auditor too: their own password change), stamped with their login by the trigger.
    grant("INSERT", "audit_event", *Role)
    sequence("audit_event", *Role)
    for table in SCORER_READ:
        grant("SELECT", table, *SCORERS)
    grant("SELECT", "expert", *SCORERS)
    grant("INSERT", "review_declaration", *SCORERS)
    grant("UPDATE (status, conflict_reason)", "assignment", *SCORERS)
    sequence("review_declaration", *SCORERS)
    for table, columns in SCORER_UPDATE.items():
        grant("INSERT", table, *SCORERS)
        grant(f"UPDATE ({', '.join(columns)})", table, *SCORERS)
        sequence(table, *SCORERS)
    return out


def _security_statements(connection: Connection, groups: dict[Role, str]) -> list[str]:
    schema = schema_name(connection)
    tables = set(_tables(connection))
    chosen = [p for p in policies() if p.table in tables]
    out = functions(schema)
    out.append(
        "DO $$ DECLARE p record; BEGIN FOR p IN SELECT policyname, tablename FROM pg_policies "
        "WHERE schemaname = current_schema() AND policyname LIKE 'rt\\_%' LOOP "
        "EXECUTE format('DROP POLICY %I ON %I', p.policyname, p.tablename); END LOOP; END $$"
    )
    for table in sorted({p.table for p in chosen}):
        out.append(f"ALTER TABLE {quote_ident(table)} ENABLE ROW LEVEL SECURITY")
    out += [p.sql() for p in chosen]
    out += grants(connection, groups)
    return out


def _marker(connection: Connection) -> str | None:
    return connection.execute(text(f"SELECT obj_description(to_regprocedure('{MARKER_FUNCTION}'), 'pg_proc')")).scalar()


def apply(connection: Connection, *, force: bool = False) -> bool:
    """Install or refresh the functions, policies and grants (the owner's connection, in its
    transaction). Returns False when they were already current (then nothing is locked or changed)."""
    if connection.dialect.name != "postgresql" or not is_owner(connection):
        return False
    groups = existing_groups(connection)
    statements = _security_statements(connection, groups)
    version = hashlib.sha256("\n".join(statements).encode()).hexdigest()
    if not force and _marker(connection) == f"reviewtool security {version}":
        return False
    connection.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": APPLY_LOCK})
    for statement in statements:
        connection.execute(text(statement))
    connection.execute(text(f"COMMENT ON FUNCTION {MARKER_FUNCTION} IS 'reviewtool security {version}'"))
    return True


@dataclass(frozen=True)
class ServerSetup:
    groups: dict[str, str]  # role → group role
    created: list[str]
    applied: bool


def setup_server(connection: Connection) -> ServerSetup:
    """Create the group roles (missing ones), let only them connect, and apply the grants and policies.

    Needs the owner's connection with ``CREATEROLE``; safe to run again."""
    names = group_names(connection)
    existing = existing_groups(connection)
    created = []
    for role, name in names.items():
        if role not in existing:
            connection.execute(text(f"CREATE ROLE {quote_ident(name)} NOLOGIN"))
            created.append(name)
    database = quote_ident(connection.execute(text("SELECT current_database()")).scalar_one())
    owner = owner_role(connection) or connection.execute(text("SELECT current_user")).scalar_one()
    connection.execute(text(f"REVOKE CONNECT, TEMPORARY ON DATABASE {database} FROM PUBLIC"))
    connection.execute(text(f"GRANT CONNECT ON DATABASE {database} TO {quote_ident(owner)}"))
    for name in names.values():
        connection.execute(text(f"GRANT CONNECT ON DATABASE {database} TO {quote_ident(name)}"))
    applied = apply(connection, force=True)
    return ServerSetup({r.value: n for r, n in names.items()}, created, applied)


def remove(connection: Connection) -> None:
    """Undo ``apply`` (migration 0006's downgrade): policies, row-level security, functions, grants."""
    groups = existing_groups(connection)
    schema = quote_ident(schema_name(connection))
    for group in groups.values():
        connection.execute(text(f"REVOKE ALL ON ALL TABLES IN SCHEMA {schema} FROM {quote_ident(group)}"))
        connection.execute(text(f"REVOKE ALL ON ALL SEQUENCES IN SCHEMA {schema} FROM {quote_ident(group)}"))
    connection.execute(
        text(
            "DO $$ DECLARE p record; BEGIN FOR p IN SELECT policyname, tablename FROM pg_policies "
            "WHERE schemaname = current_schema() AND policyname LIKE 'rt\\_%' LOOP "
            "EXECUTE format('DROP POLICY %I ON %I', p.policyname, p.tablename); END LOOP; "
            "FOR p IN SELECT c.relname AS tablename, '' AS policyname FROM pg_class c "
            "WHERE c.relnamespace = current_schema()::regnamespace AND c.relrowsecurity LOOP "
            "EXECUTE format('ALTER TABLE %I DISABLE ROW LEVEL SECURITY', p.tablename); END LOOP; END $$"
        )
    )
    for signature in reversed(FUNCTION_SIGNATURES):
        connection.execute(text(f"DROP FUNCTION IF EXISTS {signature}"))
