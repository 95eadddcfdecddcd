"""Invoices' seat lines are subscription spend where no seat has a fee (cli.md, metrics.md "Category")."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from builders import add_seat
from spendtui.analytics.overview import overview
from spendtui.analytics.query import Query, Scope
from spendtui.importers.invoices import InvoiceLine, ParsedInvoice
from spendtui.money import dollars_to_nano
from spendtui.periods import parse_period
from spendtui.store import rollup
from spendtui.store.invoices import remove_invoice, store_invoice

TODAY = date(2026, 11, 20)


def seat_invoice(number: str, fee: str, first: date, last: date, currency: str = "USD", provider: str = "cursor"):
    amount = dollars_to_nano(fee)
    return ParsedInvoice(provider=provider, invoice_number=number, issued_on=first, currency=currency,
                         subtotal_nano=amount, total_nano=amount,
                         lines=[InvoiceLine("Cursor Teams", amount, "10", amount // 10, first, last,
                                            line_class="fixed_subscription")])  # fmt: skip


def spend(store, period: str) -> dict:
    return overview(Query(store, "UTC", TODAY), parse_period(period, TODAY), Scope()).as_json()


def test_a_seat_invoice_is_subscription_spend_accruing_over_its_service_period(store):
    rollup.configure(store, "UTC", {}, TODAY)
    store_invoice(store, seat_invoice("INV-10", "310.00", date(2026, 10, 1), date(2026, 10, 31)))
    october = spend(store, "2026-10")
    assert october["categories"]["subscription"] == "310.00" and october["total_spend"] == "310.00"
    assert [(u["user"], u["spend"]) for u in october["users"]] == [("unattributed:cursor:invoices", "310.00")]
    assert {d["date"]: d["spend"] for d in october["daily"]}["2026-10-05"] == "10.00"


def test_a_seat_invoice_accrues_through_today_only_like_a_seat(store):
    rollup.configure(store, "UTC", {}, TODAY)
    store_invoice(store, seat_invoice("INV-11", "300.00", date(2026, 11, 1), date(2026, 11, 30)))
    assert spend(store, "2026-11")["total_spend"] == "200.00"  # 20 of 30 days


def test_days_a_seat_already_pays_for_do_not_count_the_invoice_again(store):
    rollup.configure(store, "UTC", {}, TODAY)
    add_seat(store, "cursor", "ada@x.com", "teams", "40", "2026-10-16", today=TODAY)
    store_invoice(store, seat_invoice("INV-10", "310.00", date(2026, 10, 1), date(2026, 10, 31)))
    users = {u["user"]: u["spend"] for u in spend(store, "2026-10")["users"]}
    # the invoice pays Oct 1-15 (15 x 10.00), the seat Oct 16-31 (16 days of a 40.00 month)
    assert users == {"unattributed:cursor:invoices": "150.00", "ada@x.com": "20.65"}


def test_removing_the_invoice_takes_its_spend_back(store):
    rollup.configure(store, "UTC", {}, TODAY)
    store_invoice(store, seat_invoice("INV-10", "310.00", date(2026, 10, 1), date(2026, 10, 31)))
    remove_invoice(store, "INV-10")
    assert spend(store, "2026-10")["total_spend"] == "0.00"


def test_another_currency_counts_only_through_a_configured_rate(store):
    rollup.configure(store, "UTC", {}, TODAY)
    store_invoice(store, seat_invoice("INV-EUR", "310.00", date(2026, 10, 1), date(2026, 10, 31), "EUR"))
    assert spend(store, "2026-10")["total_spend"] == "0.00"
    rollup.configure(store, "UTC", {}, TODAY, {"EUR": Decimal("1.10")})
    assert spend(store, "2026-10")["total_spend"] == "341.00"
