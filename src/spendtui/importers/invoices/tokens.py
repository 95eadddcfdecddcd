"""Money, dates and currencies as Stripe prints them in the customer's locale.

Amounts come out as integer nano-units of the invoice's currency, through Decimal, never float.
Whether ``,`` or ``.`` is the decimal mark is decided once per document (``decimal_mark``): a lone
``1.234`` is a thousand in a German invoice and one-point-two in an American one, so no single
token can tell.
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal, InvalidOperation

from spendtui.money import dollars_to_nano

# -- text normalisation --------------------------------------------------------------------------
_GROUP_SPACE = re.compile(r"(?<=\d)[\u00a0\u202f\u2009'\u2019](?=\d{3}(?!\d))")
_DASHES = str.maketrans({"\u2212": "-", "\u2012": "-", "\u2010": "-", "\u2011": "-", "\ufe63": "-", "\uff0d": "-"})
_SPACES = re.compile(r"[\u00a0\u202f\u2009\u2007\u200a\t]")


def normalise(text: str) -> str:
    """One spelling for what fonts vary: minus signs, no-break spaces, thin-space digit groups.

    En and em dashes stay: they separate the two ends of a service period.
    """
    text = _GROUP_SPACE.sub("", text)  # 1 234,56 (fr) and 1'234.56 (ch) -> 1234,56 / 1234.56
    return _SPACES.sub(" ", text.translate(_DASHES))


# -- money ---------------------------------------------------------------------------------------
# Symbol -> ISO code. Longer prefixes first so "US$" never reads as "$".
SYMBOLS = {"US$": "USD", "CA$": "CAD", "AU$": "AUD", "A$": "AUD", "NZ$": "NZD", "€": "EUR", "£": "GBP", "$": "USD"}
ISO_CODES = ("USD", "EUR", "GBP", "CAD", "AUD", "NZD", "CHF")

_SYMBOL = "|".join(re.escape(s) for s in sorted(SYMBOLS, key=len, reverse=True))
_ISO = "|".join(ISO_CODES)
_NUMBER = r"\d{1,3}(?:[.,]\d{3})+(?:[.,]\d{1,9})?(?!\d)|\d+(?:[.,]\d{1,9})?"
# A number before its currency always prints its decimals; without that rule "Cursor Pro 1 US$20.00"
# (plain mode keeps one space) would read "1 US$" as an amount.
_DECIMAL_NUMBER = r"\d{1,3}(?:[.,]\d{3})*[.,]\d{2,9}(?!\d)|\d+[.,]\d{2,9}"
# A money token needs a currency marker; a bare "8" is a quantity and "2026" a year.
MONEY = (
    rf"(?:[-+]\s?)?(?:\((?:{_SYMBOL})\s?(?:{_NUMBER})\)|\((?:{_DECIMAL_NUMBER})\s?(?:{_SYMBOL})\)"  # ($3.00) negative
    rf"|(?:{_SYMBOL})\s?-?\s?(?:{_NUMBER})(?:\s?(?:{_ISO})\b)?"  # $1,234.56  US$-0.40  $1,140.00 USD
    rf"|(?:{_DECIMAL_NUMBER})\s?(?:{_SYMBOL}|(?:{_ISO})\b)"  # 1.234,56 €  1,234.56 USD  1200,00 US$
    rf"|(?:{_ISO})\s?-?\s?(?:{_NUMBER}))"  # USD 1,234.56
)
MONEY_RE = re.compile(MONEY)
_MONEY_ONLY = re.compile(rf"^\s*({MONEY})\s*$")
_DIGITS = re.compile(_NUMBER)
_TWO_DECIMALS = re.compile(r"\d([.,])\d{2}(?!\d)")


@dataclass(frozen=True)
class Money:
    """One printed amount: its value in nano-units and the currency its marker names."""

    nano: int
    currency: str | None
    text: str


def decimal_mark(money_texts: list[str]) -> str:
    """The document's decimal mark: the separator most amounts put before their last two digits."""
    votes = {".": 0, ",": 0}
    for text in money_texts:
        found = _TWO_DECIMALS.findall(text)
        if found:
            votes[found[-1]] += 1
    return "," if votes[","] > votes["."] else "."


def number_value(text: str, mark: str) -> Decimal | None:
    """A printed number under the document's decimal mark (the other separator groups thousands)."""
    group = "," if mark == "." else "."
    raw = text.strip().replace(group, "").replace(mark, ".")
    try:
        value = Decimal(raw)
    except InvalidOperation:
        return None
    return value if value.is_finite() else None


def currency_of(text: str) -> str | None:
    for code in ISO_CODES:
        if re.search(rf"\b{code}\b", text):
            return code
    for symbol in sorted(SYMBOLS, key=len, reverse=True):
        if symbol in text:
            return SYMBOLS[symbol]
    return None


def money_value(text: str, mark: str) -> Money | None:
    """A money token (as matched by ``MONEY``) to signed nano-units; None if it holds no number."""
    digits = _DIGITS.search(text)
    if not digits:
        return None
    value = number_value(digits.group(0), mark)
    if value is None:
        return None
    stripped = text.strip()
    negative = stripped.startswith("-") or stripped.startswith("(") or "-" in text[: digits.start()]
    nano = dollars_to_nano(value)
    return Money(-nano if negative else nano, currency_of(text), stripped)


