"""`spendtui report`: every figure a dashboard tab shows, for scripts (json, csv) and people (table)."""

from __future__ import annotations

import click

from spendtui.analytics import REPORT_VIEWS
from spendtui.cli.env import Env, global_options, with_env
from spendtui.cli.output import dict_table, emit_csv, emit_json, key_values
from spendtui.config import PROVIDERS
from spendtui.errors import UsageError


@click.command()
@click.argument("period", required=False)
@click.option("--from", "start", metavar="YYYY-MM-DD", help="First day (with --to), inclusive.")
@click.option("--to", "end", metavar="YYYY-MM-DD", help="Last day (with --from), inclusive.")
@click.option("--view", type=click.Choice(REPORT_VIEWS), default="overview", show_default=True, help="Which tab's figures.")
@click.option("--provider", type=click.Choice(PROVIDERS), help="Only this provider.")
@click.option("--team", metavar="TEAM", help="Only this team's members (on the days they belonged).")
@click.option("--user", metavar="EMAIL", help="Only this person.")
@click.option("--format", "fmt", type=click.Choice(["table", "json", "csv"]), default="table", show_default=True)
@click.option("--table", "table_name", metavar="T", default="users", show_default=True,
              help="With --format csv: which table to write.")  # fmt: skip
@global_options
@with_env
def report(env: Env, period, start, end, view, provider, team, user, fmt, table_name) -> None:
    """Report spend for PERIOD: 2026-10, 2026, 30d, 7d, mtd (default), last-month, ytd, or --from/--to."""
    from spendtui.analytics import build_view
    from spendtui.analytics.query import Scope
    from spendtui.periods import parse_period
    from spendtui.store.identity import normalize_email

    if team and user:
        raise UsageError("give --team or --user, not both")
    store = env.open_store()
    query = env.query(store)
    chosen = parse_period(period, env.today, start, end)
    user = normalize_email(user) if user else None  # the scope echoes the person as the store knows them
    result = build_view(view, query, chosen, Scope(provider=provider, team=team, user=user), env.settings)
    if fmt == "json":
        emit_json(result.as_json())
    elif fmt == "csv":
        tables = result.tables()
        if table_name not in tables:
            raise UsageError(f"view {view} has no table {table_name!r} (tables: {', '.join(tables)})")
        emit_csv(tables[table_name], result.TABLE_COLUMNS[table_name])
    else:
        parts = [key_values(result.headline())]
        parts += [dict_table(rows, title=name, limit=25) for name, rows in result.tables().items()]
        click.echo("\n\n".join(parts))
