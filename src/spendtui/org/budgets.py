"""Setting budgets: the org's annual budget and a team's monthly budget.

The org has one budget per year; setting it again replaces that year's amount (and name, when
given). A team's monthly budget holds from the month it is set in until a later one replaces it,
so the months before keep the budget they had (history kept); setting it twice in one month
replaces that month's row. Reading them is ``analytics.budgets``.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from spendtui.errors import UsageError
from spendtui.money import format_usd
from spendtui.org.edit import Edit, editing
from spendtui.org.lookup import find_team
from spendtui.org.validate import positive_amount
from spendtui.org.validate import year as valid_year
from spendtui.store import Store, utc_now


def set_annual_budget(store: Store, year: int | str, amount: str | Decimal, *, name: str | None = None) -> Edit:
    year = valid_year(year)
    nano = positive_amount(amount, "the annual budget")
    name = " ".join(name.split()) if name is not None else None
    if name == "":
        raise UsageError("a budget name cannot be empty (leave it out for none)")
    with editing(store, f"set the {year} budget") as rec:
        existing = store.query(
            "SELECT id, name FROM budgets WHERE kind = 'annual' AND team_id IS NULL AND year = ?", (year,)
        )
        if existing:
            values = {"amount_nano": nano} | ({"name": name} if name is not None else {})
            rec.update("budgets", "id = ?", (existing[0]["id"],), **values)
        else:
            rec.insert("budgets", team_id=None, kind="annual", year=year, effective_from=None, name=name,
                       amount_nano=nano, created_at=utc_now())  # fmt: skip
        label = name or (existing[0]["name"] if existing else None) or f"{year} budget"
        rec.describe(f"Set {label} to {format_usd(nano)}", year=year, amount=nano, name=label)
    return rec.edit


def set_team_budget(
    store: Store, team: str, amount: str | Decimal, *, today: date, effective_from: str | None = None
) -> Edit:
    """A team's monthly budget from ``effective_from`` (YYYY-MM, default this month) onward."""
    nano = positive_amount(amount, "the monthly budget")
    month = effective_from or today.strftime("%Y-%m")
    try:
        date.fromisoformat(month + "-01")
    except ValueError:
        raise UsageError(f"a budget month is written YYYY-MM, got {month!r}") from None
    row = find_team(store, team)
    with editing(store, f"set the budget of team {row['name']!r}", today) as rec:
        existing = store.scalar(
            "SELECT id FROM budgets WHERE kind = 'monthly' AND team_id = ? AND effective_from = ?", (row["id"], month)
        )
        if existing:
            rec.update("budgets", "id = ?", (existing,), amount_nano=nano)
        else:
            rec.insert("budgets", team_id=row["id"], kind="monthly", year=None, effective_from=month, name=None,
                       amount_nano=nano, created_at=utc_now())  # fmt: skip
        rec.describe(f"Set {row['name']}'s monthly budget to {format_usd(nano)} from {month}", team=row["name"],
                     amount=nano, month=month)  # fmt: skip
    return rec.edit
