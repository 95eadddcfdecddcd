"""Invoices against usage, per provider and month (metrics.md "Invoices and reconciliation").

An invoice belongs to the month its service period starts in (the issue month when it prints no
period), so Cursor's usage invoice issued on November 1 for October sits next to October's usage.
Usage is the provider's usage spend (overage + API) from the rollups, whoever it is attributed to;
beside what the invoices paid for seats stand the seat fees the store records for the month, so a
missing or short seat invoice shows.
Amounts in another currency count in USD figures only through a configured ``[fx]`` rate;
otherwise they are listed per currency beside the row and left out.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from spendtui.analytics.query import Query, Scope
from spendtui.analytics.totals import totals
from spendtui.money import format_plain, pct, to_usd
from spendtui.periods import Period, add_months, month_bounds

USD = "USD"


@dataclass
class Paid:
    """Invoice money of one provider-month in one currency, split by line class."""

    invoices: int = 0
    total: int = 0
    fixed_subscription: int = 0
    pool_topup: int = 0
    other: int = 0

    def add(self, other: Paid) -> None:
        for name in ("invoices", "total", "fixed_subscription", "pool_topup", "other"):
            setattr(self, name, getattr(self, name) + getattr(other, name))

    def as_json(self) -> dict:
        return {
            "invoices": self.invoices,
            "total": format_plain(self.total),
            "fixed_subscription": format_plain(self.fixed_subscription),
            "pool_topup": format_plain(self.pool_topup),
            "other": format_plain(self.other),
        }


@dataclass
class MonthRow:
    """One provider-month: what its invoices paid (USD) against the usage the rollups hold."""

    provider: str
    month: str
    paid: Paid = field(default_factory=Paid)
    usage: int = 0
    usage_estimated: bool = False
    seat_fees: int = 0  # subscription spend the store records (seats, or invoices' seat lines)
    pool_balance: int | None = None
    open: bool = False
    elapsed_days: int | None = None
    not_converted: dict[str, Paid] = field(default_factory=dict)

    @property
    def subscription_paid(self) -> int:
        return self.paid.total - self.paid.pool_topup

    @property
    def difference(self) -> int:
        return self.paid.total - self.usage

    @property
    def capture_rate_pct(self) -> float | None:
        """Usage ÷ paid, in percent; None in a month with no (USD-countable) invoice."""
        return pct(self.usage, self.paid.total) if self.paid.invoices else None

    @property
    def daily_average(self) -> Decimal | None:
        return Decimal(self.usage) / self.elapsed_days if self.open and self.elapsed_days else None

    @property
    def projected_usage(self) -> Decimal | None:
        """The open month's usage at its current pace (daily average × days in the month)."""
        average = self.daily_average
        if average is None:
            return None
        first, last = month_bounds(self.month)
        return average * ((last - first).days + 1)

    @property
    def projected_difference(self) -> Decimal | None:
        projected = self.projected_usage
        return None if projected is None else self.paid.total - projected

    def as_json(self) -> dict:
        projected = self.projected_usage
        return {
            "provider": self.provider,
            "month": self.month,
            "invoices": self.paid.invoices,
            "invoice_total": format_plain(self.paid.total),
            "fixed_subscription": format_plain(self.paid.fixed_subscription),
            "pool_topup": format_plain(self.paid.pool_topup),
            "other": format_plain(self.paid.other),
            "subscription_paid": format_plain(self.subscription_paid),
            "seat_fees": format_plain(self.seat_fees),
            "usage": format_plain(self.usage),
            "usage_estimated": self.usage_estimated,
            "pool_balance": format_plain(self.pool_balance),
            "difference": format_plain(self.difference),
            "capture_rate_pct": self.capture_rate_pct,
            "open": self.open,
            "daily_average": format_plain(self.daily_average),
            "projected_usage": format_plain(projected),
            "projected_difference": format_plain(self.projected_difference),
            "projected_capture_rate_pct": (
                pct(int(projected.to_integral_value(ROUND_HALF_UP)), self.paid.total)
                if projected is not None and self.paid.invoices
                else None
            ),
            "not_converted": [{"currency": c, **paid.as_json()} for c, paid in sorted(self.not_converted.items())],
        }


def _month_of(row) -> str:
    return (row["period_from"] or row["issued_on"])[:7]


