"""Small stores for the org, budget and alert tests, written through the real fact writer."""

from __future__ import annotations

import itertools
from datetime import date, timedelta

from spendtui.analytics.query import Query
from spendtui.money import dollars_to_nano
from spendtui.store import rollup
from spendtui.store.facts import RANK_API, FactBatch, write_facts

STREAMS = {"anthropic": "anthropic.cost", "openai": "openai.cost", "cursor": "cursor.daily"}
_keys = itertools.count()


def spend(store, provider: str, who, days, dollars: str, category: str = "api") -> None:
    """``dollars`` of ``category`` on each day; ``who`` is an email or an (account_kind, account_id)."""
    rows = []
    for day in days:
        row = {"key": f"k{next(_keys)}", "product": "api", "day": str(day), "category": category,
               "amount_nano": dollars_to_nano(dollars)}  # fmt: skip
        if isinstance(who, tuple):
            row |= {"account_kind": who[0], "account_id": who[1]}
        else:
            row["email"] = who
        rows.append(row)
    write_facts(store, FactBatch(provider, STREAMS[provider], f"{provider}.test", RANK_API, rows))


def days(first: str, last: str) -> list[date]:
    a, b = date.fromisoformat(first), date.fromisoformat(last)
    return [a + timedelta(days=i) for i in range((b - a).days + 1)]


def query(store, today: str, seat_prices: dict[str, int] | None = None) -> Query:
    """A Query as the CLI builds one: rollups configured (seat accruals through today's month)."""
    day = date.fromisoformat(today)
    rollup.configure(store, "UTC", seat_prices or {}, day)
    return Query(store, "UTC", day)


ORG_TABLES = ("people", "person_aliases", "teams", "memberships", "accounts", "seats", "budgets", "alerts",
              "usage_facts", "period_amounts", "roll_day", "roll_month", "roll_org_day")  # fmt: skip


def snapshot(store) -> dict[str, list[str]]:
    """Every row of the tables an edit may change, in a comparable form (rollups included)."""
    return {t: sorted(repr(tuple(r)) for r in store.query(f"SELECT * FROM {t}")) for t in ORG_TABLES}


def nano(dollars: str) -> int:
    return dollars_to_nano(dollars)


def cli(*args: str, input: str | None = None) -> tuple[int, str, str]:
    """Run ``spendtui ARGS`` through ``main`` (so exit codes are mapped as for a user): code, stdout, stderr."""
    from click.testing import CliRunner

    from spendtui.cli import main

    with CliRunner().isolation(input=input) as (out, err, _):
        try:
            main(list(args))
        except SystemExit as done:
            code = done.code
    return code, out.getvalue().decode(), err.getvalue().decode()
