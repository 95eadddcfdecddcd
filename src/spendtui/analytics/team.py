"""The Team context figures (metrics.md "Team context"): burn, projections, concentration, categories, seats."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

from spendtui.analytics.overview import MonthRow, UserRow, month_over_month, pct, user_rows
from spendtui.analytics.query import Query, Scope
from spendtui.analytics.totals import Day, Totals, daily, totals
from spendtui.money import NANO_PER_DOLLAR, format_plain, format_usd, ratio_nano
from spendtui.periods import Period, last_months, month_bounds

# Upper bounds (dollars) of the per-person spend histogram; the last bin is open-ended.
DISTRIBUTION_EDGES = (0, 10, 25, 50, 100, 250, 500, 1000, 2500)


@dataclass
class Projection:
    """Metrics.md "Projected month-end" for the month holding ``today``."""

    month: str
    spend_to_date: int
    usage_to_date: int
    elapsed_days: int
    remaining_days: int
    remaining_seats: int

    @property
    def projected(self) -> int:
        run_rate = self.usage_to_date * self.remaining_days // self.elapsed_days if self.elapsed_days else 0
        return self.spend_to_date + run_rate + self.remaining_seats

    def as_json(self) -> dict:
        return {
            "month": self.month,
            "month_to_date": format_plain(self.spend_to_date),
            "projected": format_plain(self.projected),
            "elapsed_days": self.elapsed_days,
            "remaining_days": self.remaining_days,
            "remaining_seat_fees": format_plain(self.remaining_seats),
        }


def remaining_seat_accruals(q: Query, scope: Scope, after: date, through: date) -> int:
    """Seat fees that will accrue after ``after`` up to ``through`` (rollups hold them ahead of time)."""
    if through <= after:
        return 0
    future = Query(q.store, q.timezone, through)
    source, params = future.subject_rows(
        Period(after + timedelta(days=1), through), scope, ["category", "est", "amount_nano"]
    )
    return q.store.scalar(
        f"SELECT COALESCE(SUM(amount_nano), 0) FROM ({source}) WHERE category = 'subscription' AND est = 0", params
    )


def project_month(q: Query, scope: Scope, today: date) -> Projection:
    first, last = month_bounds(today.isoformat()[:7])
    mtd = totals(q, Period(first, today), scope)
    return Projection(
        month=today.isoformat()[:7],
        spend_to_date=mtd.all.spend,
        usage_to_date=mtd.all.usage_spend,
        elapsed_days=(today - first).days + 1,
        remaining_days=(last - today).days,
        remaining_seats=remaining_seat_accruals(q, scope, today, last),
    )


@dataclass
class Concentration:
    people: int
    top_decile_people: int
    top_decile_share: float | None
    top5_share: float | None
    gini: float | None

    def as_json(self) -> dict:
        return dict(self.__dict__)


def concentration(person_spend: list[int]) -> Concentration:
    """Share of the top 10% (ceil(n/10) people) and of the top 5, and the Gini coefficient over people."""
    values = sorted(person_spend, reverse=True)
    n, total = len(values), sum(values)
    decile = math.ceil(n / 10) if n else 0
    if not n or total <= 0:
        return Concentration(n, decile, None, None, None)
    ascending = values[::-1]
    weighted = sum(i * v for i, v in enumerate(ascending, start=1))
    gini = (2 * weighted) / (n * total) - (n + 1) / n
    return Concentration(
        people=n,
        top_decile_people=decile,
        top_decile_share=pct(sum(values[:decile]), total),
        top5_share=pct(sum(values[:5]), total),
        gini=round(gini, 4),
    )


def distribution(person_spend: list[int]) -> list[dict]:
    """Histogram of per-person spend: how many people fall in each dollar band."""
    bins = []
    for low, high in zip(DISTRIBUTION_EDGES, DISTRIBUTION_EDGES[1:] + (None,)):
        lo, hi = low * NANO_PER_DOLLAR, None if high is None else high * NANO_PER_DOLLAR
        count = sum(1 for v in person_spend if v >= lo and (hi is None or v < hi))
        label = f"${low:,}+" if high is None else f"${low:,}-{high:,}"
        bins.append({"band": label, "from": str(low), "to": None if high is None else str(high), "people": count})
    return bins


@dataclass
class SeatMonth:
    month: str
    provider: str
    seats: int
    spend: int

    @property
    def cost_per_seat(self):
        return ratio_nano(self.spend, self.seats)

    def as_json(self) -> dict:
        return {
            "month": self.month,
            "provider": self.provider,
            "active_seats": self.seats,
            "spend": format_plain(self.spend),
            "cost_per_seat": format_plain(self.cost_per_seat),
        }


def seat_growth(q: Query, scope: Scope, last_day: date, count: int = 12) -> list[SeatMonth]:
    """Per month and provider: people holding a seat that month, and that provider's spend per seat."""
    months = last_months(last_day, count)
    span = Period(month_bounds(months[0])[0], month_bounds(months[-1])[1])
    source, params = q.subject_rows(span, scope, ["subject", "provider", "category", "est", "amount_nano"], month=True)
    rows = q.store.query(
        f"""SELECT month, provider,
                   COUNT(DISTINCT CASE WHEN category = 'subscription' THEN subject END),
                   SUM(CASE WHEN category IN ('subscription', 'overage', 'api') THEN amount_nano ELSE 0 END)
            FROM ({source}) WHERE est IN (0, 1) GROUP BY month, provider ORDER BY month, provider""",
        params,
    )
    return [SeatMonth(*row) for row in rows]


