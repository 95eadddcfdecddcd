"""The Overview figures (metrics.md "Overview") and their JSON form (cli.md "report --format json")."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import ClassVar

from spendtui.analytics.query import Query, Scope
from spendtui.analytics.totals import (
    CATEGORY_LABELS,
    Day,
    Totals,
    combined,
    daily,
    fold,
    provider_sums,
    scope_totals,
    shown_categories,
    spend_by_subject,
    totals,
)
from spendtui.money import format_plain, format_usd, pct, ratio_nano, with_cents_adding_up
from spendtui.periods import Period, last_months, month_bounds


def change_pct(current: int, previous: int) -> float | None:
    """Percent change; None ("new") when there was nothing before."""
    if not previous:
        return None
    return pct(current - previous, previous)


# The columns of a person's row wherever the org or a team lists people.
USER_COLUMNS = ("user", "providers", "spend", "previous_spend", "change_pct", "requests", "cost_per_request", "top_model")


@dataclass
class UserRow:
    subject: int
    user: str
    spend: int
    previous_spend: int
    requests: int | None
    top_model: str | None
    providers: list[str]
    usage_spend: int  # overage + API of the providers that report requests

    @property
    def change_pct(self) -> float | None:
        return change_pct(self.spend, self.previous_spend)

    @property
    def cost_per_request(self) -> Decimal | None:
        return ratio_nano(self.usage_spend, self.requests)

    def as_json(self) -> dict:
        return {
            "user": self.user,
            "providers": self.providers,
            "spend": format_plain(self.spend),
            "previous_spend": format_plain(self.previous_spend),
            "change_pct": self.change_pct,
            "requests": self.requests,
            "cost_per_request": format_plain(self.cost_per_request),
            "top_model": self.top_model,
        }


def user_rows(q: Query, period: Period, scope: Scope, current: Totals) -> list[UserRow]:
    """Every subject with money or usage in the period, by spend (people and unattributed ids)."""
    previous = spend_by_subject(q, period.previous(), scope)
    labels = q.subject_labels(current.subjects)
    rows = [
        UserRow(
            subject=subject,
            user=labels.get(subject, f"#{subject}"),
            spend=sums.spend,
            previous_spend=previous.get(subject, 0),
            requests=sums.requests,
            top_model=sums.top_model[1] if sums.top_model else None,
            providers=sums.providers,
            usage_spend=sums.reporting_usage_spend,
        )
        for subject, sums in current.subjects.items()
    ]
    rows.sort(key=lambda r: (-r.spend, r.user))
    return rows


@dataclass
class Overview:
    period: Period
    timezone: str
    scope: Scope
    current: Totals
    previous_spend: int
    previous_estimated: bool
    users: list[UserRow]
    days: dict[str, Day]
    months: list[MonthRow]
    stored: tuple[str, str] | None = None  # the first and last day the store holds figures for (the tab's hint)

    # Each table's columns, so an empty one still has its CSV header (a test holds the rows to them).
    TABLE_COLUMNS: ClassVar[dict[str, tuple[str, ...]]] = {
        "users": USER_COLUMNS,
        "providers": ("provider", "spend", "requests"),
        "models": ("provider", "model", "spend", "usage_value", "requests", "share_pct"),
        "daily": ("date", "spend", "spread", "requests"),
        "months": ("month", "spend", "requests", "cost_per_request", "by_provider"),
    }

    @property
    def total_spend(self) -> int:
        return self.current.all.spend

    @property
    def change_pct(self) -> float | None:
        return change_pct(self.total_spend, self.previous_spend)

    @property
    def cost_per_request(self) -> Decimal | None:
        return ratio_nano(self.current.reporting_usage_spend, self.current.requests)

    @property
    def estimated(self) -> list[str]:
        names = []
        if self.current.all.estimated:
            names += ["total_spend", "daily"] + [f"providers.{p}" for p in self.current.estimated_providers]
        if self.previous_estimated:
            names.append("previous_spend")
        return names

    def models(self) -> list[dict]:
        value_total = sum(m.value for m in self.current.models.values())
        ranked = sorted(self.current.models.items(), key=lambda kv: (-kv[1].value, kv[0]))
        return [
            {
                "provider": provider,
                "model": model or None,  # a source that names no model
                "spend": format_plain(sums.usage_spend),
                "usage_value": format_plain(sums.value),
                "requests": sums.requests,
                "share_pct": pct(sums.value, value_total),
            }
            for (provider, model), sums in ranked
        ]

    def headline(self) -> list[tuple[str, object]]:
        data = self.as_json()
        scope = ", ".join(f"{k} {v}" for k, v in self.scope.as_json().items() if v) or "whole org"
        change = data["change_pct"]
        return [
            ("Period", f"{data['period']['from']} .. {data['period']['to']} ({self.timezone})"),
            ("Scope", scope),
            ("Total spend", format_usd(self.total_spend, estimated=self.current.all.estimated)),
            ("vs previous period", "new" if change is None else f"{change:+.2f}% (was {format_usd(self.previous_spend)})"),
            ("Requests", None if data["requests"] is None else f"{data['requests']:,}"),
            ("Cost / request", None if self.cost_per_request is None else format_usd(self.cost_per_request)),
            ("Top model", data["top_model"]),
            *((CATEGORY_LABELS[c], format_usd(v)) for c, v in shown_categories(self.current.all.categories).items()),
            ("Included usage (not spend)", format_usd(self.current.all.included)),
        ] + ([("Estimated", ", ".join(data["estimated"]))] if data["estimated"] else [])

    def tables(self) -> dict[str, list[dict]]:
        data = self.as_json()
        return {name: data[name] for name in self.TABLE_COLUMNS}

    def as_json(self) -> dict:
        previous = self.period.previous()
        top = self.current.top_model
        providers = sorted(self.current.providers.items(), key=lambda kv: (-kv[1].spend, kv[0]))
        return {
            "period": {"from": self.period.start.isoformat(), "to": self.period.end.isoformat(), "timezone": self.timezone},
            "previous_period": {"from": previous.start.isoformat(), "to": previous.end.isoformat()},
            "scope": self.scope.as_json(),
            "total_spend": format_plain(self.total_spend),
            "previous_spend": format_plain(self.previous_spend),
            "change_pct": self.change_pct,
            "requests": self.current.requests,
            "cost_per_request": format_plain(self.cost_per_request),
            "top_model": top[1] if top else None,
            "top_model_provider": top[0] if top else None,
            "categories": {c: format_plain(v) for c, v in shown_categories(self.current.all.categories).items()},
            "included_usage": format_plain(self.current.all.included),
            "estimated": self.estimated,
            "providers": [
                {"provider": p, "spend": format_plain(spend), "requests": s.requests}
                for (p, s), spend in with_cents_adding_up(providers, lambda kv: kv[1].spend)
            ],
            "models": self.models(),
            "users": [row.as_json() for row in self.users],
            "daily": [
                {"date": day, "spend": format_plain(spend), "spread": format_plain(d.spread),
                 "requests": d.requests if d.requests is not None or self.current.requests is None else 0}
                for (day, d), spend in with_cents_adding_up(self.days.items(), lambda kv: kv[1].spend)
            ],
            "months": [row.as_json() for row in self.months],
        }  # fmt: skip


def overview(q: Query, period: Period, scope: Scope, *, people: bool = True) -> Overview:
    """The Overview figures; ``people=False`` leaves out the per-person rows and reads the cheaper
    scope totals: the Overview tab and a person's detail show no such rows, which cost half a second
    on a 5,000-person store (the Team tab and the report list them)."""
    current = totals(q, period, scope) if people else scope_totals(q, period, scope)
    previous = totals_spend(q, period.previous(), scope)
    return Overview(
        period=period,
        timezone=q.timezone,
        scope=scope,
        current=current,
        previous_spend=previous[0],
        previous_estimated=previous[1],
        users=user_rows(q, period, scope, current) if people else [],
        days=daily(q, period, scope),
        months=month_over_month(q, scope, period.end),
        stored=stored_span(q),
    )


def account_overview(q: Query, period: Period, subject: int) -> Overview:
    """The figures of an account no person is mapped to (an API key, project or workspace: a subject
    < 0), which no Scope can name, read from its own rollup rows: what a person's detail shows (no
    daily or monthly rows)."""
    columns = ["subject", "provider", "model", "category", "est", "amount_nano", "requests"]

    def sums(within: Period) -> Totals:
        within = q.observed(within)
        source, params = q.segment_rows([(None, subject, within.start, within.end)], columns)
        return fold(q.store.tuples(f"SELECT {', '.join(columns)} FROM ({source}) WHERE est IN (0, 1)", params))

    previous = sums(period.previous())
    return Overview(period=period, timezone=q.timezone, scope=Scope(), current=sums(period),
                    previous_spend=previous.all.spend, previous_estimated=previous.all.estimated,
                    users=[], days={}, months=[])  # fmt: skip


def stored_span(q: Query) -> tuple[str, str] | None:
    """The first and last day of the org-wide daily rollup: where an empty period can point to."""
    first, last = q.store.query("SELECT MIN(day), MAX(day) FROM roll_org_day")[0]
    return (first, last) if first else None


def totals_spend(q: Query, period: Period, scope: Scope) -> tuple[int, bool]:
    """Spend of a period and whether estimates are part of it (cheaper than full totals)."""
    total = combined(provider_sums(q, period, scope))
    return total.spend, total.estimated


@dataclass
class MonthRow:
    month: str
    spend: int
    requests: int | None
    usage_spend_reporting: int
    by_provider: dict[str, int]

    @property
    def cost_per_request(self) -> Decimal | None:
        return ratio_nano(self.usage_spend_reporting, self.requests)

    def as_json(self) -> dict:
        return {
            "month": self.month,
            "spend": format_plain(self.spend),
            "requests": self.requests,
            "cost_per_request": format_plain(self.cost_per_request),
            "by_provider": {p: format_plain(v) for p, v in sorted(self.by_provider.items())},
        }


def month_over_month(q: Query, scope: Scope, last_day: date, count: int = 12) -> list[MonthRow]:
    """Spend, requests and $/request per calendar month, the ``count`` months ending at last_day's."""
    months = last_months(last_day, count)
    span = Period(month_bounds(months[0])[0], month_bounds(months[-1])[1], "range")
    source, params = q.summary_rows(span, scope, ["provider", "category", "est", "amount_nano", "requests"], month=True)
    rows = {m: MonthRow(m, 0, None, 0, {}) for m in months}
    per_provider_requests: dict[tuple[str, str], int | None] = {}
    usage: dict[tuple[str, str], int] = {}
    for month, provider, category, amount, requests in q.store.query(
        f"""SELECT month, provider, category, SUM(amount_nano), SUM(requests) FROM ({source})
            WHERE est IN (0, 1) GROUP BY month, provider, category""",
        params,
    ):
        row = rows[month]
        if category in ("subscription", "overage", "api"):
            row.spend += amount
            row.by_provider[provider] = row.by_provider.get(provider, 0) + amount
        if category in ("overage", "api"):
            usage[(month, provider)] = usage.get((month, provider), 0) + amount
        if requests is not None:
            per_provider_requests[(month, provider)] = (per_provider_requests.get((month, provider)) or 0) + requests
            row.requests = (row.requests or 0) + requests
    for (month, provider), _ in per_provider_requests.items():
        rows[month].usage_spend_reporting += usage.get((month, provider), 0)
    return list(rows.values())