def only_money(line: str) -> str | None:
    """The money token a line consists of, or None (a column torn off its row prints like this)."""
    found = _MONEY_ONLY.match(line)
    return found.group(1) if found else None


def trailing_money(line: str) -> tuple[str, str] | None:
    """(text before, money token) when a line ends in an amount, the way every invoice row does."""
    matches = list(MONEY_RE.finditer(line))
    last = matches[-1] if matches else None
    if last is None or line[last.end() :].strip():
        return None
    return line[: last.start()].rstrip(), last.group(0)


# -- dates ---------------------------------------------------------------------------------------
_MONTH_NAMES = {
    1: "january jan enero ene janvier janv januar jän",
    2: "february feb febrero février févr fevrier fevr februar",
    3: "march mar marzo mars märz maerz mär",
    4: "april apr abril abr avril avr",
    5: "may mayo mai",
    6: "june jun junio juin juni",
    7: "july jul julio juillet juil juli",
    8: "august aug agosto ago août aout",
    9: "september sep sept septiembre setiembre septembre",
    10: "october oct octubre octobre oktober okt",
    11: "november nov noviembre novembre",
    12: "december dec diciembre dic décembre decembre déc dezember dez",
}
MONTHS = {name: number for number, names in _MONTH_NAMES.items() for name in names.split()}
_MONTH = "|".join(sorted(MONTHS, key=len, reverse=True))
_M = rf"(?P<{{m}}>{_MONTH})\.?"
# "October 1, 2026" | "1 October 2026" | "1. Oktober 2026" | "1 de octubre de 2026"; year optional
# so the start of "Oct 1 – Nov 1, 2026" matches too.
_MDY = rf"{_M.format(m='m1')}\s+(?P<d1>\d{{1,2}})(?:,?\s+(?P<y1>\d{{4}}))?"
_DMY = rf"(?P<d2>\d{{1,2}})\.?\s+(?:de\s+)?{_M.format(m='m2')},?(?:\s+(?:de\s+)?(?P<y2>\d{{4}}))?"
_ISO_DATE = r"(?P<y3>\d{4})-(?P<m3>\d{2})-(?P<d3>\d{2})"
DATE = rf"(?:{_ISO_DATE}|{_MDY}|{_DMY})"
DATE_RE = re.compile(rf"(?<![\w.]){DATE}(?!\w)", re.IGNORECASE)
_RANGE_RE = re.compile(
    rf"(?<![\w.])(?P<a>{DATE})\s*[-\u2013\u2014]\s*(?P<b>{DATE.replace('?P<', '?P<b_')})(?!\w)", re.IGNORECASE
)
_MONTH_YEAR_RE = re.compile(rf"\b(?P<m>{_MONTH})\.?\s+(?P<y>\d{{4}})\b", re.IGNORECASE)


def _parts(found: re.Match, prefix: str = "") -> tuple[int | None, int, int] | None:
    groups = {k[len(prefix) :]: v for k, v in found.groupdict().items() if k.startswith(prefix) and v}
    if "y3" in groups:
        return int(groups["y3"]), int(groups["m3"]), int(groups["d3"])
    for index in ("1", "2"):
        if f"m{index}" in groups:
            year = groups.get(f"y{index}")
            return (int(year) if year else None), MONTHS[groups[f"m{index}"].lower()], int(groups[f"d{index}"])
    return None


def _make(year: int, month: int, day: int) -> date | None:
    try:
        return date(year, month, day)
    except ValueError:
        return None


def parse_date(text: str) -> date | None:
    """A whole-text date with a year (``Date of issue`` values), else None."""
    found = DATE_RE.fullmatch(text.strip())
    parts = _parts(found) if found else None
    if not parts or parts[0] is None:
        return None
    return _make(*parts)


def parse_range(text: str) -> tuple[date, date] | None:
    """A service period such as ``Oct 1 – Nov 1, 2026``, as (first day, last day inclusive).

    Stripe prints the exclusive end (the next period's first day); we keep the last day covered.
    The start may omit its year; it then shares the end's, or the year before when its month is later.
    """
    found = _RANGE_RE.search(text)
    if not found:
        return None
    start, end = _parts(found), _parts(found, "b_")
    if not start or not end or end[0] is None:
        return None
    year = start[0]
    if year is None:
        year = end[0] - 1 if start[1] > end[1] else end[0]
    first, after = _make(year, start[1], start[2]), _make(*end)
    if first is None or after is None:
        return None
    last = after - timedelta(days=1) if after > first else after
    return first, last


def is_range_line(line: str) -> bool:
    """A line that is nothing but a service period (it belongs to the row above it)."""
    found = _RANGE_RE.search(line)
    return bool(found) and not (line[: found.start()] + line[found.end() :]).strip(" ()")


def month_period(text: str) -> tuple[date, date] | None:
    """``Cursor Usage for October 2026`` -> the calendar month it names."""
    found = _MONTH_YEAR_RE.search(text)
    if not found:
        return None
    year, month = int(found.group("y")), MONTHS[found.group("m").lower()]
    return date(year, month, 1), date(year, month, calendar.monthrange(year, month)[1])