@dataclass
class TeamContext:
    period: Period
    timezone: str
    scope: Scope
    current: Totals
    users: list[UserRow]
    days: dict[str, Day]
    months: list[MonthRow]
    projection: Projection
    seats: list[SeatMonth]
    extras: dict = field(default_factory=dict)  # budgets, idle and multi-vendor seats (analytics.budgets/seats)

    @property
    def people(self) -> list[UserRow]:
        return [u for u in self.users if u.subject > 0]

    @property
    def unique_users(self) -> int:
        return len(self.people)

    @property
    def attributed_spend(self) -> int:
        return sum(u.spend for u in self.people)

    @property
    def unattributed_spend(self) -> int:
        return sum(u.spend for u in self.users if u.subject < 0)

    @property
    def avg_cost_per_user(self) -> Decimal | None:
        return ratio_nano(self.attributed_spend, self.unique_users)

    @property
    def concentration(self) -> Concentration:
        return concentration([u.spend for u in self.people])

    @property
    def distribution(self) -> list[dict]:
        return distribution([u.spend for u in self.people])

    def categories(self) -> dict:
        cats = self.current.all.categories
        spend = self.current.all.spend
        amounts = {c: cats.get(c, 0) for c in ("subscription", "overage", "api")}
        top = max(amounts, key=lambda c: (amounts[c], c)) if spend else None
        return {
            **{c: format_plain(v) for c, v in amounts.items()},
            "top_category": top,
            "overage_share": pct(amounts["overage"], spend),
            "api_share": pct(amounts["api"], spend),
        }

    def daily_by_provider(self) -> list[dict]:
        providers = sorted({p for d in self.days.values() for p in d.by_provider})
        return [
            {"date": day, **{p: format_plain(d.by_provider.get(p, 0)) for p in providers}, "total": format_plain(d.spend)}
            for day, d in self.days.items()
        ]

    def calendar_months(self) -> list[dict]:
        providers = sorted({p for m in self.months for p in m.by_provider})
        return [
            {"month": m.month, **{p: format_plain(m.by_provider.get(p, 0)) for p in providers}, "total": format_plain(m.spend)}
            for m in self.months
        ]

    def as_json(self) -> dict:
        return {
            "period": {"from": self.period.start.isoformat(), "to": self.period.end.isoformat(), "timezone": self.timezone},
            "scope": self.scope.as_json(),
            "total_spend": format_plain(self.current.all.spend),
            "projected_month_end": self.projection.as_json(),
            "unique_users": self.unique_users,
            "avg_cost_per_user": format_plain(self.avg_cost_per_user),
            "attributed_spend": format_plain(self.attributed_spend),
            "unattributed_spend": format_plain(self.unattributed_spend),
            "spend_distribution": self.distribution,
            "daily_by_provider": self.daily_by_provider(),
            "calendar_months": self.calendar_months(),
            "seat_growth": [s.as_json() for s in self.seats],
            "spend_concentration": self.concentration.as_json(),
            "categories": self.categories(),
            **{name: value for name, value in self.extras.items()},
            "users": [u.as_json() for u in self.users],
        }  # fmt: skip

    def tables(self) -> dict[str, list[dict]]:
        data = self.as_json()
        names = ["users", "spend_distribution", "daily_by_provider", "calendar_months", "seat_growth"]
        names += [n for n, v in self.extras.items() if isinstance(v, list)]
        return {n: data[n] for n in names}

    def headline(self) -> list[tuple[str, object]]:
        conc = self.concentration
        cats = self.categories()
        scope = ", ".join(f"{k} {v}" for k, v in self.scope.as_json().items() if v) or "whole org"
        lines = [
            ("Period", f"{self.period.start} .. {self.period.end} ({self.timezone})"),
            ("Scope", scope),
            ("Total spend", format_usd(self.current.all.spend)),
            (f"Projected month-end ({self.projection.month})", format_usd(self.projection.projected)),
            ("Unique users", self.unique_users),
            ("Avg cost / user", format_usd(self.avg_cost_per_user)),
            ("Unattributed spend", format_usd(self.unattributed_spend)),
            ("Top 10% share", None if conc.top_decile_share is None else f"{conc.top_decile_share}%"),
            ("Top 5 share", None if conc.top5_share is None else f"{conc.top5_share}%"),
            ("Gini", conc.gini),
            ("Top category", cats["top_category"]),
            ("Overage share", None if cats["overage_share"] is None else f"{cats['overage_share']}%"),
            ("API share", None if cats["api_share"] is None else f"{cats['api_share']}%"),
        ]
        return lines + [(k.replace("_", " ").capitalize(), v) for k, v in self.extras.items() if not isinstance(v, list)]


def team_context(q: Query, period: Period, scope: Scope) -> TeamContext:
    current = totals(q, period, scope)
    today = min(q.today, period.end) if period.start <= q.today else q.today
    context = TeamContext(
        period=period,
        timezone=q.timezone,
        scope=scope,
        current=current,
        users=user_rows(q, period, scope, current),
        days=daily(q, period, scope),
        months=month_over_month(q, scope, period.end),
        projection=project_month(q, scope, today),
        seats=seat_growth(q, scope, period.end),
    )
    return context

