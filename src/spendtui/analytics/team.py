"""The Team context figures (metrics.md "Team context"): burn, projections, concentration, categories, seats."""

from __future__ import annotations

import math
from bisect import bisect_right
from dataclasses import dataclass, replace
from datetime import date
from decimal import Decimal
from functools import cached_property
from typing import ClassVar

from spendtui.analytics.budgets import AnnualStatus, MonthProjection, TeamBudgetStatus, annual_status, month_projection, team_statuses
from spendtui.analytics.overview import USER_COLUMNS, MonthRow, UserRow, month_over_month, user_rows
from spendtui.analytics.seats import IdleSeat, MultiVendorSeats, idle_seats, multi_vendor_seats
from spendtui.analytics.query import Query, Scope
from spendtui.analytics.totals import Day, Totals, daily, shown_categories, totals
from spendtui.gcpause import gc_paused
from spendtui.money import NANO_PER_DOLLAR, format_plain, format_usd, pct, ratio_nano
from spendtui.periods import Period, last_months, month_bounds

# Upper bounds (dollars) of the per-person spend histogram; the last bin is open-ended.
DISTRIBUTION_EDGES = (0, 10, 25, 50, 100, 250, 500, 1000, 2500)


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
    """Histogram of per-person spend: how many people fall in each dollar band (below $0: none).

    One bisect per person, not a pass per band (5,000 people x 9 bands showed in the Team tab's cost)."""
    edges = [low * NANO_PER_DOLLAR for low in DISTRIBUTION_EDGES]
    counts = [0] * (len(edges) + 1)
    for value in person_spend:
        counts[bisect_right(edges, value)] += 1
    bins = []
    for i, (low, high) in enumerate(zip(DISTRIBUTION_EDGES, DISTRIBUTION_EDGES[1:] + (None,)), start=1):
        label = f"${low:,}+" if high is None else f"${low:,}-{high:,}"
        bins.append({"band": label, "from": f"{low}.00", "to": None if high is None else f"{high}.00",  # money strings
                     "people": counts[i]})  # fmt: skip
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
    """Per month and provider: people holding a seat that month, and that provider's spend per seat.

    Seat holders come from ``seats`` (in scope on a day the seat was active), spend from the
    monthly totals: neither needs a per-person scan of the rollups.
    """
    months = last_months(last_day, count)
    span = q.observed(Period(month_bounds(months[0])[0], month_bounds(months[-1])[1]))
    source, params = q.summary_rows(span, scope, ["provider", "category", "est", "amount_nano"], month=True)
    spend = {
        (month, provider): amount
        for month, provider, amount in q.store.query(
            f"""SELECT month, provider, SUM(amount_nano) FROM ({source})
                WHERE est IN (0, 1) AND category IN ('subscription', 'overage', 'api') GROUP BY month, provider""",
            params,
        )
    }
    segments = q.segments(scope, span.start, span.end)
    in_scope = None if segments is None else {}
    for subject, start, end in segments or ():
        in_scope.setdefault(subject, []).append((start.isoformat(), end.isoformat()))
    seats = q.store.query(
        "SELECT provider, person_id, active_from, COALESCE(active_to, '9999-12-31') FROM seats"
        + (" WHERE provider = ?" if scope.provider else ""),
        [scope.provider] if scope.provider else [],
    )
    bounds = []  # (month, first, last) of the months with observed days
    for month in months:
        first, last = (d.isoformat() for d in month_bounds(month))
        if first <= (last := min(last, span.end.isoformat())):
            bounds.append((month, first, last))
    providers = {seat[0] for seat in seats}
    holders: dict[tuple[str, str], set[int]] = {(month, p): set() for month, _, _ in bounds for p in providers}
    # Seats outer, months inner, two comparisons per pair: 5,000 seats x 12 months is 60 K pairs.
    for provider, person, active_from, active_to in seats:
        if active_from > active_to or (in_scope is not None and person not in in_scope):
            continue
        for month, first, last in bounds:
            if first <= active_to and active_from <= last:
                if in_scope is not None:
                    start, end = max(first, active_from), min(last, active_to)
                    if not any(a <= end and start <= b for a, b in in_scope[person]):
                        continue
                holders[(month, provider)].add(person)
    keys = sorted({key for key, people in holders.items() if people} | set(spend))
    return [SeatMonth(m, p, len(holders.get((m, p), ())), spend.get((m, p), 0)) for m, p in keys]


