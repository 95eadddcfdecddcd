"""`spendtui budget set | show | check`: the org's annual budget, team budgets, and alerts for cron."""

from __future__ import annotations

import click

from spendtui.cli.env import global_options, with_env
from spendtui.cli.org import FORMAT, emit_json, render_table
from spendtui.errors import UsageError
from spendtui.money import format_usd

_FLAG = "\0flag"


@click.group()
@global_options
def budget() -> None:
    """Budgets: the org's annual budget, teams' monthly budgets, and the alerts they raise."""


@budget.command("set", context_settings={"ignore_unknown_options": True})  # `--monthly -5`: an amount to refuse
@click.argument("amount", required=False)
@click.option("--year", metavar="YYYY", help="Set the org-wide annual budget of this year.")
@click.option("--team", metavar="TEAM", help="Set this team's monthly budget (from this month on).")
@click.option("--monthly", is_flag=False, flag_value=_FLAG, default=None, metavar="[AMOUNT]",
              help="With --team: a monthly budget of AMOUNT dollars (`--monthly 5000`).")
@click.option("--name", metavar="NAME", help='With --year: a name such as "2026 AI Budget".')
@global_options
@with_env
def budget_set(env, amount: str | None, year: str | None, team: str | None, monthly: str | None,
               name: str | None) -> None:  # fmt: skip
    """Set the org's annual budget (--year YYYY AMOUNT) or a team's (--team TEAM --monthly AMOUNT)."""
    from spendtui.org import set_annual_budget, set_team_budget

    if monthly not in (None, _FLAG):
        if amount is not None:
            raise UsageError(f"give the amount once (--monthly {monthly} and {amount})")
        amount = monthly
    if (year is None) == (team is None):
        raise UsageError("set either --year YYYY AMOUNT or --team TEAM --monthly AMOUNT")
    if amount is None:
        raise UsageError("missing the AMOUNT (in dollars, e.g. 5000)")
    store = env.open_store(create=True, writable=True)
    if year is not None:
        if monthly is not None:
            raise UsageError("--monthly goes with --team; an org budget (--year) is annual")
        edit = set_annual_budget(store, year, amount, name=name)
    else:
        if monthly is None:
            raise UsageError("a team budget is monthly: --team TEAM --monthly AMOUNT")
        if name is not None:
            raise UsageError("--name goes with --year (team budgets are named by their team)")
        edit = set_team_budget(store, team, amount, today=env.today)
    env.info(edit.description)


def _status_rows(evaluation) -> list[list[str]]:
    rows = []
    if evaluation.annual:
        a = evaluation.annual
        rows.append(["org", a.budget.name or "", str(a.year), format_usd(a.budget.amount), format_usd(a.spend),
                     f"{a.used_pct}%", format_usd(a.projected)])  # fmt: skip
    for t in evaluation.teams:
        rows.append([f"team:{t.team}", "", t.month.month, format_usd(t.budget.amount), format_usd(t.month.spend),
                     f"{t.used_pct}%", format_usd(t.month.projected)])  # fmt: skip
    return rows


_HEADERS = ["ENTITY", "NAME", "PERIOD", "BUDGET", "SPEND", "USED", "PROJECTED"]


@budget.command("show")
@FORMAT
@global_options
@with_env
def budget_show(env, fmt: str) -> None:
    """Every budget as of today: spend, % used and projection (records nothing, sends nothing)."""
    from spendtui.alerts import evaluate

    evaluation = evaluate(env.query(env.open_store()), env.settings.thresholds)
    if fmt == "json":
        emit_json({"annual_budget": evaluation.annual.as_json() if evaluation.annual else None,
                   "team_budgets": [t.as_json() for t in evaluation.teams]})  # fmt: skip
    else:
        click.echo(render_table(_HEADERS, _status_rows(evaluation), right=frozenset({3, 4, 5, 6})))


@budget.command("check")
@FORMAT
@global_options
@with_env
def budget_check(env, fmt: str) -> None:
    """For cron: exit 3 and print the budgets that newly or still stand past a threshold; else exit 0.

    Thresholds are config [alerts] thresholds (default 50, 80, 100 percent) plus "projected to exceed".
    Each crossing is recorded once; with [alerts] webhook_url set it is posted once (a failed post is
    retried on the next run).
    """
    from spendtui.alerts import check_budgets

    store = env.open_store()
    result = check_budgets(store, env.query(store), env.settings, warn=env.warn)
    if fmt == "json":
        emit_json(result.as_json())
    elif result.alerts:
        click.echo(render_table(
            ["ENTITY", "PERIOD", "BUDGET", "SPEND", "USED", "PROJECTED", "CROSSED", "NEW"],
            [[a.entity, a.period, format_usd(a.budget), format_usd(a.spend), f"{a.used_pct}%", format_usd(a.projected),
              " ".join(f"{t}%" if isinstance(t, int) else str(t) for t in a.crossed),
              " ".join(f"{t}%" if isinstance(t, int) else str(t) for t in a.new) or "-"] for a in result.alerts],
            right=frozenset({2, 3, 4, 5}),
        ))  # fmt: skip
    else:
        env.info("no budget stands past a threshold")
    if result.exit_code:
        # Not ctx.exit(): cli.main() runs click non-standalone, where that code is returned and lost.
        raise SystemExit(result.exit_code)
