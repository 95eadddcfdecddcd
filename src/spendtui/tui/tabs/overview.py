"""Tab 1, Overview (metrics.md "Overview"): KPIs, daily spend, provider split, model breakdown, history."""

from __future__ import annotations

from datetime import date

from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.widgets import Static

from spendtui.analytics.overview import Overview, overview
from spendtui.analytics.query import Query
from spendtui.analytics.ui_support import group_models
from spendtui.config import PROVIDER_NAMES
from spendtui.money import format_usd, pct
from spendtui.tui.tabs.base import LoadContext, ViewTab
from spendtui.tui.widgets.chart import Chart, ChartSpec
from spendtui.tui.widgets.kpi import KpiCard, KpiRow
from spendtui.tui.widgets.table import Column, SpendTable


def span_label(start: date, end: date, current_year: int) -> str:
    """``Oct 01–Oct 31``, with the year where it is not the current period's: the year to date
    compares with the same days of last year, which read like this year's without it."""
    if start.year == end.year == current_year:
        return f"{start:%b %d}–{end:%b %d}"
    if start.year == end.year:
        return f"{start:%b %d}–{end:%b %d} {end.year}"
    return f"{start:%b %d %Y}–{end:%b %d %Y}"


def change_text(change: float | None) -> str:
    return "new" if change is None else f"{change:+.1f}%"


def change_tone(change: float | None) -> str | None:
    """More spend than before is worth a look (warn); less is good. Tone only colours a note."""
    if change is None:
        return None
    return "warn" if change > 0 else "good"


def count_text(value: int | None) -> str:
    return "\u2014" if value is None else f"{value:,}"


class OverviewTab(ViewTab):
    view_id = "overview"
    title = "Overview"
    key = "1"

    def compose_body(self) -> ComposeResult:
        with KpiRow(classes="kpis"):
            yield KpiCard("Total spend", id="kpi-total")
            yield KpiCard("vs previous period", id="kpi-change")
            yield KpiCard("Requests", id="kpi-requests")
            yield KpiCard("Cost / request", id="kpi-cpr")
            yield KpiCard("Top model", id="kpi-top-model", classes="wide")
        yield Static("", id="overview-person-note", classes="scope-note", markup=False)
        with Horizontal(classes="split"):
            yield Chart("Daily spend", id="overview-daily", classes="main")
            yield Chart("Provider split", id="overview-providers", classes="side")
        with Horizontal(classes="split"):
            yield Chart("Model breakdown (top 5 + Other)", id="overview-models", classes="side lead")
            yield SpendTable("Model usage details", [
                Column("model", "Model"), Column("provider", "Provider"), Column("spend", "Spend", "money"),
                Column("requests", "Requests", "int"), Column("share", "Share", "share"),
            ], empty="No model usage in this period.", id="overview-models-table", classes="main")  # fmt: skip
        with Horizontal(classes="split"):
            yield SpendTable("Daily spend details", [
                Column("date", "Date"), Column("spend", "Spend", "money", estimated_key="estimated"),
                Column("spread", "of which spread", "money"), Column("requests", "Requests", "int"),
            ], empty="No days in this period.", id="overview-daily-table", classes="half")  # fmt: skip
            yield SpendTable("Month-over-month", [
                Column("month", "Month"), Column("spend", "Spend", "money"), Column("requests", "Requests", "int"),
                Column("cost_per_request", "$/request", "money"),
            ], empty="No history yet.", id="overview-months-table", classes="half right")  # fmt: skip

    def compute(self, q: Query, ctx: LoadContext) -> Overview:
        return overview(q, ctx.period, ctx.filters.scope, people=False)

    def show(self, ov: Overview, ctx: LoadContext) -> None:
        self.show_body()
        current = ov.current
        estimated = current.all.estimated
        cats = current.all.categories
        kpis = self.query_one(KpiRow)
        kpis.card("kpi-total").set(
            format_usd(ov.total_spend, estimated=estimated),
            f"{format_usd(cats.get('subscription', 0))} seats",
        )
        previous = ov.period.previous()
        kpis.card("kpi-change").set(
            change_text(ov.change_pct),
            f"was {format_usd(ov.previous_spend, estimated=ov.previous_estimated)}",
            change_tone(ov.change_pct),
            label=f"vs {span_label(previous.start, previous.end, ov.period.end.year)}",
        )
        reporting = [PROVIDER_NAMES[p] for p, s in sorted(current.providers.items()) if s.requests is not None]
        kpis.card("kpi-requests").set(count_text(current.requests), ", ".join(reporting) or "none reported")
        kpis.card("kpi-cpr").set(format_usd(ov.cost_per_request), "usage ÷ requests")
        top = current.top_model
        kpis.card("kpi-top-model").set(top[1] if top else "\u2014", PROVIDER_NAMES.get(top[0], "") if top else "")
        notes = [f"Totals below are for the selected person only ({ctx.filters.user})."] if ctx.filters.user else []
        if not (ov.total_spend or current.all.included or current.requests) and ov.stored:
            notes.append(f"Nothing in this period: the store holds {ov.stored[0]} → {ov.stored[1]} "
                         "(p picks another period).")  # fmt: skip
        note = self.query_one("#overview-person-note", Static)
        note.display = bool(notes)
        note.update(" ".join(notes))

        days = list(ov.days.items())
        self.query_one("#overview-daily", Chart).show(
            ChartSpec("bar", [d[5:] for d, _ in days], {"spend": [v.spend for _, v in days]}),
            title=f"Daily spend{' (estimated)' if estimated else ''}",
        )
        providers = sorted(current.providers.items(), key=lambda kv: (-kv[1].spend, kv[0]))
        self.query_one("#overview-providers", Chart).show(
            ChartSpec("hbar", [PROVIDER_NAMES[p] for p, _ in providers], {"spend": [s.spend for _, s in providers]})
        )
        models = [(f"{m}", s.value) for (_, m), s in current.models.items()]
        grouped = group_models(models)
        self.query_one("#overview-models", Chart).show(
            ChartSpec("hbar", [m for m, _ in grouped], {"usage value": [v for _, v in grouped]},
                      empty="No model usage in this period.")  # fmt: skip
        )
        value_total = sum(s.value for s in current.models.values())
        self.query_one("#overview-models-table", SpendTable).set_rows([
            {"model": m, "provider": p, "spend": s.usage_spend, "requests": s.requests, "share": pct(s.value, value_total)}
            for (p, m), s in sorted(current.models.items(), key=lambda kv: (-kv[1].value, kv[0]))
        ])  # fmt: skip
        self.query_one("#overview-daily-table", SpendTable).set_rows([
            {"date": d, "spend": v.spend, "spread": v.spread, "requests": v.requests, "estimated": estimated}
            for d, v in days
        ])  # fmt: skip
        self.query_one("#overview-months-table", SpendTable).set_rows([
            {"month": m.month, "spend": m.spend, "requests": m.requests, "cost_per_request": m.cost_per_request}
            for m in reversed(ov.months)
        ])  # fmt: skip
