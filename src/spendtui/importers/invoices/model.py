"""What a parsed invoice holds, and the checks that decide whether it can be stored unseen.

A ``ParsedInvoice`` is deliberately mutable and plain: the app shows it in an editor, the admin
corrects fields, and ``check()`` runs again on the corrected values. Every problem names the field
it is about, so an editor can put the cursor there.
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from spendtui.config import PROVIDERS
from spendtui.money import NANO_PER_CENT, format_plain

CLASSES = ("fixed_subscription", "pool_topup", "other")
KINDS = ("invoice", "receipt")


@dataclass
class InvoiceLine:
    """One line item. ``quantity`` is text because seats are whole but usage quantities need not be."""

    description: str
    amount_nano: int
    quantity: str | None = None
    unit_price_nano: int | None = None
    period_from: date | None = None
    period_to: date | None = None  # inclusive: the last day the line pays for
    line_class: str = "other"


@dataclass(frozen=True)
class Problem:
    """Why a parse is not trusted: ``field`` is a ParsedInvoice attribute (or ``lines``), or None.

    An ``essential`` problem (a missing or invalid field) blocks storing even after the admin
    confirms; the others are doubts an admin may overrule.
    """

    field: str | None
    message: str
    essential: bool = False

    def __str__(self) -> str:
        return self.message


@dataclass
class ParsedInvoice:
    """Everything read from one invoice or receipt; amounts in nano-units of ``currency``.

    ``discount_nano`` is the positive amount summary-block discounts take off the subtotal.
    ``applied_balance_nano`` keeps Stripe's sign (negative: customer credit used), so
    ``total + applied balance = amount due``.
    """

    source: Path | None = None
    sha256: str | None = None
    provider: str | None = None
    vendor: str | None = None
    kind: str = "invoice"
    invoice_number: str | None = None
    receipt_number: str | None = None
    issued_on: date | None = None
    due_on: date | None = None
    paid_on: date | None = None
    period_from: date | None = None
    period_to: date | None = None
    currency: str | None = None
    subtotal_nano: int | None = None
    discount_nano: int = 0
    total_excluding_tax_nano: int | None = None
    tax_nano: int = 0
    total_nano: int | None = None
    applied_balance_nano: int = 0
    amount_due_nano: int | None = None
    amount_paid_nano: int | None = None
    amount_remaining_nano: int | None = None  # a partly paid invoice: paid + remaining = what is owed
    headline_nano: int | None = None
    lines: list[InvoiceLine] = field(default_factory=list)
    pages: int = 0
    text_mode: str | None = None  # "layout", "plain" or "text" (what the parse read)
    reading_problems: list[Problem] = field(default_factory=list)

    @property
    def date(self) -> date | None:
        """The invoice's date: Date of issue; a receipt, which prints none, gives its Date paid."""
        return self.issued_on or self.paid_on

    @property
    def problems(self) -> list[Problem]:
        """Problems found while reading plus those the current field values show."""
        return self.reading_problems + check(self)

    @property
    def confident(self) -> bool:
        return not self.problems

    def billing_period(self) -> tuple[date | None, date | None]:
        """The period as set, else the first line's service period, else the calendar month of the date."""
        if self.period_from is not None:
            return self.period_from, self.period_to
        for line in self.lines:
            if line.period_from is not None:
                return line.period_from, line.period_to
        if self.date is None:
            return None, None
        first = self.date.replace(day=1)
        return first, first.replace(day=calendar.monthrange(first.year, first.month)[1])

    def class_sums(self) -> dict[str, int]:
        sums = dict.fromkeys(CLASSES, 0)
        for line in self.lines:
            sums[line.line_class] += line.amount_nano
        return sums


def _money(nano: int) -> str:
    return format_plain(nano) or "0.00"


def check(inv: ParsedInvoice) -> list[Problem]:
    """The fields a stored invoice needs and the arithmetic a Stripe invoice always satisfies.

    Tolerances are one cent per line for the line sum (each printed line is rounded) and one cent
    for every other identity.
    """
    problems: list[Problem] = []

    def need(name: str, message: str) -> None:
        if getattr(inv, name) in (None, ""):
            problems.append(Problem(name, message, essential=True))

    need("provider", "vendor not recognised (if it is Anthropic, OpenAI or Cursor, pass --provider)")
    need("invoice_number", "no invoice number found")
    if inv.date is None:
        problems.append(Problem("issued_on", "no date of issue (or date paid) found", essential=True))
    need("currency", "no currency found")
    need("total_nano", "no Total found")
    if inv.subtotal_nano is None:
        problems.append(Problem("subtotal_nano", "no Subtotal found"))
    if inv.provider is not None and inv.provider not in PROVIDERS:
        problems.append(Problem("provider", f"provider must be one of {', '.join(PROVIDERS)}", essential=True))
    if inv.kind not in KINDS:
        problems.append(Problem("kind", f"kind must be one of {', '.join(KINDS)}", essential=True))
    for number, line in enumerate(inv.lines, 1):
        if line.line_class not in CLASSES:
            problems.append(Problem("lines", f"line {number}: class must be one of {', '.join(CLASSES)}", True))
    if not inv.lines:
        problems.append(Problem("lines", "no line items found", essential=True))
    elif inv.subtotal_nano is not None:
        lines_sum = sum(line.amount_nano for line in inv.lines)
        if abs(lines_sum - inv.subtotal_nano) > NANO_PER_CENT * len(inv.lines):
            message = f"line items add up to {_money(lines_sum)}, not the Subtotal {_money(inv.subtotal_nano)}"
            problems.append(Problem("lines", message))
    if inv.subtotal_nano is not None and inv.total_nano is not None:
        if inv.total_excluding_tax_nano is not None:
            _identity(problems, "discount_nano", inv.subtotal_nano - inv.discount_nano, inv.total_excluding_tax_nano,
                      "Subtotal − discounts", "Total excluding tax")  # fmt: skip
        _identity(problems, "total_nano", inv.subtotal_nano - inv.discount_nano + inv.tax_nano, inv.total_nano,
                  "Subtotal − discounts + tax", "Total")  # fmt: skip
    if inv.total_nano is not None:
        owed = (inv.total_nano + inv.applied_balance_nano, inv.total_nano - abs(inv.applied_balance_nano))
        paid = inv.amount_paid_nano
        if paid is not None and inv.amount_remaining_nano is not None:
            paid += inv.amount_remaining_nano  # (Amount paid 200.00, Amount remaining 400.00 of 600.00 due)
        for name, label, value in (("amount_due_nano", "Amount due", inv.amount_due_nano),
                                   ("amount_paid_nano", "Amount paid + remaining" if inv.amount_remaining_nano
                                    is not None else "Amount paid", paid)):  # fmt: skip
            if value is not None and not any(abs(value - o) <= NANO_PER_CENT for o in owed):
                problems.append(
                    Problem(name, f"Total − applied balance is {_money(owed[1])}, but {label} is {_money(value)}")
                )
        if inv.headline_nano is not None and not any(abs(inv.headline_nano - o) <= NANO_PER_CENT for o in owed):
            problems.append(
                Problem("total_nano", f"the headline says {_money(inv.headline_nano)}, the summary {_money(owed[1])}")
            )
    return problems


def _identity(problems: list[Problem], name: str, left: int, right: int, left_label: str, right_label: str) -> None:
    if abs(left - right) > NANO_PER_CENT:
        problems.append(Problem(name, f"{left_label} is {_money(left)}, but {right_label} is {_money(right)}"))
