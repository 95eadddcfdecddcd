"""Tab 8, Sync: every provider's connection and freshness, the warnings that stand, the sync history."""

from __future__ import annotations

from dataclasses import dataclass

from textual import on
from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.widgets import Button, Static

from spendtui.analytics.providers import setup_steps, sync_history
from spendtui.analytics.query import Query
from spendtui.analytics.status import ProviderStatus, StatusReport, status
from spendtui.analytics.ui_support import relative_age, short_stamp
from spendtui.config import PROVIDER_NAMES
from spendtui.tui.tabs.base import LoadContext, ViewTab
from spendtui.tui.widgets.table import Column, SpendTable


@dataclass
class SyncData:
    report: StatusReport
    history: list[dict]


class SyncTab(ViewTab):
    view_id = "sync"
    title = "Sync"
    key = "8"
    needs_data = False  # connecting a provider is how an empty store starts

    def compose_body(self) -> ComposeResult:
        yield Static("", id="sync-store", classes="scope-note", markup=False)
        with Horizontal(classes="buttons"):
            yield Button("Sync now (y)", id="sync-now", compact=True)
            yield Button("Import a CSV (i)", id="sync-import", compact=True)
        yield SpendTable("Providers", [
            Column("provider", "Provider"), Column("connected", "API"), Column("records", "Records", "int"),
            Column("range", "Data range"), Column("last_sync", "Last sync"), Column("last_status", "Status"),
            Column("last_good", "Last good sync"), Column("seats", "Seats", "int"),
        ], id="sync-providers")  # fmt: skip
        yield Static("Warnings", classes="section-title", markup=False)
        yield Static("", id="sync-warnings", markup=False)
        yield Static("", id="sync-setup", markup=False)
        yield SpendTable("Sync history (newest first)", [
            Column("started", "Started (UTC)"), Column("provider", "Provider"), Column("trigger", "Trigger"),
            Column("status", "Status"), Column("events", "Events", "int"),
            Column("records", "Records", "int"), Column("users", "Users", "int"), Column("duration", "Duration"),
            Column("error", "Error or warning"),
        ], empty="No sync has run yet: connect a provider (see above), then press y or run `spendtui sync`.",
            id="sync-history")  # fmt: skip

    def compute(self, q: Query, ctx: LoadContext) -> SyncData:
        return SyncData(status(q.store, ctx.settings, ctx.now), sync_history(q, None, limit=60))

    def show(self, data: SyncData, ctx: LoadContext) -> None:
        self.show_body()
        report = data.report
        size = f"{report.size_bytes / 1_048_576:.1f} MiB"
        self.query_one("#sync-store", Static).update(
            f"Store {report.path} · {size} · schema {report.schema_version}{' · read-only' if report.read_only else ''}"
        )
        for button in ("#sync-now", "#sync-import"):
            self.query_one(button, Button).disabled = ctx.read_only
        self.query_one("#sync-providers", SpendTable).set_rows([
            {"provider": PROVIDER_NAMES[p.provider], "connected": _connection(p),
             "records": p.records, "range": f"{p.first_day} → {p.last_day}" if p.first_day else None,
             "last_sync": relative_age(p.last_sync_at, ctx.now), "last_status": p.last_sync_status,
             "last_good": relative_age(p.last_good_sync_at, ctx.now), "seats": p.seats}
            for p in report.providers
        ])  # fmt: skip
        warnings = self.query_one("#sync-warnings", Static)
        warnings.update("\n".join(f"⚠ {w}" for w in report.warnings) or "✔ No warnings: data is fresh.")
        warnings.set_class(bool(report.warnings), "-warning")
        missing = [p for p in report.providers if not p.key_configured]
        setup = [f"To connect {PROVIDER_NAMES[p.provider]}: {' '.join(setup_steps(p.provider)[:2])}; then press y."
                 for p in missing]  # fmt: skip
        self.query_one("#sync-setup", Static).update("\n".join(setup))
        self.query_one("#sync-history", SpendTable).set_rows([
            {**h, "provider": PROVIDER_NAMES.get(h["provider"], h["provider"]), "started": short_stamp(h["started_at"]),
             "duration": f"{h['duration_ms'] / 1000:.1f} s" if h.get("duration_ms") is not None else None}
            for h in data.history
        ])  # fmt: skip

    @on(Button.Pressed, "#sync-now")
    def _sync(self) -> None:
        self.app.action_sync()

    @on(Button.Pressed, "#sync-import")
    def _import(self) -> None:
        self.app.action_import_csv()


def _connection(provider: ProviderStatus) -> str:
    if provider.key_problem:
        return "✘ key file unreadable"
    return "✔ key set" if provider.key_configured else "✘ not connected"
