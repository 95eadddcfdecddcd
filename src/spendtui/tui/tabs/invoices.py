"""Tab 7, Invoices: the uploaded invoices and what was billed against the spend the store tracks."""

from __future__ import annotations

from dataclasses import dataclass

from textual import on
from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.widgets import Button, Static

from spendtui.analytics.invoices_view import BillingRow, InvoiceRow, billing_vs_usage, invoice_rows
from spendtui.analytics.query import Query
from spendtui.config import PROVIDER_NAMES
from spendtui.money import round_cents
from spendtui.tui.tabs.base import LoadContext, ViewTab
from spendtui.tui.widgets.table import Column, SpendTable


@dataclass
class InvoicesData:
    invoices: list[InvoiceRow]
    billing: list[BillingRow]


class InvoicesTab(ViewTab):
    view_id = "invoices"
    title = "Invoices"
    key = "7"
    needs_data = False  # uploading an invoice is a way to start

    def compose_body(self) -> ComposeResult:
        yield Static("", id="invoices-note", classes="scope-note", markup=False)
        with Horizontal(classes="buttons"):
            yield Button("Upload an invoice (u)", id="invoices-upload", compact=True)
        yield SpendTable("Invoices", [
            Column("vendor", "Vendor"), Column("provider", "Provider"), Column("invoice", "Invoice"),
            Column("date", "Date"), Column("period", "Period"), Column("amount", "Amount", "money"),
            Column("currency", "Cur."), Column("file", "File"),
        ], empty="No invoices yet: press u to upload a vendor PDF (or `spendtui invoice add FILE.pdf`).",
            id="invoices-table")  # fmt: skip
        yield SpendTable("Actual billing vs usage (USD, by service month)", [
            Column("month", "Month"), Column("provider", "Provider"), Column("invoiced", "Invoiced", "money"),
            Column("fixed", "Subscription", "money"), Column("pool", "Pool / top-up", "money"),
            Column("other", "Other lines", "money"), Column("tracked", "Tracked spend", "money"),
            Column("difference", "Difference", "money"), Column("capture", "Capture", "share"),
        ], empty="No invoices or spend in the last 12 months.", id="invoices-billing")  # fmt: skip

    def compute(self, q: Query, ctx: LoadContext) -> InvoicesData:
        invoices = invoice_rows(q)
        return InvoicesData(invoices, billing_vs_usage(q, invoices))

    def show(self, data: InvoicesData, ctx: LoadContext) -> None:
        self.show_body()
        self.query_one("#invoices-upload", Button).disabled = ctx.read_only
        others = [i for i in data.invoices if i.currency != "USD"]
        note = "Invoices are listed for every period (the period filter does not narrow them)."
        if others:
            note += f" {len(others)} invoice(s) in another currency are shown in their own currency and left out of USD sums."
        self.query_one("#invoices-note", Static).update(note)
        self.query_one("#invoices-table", SpendTable).set_rows([
            {"vendor": i.vendor, "provider": PROVIDER_NAMES.get(i.provider, i.provider), "invoice": i.invoice_number,
             "date": i.issued_on, "period": f"{i.period_from} → {i.period_to}" if i.period_from else None,
             "amount": i.total if i.currency == "USD" else None,
             "currency": i.currency if i.currency == "USD" else f"{i.currency} {round_cents(i.total):,}",
             "file": i.file or "(no file)"}
            for i in data.invoices
        ])  # fmt: skip
        self.query_one("#invoices-billing", SpendTable).set_rows([
            {"month": b.month, "provider": PROVIDER_NAMES.get(b.provider, b.provider),
             "invoiced": b.invoiced if b.invoices else None, "fixed": b.fixed_subscription if b.invoices else None,
             "pool": b.pool_topup if b.invoices else None, "other": b.other if b.invoices else None,
             "tracked": b.tracked_spend, "difference": b.difference if b.invoices else None, "capture": b.capture_pct}
            for b in data.billing
        ])  # fmt: skip

    @on(Button.Pressed, "#invoices-upload")
    def _upload(self) -> None:
        self.app.action_upload_invoice()
