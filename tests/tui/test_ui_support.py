"""Pure helpers behind the dashboard: axis labels, model grouping, ages, filters, table cells (no app)."""

from __future__ import annotations

from datetime import date, datetime, timezone
from decimal import Decimal

import pytest

from spendtui.analytics.ui_support import OTHER, compact_usd, group_models, nice_ticks, relative_age, short_stamp
from spendtui.money import NANO_PER_DOLLAR, dollars_to_nano
from spendtui.tui.filters import Filters
from spendtui.tui.widgets.table import Column

N = NANO_PER_DOLLAR


@pytest.mark.parametrize(
    ("dollars", "label"),
    [("0", "$0"), ("7.5", "$7.50"), ("9.994", "$9.99"), ("9.995", "$10"), ("950", "$950"), ("1500", "$1.5k"),
     ("1949.99", "$1.9k"), ("12000", "$12k"), ("1234567", "$1.2M"), ("-2500", "-$2.5k")],
)  # fmt: skip
def test_compact_usd(dollars, label):
    assert compact_usd(dollars_to_nano(dollars)) == label


def test_nice_ticks_cover_the_top_in_round_steps():
    assert nice_ticks(13_518 * N) == [0, 5000 * N, 10_000 * N, 15_000 * N]
    assert nice_ticks(7) == [0, 2, 4, 6, 8]
    assert nice_ticks(0) == [0]


def test_group_models_keeps_top_five_over_one_percent():
    values = [("a", 500), ("b", 200), ("c", 100), ("d", 90), ("e", 80), ("f", 20), ("g", 10)]
    assert group_models(values) == [("a", 500), ("b", 200), ("c", 100), ("d", 90), ("e", 80), (OTHER, 30)]
    # a model under 1% goes to Other even when fewer than five are bigger
    assert group_models([("big", 995), ("tiny", 5)]) == [("big", 995), (OTHER, 5)]
    assert group_models([]) == []


def test_relative_age_and_stamps():
    now = datetime(2026, 11, 25, 9, 0, tzinfo=timezone.utc)
    assert relative_age("2026-11-25T08:05:00+00:00", now) == "55 min ago"
    assert relative_age("2026-11-25T07:05:00", now) == "1 h ago"
    assert relative_age("2026-11-20T09:00:00+00:00", now) == "5 days ago"
    assert relative_age(None, now) is None
    assert short_stamp("2026-11-25T07:05:00+00:00") == "2026-11-25 07:05"


def test_filters_periods_scopes_and_summary():
    today = date(2026, 11, 25)
    assert Filters().period(today).start == date(2026, 11, 1)
    assert Filters(preset="year").period(today).end == date(2026, 12, 31)
    custom = Filters(preset="custom", start=date(2026, 10, 3), end=date(2026, 10, 9))
    assert (custom.period(today).start, custom.period(today).end) == (date(2026, 10, 3), date(2026, 10, 9))
    scoped = Filters(user="a@x.com").with_scope(team="Growth")
    assert (scoped.team, scoped.user) == ("Growth", None)
    text = Filters(provider="openai", team="Growth").describe(today, "Europe/Berlin")
    assert text == "Month to date 2026-11-01 → 2026-11-25 (Europe/Berlin) · team Growth · OpenAI"


def test_table_cells_money_never_zero_for_unknown():
    money = Column("spend", "Spend", "money", estimated_key="est", currency_key="cur")
    assert money.text({"spend": None}) == "\u2014"
    assert money.text({"spend": dollars_to_nano("12.4"), "est": True}) == "~$12.40"
    assert money.text({"spend": dollars_to_nano("1028.455")}) == "$1,028.46"
    assert money.text({"spend": dollars_to_nano("99.5"), "cur": "EUR"}) == "EUR 99.50"
    assert money.plain(Decimal(dollars_to_nano("0.035"))) == "0.04"
    assert money.plain(None) == ""
    assert Column("c", "Change", "change").text({"c": None}) == "new"
    assert Column("c", "Change", "change").text({"c": -3.14159}) == "-3.1%"
    assert Column("r", "Requests", "int").text({"r": None}) == "\u2014"


def test_a_previous_span_in_another_year_names_its_year():
    from spendtui.tui.tabs.overview import span_label

    assert span_label(date(2026, 10, 1), date(2026, 10, 31), 2026) == "Oct 01–Oct 31"
    assert span_label(date(2025, 1, 1), date(2025, 12, 2), 2026) == "Jan 01–Dec 02 2025"  # ytd's previous
    assert span_label(date(2025, 12, 15), date(2026, 1, 13), 2026) == "Dec 15 2025–Jan 13 2026"


def test_a_people_search_looks_at_names_and_emails_only_and_an_export_adds_the_email():
    from spendtui.tui.widgets.table import SpendTable

    table = SpendTable("Users", [Column("person", "Person"), Column("plan", "Plan")], search_keys=("person", "user"),
                       exported=(Column("user", "Email or id"),))  # fmt: skip
    table.set_rows([{"person": "Ada Lovelace", "user": "ada@x.com", "plan": "teams", "top_model": "claude-opus"},
                    {"person": "Support Bot", "user": "unattributed:anthropic:wrkspc_1", "plan": None}])  # fmt: skip
    table.search("opus")
    assert table.rows == []  # a hidden top model is no person
    table.search("ADA@")
    assert [r["person"] for r in table.rows] == ["Ada Lovelace"]
    table.search("")
    assert table.export_rows() == (["Person", "Plan", "Email or id"],
                                   [["Ada Lovelace", "teams", "ada@x.com"],
                                    ["Support Bot", "", "unattributed:anthropic:wrkspc_1"]])  # fmt: skip
