"""Exact money: every amount is an integer count of nano-dollars (1e-9 USD).

Vendors send fractional cents with up to 7 places (Cursor ``chargedCents`` 22.20725, Anthropic
``"527.999760"`` cents), and OpenAI sends dollars as binary floats. Nano-dollars hold all of them
exactly, sum exactly in SQLite's 64-bit integers (up to 9.2 billion dollars), and are rounded half-up
to cents only when shown.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import TypeVar

NANO_PER_DOLLAR = 1_000_000_000
NANO_PER_CENT = 10_000_000
_NANO = Decimal(NANO_PER_DOLLAR)
_CENT = Decimal("0.01")

_CURRENCY_NOISE = re.compile(r"[\s$€£]|US\$|USD|EUR", re.IGNORECASE)


class MoneyError(ValueError):
    """A value that is not a readable amount of money."""


class ImplausibleAmount(MoneyError):
    """An amount beyond any bill for AI tools: a typo or a wrong column, and one sum away from
    leaving SQLite's 64-bit integers."""


LARGEST_DOLLARS = 1_000_000_000


def _to_decimal(value: object) -> Decimal:
    if isinstance(value, Decimal):
        return value
    if isinstance(value, bool):
        raise MoneyError(f"not an amount: {value!r}")
    if isinstance(value, int):
        return Decimal(value)
    if isinstance(value, float):
        # repr() is the shortest string that round-trips: 0.06 stays 0.06, not 0.0599999...
        return Decimal(repr(value))
    if isinstance(value, str):
        try:
            return Decimal(value.strip())
        except InvalidOperation:
            raise MoneyError(f"not an amount: {value!r}") from None
    raise MoneyError(f"not an amount: {value!r}")


def _nano(amount: Decimal) -> int:
    if not amount.is_finite():
        raise MoneyError(f"not a finite amount: {amount}")
    if abs(amount) > LARGEST_DOLLARS:
        raise ImplausibleAmount(f"more than ${LARGEST_DOLLARS:,} in one amount")
    return int((amount * _NANO).to_integral_value(rounding=ROUND_HALF_UP))


def dollars_to_nano(value: object) -> int:
    """Dollars (str, int, Decimal or float) to nano-dollars, exact to 1e-9."""
    return _nano(_to_decimal(value))


def cents_to_nano(value: object) -> int:
    """Cents (Anthropic cost report strings, Cursor ``*Cents`` numbers) to nano-dollars."""
    return _nano(_to_decimal(value) / 100)


def parse_dollars(text: str) -> int | None:
    """A dollar amount as written in a CSV or invoice: ``$1,234.56``, ``-US$0.40``, ``(3.00)``.

    Returns ``None`` for an empty cell; raises MoneyError for anything else that is not a number.
    """
    raw = text.strip()
    if not raw:
        return None
    negative = False
    if raw.startswith("(") and raw.endswith(")"):
        negative, raw = True, raw[1:-1]
    raw = raw.replace("\u2212", "-")  # typographic minus
    if raw.startswith("-"):
        negative, raw = not negative, raw[1:]
    raw = _CURRENCY_NOISE.sub("", raw).replace(",", "")
    if raw.startswith("-"):
        negative, raw = not negative, raw[1:]
    if not raw or not re.fullmatch(r"\d+(\.\d+)?|\.\d+", raw):
        raise MoneyError(f"not an amount: {text!r}")
    nano = dollars_to_nano(raw)
    return -nano if negative else nano


def nano_to_decimal(nano: int) -> Decimal:
    """The exact dollar value of a nano-dollar count."""
    return Decimal(nano) / _NANO


def round_cents(nano: int | Decimal) -> Decimal:
    """Dollars rounded half-up to the cent (1028.455 -> 1028.46; -0.005 -> -0.01).

    ``nano`` may be a Decimal for ratios such as cost per request.
    """
    return (Decimal(nano) / _NANO).quantize(_CENT, rounding=ROUND_HALF_UP)


