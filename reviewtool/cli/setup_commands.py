"""``init``, ``demo`` and ``areas``."""

from __future__ import annotations

import click

from reviewtool.cli.common import actor, db_option, emit_json, json_option, open_db
from reviewtool.i18n import _
from reviewtool.services import demo as demo_service
from reviewtool.services.taxonomy import list_areas, list_editions


@click.command("init", help=_("Create the database, or upgrade it to the newest schema."))
@db_option
@json_option
def init_command(db_url: str | None, as_json: bool) -> None:
    database = open_db(db_url)
    with database.session() as session:
        editions = [(e.code, e.title, len(e.areas)) for e in list_editions(session)]
    if as_json:
        emit_json(
            {
                "database": database.display_url,
                "editions": [{"code": c, "title": t, "areas": n} for c, t, n in editions],
            }
        )
        return
    click.echo(_("Database ready: {url}").format(url=database.display_url))
    for code, title, count in editions:
        click.echo(_("  plan edition {code}: {title} ({count} areas)").format(code=code, title=title, count=count))


@click.command("demo", help=_("Load the demonstration data into an empty database."))
@db_option
@json_option
def demo_command(db_url: str | None, as_json: bool) -> None:
    database = open_db(db_url)
    with database.session() as session:
        result = demo_service.load_demo(session, actor=actor())
    if as_json:
        emit_json(result.as_json())
        return
    click.echo(
        _(
            "Loaded the demonstration batch {batch}: {applications} applications, {experts} experts, {units} units."
        ).format(batch=result.batch, applications=result.applications, experts=result.experts, units=result.units)
    )


@click.command("areas", help=_("Print the plan's priority areas."))
@click.option("--edition", help=_("Only this plan edition (e.g. haidong-14)."))
@click.option(
    "--kind",
    help=_("Only this kind (direction, industry, column_task, key_task, support, special, special_task, target)."),
)
@db_option
@json_option
def areas_command(edition: str | None, kind: str | None, db_url: str | None, as_json: bool) -> None:
    database = open_db(db_url)
    with database.session() as session:
        rows = list_areas(session, edition=edition, kind=kind)
    if as_json:
        emit_json([row.as_json() for row in rows])
        return
    depth: dict[str, int] = {}
    for row in rows:
        level = depth.get(row.parent, -1) + 1 if row.parent else 0
        depth[row.code] = level
        click.echo(f"{'  ' * level}{row.code:<10} {row.title}")


def register(group: click.Group) -> None:
    for command in (init_command, demo_command, areas_command):
        group.add_command(command)
