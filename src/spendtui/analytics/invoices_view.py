"""What the Invoices tab reads until invoice reconciliation (``analytics/reconcile.py``) lands on main.

Deliberately small: stored invoices with their line classes summed, and a per-provider, per-month
comparison of invoiced totals with the spend the store tracks. Invoices in another currency are
listed in their own currency and left out of the USD comparison (metrics.md "Currency").
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from spendtui.analytics.overview import month_over_month, pct
from spendtui.analytics.query import Query, Scope

LINE_CLASSES = ("fixed_subscription", "pool_topup", "other")


@dataclass
class InvoiceRow:
    invoice_number: str
    provider: str
    vendor: str
    kind: str
    issued_on: str
    period_from: str | None
    period_to: str | None
    currency: str
    total: int
    amount_due: int | None
    file: str | None
    classes: dict[str, int] = field(default_factory=dict)

    @property
    def month(self) -> str:
        """The month an invoice belongs to: its service period's start, else its date."""
        return (self.period_from or self.issued_on)[:7]


def invoice_rows(q: Query) -> list[InvoiceRow]:
    """Every stored invoice, newest first, with its line items summed by class."""
    classes: dict[int, dict[str, int]] = defaultdict(dict)
    for invoice_id, cls, amount in q.store.query(
        "SELECT invoice_id, class, SUM(amount_nano) FROM invoice_lines GROUP BY invoice_id, class"
    ):
        classes[invoice_id][cls] = amount
    rows = q.store.query(
        """SELECT id, invoice_number, provider, vendor, kind, issued_on, period_from, period_to, currency,
                  total_nano, amount_due_nano, file
           FROM invoices ORDER BY issued_on DESC, provider, invoice_number"""
    )
    return [InvoiceRow(*row[1:], classes=classes.get(row[0], {})) for row in rows]


@dataclass
class BillingRow:
    month: str
    provider: str
    invoiced: int
    fixed_subscription: int
    pool_topup: int
    other: int
    tracked_spend: int
    invoices: int

    @property
    def difference(self) -> int:
        return self.invoiced - self.tracked_spend

    @property
    def capture_pct(self) -> float | None:
        """Tracked spend as a share of what was invoiced; None in a month with no invoice."""
        return pct(self.tracked_spend, self.invoiced) if self.invoices else None


def billing_vs_usage(q: Query, invoices: list[InvoiceRow], months: int = 12) -> list[BillingRow]:
    """Per month and provider (the last ``months`` months): USD invoiced vs the spend the store tracks."""
    history = month_over_month(q, Scope(), q.today, months)
    wanted = {m.month for m in history}
    billed: dict[tuple[str, str], BillingRow] = {}
    for m in history:
        for provider, spend in m.by_provider.items():
            billed[(m.month, provider)] = BillingRow(m.month, provider, 0, 0, 0, 0, spend, 0)
    for inv in invoices:
        if inv.currency != "USD" or inv.month not in wanted:
            continue
        row = billed.setdefault((inv.month, inv.provider), BillingRow(inv.month, inv.provider, 0, 0, 0, 0, 0, 0))
        row.invoices += 1
        row.invoiced += inv.total
        row.fixed_subscription += inv.classes.get("fixed_subscription", 0)
        row.pool_topup += inv.classes.get("pool_topup", 0)
        row.other += inv.classes.get("other", 0)
    return sorted(billed.values(), key=lambda r: (r.month, r.provider), reverse=True)
