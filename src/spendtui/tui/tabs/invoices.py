"""Tab 7, Invoices: the stored invoices, and per provider and month what they paid against usage
(analytics.reconcile, metrics.md "Invoices and reconciliation")."""

from __future__ import annotations

from dataclasses import dataclass

from textual import on
from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.widgets import Button, Static

from spendtui.analytics.query import Query
from spendtui.analytics.reconcile import MonthRow, reconcile
from spendtui.config import PROVIDER_NAMES
from spendtui.store.invoices import StoredInvoice, list_invoices
from spendtui.tui.tabs.base import LoadContext, ViewTab
from spendtui.tui.widgets.table import Column, SpendTable


@dataclass
class InvoicesData:
    invoices: list[StoredInvoice]
    months: list[MonthRow]


class InvoicesTab(ViewTab):
    view_id = "invoices"
    title = "Invoices"
    key = "7"
    needs_data = False  # uploading an invoice is a way to start

    def compose_body(self) -> ComposeResult:
        yield Static("", id="invoices-note", classes="scope-note", markup=False)
        with Horizontal(classes="buttons"):
            yield Button("Upload an invoice (u)", id="invoices-upload", compact=True)
        # What identifies an invoice and its amount first: at 80 columns the rest scrolls into view.
        yield SpendTable("Invoices (newest first)", [
            Column("provider", "Provider"), Column("invoice", "Invoice"), Column("date", "Date"),
            Column("amount", "Amount", "money", currency_key="currency"), Column("period", "Service period"),
            Column("vendor", "Vendor"), Column("file", "File"),
        ], empty="No invoices yet: press u to upload a vendor PDF (or `spendtui invoice add FILE.pdf`).",
            id="invoices-table")  # fmt: skip
        yield SpendTable("Actual billing vs usage (per provider and service month, USD)", [
            Column("month", "Month"), Column("provider", "Provider"), Column("paid", "Invoiced", "money"),
            Column("usage", "Usage", "money", estimated_key="usage_estimated"),
            Column("difference", "Difference", "money"), Column("capture", "Capture", "share"),
            Column("seats_paid", "Seats paid", "money"), Column("seat_fees", "Seat fees", "money"),
            Column("pool", "Pool/top-up", "money"), Column("balance", "Pool balance", "money"),
        ], empty="Nothing to reconcile: no invoices stored.", id="invoices-billing", fixed_columns=1)  # fmt: skip

    def compute(self, q: Query, ctx: LoadContext) -> InvoicesData:
        return InvoicesData(list_invoices(q.store), reconcile(q, ctx.settings.fx))

    def show(self, data: InvoicesData, ctx: LoadContext) -> None:
        self.show_body()
        self.query_one("#invoices-upload", Button).disabled = ctx.read_only
        foreign = sorted({i.currency for i in data.invoices if i.currency != "USD"})
        note = ("Invoices are listed for every period (the period filter does not narrow them). Usage is "
                "overage + API of the same provider and month (* = month still open); an invoice counts in the month "
                "its service starts. Seats paid (seat lines) stand beside the seat fees the store records.")  # fmt: skip
        if foreign:
            converted = [c for c in foreign if c in ctx.settings.fx]
            note += (f" Invoices in {', '.join(foreign)} show in their own currency; "
                     + (f"converted through [fx] for {', '.join(converted)}." if converted else "not converted: set [fx]."))  # fmt: skip
        self.query_one("#invoices-note", Static).update(note)
        self.query_one("#invoices-table", SpendTable).set_rows([
            {"vendor": i.vendor, "provider": PROVIDER_NAMES.get(i.provider, i.provider), "invoice": i.invoice_number,
             "date": i.issued_on, "period": f"{i.period_from} → {i.period_to}" if i.period_from else None,
             "amount": i.total_nano, "currency": i.currency, "file": i.file}
            for i in reversed(data.invoices)
        ])  # fmt: skip
        self.query_one("#invoices-billing", SpendTable).set_rows([
            {"month": m.month + ("*" if m.open else ""), "provider": PROVIDER_NAMES.get(m.provider, m.provider),
             "paid": m.paid.total if m.paid.invoices else None,
             "pool": m.paid.pool_topup if m.paid.invoices else None, "usage": m.usage,
             "usage_estimated": m.usage_estimated, "balance": m.pool_balance,
             "difference": m.difference if m.paid.invoices else None, "capture": m.capture_rate_pct,
             "seats_paid": m.paid.fixed_subscription if m.paid.invoices else None, "seat_fees": m.seat_fees}
            for m in sorted(data.months, key=lambda m: (m.month, m.provider), reverse=True)
        ])  # fmt: skip

    @on(Button.Pressed, "#invoices-upload")
    def _upload(self) -> None:
        self.app.action_upload_invoice()
