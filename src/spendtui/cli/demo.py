"""`spendtui demo`: write a realistic synthetic org into the store."""

from __future__ import annotations

import time

import click

from spendtui.cli.env import Env, global_options, with_env
from spendtui.errors import UsageError
from spendtui.periods import parse_date


def build_demo(env: Env, store, *, seed: int, users: int, months: int, today: str | None):
    """Generate the demo org into an open store; shared by `demo` and `spendtui --demo`."""
    from spendtui import demo as demo_org

    day = parse_date(today, "--today") if today else env.today
    return demo_org.generate(
        store,
        today=day,
        seed=seed,
        users=users,
        months=months,
        timezone=env.settings.timezone,
        seat_prices=env.settings.seat_prices(),
    )


@click.command()
@click.option("--seed", type=int, default=42, show_default=True, help="Same seed and --today, same org.")
@click.option("--users", type=click.IntRange(5, 20000), default=150, show_default=True, help="People in the org.")
@click.option("--months", type=click.IntRange(1, 60), default=14, show_default=True, help="Months of history.")
@click.option("--today", metavar="YYYY-MM-DD", help="The org's last day (default: today).")
@click.option("--force", is_flag=True, help="Replace the data of a store that is not empty.")
@global_options
@with_env
def demo(env: Env, seed: int, users: int, months: int, today: str | None, force: bool) -> None:
    """Write a realistic synthetic org into the store (refuses a non-empty store without --force)."""
    from spendtui import demo as demo_org

    if today:
        parse_date(today, "--today")  # before the store is created: a bad date leaves no empty file
    store = env.open_store(create=True, writable=True)
    if not store.is_empty():
        if not force:
            raise UsageError(f"{store.path} already holds data; use --force to replace it with the demo org")
        demo_org.clear(store)
    started = time.perf_counter()
    summary = build_demo(env, store, seed=seed, users=users, months=months, today=today)
    env.info(
        f"demo org written to {store.path}: {summary.people} people in {summary.teams} teams, "
        f"{summary.facts:,} records from {summary.first_day} to {summary.last_day} "
        f"({time.perf_counter() - started:.1f} s)"
    )
