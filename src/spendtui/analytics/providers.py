"""Provider tabs (metrics.md "Provider tabs"): one provider's spend, users, models and data source."""

from __future__ import annotations

import statistics
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import ClassVar

from spendtui.analytics.overview import UserRow, change_pct, totals_spend, user_rows
from spendtui.analytics.query import Query, Scope, display_names
from spendtui.analytics.status import ProviderStatus, status
from spendtui.analytics.teams import spend_by_team
from spendtui.analytics.totals import Day, Totals, daily, provider_sums, totals
from spendtui.config import KEY_ENV, PROVIDER_NAMES, Settings
from spendtui.gcpause import gc_paused
from spendtui.money import format_plain, format_usd, pct, ratio_nano, scale, with_cents_adding_up
from spendtui.periods import Period

_TOKENS = ("tok_in", "tok_cache_write", "tok_cache_read", "tok_out")


@dataclass
class Breakdown:
    """Rollup rows of the period summed by (subject, product, model, category, est), tokens included."""

    rows: list[tuple]

    def sum_by(self, key, *, products=None, categories=None, estimates=(0, 1)) -> dict:
        """[amount, requests, 4 token buckets] per ``key(subject, product, model, category)``."""
        result: dict = {}
        with gc_paused():
            for subject, product, model, category, est, amount, requests, t_in, t_cw, t_cr, t_out in self.rows:
                if est not in estimates or (products and product not in products):
                    continue
                if categories and category not in categories:
                    continue
                slot_key = key(subject, product, model, category)
                slot = result.get(slot_key)
                if slot is None:
                    result[slot_key] = [amount, requests, t_in, t_cw, t_cr, t_out]
                    continue
                slot[0] += amount
                if requests is not None:
                    slot[1] = (slot[1] or 0) + requests
                slot[2] += t_in
                slot[3] += t_cw
                slot[4] += t_cr
                slot[5] += t_out
        return result


def _breakdown(q: Query, period: Period, scope: Scope) -> Breakdown:
    """The period's rollup rows, read ungrouped: sum_by folds them in Python faster than SQLite
    groups them (the monthly and yearly rows are nearly unique per key already)."""
    columns = ["subject", "product", "model", "category", "est", "amount_nano", "requests", *_TOKENS]
    source, params = q.subject_rows(period, scope, columns)
    with gc_paused():
        return Breakdown(q.store.tuples(f"SELECT {', '.join(columns)} FROM ({source})", params))


def _money_rows(sums: dict, names: dict, key_names: tuple[str, ...], money: str = "spend") -> list[dict]:
    rows = []
    for key, (amount, requests, *tokens) in sums.items():
        keys = key if isinstance(key, tuple) else (key,)
        row = {n: (names.get(k, k) if isinstance(k, int) else k) for n, k in zip(key_names, keys)}
        row.update({money: format_plain(amount), "requests": requests, "tokens": sum(tokens), "_amount": amount})
        rows.append(row)
    rows.sort(key=lambda r: (-r["_amount"], str(list(r.values())[0])))
    for row in rows:
        del row["_amount"]
    return rows


@dataclass
class SourcePanel:
    """The data source of a provider: key set up or not, what is stored, how syncs have gone."""

    provider: str
    status: ProviderStatus
    history: list[dict]
    interval_minutes: int | None
    setup_steps: list[str]

    def as_json(self) -> dict:
        return {
            "connected": self.status.key_configured,
            **self.status.as_json(),
            "sync_interval_minutes": self.interval_minutes,
            "history": self.history,
            "setup": self.setup_steps,
        }


_CREATE_KEY = {
    "cursor": "Create an Admin API key: Cursor dashboard > Settings > Advanced > Admin API Keys (team admins only).",
    "anthropic": "Create an Admin key (sk-ant-admin01-...): Claude Console > Settings > Admin keys (org admins only).",
    "openai": "Create an Admin key (sk-admin-...) with api.usage.read: platform.openai.com > Settings > Organization > Admin keys.",
}


def sync_history(q: Query, provider: str | None = None, limit: int = 20) -> list[dict]:
    where, params = ("WHERE provider = ?", [provider]) if provider else ("", [])
    rows = q.store.query(
        f"""SELECT started_at, provider, trigger, status, events, records, users, duration_ms, error
            FROM sync_runs {where} ORDER BY started_at DESC LIMIT ?""",
        params + [limit],
    )
    return [dict(row) for row in rows]


