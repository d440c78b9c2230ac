"""``funding``: the funding recommendation list (拟立项项目清单) of a batch from the command line."""

from __future__ import annotations

from decimal import Decimal

import click
from sqlalchemy import select

from reviewtool.cli.common import COUNT_MAX, actor, batch_option, db_option, emit_json, json_option, open_db
from reviewtool.cli.stages import stage_id, stage_option
from reviewtool.core.enums import FundingRule
from reviewtool.core.errors import NotFound
from reviewtool.i18n import _
from reviewtool.services import funding
from reviewtool.services.documents.data import decision_text
from reviewtool.services.scoring.ranking import find_batch
from reviewtool.storage.models import Application


def register(group: click.Group) -> None:
    group.add_command(funding_group)


def money_text(value: Decimal | None) -> str:
    return "—" if value is None else f"{value:,.2f}"


def print_line_summary(view: funding.FundingView) -> None:
    """The line in one sentence, with the stage and the final-score rule it rests on."""
    click.echo(view.final_rule)
    click.echo(
        _(
            "Budget {budget}, recommended {used} for {count} applications, remaining {remaining} (10k yuan); rule: {rule}."
        ).format(
            budget=money_text(view.budget),
            used=money_text(view.used),
            count=view.funded_count,
            remaining=money_text(view.remaining),
            rule=view.rule.label(),
        )
    )


def print_funding_line(view: funding.FundingView) -> None:
    """The ranked list under its summary line: vetoed applications say 一票否决, unreviewed ones 未评审."""
    print_line_summary(view)
    for r in view.rows:
        stopped = "，" + _("not promoted") if r.stopped else ""
        stage = f"  [{r.stage}{stopped}]" if r.stage else ""
        click.echo(
            f"{r.position or '—':>3}  {r.number}  {money_text(r.score)}  {money_text(r.requested)} → {money_text(r.recommended)}"
            f"  {decision_text(vetoed=r.vetoed, sheet_count=r.sheet_count, decision=r.decision.label())}"
            f"  {r.stability.label() if r.score is not None else ''}{stage}  {r.title}"
        )
        if view.cut_rank is not None and r.position == view.cut_rank:
            click.echo("    " + "─" * 20 + " " + _("funding line") + " " + "─" * 20)


@click.group("funding", help=_("The funding recommendation list of a batch."))
def funding_group() -> None:
    pass


def _view(session, batch_id: int) -> funding.FundingView:
    return funding.funding_view(session, batch_id, stage_id(session, batch_id))


@funding_group.command("show", help=_("Print the ranked list with amounts and the funding line."))
@batch_option
@stage_option
@db_option
@json_option
def funding_show(batch_name, db_url, as_json):
    with open_db(db_url).session() as session:
        view = _view(session, find_batch(session, batch_name).id)
    if as_json:
        emit_json(view.as_json())
    else:
        print_funding_line(view)


@funding_group.command("amount", help=_("Set an application's recommended amount (with a reason)."))
@batch_option
@click.option("--application", "number", required=True, help=_("申报编号 of the application."))
@click.option("--amount", help=_("Amount in 10k yuan; 'default' for the requested amount capped."))
@click.option("--reason", required=True, help=_("Why the amount changes (kept in the audit trail)."))
@stage_option
@db_option
def funding_amount(batch_name, number, amount, reason, db_url):
    value = None if amount in (None, "default") else funding.parse_money(amount, what="--amount")
    with open_db(db_url).session() as session:
        batch = find_batch(session, batch_name)
        app = session.scalar(select(Application).where(Application.batch_id == batch.id, Application.number == number))
        if app is None:
            raise NotFound(_("No application {number} in batch {batch}.").format(number=number, batch=batch.name))
        changes = funding.set_recommended_amount(session, app.id, value, reason=reason, actor=actor())
        view = _view(session, batch.id)
    click.echo(changes.message or _("Nothing changed."))
    print_line_summary(view)


@funding_group.command(
    "settings", help=_("Set a batch's budget, per-project maximum and the rule for one that does not fit.")
)
@batch_option
@click.option("--budget", help=_("Budget in 10k yuan ('none' to clear)."))
@click.option("--cap", help=_("Per-project maximum in 10k yuan ('none' to clear)."))
@click.option(
    "--rule",
    type=click.Choice([r.value for r in FundingRule]),
    help=_("stop: the line ends there; skip: try the next."),
)
@click.option("--reason", default="", help=_("Why (required once the 公示 is closed and the decisions are final)."))
@stage_option
@db_option
def funding_settings(batch_name, budget, cap, rule, reason, db_url):
    kwargs = {"reason": reason}
    if budget is not None:
        kwargs["budget"] = None if budget == "none" else funding.parse_money(budget, what="--budget")
    if cap is not None:
        kwargs["cap"] = None if cap == "none" else funding.parse_money(cap, what="--cap")
    if rule is not None:
        kwargs["rule"] = FundingRule(rule)
    with open_db(db_url).session() as session:
        batch_id = find_batch(session, batch_name).id
        changes = funding.set_funding_settings(session, batch_id, actor=actor(), **kwargs)
        view = _view(session, batch_id)
    click.echo(changes.message or _("Nothing changed."))
    print_line_summary(view)


@funding_group.command(
    "quota", help=_("Limit the count or amount for a direction or key industry (no limits: remove it).")
)
@batch_option
@click.option("--area", "area_code", required=True, help=_("Direction or key industry code, e.g. HD-D2 or HD-I06."))
@click.option("--max-count", type=click.IntRange(0, COUNT_MAX), help=_("Most applications recommended in it."))
@click.option("--max-amount", help=_("Most money recommended in it (10k yuan)."))
@click.option("--reason", default="", help=_("Why (required once the 公示 is closed and the decisions are final)."))
@stage_option
@db_option
def funding_quota(batch_name, area_code, max_count, max_amount, reason, db_url):
    amount = funding.parse_money(max_amount, what="--max-amount") if max_amount else None
    with open_db(db_url).session() as session:
        batch_id = find_batch(session, batch_name).id
        funding.set_quota(
            session,
            batch_id,
            area_code,
            max_count=max_count,
            max_amount=amount,
            actor=actor(),
            reason=reason,
        )
        view = _view(session, batch_id)
    click.echo(_("Quota saved."))
    print_line_summary(view)
