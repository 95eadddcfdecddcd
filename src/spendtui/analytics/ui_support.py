"""Small pure helpers the dashboard needs and the other analytics modules do not (yet) offer.

No Textual here: these are plain functions over the store and over numbers, tested on their own.
Budgets live here until the lead's budget analytics lands on main (then the Team tab switches over).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timezone
from decimal import ROUND_HALF_UP, Decimal

from spendtui.analytics.overview import pct, totals_spend
from spendtui.analytics.query import Query, Scope
from spendtui.analytics.team import Projection, project_month
from spendtui.money import NANO_PER_DOLLAR
from spendtui.periods import Period, month_bounds
from spendtui.store import Store

OTHER = "Other"


def compact_usd(nano: int) -> str:
    """A short dollar label for chart axes: $0, $7.50, $950, $1.5k, $12k, $1.2M (rounded half-up)."""
    dollars = Decimal(nano) / NANO_PER_DOLLAR
    sign, dollars = ("-" if dollars < 0 else ""), abs(dollars)
    for size, suffix in ((Decimal(1_000_000), "M"), (Decimal(1_000), "k")):
        if dollars >= size:
            return f"{sign}${_short(dollars / size)}{suffix}"
    if Decimal(0) < dollars < Decimal("9.995"):
        return f"{sign}${dollars.quantize(Decimal('0.01'), ROUND_HALF_UP)}"
    return f"{sign}${dollars.quantize(Decimal(1), ROUND_HALF_UP)}"


def _short(value: Decimal) -> str:
    """One decimal below 10 (1.5, not 1.50; 2, not 2.0), whole numbers above."""
    if value < 10:
        text = str(value.quantize(Decimal("0.1"), ROUND_HALF_UP))
        return text[:-2] if text.endswith(".0") else text
    return str(value.quantize(Decimal(1), ROUND_HALF_UP))


def nice_ticks(top: int, count: int = 4) -> list[int]:
    """Round axis ticks from 0 up to at least ``top`` (any integer unit: nano-dollars, people)."""
    if top <= 0:
        return [0]
    raw = -(-top // count)  # ceil
    magnitude = 10 ** (len(str(raw)) - 1)
    step = next(m * magnitude for m in (1, 2, 5, 10) if m * magnitude >= raw)
    return [step * i for i in range(0, -(-top // step) + 1)]


def group_models(values: list[tuple[str, int]], top: int = 5, min_share_pct: int = 1) -> list[tuple[str, int]]:
    """Metrics.md model breakdown: the top ``top`` models plus "Other"; a model under 1% goes to Other."""
    total = sum(v for _, v in values)
    ranked = sorted(values, key=lambda kv: (-kv[1], kv[0]))
    kept: list[tuple[str, int]] = []
    other = 0
    for label, value in ranked:
        big_enough = total > 0 and value * 100 >= total * min_share_pct
        if len(kept) < top and big_enough and value > 0:
            kept.append((label, value))
        else:
            other += value
    if other:
        kept.append((OTHER, other))
    return kept


def people_choices(store: Store) -> list[tuple[str, str | None]]:
    """(email, name) of every person, for the person filter's type-ahead."""
    return [(row[0], row[1]) for row in store.query("SELECT email, name FROM people ORDER BY email")]


def relative_age(stamp: str | None, now: datetime) -> str | None:
    """'12 min ago', '3 h ago', '2 days ago' for an ISO timestamp (UTC when it names no zone)."""
    if not stamp:
        return None
    moment = datetime.fromisoformat(stamp)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    seconds = int((now - moment).total_seconds())
    if seconds < 0:
        return "in the future"
    if seconds < 90:
        return "just now"
    if seconds < 90 * 60:
        return f"{seconds // 60} min ago"
    if seconds < 48 * 3600:
        return f"{seconds // 3600} h ago"
    return f"{seconds // 86400} days ago"


def short_stamp(stamp: str | None) -> str | None:
    """'2026-11-25T07:05:00+00:00' -> '2026-11-25 07:05' (sync history times are UTC)."""
    return stamp[:16].replace("T", " ") if stamp else None


@dataclass
class AnnualBurn:
    """Metrics.md "Annual budget · burn" for one year."""

    year: int
    name: str | None
    budget: int
    ytd_spend: int
    elapsed_days: int
    year_days: int

    @property
    def burn_pct(self) -> float | None:
        return pct(self.ytd_spend, self.budget)

    @property
    def expected_pct(self) -> float | None:
        """The straight-line share of the budget one would expect spent by today."""
        return pct(self.elapsed_days, self.year_days)

    @property
    def projected_year_end(self) -> int:
        remaining = self.year_days - self.elapsed_days
        return self.ytd_spend + (self.ytd_spend * remaining // self.elapsed_days if self.elapsed_days else 0)


def annual_burn(q: Query, scope: Scope = Scope()) -> AnnualBurn | None:
    """YTD spend against the org's budget for today's year; None when no annual budget is set."""
    year = q.today.year
    row = q.store.query(
        "SELECT name, amount_nano FROM budgets WHERE kind = 'annual' AND year = ? AND team_id IS NULL "
        "ORDER BY id DESC LIMIT 1",
        (year,),
    )
    if not row:
        return None
    first, last = date(year, 1, 1), date(year, 12, 31)
    spend, _ = totals_spend(q, Period(first, q.today, "ytd"), scope)
    return AnnualBurn(
        year=year,
        name=row[0][0],
        budget=row[0][1],
        ytd_spend=spend,
        elapsed_days=(q.today - first).days + 1,
        year_days=(last - first).days + 1,
    )


@dataclass
class TeamBudget:
    """Metrics.md "Team budgets": a team's month to date (all providers) against its monthly budget."""

    team: str
    budget: int
    projection: Projection
    resets_in_days: int

    @property
    def month_to_date(self) -> int:
        return self.projection.spend_to_date

    @property
    def used_pct(self) -> float | None:
        return pct(self.month_to_date, self.budget)

    @property
    def projected(self) -> int:
        return self.projection.projected


def team_budgets(q: Query, only_team: str | None = None) -> list[TeamBudget]:
    """Every team with a monthly budget in force this month (the latest row effective by now)."""
    month = q.today.isoformat()[:7]
    rows = q.store.query(
        """SELECT t.name, b.amount_nano FROM budgets b JOIN teams t ON t.id = b.team_id
           WHERE b.kind = 'monthly' AND b.effective_from <= ?
             AND b.id = (SELECT b2.id FROM budgets b2 WHERE b2.team_id = b.team_id AND b2.kind = 'monthly'
                         AND b2.effective_from <= ? ORDER BY b2.effective_from DESC, b2.id DESC LIMIT 1)
           ORDER BY t.name COLLATE NOCASE""",
        (month, month),
    )
    _, last = month_bounds(month)
    result = []
    for name, amount in rows:
        if only_team and name.lower() != only_team.lower():
            continue
        result.append(
            TeamBudget(
                team=name,
                budget=amount,
                projection=project_month(q, Scope(team=name), q.today),
                resets_in_days=(last - q.today).days + 1,
            )
        )
    return result

