"""Reconciliation (metrics.md "Invoices and reconciliation") on a small hand-built store.

Every expected figure below is worked out by hand in the comments from the facts and invoices
written here.
"""

from __future__ import annotations

from datetime import date, datetime, timezone
from decimal import Decimal

import pytest

from spendtui import org
from spendtui.analytics.query import Query
from spendtui.analytics.reconcile import reconcile
from spendtui.money import to_usd
from spendtui.importers.invoices import InvoiceLine, ParsedInvoice
from spendtui.store import rollup
from spendtui.store.facts import RANK_API, FactBatch, write_facts
from spendtui.store.invoices import store_invoice

TODAY = date(2026, 11, 10)
D = 10**9  # one dollar (or euro) in nano-units


def invoice(provider, number, day, lines, *, currency="USD", tax=0, kind="invoice", period=None):
    subtotal = sum(amount for _, amount, _ in lines)
    parsed = ParsedInvoice(
        provider=provider, invoice_number=number, kind=kind, currency=currency,
        issued_on=None if kind == "receipt" else day, paid_on=day if kind == "receipt" else None,
        period_from=period[0] if period else None, period_to=period[1] if period else None,
        subtotal_nano=subtotal, tax_nano=tax, total_nano=subtotal + tax,
        lines=[InvoiceLine(text, amount, line_class=cls) for text, amount, cls in lines],
    )  # fmt: skip
    assert parsed.confident, parsed.problems
    return parsed


def api_cost(day: str, dollars: int) -> dict:
    return {"key": day, "product": "api", "day": day, "account_kind": "workspace", "account_id": "default",
            "category": "api", "amount_nano": dollars * D}  # fmt: skip


def cursor_event(day: str, dollars: int, category: str, n: int) -> dict:
    ts = int(datetime.fromisoformat(day + "T12:00:00").replace(tzinfo=timezone.utc).timestamp() * 1000)
    return {"key": f"evt-{n}", "product": "cursor", "ts_ms": ts, "email": "dev@example.com", "model": "gpt-5",
            "category": category, "amount_nano": dollars * D, "requests": 1}  # fmt: skip