def source_panel(q: Query, settings: Settings, provider: str) -> SourcePanel:
    report = status(q.store, settings)
    history = sync_history(q, provider)
    scheduled = [datetime.fromisoformat(h["started_at"]) for h in history if h["trigger"] == "scheduled"]
    gaps = [(a - b).total_seconds() / 60 for a, b in zip(scheduled, scheduled[1:])]
    return SourcePanel(
        provider=provider,
        status=next(p for p in report.providers if p.provider == provider),
        history=history,
        interval_minutes=round(statistics.median(gaps)) if gaps else None,
        setup_steps=setup_steps(provider),
    )


def setup_steps(provider: str) -> list[str]:
    """How to connect a provider, step by step (a provider tab lists them all, the Sync tab the first two)."""
    option = f"[providers.{provider}] key_file = \"/etc/spendtui/{provider}.key\""
    return [
        _CREATE_KEY[provider],
        f"Give it to spendtui: export {KEY_ENV[provider]}=... , or in config.toml {option}",
        f"Check it: spendtui sync --provider {provider} --check ; then: spendtui sync --provider {provider}",
        f"No key? Import {PROVIDER_NAMES[provider]} CSV exports: spendtui import FILE.csv",
    ]


@dataclass
class ProviderTab:
    provider: str
    period: Period
    timezone: str
    scope: Scope
    current: Totals
    previous_spend: int
    users: list[UserRow]
    days: dict[str, Day]
    tokens: dict[str, int]  # per model
    names: dict[int, str]
    plans: dict[int, str]
    source: SourcePanel
    figures: dict = field(default_factory=dict)
    sections: dict[str, list[dict]] = field(default_factory=dict)

    # Each table's columns (a provider lists its own sections), so an empty one still has its CSV
    # header (a test holds the rows to them).
    TABLE_COLUMNS: ClassVar[dict[str, tuple[str, ...]]] = {
        "users": ("user", "name", "plan", "spend", "change_pct", "subscription", "included", "overage", "api",
                  "requests", "cost_per_request", "top_model"),
        "models": ("model", "spend", "usage_value", "requests", "tokens", "share_pct"),
        "daily": ("date", "spend", "spread"),
        "api_cost_by_model": ("model", "spend", "requests", "tokens"),
        "api_cost_by_workspace": ("workspace", "spend", "requests", "tokens"),
        "claude_code_estimated_by_person": ("person", "estimated_value", "requests", "tokens"),
        "claude_ai_spend_by_person_model": ("person", "model", "spend", "requests", "tokens"),
        "api_cost_by_project": ("project", "spend", "requests", "tokens"),
        "cost_by_line_item": ("line_item", "project", "spend"),
        "usage_by_model_and_user": ("model", "user", "requests", "tokens"),
        "sync_history": ("started_at", "provider", "trigger", "status", "events", "records", "users", "duration_ms",
                         "error"),
    }  # fmt: skip

    @property
    def spend(self) -> int:
        return self.current.all.spend

    def user_table(self) -> list[dict]:
        rows = []
        for user in self.users:
            amount = self.current.subjects[user.subject].categories
            rows.append({
                "user": user.user,
                "name": self.names.get(user.subject),
                "plan": self.plans.get(user.subject),
                "spend": format_plain(user.spend),
                "change_pct": user.change_pct,
                "subscription": format_plain(amount.get("subscription", 0)),
                "included": format_plain(amount.get("included", 0)),
                "overage": format_plain(amount.get("overage", 0)),
                "api": format_plain(amount.get("api", 0)),
                "requests": user.requests,
                "cost_per_request": format_plain(user.cost_per_request),
                "top_model": user.top_model,
            })  # fmt: skip
        return rows

    def models(self) -> list[dict]:
        value_total = sum(m.value for m in self.current.models.values())
        return [
            {
                "model": model or None,  # a source that names no model
                "spend": format_plain(sums.usage_spend),
                "usage_value": format_plain(sums.value),
                "requests": sums.requests,
                "tokens": self.tokens.get(model, 0),
                "share_pct": pct(sums.value, value_total),
            }
            for (_, model), sums in sorted(self.current.models.items(), key=lambda kv: (-kv[1].value, kv[0]))
        ]

    def as_json(self) -> dict:
        return {
            "provider": self.provider,
            "period": {"from": self.period.start.isoformat(), "to": self.period.end.isoformat(), "timezone": self.timezone},
            "scope": self.scope.as_json(),
            "spend": format_plain(self.spend),
            "previous_spend": format_plain(self.previous_spend),
            "change_pct": change_pct(self.spend, self.previous_spend),
            "requests": self.current.requests,
            "cost_per_request": format_plain(ratio_nano(self.current.reporting_usage_spend, self.current.requests)),
            "estimated": bool(self.current.all.estimated),
            **self.figures,
            "daily": [{"date": d, "spend": format_plain(spend), "spread": format_plain(v.spread)}
                      for (d, v), spend in with_cents_adding_up(self.days.items(), lambda kv: kv[1].spend)],
            "models": self.models(),
            "users": self.user_table(),
            **self.sections,
            "source": self.source.as_json(),
        }  # fmt: skip

    def tables(self) -> dict[str, list[dict]]:
        data = self.as_json()
        return {name: data[name] for name in ["users", "models", "daily", *self.sections]} | {
            "sync_history": self.source.history
        }

    def headline(self) -> list[tuple[str, object]]:
        data = self.as_json()
        lines = [
            ("Provider", PROVIDER_NAMES[self.provider]),
            ("Period", f"{self.period.start} .. {self.period.end} ({self.timezone})"),
            ("Spend", format_usd(self.spend, estimated=data["estimated"])),
            ("vs previous period", "new" if data["change_pct"] is None else f"{data['change_pct']:+.2f}%"),
            ("Requests", data["requests"]),
        ]
        lines += [(k.replace("_", " ").capitalize(), v) for k, v in self.figures.items()]
        src = self.source.status
        lines += [
            ("API key", "configured" if src.key_configured else "not configured (see setup in --format json)"),
            ("Records stored", src.records),
            ("Data range", f"{src.first_day} .. {src.last_day}" if src.first_day else None),
            ("Last good sync", src.last_good_sync_at),
        ]
        return lines


