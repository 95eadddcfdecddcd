"""Tabs 3-5, one per provider (metrics.md "Provider tabs"): figures, users with search and a per-person
detail, the provider's own sections, and its data source (connected or how to connect, syncs)."""

from __future__ import annotations

from typing import Any, ClassVar

from textual import on
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.widgets import Button, Input, Static

from spendtui.analytics.overview import Overview, account_overview, overview
from spendtui.analytics.providers import ProviderTab, provider_tab
from spendtui.analytics.query import Query, Scope
from spendtui.analytics.ui_support import group_models, relative_age, short_stamp
from spendtui.config import PROVIDER_NAMES
from spendtui.money import dollars_to_nano, format_usd, pct
from spendtui.tui.tabs.base import LoadContext, ViewTab
from spendtui.tui.tabs.overview import change_text, change_tone, count_text
from spendtui.tui.widgets.chart import Chart, ChartSpec
from spendtui.tui.widgets.kpi import KpiCard, KpiRow
from spendtui.tui.widgets.table import Column, SpendTable, money_rows

# Per provider, the extra dollar figures of its tab: (key in ProviderTab.figures, card label)
FIGURES: dict[str, list[tuple[str, str]]] = {
    "cursor": [("included_usage", "Included (not spend)"), ("on_demand", "On-demand"),
               ("projected_30_days", "Projected 30 days"), ("average_per_team", "Average per team")],
    "anthropic": [("api_cost", "API cost"), ("seat_fees", "Seat fees"), ("claude_ai_extra_usage", "claude.ai extra usage"),
                  ("claude_code_estimated_value", "Claude Code (estimated)")],
    "openai": [("api_cost", "API cost"), ("seat_fees", "Seat fees")],
}  # fmt: skip
SECTIONS = {  # each provider's own tables (analytics' ProviderTab.sections), composed with the tab
    "cursor": {},
    "anthropic": {
        "api_cost_by_model": "API cost by model",
        "api_cost_by_workspace": "API cost by workspace",
        "claude_code_estimated_by_person": "Claude Code estimated cost per person (attribution aid, not spend)",
        "claude_ai_spend_by_person_model": "claude.ai spend report per person and model (period-only, spread over days)",
    },
    "openai": {
        "api_cost_by_project": "API cost by project",
        "cost_by_line_item": "API cost by line item (org-wide)",
        "usage_by_model_and_user": "Usage by model and user",
    },
}
MONEY_KEYS = ("spend", "estimated_value")
_USAGE = {  # the money columns of a provider's user table
    "cursor": [Column("included", "Included", "money"), Column("overage", "On-demand", "money")],
    "anthropic": [Column("overage", "claude.ai extra", "money"), Column("api", "API", "money")],
    "openai": [Column("api", "API", "money")],
}
# Spend is seat fees + the spend categories of _USAGE, so a row adds up on screen (included usage is shown, not added).
USER_COLUMNS = {
    p: [Column("person", "Person"), Column("plan", "Plan"), Column("spend", "Spend", "money"),
        Column("change", "vs prev.", "change"), Column("subscription", "Seat fees", "money"), *cols,
        Column("requests", "Requests", "int"),
        Column("cost_per_request", "$/req", "money")]
    for p, cols in _USAGE.items()
}  # fmt: skip
INT_KEYS = ("requests", "tokens")


def section_columns(rows: list[dict], estimated: bool) -> list[Column]:
    """Columns for an analytics section table, typed by key (spend is money, counts are ints)."""
    columns = []
    for key in rows[0] if rows else ["spend"]:
        if key.startswith("_"):
            continue  # a mark (_est), not a column
        kind = "money" if key in MONEY_KEYS else "int" if key in INT_KEYS else "text"
        columns.append(Column(key, key.replace("_", " ").capitalize(), kind, estimated_key="_est" if estimated else None))
    return columns