@dataclass
class TeamContext:
    period: Period
    timezone: str
    scope: Scope
    current: Totals
    users: list[UserRow]
    days: dict[str, Day]
    months: list[MonthRow]
    projection: MonthProjection
    seats: list[SeatMonth]
    annual_budget: AnnualStatus | None
    team_budgets: list[TeamBudgetStatus]
    idle_seats: list[IdleSeat]
    multi_vendor_seats: list[MultiVendorSeats]

    # Each table's columns, so an empty one still has its CSV header (a test holds the rows to them);
    # None where the columns are the providers the period holds.
    TABLE_COLUMNS: ClassVar[dict[str, tuple[str, ...] | None]] = {
        "users": USER_COLUMNS,
        "team_budgets": ("team", "month", "budget", "mtd_spend", "used_pct", "projected_month_end", "projected_pct",
                         "resets_in_days", "estimated"),
        "idle_seats": ("user", "provider", "plan", "monthly_cost", "held_since", "last_used"),
        "multi_vendor_seats": ("user", "providers", "monthly_cost", "seats"),
        "spend_distribution": ("band", "from", "to", "people"),
        "daily_by_provider": None,
        "calendar_months": None,
        "seat_growth": ("month", "provider", "active_seats", "spend", "cost_per_seat"),
    }  # fmt: skip

    @cached_property
    def people(self) -> list[UserRow]:
        """The rows of people (not unattributed ids); kept, as the JSON and the tab ask several times."""
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
            **{c: format_plain(v) for c, v in shown_categories(cats).items()},
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
        """The figures as JSON, the collector held as while computing them (a dict per person)."""
        with gc_paused():
            return self._json()

    def _json(self) -> dict:
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
            "annual_budget": self.annual_budget.as_json() if self.annual_budget else None,
            "team_budgets": [t.as_json() for t in self.team_budgets],
            "idle_seats": [s.as_json() for s in self.idle_seats],
            "multi_vendor_seats": [m.as_json() for m in self.multi_vendor_seats],
            "users": [u.as_json() for u in self.users],
        }  # fmt: skip

    def tables(self) -> dict[str, list[dict]]:
        data = self.as_json()
        return {name: data[name] for name in self.TABLE_COLUMNS}

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
        if self.annual_budget:
            budget = self.annual_budget
            lines += [
                (budget.budget.name or f"{budget.year} budget", format_usd(budget.budget.amount)),
                ("Year to date", f"{format_usd(budget.spend)} ({budget.used_pct}%; straight line {format_usd(budget.expected)})"),
                ("Projected year-end", format_usd(budget.projected)),
            ]  # fmt: skip
        return lines


def team_context(q: Query, period: Period, scope: Scope, seat_prices: dict[str, int] | None = None) -> TeamContext:
    """Everything the Team tab shows; budgets and seats are as of today whatever the period."""
    with gc_paused():
        return _team_context(q, period, scope, seat_prices or {})


def _team_context(q: Query, period: Period, scope: Scope, seat_prices: dict[str, int]) -> TeamContext:
    current = totals(q, period, scope)
    return TeamContext(
        period=period,
        timezone=q.timezone,
        scope=scope,
        # Without its per-person slice (20 K objects for 5,000 people), which the user rows hold the
        # part of that the tab shows: collections while the view lives need not walk it.
        current=replace(current, subjects={}),
        users=user_rows(q, period, scope, current),
        days=daily(q, period, scope),
        months=month_over_month(q, scope, period.end),
        projection=month_projection(q, scope),
        seats=seat_growth(q, scope, period.end),
        annual_budget=annual_status(q) if not (scope.team or scope.user) else None,
        team_budgets=[t for t in team_statuses(q) if not scope.team or t.team.lower() == scope.team.lower()],
        idle_seats=idle_seats(q, seat_prices, scope),
        multi_vendor_seats=multi_vendor_seats(q, seat_prices, scope),
    )