def reconcile(q: Query, fx: dict[str, Decimal], *, first_month: str | None = None,
              last_month: str | None = None) -> list[MonthRow]:  # fmt: skip
    """Rows per provider and month, from each provider's first invoice month to today's month.

    ``first_month`` / ``last_month`` (``YYYY-MM``) narrow the months shown; the pool balance still
    counts every top-up and all usage since the first one.
    """
    invoices = q.store.query(
        """SELECT i.provider, i.currency, i.period_from, i.issued_on, COALESCE(i.paid_on, i.issued_on) AS paid_day,
                  i.total_nano,
                  COALESCE(SUM(CASE WHEN l.class = 'fixed_subscription' THEN l.amount_nano END), 0) AS fixed,
                  COALESCE(SUM(CASE WHEN l.class = 'pool_topup' THEN l.amount_nano END), 0) AS pool,
                  COALESCE(SUM(CASE WHEN l.class = 'other' THEN l.amount_nano END), 0) AS other
           FROM invoices i LEFT JOIN invoice_lines l ON l.invoice_id = i.id
           GROUP BY i.id ORDER BY i.provider, paid_day"""
    )
    rows: dict[tuple[str, str], MonthRow] = {}
    topups: dict[str, list[tuple[str, int]]] = defaultdict(list)  # provider -> (day, USD amount)
    today_month = q.today.isoformat()[:7]
    for inv in invoices:
        provider, month, currency = inv["provider"], _month_of(inv), inv["currency"]
        row = rows.setdefault((provider, month), MonthRow(provider, month))
        rate = Decimal(1) if currency == USD else fx.get(currency)
        if rate is None:
            row.not_converted.setdefault(currency, Paid()).add(_paid(inv, Decimal(1)))
            continue
        paid = _paid(inv, rate)
        row.paid.add(paid)
        if paid.pool_topup:
            topups[provider].append((inv["paid_day"], paid.pool_topup))
    for provider in {p for p, _ in rows}:
        months = [m for p, m in rows if p == provider]
        for month in _months(min(months), max(max(months), today_month)):
            rows.setdefault((provider, month), MonthRow(provider, month))
    wanted = sorted(
        (r for r in rows.values() if (first_month or "") <= r.month <= (last_month or "9999-12")),
        key=lambda r: (r.provider, r.month),
    )
    usage = _MonthlyUsage(q)
    for row in wanted:
        row.usage, row.usage_estimated, row.seat_fees = usage.month(row.provider, row.month)
        first, last = month_bounds(row.month)
        if first <= q.today <= last:
            row.open, row.elapsed_days = True, q.today.day
    for row in wanted:
        if row.provider in topups:
            row.pool_balance = _pool_balance(usage, row, topups[row.provider])
    return wanted


def _paid(inv, rate: Decimal) -> Paid:
    return Paid(1, *(to_usd(inv[column], rate) for column in ("total_nano", "fixed", "pool", "other")))


def _months(first: str, last: str) -> list[str]:
    months, day = [], date.fromisoformat(first + "-01")
    while day.isoformat()[:7] <= last:
        months.append(day.isoformat()[:7])
        day = add_months(day, 1)
    return months


class _MonthlyUsage:
    """Usage spend (overage + API) and seat fees of a provider over days, each calendar month read once."""

    def __init__(self, q: Query):
        self.q = q
        self._months: dict[tuple[str, str], tuple[int, bool, int]] = {}

    def span(self, provider: str, first: date, last: date) -> tuple[int, bool, int]:
        """(usage spend, estimated, seat fees) of the days first..last."""
        sums = totals(self.q, Period(first, last), Scope(provider=provider)).providers.get(provider)
        return (sums.usage_spend, sums.estimated, sums.categories.get("subscription", 0)) if sums else (0, False, 0)

    def month(self, provider: str, month: str) -> tuple[int, bool, int]:
        key = (provider, month)
        if key not in self._months:
            self._months[key] = self.span(provider, *month_bounds(month))
        return self._months[key]


def _pool_balance(usage: _MonthlyUsage, row: MonthRow, paid: list[tuple[str, int]]) -> int | None:
    """Top-ups paid by the month's end − usage drawn from the first top-up's day to then."""
    first_day = date.fromisoformat(min(day for day, _ in paid))
    _, month_end = month_bounds(row.month)
    if month_end < first_day:
        return None
    first_month = first_day.isoformat()[:7]
    _, first_month_end = month_bounds(first_month)
    drawn = usage.span(row.provider, first_day, min(first_month_end, month_end))[0]
    drawn += sum(usage.month(row.provider, m)[0] for m in _months(first_month, row.month)[1:])
    return sum(amount for day, amount in paid if day <= month_end.isoformat()) - drawn