@pytest.fixture
def books(store):
    """Anthropic: seats + API credit top-ups; Cursor: a EUR seat invoice and a USD usage invoice."""
    write_facts(store, FactBatch("anthropic", "anthropic.cost", "anthropic.api.cost_report", RANK_API, [
        api_cost("2026-09-10", 100),  # before the first top-up: usage, but not drawn from the pool
        api_cost("2026-09-20", 150),
        api_cost("2026-10-05", 250),
        api_cost("2026-11-03", 60),
        api_cost("2026-11-04", 40),
    ], day_buckets=True))  # fmt: skip
    write_facts(store, FactBatch("cursor", "cursor.events", "cursor.api.events", RANK_API, [
        cursor_event("2026-10-07", 120, "overage", 1),
        cursor_event("2026-10-08", 80, "overage", 2),
        cursor_event("2026-10-08", 50, "included", 3),  # value a plan covered: not usage spend
    ]))  # fmt: skip
    write_facts(store, FactBatch("openai", "openai.cost", "openai.api.costs", RANK_API,
                                 [api_cost("2026-10-02", 999)], day_buckets=True))  # fmt: skip
    for parsed in [
        invoice("anthropic", "AAAA0001-0001", date(2026, 9, 1), [("Claude Team - Standard seat", 300 * D,
                "fixed_subscription")], period=(date(2026, 9, 1), date(2026, 9, 30))),
        invoice("anthropic", "AAAA0001-0002", date(2026, 9, 15), [("Auto-recharge credits", 500 * D, "pool_topup")],
                kind="receipt"),
        invoice("anthropic", "AAAA0001-0003", date(2026, 10, 20), [
            ("Claude Team - Standard seat", 300 * D, "fixed_subscription"),
            ("Extra usage credits", 200 * D, "pool_topup"),
            ("Courtesy credit", -20 * D, "other"),
        ]),
        invoice("cursor", "CCCC0001-0001", date(2026, 10, 1), [("Cursor Teams", 1440 * D, "fixed_subscription")],
                currency="EUR", tax=27360 * D // 100, period=(date(2026, 10, 1), date(2026, 10, 31))),
        invoice("cursor", "CCCC0001-0002", date(2026, 11, 1), [("On-demand usage", 21247 * D // 100, "other")],
                period=(date(2026, 10, 1), date(2026, 10, 31))),
    ]:  # fmt: skip
        store_invoice(store, parsed)
    rollup.configure(store, "UTC", {}, TODAY)
    return store


def rows_by_key(store, fx):
    return {(r.provider, r.month): r for r in reconcile(Query(store, "UTC", TODAY), fx)}


def test_anthropic_months_by_hand(books):
    rows = rows_by_key(books, {})
    assert [m for p, m in rows if p == "anthropic"] == ["2026-09", "2026-10", "2026-11"]

    sep = rows[("anthropic", "2026-09")].as_json()
    # invoices: seats 300 + top-up 500; usage 100 + 150; pool: 500 − 150 (drawn since Sep 15)
    assert {k: sep[k] for k in ("invoices", "invoice_total", "fixed_subscription", "pool_topup", "other",
            "subscription_paid", "usage", "pool_balance", "difference", "capture_rate_pct", "open")} == {
        "invoices": 2, "invoice_total": "800.00", "fixed_subscription": "300.00", "pool_topup": "500.00",
        "other": "0.00", "subscription_paid": "300.00", "usage": "250.00", "pool_balance": "350.00",
        "difference": "550.00", "capture_rate_pct": 31.25, "open": False,
    }  # fmt: skip

    oct_ = rows[("anthropic", "2026-10")].as_json()
    # 300 + 200 − 20 = 480 paid; usage 250; pool 700 − (150 + 250) = 300; 250 / 480 = 52.083…%
    assert (oct_["invoice_total"], oct_["subscription_paid"], oct_["other"], oct_["usage"], oct_["pool_balance"],
            oct_["difference"], oct_["capture_rate_pct"]) == (
        "480.00", "280.00", "-20.00", "250.00", "300.00", "230.00", 52.08)  # fmt: skip

    nov = rows[("anthropic", "2026-11")].as_json()
    # open month, 10 days elapsed: usage 100 → 10.00/day → 300.00 over November's 30 days
    assert (nov["invoices"], nov["invoice_total"], nov["usage"], nov["pool_balance"], nov["difference"],
            nov["capture_rate_pct"], nov["open"], nov["daily_average"], nov["projected_usage"],
            nov["projected_difference"], nov["projected_capture_rate_pct"]) == (
        0, "0.00", "100.00", "200.00", "-100.00", None, True, "10.00", "300.00", "-300.00", None)  # fmt: skip
    assert sep["daily_average"] is None and sep["projected_usage"] is None


def test_another_currency_is_left_out_of_usd_figures_without_an_fx_rate(books):
    oct_ = rows_by_key(books, {})[("cursor", "2026-10")].as_json()
    # only the USD usage invoice counts; the EUR seat invoice is listed beside the row
    assert (oct_["invoices"], oct_["invoice_total"], oct_["fixed_subscription"], oct_["other"]) == (
        1, "212.47", "0.00", "212.47")  # fmt: skip
    assert oct_["not_converted"] == [{"currency": "EUR", "invoices": 1, "total": "1713.60",
                                      "fixed_subscription": "1440.00", "pool_topup": "0.00", "other": "0.00"}]
    # usage is overage 120 + 80; included usage (50) is not spend
    assert (oct_["usage"], oct_["difference"], oct_["capture_rate_pct"], oct_["pool_balance"]) == (
        "200.00", "12.47", 94.13, None)  # fmt: skip


def test_another_currency_counts_through_its_fx_rate(books):
    oct_ = rows_by_key(books, {"EUR": Decimal("1.10")})[("cursor", "2026-10")].as_json()
    # 1713.60 EUR × 1.10 = 1884.96 USD, 1440 EUR × 1.10 = 1584.00; + 212.47 = 2097.43; 200 / 2097.43 = 9.535…%
    assert (oct_["invoices"], oct_["invoice_total"], oct_["fixed_subscription"], oct_["subscription_paid"],
            oct_["difference"], oct_["capture_rate_pct"], oct_["not_converted"]) == (
        2, "2097.43", "1584.00", "2097.43", "1897.43", 9.54, [])  # fmt: skip


def test_an_invoice_sits_in_the_month_its_service_period_starts(books):
    rows = rows_by_key(books, {})
    # Cursor's usage invoice is dated November 1 but bills October; November has no invoice yet
    assert rows[("cursor", "2026-11")].paid.invoices == 0
    assert rows[("cursor", "2026-11")].capture_rate_pct is None


def test_a_provider_with_usage_but_no_invoice_has_no_rows(books):
    assert not any(p == "openai" for p, _ in rows_by_key(books, {}))


def test_months_can_be_narrowed_without_changing_the_pool_balance(books):
    q = Query(books, "UTC", TODAY)
    rows = reconcile(q, {}, first_month="2026-10", last_month="2026-10")
    assert [(r.provider, r.month) for r in rows] == [("anthropic", "2026-10"), ("cursor", "2026-10")]
    assert rows[0].pool_balance == 300 * D


def test_fx_conversion_rounds_half_up_to_the_nano():
    assert to_usd(5, Decimal("1.1")) == 6  # 5.5 nano -> 6
    assert to_usd(1713_600_000_000, Decimal("1.08")) == 1850_688_000_000


def test_the_seat_fees_the_store_records_stand_beside_what_invoices_paid_for_seats(books):
    sep = rows_by_key(books, {})[("anthropic", "2026-09")].as_json()
    # no seat configured: the seat invoice's own line is the subscription spend
    assert (sep["fixed_subscription"], sep["seat_fees"]) == ("300.00", "300.00")
    org.put_seats(books, [org.SeatRow("anthropic", "ann@example.com", "team", 30 * D, date(2026, 9, 1), None)],
                  today=TODAY)  # fmt: skip
    rollup.configure(books, "UTC", {}, TODAY)
    sep = rows_by_key(books, {})[("anthropic", "2026-09")].as_json()
    assert (sep["fixed_subscription"], sep["seat_fees"]) == ("300.00", "30.00")  # paid for ten seats, one known
