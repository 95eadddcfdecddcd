"""Tab 2, Team (metrics.md "Team context"): projections, users, budgets, distribution, concentration."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import Grid, Horizontal

from spendtui.analytics.query import Query
from spendtui.analytics.team import TeamContext, team_context
from spendtui.analytics.budgets import TeamBudgetStatus
from spendtui.analytics.ui_support import compact_usd
from spendtui.config import PROVIDER_NAMES, PROVIDERS
from spendtui.money import format_usd, pct
from spendtui.tui.tabs.base import LoadContext, ViewTab
from spendtui.tui.widgets.chart import Chart, ChartSpec
from spendtui.tui.widgets.kpi import KpiCard, KpiRow
from spendtui.tui.widgets.table import Column, SpendTable

USER_COLUMNS = [
    Column("user", "Person"), Column("providers", "Providers"), Column("spend", "Spend", "money"),
    Column("change", "vs prev.", "change"), Column("requests", "Requests", "int"),
    Column("cost_per_request", "$/request", "money"), Column("top_model", "Top model"),
]  # fmt: skip


def pct_text(value: float | None) -> str:
    return "\u2014" if value is None else f"{value:.1f}%"


class TeamTab(ViewTab):
    view_id = "team"
    title = "Team"
    key = "2"

    def compose_body(self) -> ComposeResult:
        with KpiRow(classes="kpis"):
            yield KpiCard("Total spend", id="team-total")
            yield KpiCard("Projected month-end", id="team-projected")
            yield KpiCard("Unique users", id="team-users")
            yield KpiCard("Avg cost / user", id="team-avg")
            yield KpiCard("Annual budget · burn", id="team-burn", classes="wide")
        with Grid(classes="charts"):
            yield Chart("Daily spend by provider", id="team-daily")
            yield Chart("Spend distribution (people per band)", id="team-distribution")
            yield Chart("Calendar month spend", id="team-months")
            yield Chart("Seat growth (active seats)", id="team-seats")
            yield Chart("Spend concentration", id="team-concentration")
            yield Chart("Spend categories", id="team-categories")
        yield SpendTable("Team budgets (month to date, all providers)", [
            Column("team", "Team"), Column("budget", "Monthly budget", "money"),
            Column("mtd", "Month to date", "money"), Column("used", "Used", "share"),
            Column("projected", "Projected", "money"), Column("status", "Status"), Column("resets", "Resets in"),
        ], empty="No team budgets set: `spendtui budget set --team TEAM --monthly AMOUNT`.", id="team-budgets")  # fmt: skip
        with Horizontal(classes="split"):
            yield SpendTable("Idle seats (no usage in 30 days)", [
                Column("user", "Person"), Column("provider", "Provider"), Column("plan", "Plan"),
                Column("cost", "Monthly cost", "money"), Column("last_used", "Last used"),
            ], empty="No idle seats.", id="team-idle", classes="half")  # fmt: skip
            yield SpendTable("Seats at two or more vendors", [
                Column("user", "Person"), Column("providers", "Providers"), Column("cost", "Monthly cost", "money"),
            ], empty="Nobody holds seats at two vendors.", id="team-multi", classes="half right")  # fmt: skip
        yield SpendTable("Seat cost per user", [
            Column("month", "Month"), Column("provider", "Provider"), Column("seats", "Active seats", "int"),
            Column("spend", "Spend", "money"), Column("cost_per_seat", "Spend / seat", "money"),
        ], empty="No seats in these months.", id="team-seat-table")  # fmt: skip
        yield SpendTable("All users by spend", USER_COLUMNS, empty="Nobody spent anything in this period.",
                         id="team-users-table")  # fmt: skip

    def compute(self, q: Query, ctx: LoadContext) -> TeamContext:
        return team_context(q, ctx.period, ctx.filters.scope, ctx.settings.seat_prices())

    def show(self, tc: TeamContext, ctx: LoadContext) -> None:
        self.show_body()
        kpis = self.query_one(KpiRow)
        kpis.card("team-total").set(format_usd(tc.current.all.spend, estimated=tc.current.all.estimated),
                                    f"{tc.period.start:%b %d} – {tc.period.end:%b %d}")  # fmt: skip
        proj = tc.projection
        kpis.card("team-projected").set(format_usd(proj.projected, estimated=proj.estimated), f"so far {format_usd(proj.spend)}",
                                        label=f"Projected {proj.month}")  # fmt: skip
        kpis.card("team-users").set(f"{tc.unique_users:,}", "seat or usage")
        kpis.card("team-avg").set(format_usd(tc.avg_cost_per_user), f"+{format_usd(tc.unattributed_spend)} unattr.")
        burn = tc.annual_budget
        if burn is None and (tc.scope.team or tc.scope.user):  # the annual budget is the org's alone
            kpis.card("team-burn").set("org only", "clear the team / person filter")
        elif burn is None:
            kpis.card("team-burn").set("no annual budget", "budget set --year")
        else:
            amount = burn.budget.amount
            projected = burn.projected
            kpis.card("team-burn").set(
                f"{pct_text(burn.used_pct)} of {compact_usd(amount)}",
                f"expect {pct_text(pct(burn.expected, amount))}, year-end "
                f"{'—' if projected is None else compact_usd(projected)}",
                "bad" if projected is not None and projected > amount else ("warn" if burn.spend > burn.expected else "good"),
            )

        days = list(tc.days.items())
        providers = [p for p in PROVIDERS if any(d.by_provider.get(p) for _, d in days)]
        self.query_one("#team-daily", Chart).show(
            ChartSpec("stacked", [d[5:] for d, _ in days], {p: [d.by_provider.get(p, 0) for _, d in days] for p in providers})
        )
        bands = tc.distribution
        self.query_one("#team-distribution", Chart).show(
            ChartSpec("bar", [b["band"] for b in bands], {"people": [b["people"] for b in bands]}, unit="count",
                      empty="No people with spend in this period.")  # fmt: skip
        )
        months = tc.months
        month_providers = [p for p in PROVIDERS if any(m.by_provider.get(p) for m in months)]
        self.query_one("#team-months", Chart).show(
            ChartSpec("stacked", [m.month[2:] for m in months],
                      {p: [m.by_provider.get(p, 0) for m in months] for p in month_providers}, empty="No history yet.")  # fmt: skip
        )
        seat_months = sorted({s.month for s in tc.seats})
        seat_series = {
            p: [next((s.seats for s in tc.seats if s.month == m and s.provider == p), 0) for m in seat_months]
            for p in PROVIDERS if any(s.provider == p and s.seats for s in tc.seats)
        }  # fmt: skip
        self.query_one("#team-seats", Chart).show(
            ChartSpec("lines", [m[2:] for m in seat_months], seat_series, unit="count", empty="No seats in these months.")
        )
        conc = tc.concentration
        people = sorted((u.spend for u in tc.people), reverse=True)
        top_decile = sum(people[: conc.top_decile_people])
        top5 = sum(people[:5])
        self.query_one("#team-concentration", Chart).show(
            ChartSpec("hbar", [f"Top 10% ({conc.top_decile_people})", "Top 5", "Everyone"],
                      {"spend": [top_decile, top5, sum(people)]}, empty="No people with spend in this period."),
            title=(f"Spend concentration: top 10% {pct_text(conc.top_decile_share)}, top 5 {pct_text(conc.top5_share)}"
                   f", Gini {'—' if conc.gini is None else f'{conc.gini:.2f}'}"),
        )  # fmt: skip
        cats = tc.categories()
        amounts = {c: tc.current.all.categories.get(c, 0) for c in ("subscription", "overage", "api")}
        self.query_one("#team-categories", Chart).show(
            ChartSpec("hbar", ["Subscription", "Overage", "API"], {"spend": list(amounts.values())}),
            title=(f"Spend categories: top {cats['top_category'] or '—'}, overage {pct_text(cats['overage_share'])}"
                   f", API {pct_text(cats['api_share'])}"),
        )  # fmt: skip

        budgets = [b for b in tc.team_budgets if not ctx.filters.team or b.team.lower() == ctx.filters.team.lower()]
        self.query_one("#team-budgets", SpendTable).set_rows([
            {"team": b.team, "budget": b.budget.amount if b.budget else None, "mtd": b.month.spend, "used": b.used_pct,
             "projected": b.month.projected, "status": budget_status(b), "resets": f"{b.month.resets_in_days} days"}
            for b in budgets
        ])  # fmt: skip
        self.query_one("#team-idle", SpendTable).set_rows([
            {"user": i.seat.email, "provider": PROVIDER_NAMES.get(i.seat.provider, i.seat.provider), "plan": i.seat.plan,
             "cost": i.seat.monthly_cost, "last_used": i.last_used or "never"}
            for i in tc.idle_seats
        ])  # fmt: skip
        self.query_one("#team-multi", SpendTable).set_rows([
            {"user": m.email, "providers": [PROVIDER_NAMES.get(p, p) for p in m.providers], "cost": m.monthly_cost}
            for m in tc.multi_vendor_seats
        ])  # fmt: skip
        self.query_one("#team-seat-table", SpendTable).set_rows([
            {"month": s.month, "provider": PROVIDER_NAMES.get(s.provider, s.provider), "seats": s.seats,
             "spend": s.spend, "cost_per_seat": s.cost_per_seat}
            for s in reversed(tc.seats) if s.seats
        ])  # fmt: skip
        self.query_one("#team-users-table", SpendTable).set_rows(user_table_rows(tc.users))


def budget_status(status: TeamBudgetStatus) -> str:
    if status.budget is None:
        return "no budget"
    if status.month.spend > status.budget.amount:
        return "over budget"
    if status.month.projected > status.budget.amount:
        return "projected over"
    return "on track"


def user_table_rows(users) -> list[dict]:
    return [
        {"user": u.user, "providers": [PROVIDER_NAMES.get(p, p) for p in u.providers], "spend": u.spend,
         "change": u.change_pct, "requests": u.requests, "cost_per_request": u.cost_per_request,
         "top_model": u.top_model}
        for u in users
    ]  # fmt: skip
