import random
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from spendtui.money import (
    cents_adding_up,
    MoneyError,
    cents_to_nano,
    dollars_to_nano,
    format_plain,
    format_usd,
    parse_dollars,
    pct,
    round_cents,
    split_evenly,
)


def test_vendor_fractional_cents_are_exact():
    assert cents_to_nano(22.20725) == 222_072_500  # Cursor chargedCents
    assert cents_to_nano("527.999760") == 5_279_997_600  # Anthropic cost report
    assert dollars_to_nano(0.06) == 60_000_000  # OpenAI float dollars
    assert dollars_to_nano("0.003835980000000000000000000000") == 3_835_980


def test_rounding_is_half_up_to_the_cent():
    assert format_plain(dollars_to_nano("1028.455")) == "1028.46"
    assert format_plain(dollars_to_nano("1028.454999999")) == "1028.45"
    assert format_plain(dollars_to_nano("-0.005")) == "-0.01"
    assert format_plain(None) is None


@given(st.integers(min_value=-(10**18), max_value=10**18) | st.integers(min_value=-(10**8), max_value=10**8))
def test_plain_format_of_integers_equals_the_decimal_rounding(nano):
    assert format_plain(nano) == str(round_cents(nano))


def test_screen_format():
    assert format_usd(dollars_to_nano("1234.5")) == "$1,234.50"
    assert format_usd(dollars_to_nano("-3")) == "-$3.00"
    assert format_usd(dollars_to_nano("12.4"), estimated=True) == "~$12.40"
    assert format_usd(None) == "\u2014"


@pytest.mark.parametrize(
    "text, nano",
    [
        ("$1,234.56", 1_234_560_000_000),
        ("-US$0.40", -400_000_000),
        ("\u2212$10.00", -10_000_000_000),
        ("(3.00)", -3_000_000_000),
        ("0.07", 70_000_000),
        ("€ 5", 5_000_000_000),
    ],
)
def test_parse_dollars(text, nano):
    assert parse_dollars(text) == nano


@pytest.mark.parametrize("text", ["Free", "-", "1.2.3", "abc", "$"])
def test_parse_dollars_refuses_non_numbers(text):
    with pytest.raises(MoneyError):
        parse_dollars(text)


def test_parse_dollars_empty_is_no_amount():
    assert parse_dollars("  ") is None


def test_thousands_of_random_amounts_sum_to_their_decimal_sum():
    rng = random.Random(7)
    amounts = [f"{rng.randint(0, 10**7)}.{rng.randint(0, 10**7 - 1):07d}" for _ in range(5000)]
    as_cents = [cents_to_nano(a) for a in amounts]
    assert round_cents(sum(as_cents)) == (sum(Decimal(a) for a in amounts) / 100).quantize(Decimal("0.01"), rounding="ROUND_HALF_UP")
    openai_floats = [round(rng.random() * 100, 7) for _ in range(5000)]
    exact = sum(Decimal(repr(value)) for value in openai_floats)
    assert sum(dollars_to_nano(value) for value in openai_floats) == int(exact * 10**9)


@given(st.integers(min_value=-(10**15), max_value=10**15), st.integers(min_value=1, max_value=400))
def test_split_evenly_keeps_the_total(total, parts):
    shares = split_evenly(total, parts)
    assert len(shares) == parts
    assert sum(shares) == total
    assert max(shares[:-1] or [shares[0]]) - min(shares[:-1] or [shares[0]]) == 0
    assert abs(shares[-1] - shares[0]) < parts  # the remainder is less than one unit per part
    assert all(share == 0 or (share > 0) == (total > 0) for share in shares)  # a credit spreads as credits


def test_two_40_and_20_dollar_seats_over_31_days_show_days_that_add_up_to_60():
    days = split_evenly(40 * 10**9, 31)
    days = [a + b for a, b in zip(days, split_evenly(20 * 10**9, 31))]
    shown = cents_adding_up(days)
    assert sum(shown) == 60 * 10**9 and {format_plain(v) for v in shown} <= {"1.93", "1.94", "1.95"}


@given(st.lists(st.integers(min_value=-(10**13), max_value=10**13), max_size=60))
def test_parts_rounded_to_cents_add_up_to_their_rounded_sum_and_stay_within_a_cent(parts):
    shown = cents_adding_up(parts)
    assert all(v % 10**7 == 0 for v in shown)  # whole cents
    assert Decimal(format_plain(sum(shown))) == Decimal(format_plain(sum(parts)))  # (-0.00 is 0.00)
    assert all(abs(v - p) <= 10**7 + 5 * 10**6 for v, p in zip(shown, parts))
    assert all(v == 0 for v, p in zip(shown, parts) if p == 0)


@pytest.mark.parametrize("part, whole, expected", [
    (1, 800, 0.13), (-1, 800, -0.13), (1, -800, -0.13), (2, 3, 66.67), (0, 5, 0.0), (5, 0, None), (None, 5, None),
])  # fmt: skip
def test_percentages_round_half_up(part, whole, expected):
    assert pct(part, whole) == expected
