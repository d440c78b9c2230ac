"""``users``: accounts and roles (系统管理员, 业务人员, 专家组长, 评审专家, 纪检/审计)."""

from __future__ import annotations

import sys

import click

from reviewtool.cli.common import actor, db_option, emit_json, json_option, open_db
from reviewtool.core.errors import UserError
from reviewtool.core.users import Permission, Role, permission_table
from reviewtool.i18n import _
from reviewtool.services.users import accounts

ROLE_CHOICE = click.Choice([r.value for r in Role])


def register(group: click.Group) -> None:
    group.add_command(users_group)


@click.group(
    "users",
    help=_(
        "Users and their roles. On PostgreSQL each user is a login role of the server (an administrator's "
        "connection creates and alters them); on SQLite a local login."
    ),
)
def users_group() -> None:
    pass


def _password_from_stdin() -> str:
    password = sys.stdin.readline().rstrip("\r\n")
    if not password:
        raise UserError(_("No password on standard input."))
    return password


def _print_user(row: accounts.UserRow) -> None:
    state = "" if row.active else _(" (disabled)")
    expert = f"  {_('expert')} {row.expert_id} {row.expert_name or ''}" if row.expert_id else ""
    click.echo(f"{row.login:<16} {row.name or '—':<10} {row.role_labels}{expert}{state}")


@users_group.command("add", help=_("Add a user with a role; the password is read from standard input."))
@click.argument("login")
@click.option("--role", "roles", type=ROLE_CHOICE, multiple=True, required=True, help=_("A role (repeat for more)."))
@click.option(
    "--expert", "expert_id", type=click.IntRange(1), help=_("The expert of the pool this user is (expert, leader).")
)
@click.option("--name", default="", help=_("The person's name as shown (姓名)."))
@click.option("--password-stdin", is_flag=True, required=True, help=_("Read the password from standard input."))
@db_option
@json_option
def add_command(login, roles, expert_id, name, password_stdin, db_url, as_json):
    password = _password_from_stdin()
    with open_db(db_url).session() as session:
        row, _changes = accounts.add_user(
            session, login, roles=roles, password=password, actor=actor(), name=name, expert_id=expert_id
        )
    if as_json:
        emit_json(row.as_json())
    else:
        click.echo(_("Added the user {login} ({roles}).").format(login=row.login, roles=row.role_labels))


@users_group.command("list", help=_("List the users and their roles."))
@db_option
@json_option
def list_command(db_url, as_json):
    with open_db(db_url).session() as session:
        rows = accounts.list_users(session)
    if as_json:
        emit_json([r.as_json() for r in rows])
        return
    for row in rows:
        _print_user(row)
    if not rows:
        click.echo(_("No users yet."))


@users_group.command("disable", help=_("Disable a user: they can no longer log in; what they did stays recorded."))
@click.argument("login")
@click.option("--enable", is_flag=True, help=_("Enable the user again instead."))
@db_option
@json_option
def disable_command(login, enable, db_url, as_json):
    with open_db(db_url).session() as session:
        accounts.set_active(session, login, enable, actor=actor())
        row = next(r for r in accounts.list_users(session) if r.login == login.strip())
    if as_json:
        emit_json(row.as_json())
    else:
        message = _("Enabled the user {login}.") if enable else _("Disabled the user {login}.")
        click.echo(message.format(login=row.login))


@users_group.command("passwd", help=_("Set a user's password (read from standard input); anyone may change their own."))
@click.argument("login")
@click.option("--password-stdin", is_flag=True, required=True, help=_("Read the password from standard input."))
@db_option
@json_option
def passwd_command(login, password_stdin, db_url, as_json):
    password = _password_from_stdin()
    with open_db(db_url).session() as session:
        accounts.set_password(session, login, password, actor=actor())
    if as_json:
        emit_json({"login": login, "changed": True})
    else:
        click.echo(_("Changed the password of {login}.").format(login=login))


@users_group.command("grant", help=_("Give a user a role (or take it with --revoke)."))
@click.argument("login")
@click.option("--role", "roles", type=ROLE_CHOICE, multiple=True, required=True, help=_("A role (repeat for more)."))
@click.option("--revoke", is_flag=True, help=_("Take the roles away instead."))
@click.option(
    "--expert", "expert_id", type=click.IntRange(1), help=_("The expert of the pool this user is (expert, leader).")
)
@db_option
@json_option
def grant_command(login, roles, revoke, expert_id, db_url, as_json):
    with open_db(db_url).session() as session:
        row, _changes = accounts.change_roles(
            session,
            login,
            grant=() if revoke else roles,
            revoke=roles if revoke else (),
            actor=actor(),
            expert_id=expert_id,
        )
    if as_json:
        emit_json(row.as_json())
    else:
        click.echo(_("{login} now has the roles: {roles}.").format(login=row.login, roles=row.role_labels))


@users_group.command(
    "setup-server",
    help=_(
        "PostgreSQL: create the group role of each app role and apply the grants and row-level security "
        "policies. Run once by the database's owner (who needs CREATEROLE); safe to run again."
    ),
)
@db_option
@json_option
def setup_server_command(db_url, as_json):
    with open_db(db_url).session() as session:
        result = accounts.setup_server(session, actor=actor())
    if as_json:
        emit_json({"groups": result.groups, "created": result.created})
        return
    for role, group in result.groups.items():
        click.echo(f"{Role(role).label:<10} {group}")
    click.echo(
        _(
            "The server is set up; add the first administrator with: reviewtool-cli users add LOGIN --role admin --password-stdin"
        )
    )


@users_group.command("whoami", help=_("Who this connection is logged in as, and what the role allows."))
@db_option
@json_option
def whoami_command(db_url, as_json):
    database = open_db(db_url)
    identity = database.identity
    if as_json:
        emit_json(
            {
                "login": identity.login,
                "kind": identity.kind,
                "name": identity.name,
                "roles": sorted(r.value for r in identity.roles),
                "expert_id": identity.expert_id,
                "permissions": sorted(p.value for p in identity.permissions),
            }
        )
        return
    click.echo(identity.label)
    for permission in Permission:
        if permission in identity.permissions:
            click.echo(f"  · {permission.label}")


@users_group.command("roles", help=_("What each role may do."))
@json_option
def roles_command(as_json):
    table = permission_table()
    if as_json:
        emit_json(
            [{"role": role.value, "title": title, "may": may} for role, (title, may) in zip(Role, table, strict=True)]
        )
        return
    for title, may in table:
        click.echo(title)
        for line in may:
            click.echo(f"  · {line}")
