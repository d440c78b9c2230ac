"""A panel's members: ``panel invitations``, ``panel confirm`` and ``panel
decline`` record a drawn member's answer to the invitation (邀请确认) — 已确认
or 谢绝 with the date; a refusal draws a replacement (recorded, replayable).
``panel rules`` shows or sets the draw's yearly cap and rotation."""

from __future__ import annotations

import datetime as dt

import click

from reviewtool.cli.common import actor, db_option, emit_json, json_option, open_db
from reviewtool.cli.panels import panel_group
from reviewtool.cli.stages import chosen_stage, stage_option
from reviewtool.core.errors import UserError
from reviewtool.i18n import _
from reviewtool.services.panels import draw_rules, invitations
from reviewtool.services.panels import panel as panels_panel


def register(group: click.Group) -> None:
    for command in (invitations_command, confirm_command, decline_command, rules_command):
        panel_group.add_command(command)


batch_option = click.option("--batch", "batch", required=True, metavar="NAME", help=_("The batch's name."))
panel_option = click.option("--panel", "panel_name", metavar="NAME", help=_("The panel (when the batch has several)."))
date_option = click.option("--on", "on", metavar="DATE", help=_("The date of the answer (YYYY-MM-DD; default today)."))


def _date(text: str | None) -> dt.date | None:
    if not text:
        return None
    try:
        return dt.date.fromisoformat(text.strip().replace("/", "-"))
    except ValueError:
        raise UserError(_("--on: “{text}” is not a date (YYYY-MM-DD).").format(text=text)) from None


def _print_state(state: invitations.InvitationState) -> None:
    click.echo(
        _("Panel {panel}: {confirmed} confirmed, {pending} awaiting confirmation, {declined} declined.").format(
            panel=state.panel, confirmed=len(state.confirmed), pending=len(state.pending), declined=len(state.declined)
        )
    )
    if state.pending:
        click.echo(_("Awaiting confirmation: {names}").format(names="、".join(state.pending)))


@click.command("invitations", help=_("Who has confirmed, who is awaiting confirmation and who declined."))
@batch_option
@panel_option
@stage_option
@db_option
@json_option
def invitations_command(batch: str, panel_name: str | None, db_url: str | None, as_json: bool) -> None:
    with open_db(db_url).session() as session:
        panel = panels_panel.find_panel(session, batch, panel_name, chosen_stage())
        state = invitations.invitation_state(session, panel.id)
    if as_json:
        emit_json(state.as_json())
        return
    _print_state(state)


@click.command("confirm", help=_("Record that a drawn member confirmed (已确认), with the date."))
@batch_option
@panel_option
@stage_option
@click.option("--expert", metavar="NAME", help=_("The member (name or id)."))
@click.option("--all", "everyone", is_flag=True, help=_("Every member still awaiting confirmation."))
@date_option
@click.option("--note", default="", help=_("How the answer came (e.g. by phone)."))
@db_option
@json_option
def confirm_command(
    batch: str, panel_name: str | None, expert: str | None, everyone: bool, on: str | None, note: str,
    db_url: str | None, as_json: bool,
) -> None:  # fmt: skip
    if bool(expert) == everyone:
        raise click.UsageError(_("Give either --expert NAME or --all."))
    with open_db(db_url).session() as session:
        panel = panels_panel.find_panel(session, batch, panel_name, chosen_stage())
        if everyone:
            changes = invitations.confirm_all(session, panel.id, actor=actor(), on=_date(on), note=note)
        else:
            expert_id = invitations.member_id(session, panel.id, expert)
            changes = invitations.confirm_member(session, panel.id, expert_id, actor=actor(), on=_date(on), note=note)
        state = invitations.invitation_state(session, panel.id)
    if as_json:
        emit_json(state.as_json())
        return
    if changes.message:
        click.echo(changes.message)
    _print_state(state)


@click.command("decline", help=_("Record that a drawn member declined (谢绝): a replacement is drawn and recorded."))
@batch_option
@panel_option
@stage_option
@click.option("--expert", required=True, metavar="NAME", help=_("The member (name or id)."))
@click.option("--reason", required=True, help=_("Why the expert declined."))
@date_option
@click.option("--seed", help=_("Seed of the redraw (default: a fresh random seed, recorded)."))
@db_option
@json_option
def decline_command(
    batch: str, panel_name: str | None, expert: str, reason: str, on: str | None, seed: str | None,
    db_url: str | None, as_json: bool,
) -> None:  # fmt: skip
    with open_db(db_url).session() as session:
        panel = panels_panel.find_panel(session, batch, panel_name, chosen_stage())
        expert_id = invitations.member_id(session, panel.id, expert)
        outcome = invitations.decline_invitation(
            session, panel.id, expert_id, reason, actor=actor(), on=_date(on), seed=seed
        )
        state = invitations.invitation_state(session, panel.id)
    if as_json:
        emit_json({**outcome.as_json(), "invitations": state.as_json()})
        return
    new = outcome.result.drawn[0]
    click.echo(
        _(
            "Redrew {name} in place of the member who declined (seed {seed}); the replacement awaits confirmation."
        ).format(name=outcome.names[new], seed=outcome.result.seed)
    )
    _print_state(state)


@click.command("rules", help=_("Show or set the draw rules: the yearly cap on reviews per expert, and rotation."))
@click.option("--cap", type=click.IntRange(0, draw_rules.CAP_LIMIT),
              help=_("At most this many reviews per expert in 12 months (0: no cap; default 10)."))  # fmt: skip
@click.option("--rotation/--no-rotation", default=None,
              help=_("Draw experts with fewer reviews in the last 12 months first."))  # fmt: skip
@db_option
@json_option
def rules_command(cap: int | None, rotation: bool | None, db_url: str | None, as_json: bool) -> None:
    with open_db(db_url).session() as session:
        if cap is not None or rotation is not None:
            draw_rules.set_draw_rules(
                session, actor=actor(), cap="keep" if cap is None else (cap or None), rotation=rotation
            )
        rules = draw_rules.draw_rules(session)
    if as_json:
        emit_json(rules.as_json())
        return
    click.echo(_("Draw rule: {rule}").format(rule=rules.describe()))
