"""Which class a line item belongs to (invoices.md §6), so paid money can be set against usage.

Order matters and follows the reference: proration and negative lines are never seats or pool
money; pool top-ups are recognised before seats (``Extra usage credits`` would otherwise look like
a plan line); usage billed in arrears is ``other`` even when its arithmetic looks like a seat's.
"""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation

from spendtui.importers.invoices.model import InvoiceLine
from spendtui.money import NANO_PER_CENT

_PRORATION = re.compile(r"\b(remaining|unused) time\b", re.IGNORECASE)
_POOL = re.compile(
    r"\bcredits?\b|\btop[- ]?up\b|\bauto[- ]?(recharge|reload)\b|\bprepaid\b|\badd(ed)? funds\b|\bbalance\b"
    r"|\bextra usage\b",
    re.IGNORECASE,
)
_ARREARS = re.compile(
    r"\busage\b|\bon[- ]demand\b|\boverage\b|\btrue[- ]?up\b|\brequests?\b|\btokens?\b", re.IGNORECASE
)
_FIXED = re.compile(
    r"\b(seats?|members?|users?|subscription|plan|team|teams|business|enterprise|pro|max|standard|premium)\b",
    re.IGNORECASE,
)


def quantity_value(quantity: str | None) -> Decimal | None:
    if quantity is None:
        return None
    try:
        value = Decimal(quantity)
    except InvalidOperation:
        return None
    return value if value.is_finite() else None


def arithmetic_holds(line: InvoiceLine) -> bool:
    """Qty × Unit price = Amount within a cent, or True when the line prints no unit price."""
    qty = quantity_value(line.quantity)
    if line.unit_price_nano is None:
        return True
    if qty is None:
        qty = Decimal(1)
    return abs(qty * line.unit_price_nano - line.amount_nano) <= NANO_PER_CENT


def classify_line(line: InvoiceLine, *, in_arrears: bool = False) -> str:
    """``fixed_subscription``, ``pool_topup`` or ``other`` for one line item; ``in_arrears``: the
    document is a usage invoice (``Cursor Usage for <Month>``), whose lines are usage whatever their
    model is called (``gemini-2.5-pro`` is no Pro plan)."""
    text = line.description
    if _PRORATION.search(text) or line.amount_nano < 0:
        return "other"  # proration, credit notes, courtesy credits, adjustments
    if _POOL.search(text):
        return "pool_topup"
    if in_arrears or _ARREARS.search(text):
        return "other"
    qty = quantity_value(line.quantity)
    if (line.period_from is not None or _FIXED.search(text)) and (qty is None or qty >= 1) and arithmetic_holds(line):
        return "fixed_subscription"
    return "other"