def _plans(q: Query, provider: str, on: date) -> dict[int, str]:
    return {
        row[0]: row[1]
        for row in q.store.query(
            """SELECT person_id, group_concat(plan, ', ') FROM seats
               WHERE provider = ? AND active_from <= ? AND (active_to IS NULL OR active_to >= ?) GROUP BY person_id""",
            (provider, on.isoformat(), on.isoformat()),
        )
    }


def provider_tab(q: Query, period: Period, scope: Scope, provider: str, settings: Settings | None = None) -> ProviderTab:
    """Everything one provider's tab shows; ``scope.provider`` is replaced by ``provider``."""
    scope = Scope(provider=provider, team=scope.team, user=scope.user)
    current = totals(q, period, scope)
    tab = ProviderTab(
        provider=provider,
        period=period,
        timezone=q.timezone,
        scope=scope,
        current=current,
        previous_spend=totals_spend(q, period.previous(), scope)[0],
        users=user_rows(q, period, scope, current),
        days=daily(q, period, scope),
        tokens=model_tokens(q, period, scope),
        names=display_names(q.store, current.subjects),
        plans=_plans(q, provider, min(period.end, q.today)),
        source=source_panel(q, settings or Settings(), provider),
    )
    {"cursor": _cursor, "anthropic": _anthropic, "openai": _openai}[provider](q, tab)
    return tab


def model_tokens(q: Query, period: Period, scope: Scope) -> dict[str, int]:
    """Tokens per model of the usage categories; no per-person grain (the org reads roll_org_day)."""
    source, params = q.summary_rows(period, scope, ["model", "category", "est", *_TOKENS])
    return dict(
        q.store.query(
            f"""SELECT model, SUM({' + '.join(_TOKENS)}) FROM ({source})
                WHERE est IN (0, 1) AND category IN ('overage', 'api', 'included', 'none') GROUP BY model""",
            params,
        )
    )


def _sections(q: Query, tab: ProviderTab) -> tuple[Breakdown, dict[int, str]]:
    """The per-person rows the Anthropic and OpenAI sections slice, and names for all their subjects
    (an estimate shadowed by billed usage has a row here but no money in the user table)."""
    breakdown = _breakdown(q, tab.period, tab.scope)
    unnamed = {row[0] for row in breakdown.rows} - tab.names.keys()
    return breakdown, tab.names | display_names(q.store, unnamed)


