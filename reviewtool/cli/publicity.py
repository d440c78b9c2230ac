"""``publicity`` (公示) and ``objection`` (异议): open the notice (the list is
frozen), register and handle objections — an upheld one may go to a 复审
stage — and close the notice, which makes the batch's decisions final."""

from __future__ import annotations

import click

from reviewtool.cli.common import actor, db_option, emit_json, json_option, open_db
from reviewtool.core.enums import ObjectionOutcome
from reviewtool.i18n import _
from reviewtool.services.batches.batch import find_batch
from reviewtool.services.publicity import notice, objections


def register(group: click.Group) -> None:
    group.add_command(publicity_group)
    group.add_command(objection_group)


batch_option = click.option("--batch", "batch", required=True, metavar="NAME", help=_("The batch's name."))


@click.group("publicity", help=_("公示: open it (the list is frozen), close it (the decisions become final)."))
def publicity_group() -> None:
    pass


def _print_view(view: notice.PublicityView, rows: list[objections.ObjectionRow]) -> None:
    click.echo(f"{view.batch}：{view.label()}")
    for index, row in enumerate(view.rows, start=1):
        click.echo(f"  {index:>3}  {row['number']}  {row['title']}  {row['unit']}")
    if rows:
        click.echo(_("Objections:"))
        for o in rows:
            state = o.outcome.label() + (
                _(", closed {date}").format(date=o.closed_on.isoformat()) if o.closed_on else ""
            )
            click.echo(f"  #{o.id}  {o.number}  {o.lodged_by}  {o.received_on.isoformat()}  {state}")


@publicity_group.command("open", help=_("Open the 公示: freeze the list within the funding line, with the period."))
@batch_option
@click.option("--from", "starts_on", required=True, metavar="DATE", help=_("The first day of the notice period."))
@click.option("--to", "ends_on", required=True, metavar="DATE", help=_("The last day of the notice period."))
@click.option("--allow-draft", is_flag=True, help=_("Open it even though the review is not final (not advised)."))
@db_option
@json_option
def open_command(
    batch: str, starts_on: str, ends_on: str, allow_draft: bool, db_url: str | None, as_json: bool
) -> None:
    with open_db(db_url).session() as session:
        found = find_batch(session, batch)
        changes = notice.open_publicity(
            session, found.id, starts_on=starts_on, ends_on=ends_on, actor=actor(), allow_draft=allow_draft
        )
        view = notice.publicity_view(session, found.id)
    if as_json:
        emit_json(view.as_json())
        return
    click.echo(changes.message)
    _print_view(view, [])


@publicity_group.command("show", help=_("The 公示's state, its frozen list and the objections."))
@batch_option
@db_option
@json_option
def show_command(batch: str, db_url: str | None, as_json: bool) -> None:
    with open_db(db_url).session() as session:
        found = find_batch(session, batch)
        view = notice.publicity_view(session, found.id)
        rows = objections.objection_rows(session, found.id)
    if as_json:
        emit_json({**view.as_json(), "objections": [o.as_json() for o in rows]})
        return
    _print_view(view, rows)


@publicity_group.command("close", help=_("Close the 公示: every reviewed application's decision becomes final."))
@batch_option
@click.option("--on", "closed_on", metavar="DATE", help=_("The closing date (default today)."))
@click.option("--note", default="", help=_("Why the decisions differ from the published list, where they do."))
@db_option
@json_option
def close_command(batch: str, closed_on: str | None, note: str, db_url: str | None, as_json: bool) -> None:
    with open_db(db_url).session() as session:
        found = find_batch(session, batch)
        changes = notice.close_publicity(session, found.id, actor=actor(), closed_on=closed_on, note=note)
        view = notice.publicity_view(session, found.id)
    if as_json:
        emit_json(view.as_json())
        return
    click.echo(changes.message)


@publicity_group.command("amend", help=_("Change a final decision after the 公示 closed (the reason is recorded)."))
@batch_option
@click.option("--application", "number", required=True, metavar="NUMBER", help=_("The application (申报编号)."))
@click.option("--funded/--not-funded", required=True, help=_("The new decision."))
@click.option("--reason", required=True, help=_("Why the final decision changes."))
@db_option
@json_option
def amend_command(batch: str, number: str, funded: bool, reason: str, db_url: str | None, as_json: bool) -> None:
    with open_db(db_url).session() as session:
        found = find_batch(session, batch)
        application = objections.application_in_batch(session, found.id, number)
        changes = notice.amend_decision(session, application.id, funded=funded, reason=reason, actor=actor())
        view = notice.publicity_view(session, found.id)
    if as_json:
        emit_json(
            {"number": number, "decision": view.decisions.get(str(application.id)), "changed": bool(changes.message)}
        )
        return
    click.echo(changes.message or _("Nothing changed."))


@click.group("objection", help=_("The objection register (异议): register, handle, decide, send to 复审, close."))
def objection_group() -> None:
    pass