def pct(part: int | None, whole: int | None) -> float | None:
    """part / whole as a percentage rounded half-up to 0.01 (integer arithmetic: exact and fast), for
    display and JSON; None when there is nothing to divide (or no part)."""
    if part is None or not whole:
        return None
    numerator, denominator = part * 10_000, whole
    if denominator < 0:
        numerator, denominator = -numerator, -denominator
    hundredths = (2 * abs(numerator) + denominator) // (2 * denominator)
    return (hundredths if numerator >= 0 else -hundredths) / 100


def ratio_nano(nano: int, count: int | None) -> Decimal | None:
    """Nano-dollars per unit (cost per request, per user), or None when there are no units."""
    if not count:
        return None
    return Decimal(nano) / Decimal(count)


def format_plain(nano: int | Decimal | None) -> str | None:
    """The JSON/CSV form: a plain decimal string with two places, or None.

    Integers take an integer path (a 5,000-person tab formats tens of thousands of amounts and
    Decimal cost 2 µs each); it gives what ``str(round_cents(nano))`` gives, "-0.00" included.
    """
    if nano is None:
        return None
    if type(nano) is int:
        cents = (abs(nano) + NANO_PER_CENT // 2) // NANO_PER_CENT
        return f"{'-' if nano < 0 else ''}{cents // 100}.{cents % 100:02d}"
    return str(round_cents(nano))


def cents_adding_up(parts: list[int]) -> list[int]:
    """Nano-dollar ``parts`` rounded to whole cents so that they add up to their sum rounded half-up
    (a JSON ``daily`` list sums to its ``total_spend``, cli.md): the running total is rounded and each
    part is the step between two roundings, so a part is at most a cent from its own rounding and a
    zero part stays zero."""
    rounded, shown, running = [], 0, 0
    for part in parts:
        running += part
        cents = (abs(running) + NANO_PER_CENT // 2) // NANO_PER_CENT * (-1 if running < 0 else 1)
        rounded.append((cents - shown) * NANO_PER_CENT)
        shown = cents
    return rounded


T = TypeVar("T")


def with_cents_adding_up(items: Iterable[T], amount: Callable[[T], int]) -> list[tuple[T, int]]:
    """Each item with its ``amount`` rounded by ``cents_adding_up``: the parts a report lists beside
    their total (days, categories, providers) add up to it as shown."""
    items = list(items)
    return list(zip(items, cents_adding_up([amount(item) for item in items])))


def format_usd(nano: int | Decimal | None, *, estimated: bool = False, missing: str = "\u2014") -> str:
    """The screen form: ``$1,234.56``, ``-$3.00``, ``~$12.40`` for estimates, ``—`` for missing."""
    if nano is None:
        return missing
    cents = round_cents(nano)
    sign = "-" if cents < 0 else ""
    return f"{'~' if estimated else ''}{sign}${abs(cents):,.2f}"


def split_evenly(total: int, parts: int) -> list[int]:
    """Split ``total`` into ``parts`` near-equal integers whose sum is exactly ``total``.

    The remainder goes to the last part, as metrics.md asks for spread amounts and seat accruals.
    """
    if parts <= 0:
        raise ValueError("parts must be positive")
    base = abs(total) // parts * (1 if total >= 0 else -1)  # toward zero: negatives spread alike
    return [base] * (parts - 1) + [total - base * (parts - 1)]


def scale(amount: int, numerator: int, denominator: int) -> int:
    """amount × numerator ÷ denominator in whole nano-dollars, rounded half-up (away from zero)."""
    exact = Decimal(amount) * numerator / Decimal(denominator)
    return int(exact.to_integral_value(rounding=ROUND_HALF_UP))


def to_usd(nano: int, rate: Decimal) -> int:
    """Nano-units of a currency to nano-dollars at ``rate`` USD per unit, rounded half-up."""
    return int((Decimal(nano) * rate).to_integral_value(rounding=ROUND_HALF_UP))