def _cursor(q: Query, tab: ProviderTab) -> None:
    covered = q.store.scalar(
        """SELECT COUNT(DISTINCT day) FROM roll_org_day WHERE provider = 'cursor' AND day BETWEEN ? AND ?
           AND category != 'subscription' AND est IN (0, 1)""",
        (tab.period.start.isoformat(), q.observed(tab.period).end.isoformat()),
    )
    # Teams of the scope: all of them, the one a team filter picks, none for one person.
    teams = [] if tab.scope.user else [
        t for t in spend_by_team(q, tab.period, "cursor")
        if t.sums.spend and (not tab.scope.team or t.name.lower() == tab.scope.team.lower())
    ]  # fmt: skip
    team_total = sum(t.sums.spend for t in teams)
    tab.figures = {
        "included_usage": format_plain(tab.current.all.included),
        "on_demand": format_plain(tab.current.all.categories.get("overage", 0)),
        "subscription": format_plain(tab.current.all.categories.get("subscription", 0)),
        # per day the data covers (the same days "days covered" counts, whatever the filter)
        "projected_30_days": format_plain(scale(tab.spend, 30, covered)) if covered else None,
        "days_covered": covered,
        "teams": None if tab.scope.user else len(teams),
        "average_per_team": format_plain(ratio_nano(team_total, len(teams))),
    }


def _anthropic(q: Query, tab: ProviderTab) -> None:
    b, names = _sections(q, tab)
    api_models = b.sum_by(lambda s, p, m, c: m, products=("api",))
    workspaces = b.sum_by(lambda s, p, m, c: s, products=("api",), categories=("api",))
    code = b.sum_by(lambda s, p, m, c: s, products=("claude_code",), estimates=(1, 2))
    claude_ai = b.sum_by(lambda s, p, m, c: (s, m), products=("claude_ai",))
    tab.sections = {
        "api_cost_by_model": _money_rows(api_models, names, ("model",)),
        "api_cost_by_workspace": _money_rows(workspaces, names, ("workspace",)),
        "claude_code_estimated_by_person": _money_rows(code, names, ("person",), money="estimated_value"),
        "claude_ai_spend_by_person_model": _money_rows(claude_ai, names, ("person", "model")),
    }
    tab.figures = {
        "api_cost": format_plain(tab.current.all.categories.get("api", 0)),
        "seat_fees": format_plain(tab.current.all.categories.get("subscription", 0)),
        "claude_ai_extra_usage": format_plain(sum(v[0] for v in claude_ai.values())),
        "claude_code_estimated_value": format_plain(sum(v[0] for v in code.values())),
        "note": "claude.ai spend is reported per period; its daily line is a spread average",
    }


def line_items(q: Query, period: Period) -> list[dict]:
    """OpenAI API cost by line item and project, org-wide (a team or person scope narrows the other
    tables of the tab, not this one: line items live only in the cost facts). Cost that names no
    line item (a CSV export without the column, say) is one row of its own, so the rows add up to
    the tab's API cost."""
    rows = q.store.query(
        """SELECT f.kind, COALESCE(a.label, a.external_id, p.email), SUM(f.amount_nano)
           FROM usage_facts f LEFT JOIN accounts a ON a.id = f.account_id LEFT JOIN people p ON p.id = f.person_id
           WHERE f.stream = 'openai.cost' AND f.kind IS NOT NULL AND f.day BETWEEN ? AND ?
           GROUP BY f.kind, 2 ORDER BY 3 DESC, 1, 2""",
        (period.start.isoformat(), period.end.isoformat()),
    )
    listed = sum(amount for _, _, amount in rows)
    api = provider_sums(q, period, Scope(provider="openai")).get("openai")
    unnamed = (api.categories.get("api", 0) if api else 0) - listed
    if unnamed:
        rows.append((None, None, unnamed))
    return [{"line_item": kind, "project": project, "spend": format_plain(amount)} for kind, project, amount in rows]


def _openai(q: Query, tab: ProviderTab) -> None:
    b, names = _sections(q, tab)
    projects = b.sum_by(lambda s, p, m, c: s, products=("api",), categories=("api",))
    usage = b.sum_by(lambda s, p, m, c: (m, s), products=("api",))
    observed = q.observed(tab.period)
    tab.sections = {
        "api_cost_by_project": _money_rows(projects, names, ("project",)),
        "cost_by_line_item": line_items(q, observed),
        "usage_by_model_and_user": [
            {k: v for k, v in row.items() if k != "spend"} for row in _money_rows(usage, names, ("model", "user"))
        ],
    }
    tab.figures = {
        "api_cost": format_plain(tab.current.all.categories.get("api", 0)),
        "seat_fees": format_plain(tab.current.all.categories.get("subscription", 0)),
    }