@objection_group.command("add", help=_("Register an objection received during the 公示."))
@batch_option
@click.option("--application", "number", required=True, metavar="NUMBER", help=_("The application it is about."))
@click.option("--by", "lodged_by", required=True, metavar="WHO", help=_("Who lodged it (the unit or person)."))
@click.option("--received", "received_on", required=True, metavar="DATE", help=_("The date it was received."))
@click.option("--grounds", required=True, help=_("The grounds of the objection."))
@click.option("--deadline", metavar="DATE", help=_("Answer by this date (default: 15 days after receipt)."))
@click.option("--contact", default="", help=_("How to reach the objector."))
@db_option
@json_option
def add_command(batch, number, lodged_by, received_on, grounds, deadline, contact, db_url, as_json) -> None:
    with open_db(db_url).session() as session:
        found = find_batch(session, batch)
        objection_id, changes = objections.register_objection(
            session, found.id, number, lodged_by=lodged_by, received_on=received_on, grounds=grounds,
            deadline=deadline, contact=contact, actor=actor(),
        )  # fmt: skip
        row = next(o for o in objections.objection_rows(session, found.id) if o.id == objection_id)
    if as_json:
        emit_json(row.as_json())
        return
    click.echo(
        _("Objection #{id} registered; answer by {date}.").format(id=objection_id, date=row.deadline.isoformat())
    )


def _row(session, objection_id: int) -> objections.ObjectionRow:
    batch_id = objections.get_objection(session, objection_id).batch_id
    return next(o for o in objections.objection_rows(session, batch_id) if o.id == objection_id)


def _done(row: objections.ObjectionRow, as_json: bool, message: str) -> None:
    if as_json:
        emit_json(row.as_json())
    else:
        click.echo(message)


@objection_group.command("list", help=_("The batch's objection register."))
@batch_option
@db_option
@json_option
def list_command(batch: str, db_url: str | None, as_json: bool) -> None:
    with open_db(db_url).session() as session:
        found = find_batch(session, batch)
        rows = objections.objection_rows(session, found.id)
    if as_json:
        emit_json([o.as_json() for o in rows])
        return
    for o in rows:
        click.echo(
            f"#{o.id}  {o.number}  {o.lodged_by}  {o.received_on.isoformat()} → {o.deadline.isoformat()}  "
            f"{o.outcome.label()}" + (f"  {o.closed_on.isoformat()}" if o.closed_on else "")
        )
        click.echo(f"     {o.grounds}")
        for line in o.handling.splitlines():
            click.echo(f"     · {line}")


@objection_group.command("handle", help=_("Record one step of the handling, dated."))
@click.argument("objection_id", type=int)
@click.option("--step", required=True, help=_("What was done."))
@click.option("--on", metavar="DATE", help=_("When (default today)."))
@db_option
@json_option
def handle_command(objection_id: int, step: str, on: str | None, db_url: str | None, as_json: bool) -> None:
    with open_db(db_url).session() as session:
        objections.record_handling(session, objection_id, step, actor=actor(), on=on)
        row = _row(session, objection_id)
    _done(row, as_json, _("Recorded."))


@objection_group.command("decide", help=_("Record the outcome (upheld, rejected or withdrawn) with the reasons."))
@click.argument("objection_id", type=int)
@click.option("--outcome", required=True, type=click.Choice(["upheld", "rejected", "withdrawn"]),
              help=_("upheld: 成立; rejected: 不成立; withdrawn: 撤回."))  # fmt: skip
@click.option("--note", required=True, help=_("The reasons (part of the answer to the objector)."))
@db_option
@json_option
def decide_command(objection_id: int, outcome: str, note: str, db_url: str | None, as_json: bool) -> None:
    with open_db(db_url).session() as session:
        objections.decide_objection(session, objection_id, ObjectionOutcome(outcome), note, actor=actor())
        row = _row(session, objection_id)
    _done(row, as_json, _("Recorded."))


@objection_group.command("close", help=_("Close a decided objection (after its 复审, when it had one)."))
@click.argument("objection_id", type=int)
@click.option("--on", metavar="DATE", help=_("The closing date (default today)."))
@click.option("--decision", type=click.Choice(["funded", "not_funded", "unchanged"]), default="unchanged",
              show_default=True,
              help=_("Upheld: the application's decision as it now stands (the 公示's close applies it)."))  # fmt: skip
@db_option
@json_option
def close_objection_command(objection_id: int, on: str | None, decision: str, db_url: str | None, as_json) -> None:
    with open_db(db_url).session() as session:
        changes = objections.close_objection(
            session, objection_id, actor=actor(), closed_on=on, decision=None if decision == "unchanged" else decision
        )
        row = _row(session, objection_id)
    _done(row, as_json, changes.message)


@objection_group.command(
    "review", help=_("Send an upheld objection's application to 复审: a new panel drawn without the original experts.")
)
@click.argument("objection_id", type=int)
@click.option("--size", type=click.IntRange(1, 50), default=5, show_default=True, help=_("Experts to draw."))
@click.option("--seed", help=_("Seed of the draw (default: a fresh random seed, recorded)."))
@click.option("--stage", "stage_name", metavar="NAME", help=_("The re-review stage's name (default 复审)."))
@db_option
@json_option
def review_command(objection_id: int, size: int, seed: str | None, stage_name: str | None, db_url, as_json) -> None:
    from reviewtool.services.publicity.review import send_to_review

    with open_db(db_url).session() as session:
        outcome = send_to_review(session, objection_id, size=size, seed=seed, stage_name=stage_name, actor=actor())
    if as_json:
        emit_json(outcome.as_json())
        return
    click.echo(outcome.changes.message)
    click.echo(_("Drawn (seed {seed}): {names}").format(
        seed=outcome.draw.result.seed, names="、".join(outcome.draw.names[e] for e in outcome.draw.result.drawn)))  # fmt: skip
    click.echo(_("Excluded as original experts: {names}").format(
        names="、".join(outcome.draw.names.get(e, str(e)) for e in outcome.excluded)))  # fmt: skip