class ProviderView(ViewTab):
    provider: ClassVar[str]

    def compose_body(self) -> ComposeResult:
        p = self.provider
        with KpiRow(classes="kpis many"):
            yield KpiCard("Spend", id=f"{p}-spend")
            yield KpiCard("vs previous period", id=f"{p}-change")
            yield KpiCard("Requests", id=f"{p}-requests")
            yield KpiCard("Cost / request", id=f"{p}-cpr")
            for key, label in FIGURES[p]:
                yield KpiCard(label, id=f"{p}-fig-{key}")
        yield Static("", classes="scope-note", id=f"{p}-note", markup=False)
        with Horizontal(classes="split"):
            yield Chart("Daily spend", id=f"{p}-daily", classes="main")
            yield Chart("Model usage value (top 5 + Other)", id=f"{p}-models", classes="side")
        yield Input(placeholder="Search people… (name or email)", id=f"{p}-search", compact=True, classes="search")
        yield SpendTable("Users", USER_COLUMNS[p], empty="Nobody used this provider in this period.", id=f"{p}-users",
                         fixed_columns=1, search_keys=("person", "user"),
                         exported=(Column("user", "Email or id"),))  # fmt: skip
        with Horizontal(classes="split detail", id=f"{p}-detail"):
            with Vertical(classes="half"):
                yield Static("Person detail", classes="detail-title", id=f"{p}-detail-title", markup=False)
                yield Static("Highlight a person in the table to see their detail.", id=f"{p}-detail-text",
                             classes="detail-text", markup=False)  # fmt: skip
                yield SpendTable("Provider split", [Column("provider", "Provider"), Column("spend", "Spend", "money")],
                                 empty="No spend.", id=f"{p}-detail-providers")  # fmt: skip
            yield SpendTable("Their models", [Column("model", "Model"), Column("value", "Usage value", "money"),
                             Column("share", "Share", "share")], empty="No model usage.", id=f"{p}-detail-models",
                             classes="half right")  # fmt: skip
        yield SpendTable("Models", [
            Column("model", "Model"), Column("spend", "Spend", "money"), Column("usage_value", "Usage value", "money"),
            Column("requests", "Requests", "int"), Column("tokens", "Tokens", "int"), Column("share_pct", "Share", "share"),
        ], empty="No model usage in this period.", id=f"{p}-model-table")  # fmt: skip
        with Vertical(id=f"{p}-sections", classes="sections"):
            for name, title in SECTIONS[p].items():
                yield SpendTable(title, section_columns([], _estimated(name)), empty="Nothing in this period.",
                                 id=_section_id(p, name))  # fmt: skip
        with Vertical(classes="source", id=f"{p}-source"):
            yield Static("Data source", classes="section-title", markup=False)
            yield Static("", id=f"{p}-source-text", markup=False)
            with Horizontal(classes="buttons"):
                yield Button("Sync now (y)", id=f"{p}-sync", compact=True)
                yield Button("Import a CSV (i)", id=f"{p}-import", compact=True)
            yield SpendTable("Sync history", [
                Column("started", "Started (UTC)"), Column("trigger", "Trigger"), Column("status", "Status"),
                Column("events", "Events", "int"), Column("records", "Records", "int"), Column("users", "Users", "int"),
                Column("error", "Error"),
            ], empty="No sync has run yet.", id=f"{p}-history")  # fmt: skip

    def compute(self, q: Query, ctx: LoadContext) -> ProviderTab:
        return provider_tab(q, ctx.period, ctx.filters.scope, self.provider, ctx.settings)

    def show(self, tab: ProviderTab, ctx: LoadContext) -> None:
        self.show_body()
        p = self.provider
        data = tab.as_json()
        kpis = self.query_one(KpiRow)
        estimated = bool(data["estimated"])
        kpis.card(f"{p}-spend").set(format_usd(tab.spend, estimated=estimated), f"{tab.period.start:%b %d} – {tab.period.end:%b %d}")
        change = data["change_pct"]
        kpis.card(f"{p}-change").set(change_text(change), f"was {format_usd(tab.previous_spend)}", change_tone(change))
        kpis.card(f"{p}-requests").set(
            count_text(tab.current.requests), "not reported by Anthropic" if p == "anthropic" else "that ran"
        )
        cpr = data["cost_per_request"]
        kpis.card(f"{p}-cpr").set(format_usd(None if cpr is None else dollars_to_nano(cpr)), "usage ÷ requests")
        for key, _label in FIGURES[p]:
            value = data.get(key)
            amount = None if value is None else dollars_to_nano(value)
            text = format_usd(amount, estimated=key.endswith("estimated_value"))  # an estimate is marked (~)
            kpis.card(f"{p}-fig-{key}").set(text, self._figure_note(key, data))
        note = self.query_one(f"#{p}-note", Static)
        notes = []
        if ctx.filters.user:
            notes.append(f"Figures below are for the selected person only ({ctx.filters.user}).")
        if data.get("note"):
            notes.append(str(data["note"]).capitalize() + ".")
        note.update(" ".join(notes))
        note.display = bool(notes)

        days = list(tab.days.items())
        self.query_one(f"#{p}-daily", Chart).show(
            ChartSpec("bar", [d[5:] for d, _ in days], {p: [v.spend for _, v in days]},
                      empty=f"No {PROVIDER_NAMES[p]} spend in this period.")  # fmt: skip
        )
        grouped = group_models([(m, s.value) for (_, m), s in tab.current.models.items()])
        self.query_one(f"#{p}-models", Chart).show(
            ChartSpec("hbar", [m for m, _ in grouped], {"usage value": [v for _, v in grouped]},
                      empty="No model usage in this period.")  # fmt: skip
        )
        users = money_rows(data["users"], ("spend", "subscription", "included", "overage", "api", "cost_per_request"))
        for row, user in zip(users, tab.users, strict=True):
            row["change"] = row.pop("change_pct")
            row["person"] = row["name"] or row["user"]
            row["subject"] = user.subject  # < 0: an account (API key, project, workspace), not a person
        self.query_one(f"#{p}-users", SpendTable).set_rows(users)
        self.query_one(f"#{p}-model-table", SpendTable).set_rows(money_rows(data["models"], ("spend", "usage_value")))
        self._show_sections(tab)
        self._show_source(tab, ctx)

    @staticmethod
    def _figure_note(key: str, data: dict) -> str:
        if key == "projected_30_days":
            return f"from {data.get('days_covered', 0)} days of data"
        if key == "average_per_team":
            return "org view only" if data.get("teams") is None else f"{data['teams']} teams"
        if key == "included_usage":
            return "covered by seats"
        return ""

    def _show_sections(self, tab: ProviderTab) -> None:
        """One table per section, composed with the tab and updated in place (sort, focus and scroll
        kept). Tables mounted at the first load sometimes left the sections laid out at the height
        they had before their rows came (6 lines of 40: the tables below the first cut off)."""
        for name, rows in tab.sections.items():
            estimated = _estimated(name)
            rows = [dict(r, _est=estimated) for r in money_rows(rows, MONEY_KEYS)]
            table = self.query_one(f"#{_section_id(self.provider, name)}", SpendTable)
            columns = section_columns(rows, estimated)
            if rows and [c.key for c in columns] != [c.key for c in table.columns]:
                _set_columns(table, columns)  # an empty section had no columns to show
            table.set_rows(rows)

    def _show_source(self, tab: ProviderTab, ctx: LoadContext) -> None:
        p = self.provider
        src = tab.source
        status = src.status
        lines = []
        if status.key_configured:
            lines.append(f"✔ API connected (key configured). Last sync: {relative_age(status.last_sync_at, ctx.now) or 'never'}"
                         f"{f' ({status.last_sync_status})' if status.last_sync_status else ''}; "
                         f"last good sync: {relative_age(status.last_good_sync_at, ctx.now) or 'never'}.")  # fmt: skip
        else:
            lines.append(f"✘ API not connected. Last sync: {relative_age(status.last_sync_at, ctx.now) or 'never'}.")
            lines.append("To connect:")
            lines += [f"  {i}. {step}" for i, step in enumerate(src.setup_steps, start=1)]
        span = f"{status.first_day} → {status.last_day}" if status.first_day else "no data"
        interval = f"every {src.interval_minutes} min" if src.interval_minutes else "no schedule seen"
        lines.append(f"Records stored: {status.records:,} · data range: {span} · syncs: {interval} · seats: {status.seats:,}")
        self.query_one(f"#{p}-source-text", Static).update("\n".join(lines))
        read_only = ctx.read_only
        for button in (f"#{p}-sync", f"#{p}-import"):
            self.query_one(button, Button).disabled = read_only
        self.query_one(f"#{p}-history", SpendTable).set_rows([dict(h, started=short_stamp(h["started_at"])) for h in src.history])

    # -- user search and detail -----------------------------------------------------------------
    @on(Input.Changed)
    def _search(self, event: Input.Changed) -> None:
        if event.input.id == f"{self.provider}-search":
            self.query_one(f"#{self.provider}-users", SpendTable).search(event.value)

    @on(SpendTable.RowHighlighted)
    def _user_highlighted(self, event: SpendTable.RowHighlighted) -> None:
        if event.table.id != f"{self.provider}-users":
            return
        user, subject = event.row["user"], event.row["subject"]
        title = self.query_one(f"#{self.provider}-detail-title", Static)
        title.update(f"{'Account' if subject < 0 else 'Person'} detail: {event.row['person']}")
        if subject < 0:
            self.app.load_detail(self.view_id, user, lambda q, ctx: account_overview(q, ctx.period, subject))
            return
        # one person across every provider (the provider split needs them all), same period
        self.app.load_detail(self.view_id, user, lambda q, ctx: overview(q, ctx.period, Scope(user=user), people=False))

    def show_detail(self, key: str, data: Any) -> None:
        p = self.provider
        text = self.query_one(f"#{p}-detail-text", Static)
        providers = self.query_one(f"#{p}-detail-providers", SpendTable)
        models = self.query_one(f"#{p}-detail-models", SpendTable)
        if isinstance(data, Exception):
            text.update(str(data))
            return
        ov: Overview = data
        top = ov.current.top_model
        unmapped = []
        if key.startswith("unattributed:"):
            unmapped = [f"Spend no person is mapped to. Map it: spendtui people map EMAIL --provider {p} ..."]
        text.update("\n".join([
            key,
            *unmapped,
            f"Spend {format_usd(ov.total_spend, estimated=ov.current.all.estimated)} ({change_text(ov.change_pct)} vs previous)",
            f"Requests {count_text(ov.current.requests)} · $/request {format_usd(ov.cost_per_request)}",
            f"Top model {top[1] if top else '—'}",
        ]))  # fmt: skip
        providers.set_rows([
            {"provider": PROVIDER_NAMES.get(name, name), "spend": s.spend}
            for name, s in sorted(ov.current.providers.items(), key=lambda kv: -kv[1].spend)
        ])  # fmt: skip
        total = sum(s.value for s in ov.current.models.values())
        models.set_rows([
            {"model": m, "value": v, "share": pct(v, total)}
            for m, v in group_models([(m, s.value) for (_, m), s in ov.current.models.items()])
        ])  # fmt: skip

    @on(Button.Pressed)
    def _button(self, event: Button.Pressed) -> None:
        if event.button.id == f"{self.provider}-sync":
            self.app.action_sync(self.provider)
        elif event.button.id == f"{self.provider}-import":
            self.app.action_import_csv()


def _section_id(provider: str, name: str) -> str:
    return f"{provider}-section-{name.replace('_', '-')}"


def _estimated(section: str) -> bool:
    return section.startswith("claude_code")


def _set_columns(table: SpendTable, columns: list[Column]) -> None:
    """Give a shown table other columns (a sort by a column that went away is dropped)."""
    table.columns = columns
    if table.sort_column not in {c.key for c in columns}:
        table.sort_column, table.sort_reverse = None, False
    if table.is_mounted:  # else its mount adds them
        table.grid.clear(columns=True)
        for column in columns:
            table.grid.add_column(column.label, key=column.key)


class CursorTab(ProviderView):
    view_id = provider = "cursor"
    title = "Cursor"
    key = "3"


class AnthropicTab(ProviderView):
    view_id = provider = "anthropic"
    title = "Anthropic"
    key = "4"


class OpenAITab(ProviderView):
    view_id = provider = "openai"
    title = "OpenAI"
    key = "5"
