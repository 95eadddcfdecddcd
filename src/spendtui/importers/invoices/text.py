"""Reading an invoice from its extracted text, whether pypdf kept rows together or tore them apart.

Layout-mode text keeps a row on one line (``Claude Team - Standard seat  8  $30.00  $240.00``).
Plain-mode text of a Stripe PDF often comes in content-stream order: a block of labels, then a
block of values; all descriptions, then all quantities, then all amounts; summary values before
their labels. Both shapes are read by the same walk over the lines: a row that carries its own
amount is taken as it is, and whatever is left over (bare labels, bare amounts, bare quantities)
is paired up by position, then accepted only if the invoice's arithmetic agrees.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field

from spendtui.config import PROVIDER_NAMES
from spendtui.importers.invoices import tokens
from spendtui.importers.invoices.classify import arithmetic_holds, classify_line
from spendtui.importers.invoices.model import InvoiceLine, ParsedInvoice, Problem

# Stripe's English labels and their de / fr / es renderings. Matching is on the whole label.
_HEAD_LABELS = {
    "invoice_number": ("invoice number", "rechnungsnummer", "numéro de facture", "número de factura"),
    "receipt_number": ("receipt number", "belegnummer", "quittungsnummer", "numéro de reçu", "número de recibo"),
    "issued_on": ("date of issue", "issue date", "rechnungsdatum", "ausstellungsdatum", "date d'émission",
                  "date de facturation", "fecha de emisión"),
    "due_on": ("date due", "due date", "fälligkeitsdatum", "fällig am", "date d'échéance", "fecha de vencimiento"),
    "paid_on": ("date paid", "zahlungsdatum", "bezahlt am", "date de paiement", "fecha de pago"),
    "payment_method": ("payment method", "zahlungsmethode", "moyen de paiement", "método de pago"),
}  # fmt: skip
_SUMMARY_LABELS = {
    "subtotal": ("subtotal", "zwischensumme", "sous-total"),
    "total_excluding_tax": ("total excluding tax", "gesamtbetrag ohne steuern", "summe ohne steuern",
                            "total hors taxes", "total hors tva", "total sin impuestos"),
    "total": ("total", "gesamt", "gesamtbetrag", "summe"),
    "applied_balance": ("applied balance", "angewandtes guthaben", "verrechnetes guthaben", "solde appliqué",
                        "saldo aplicado"),
    "amount_due": ("amount due", "fälliger betrag", "montant dû", "importe adeudado", "importe a pagar"),
    "amount_paid": ("amount paid", "bezahlter betrag", "gezahlter betrag", "montant payé", "importe pagado"),
    "amount_remaining": ("amount remaining", "verbleibender betrag", "montant restant", "importe pendiente"),
}  # fmt: skip
_TAX = re.compile(r"\b(tax|taxes|vat|gst|hst|pst|qst|ust|mwst|umsatzsteuer|tva|iva|reverse charge)\b", re.IGNORECASE)
_DISCOUNT = re.compile(r"%\s*(off|rabatt|de remise|de descuento)\b|\b(discount|rabatt|remise|descuento)\b",
                       re.IGNORECASE)  # fmt: skip
_TITLES = {"invoice": "invoice rechnung facture factura", "receipt": "receipt quittung beleg reçu recibo"}
_TABLE_START = re.compile(r"^(description|beschreibung|désignation|descripción)\b", re.IGNORECASE)
_TABLE_WORDS = re.compile(
    r"^(description|beschreibung|désignation|descripción|qty|quantity|menge|qté|quantité|cantidad|unit price"
    r"|stückpreis|einzelpreis|prix unitaire|precio unitario|amount|betrag|montant|importe|tax|steuer|tva|iva)"
    r"(\s*\(excl\. tax\))?$",
    re.IGNORECASE,
)
_PAGE = re.compile(r"\s*\b(page|seite|página)\s+\d+\s+(of|von|sur|de)\s+\d+\s*$", re.IGNORECASE)
_HEADLINE = re.compile(rf"^(?P<money>{tokens.MONEY})\s+(?P<verb>due|paid on|paid)\b", re.IGNORECASE)
_FOOTER = re.compile(rf"\S\s+·\s+{tokens.MONEY}|(?:{tokens.MONEY})\s+(?:due|paid on|paid)\b", re.IGNORECASE)
_LEADING_MONEY = re.compile(rf"^(?P<money>{tokens.MONEY})\s*(?P<label>[^\d\s].*)$")
_QUANTITY = re.compile(r"^\d+(?:[.,]\d+)?$")
_PERCENT = re.compile(r"^\d+(?:[.,]\d+)?\s?%$")
_TRAILING_PERCENT = re.compile(r"\s+\d+(?:[.,]\d+)?\s?%$")
_ROW_TAIL = re.compile(rf"^(?P<desc>.*?\S)(?:\s+(?P<qty>\d+(?:[.,]\d+)?))?\s+(?P<unit>{tokens.MONEY})$")
_STRIPE_NUMBER = re.compile(r"(?<![\w-])[A-Z0-9]{3,12}-\d{4,}(?![\w-])")  # a whole token, not part of RS-2026-0410
_RECEIPT_NUMBER = re.compile(r"\b\d{3,5}(?:-\d{3,5}){1,3}\b")
_USAGE_MONTH = re.compile(r"\b(for|für|pour|para)\s+\w+\.?\s+\d{4}\s*$", re.IGNORECASE)
_USAGE_WORD = re.compile(r"\b(usage|nutzung|utilisation|uso)\b", re.IGNORECASE)

_SELLERS = (  # legal names first: they identify the seller, not the customer or a model name
    ("anthropic", re.compile(r"Anthropic,?\s+(?:PBC|Ireland,?\s+Limited|Ireland\s+Ltd\.?|Limited|Ltd\.?)")),
    ("openai", re.compile(r"OpenAI(?:,?\s+OpCo)?,?\s+(?:L\.?L\.?C\.?|Ireland\s+(?:Limited|Ltd\.?)|Ltd\.?)")),
    ("cursor", re.compile(r"Anysphere(?:,?\s+Inc\.?)?")),
)
_BRANDS = (
    ("anthropic", re.compile(r"\bAnthropic\b")),
    ("openai", re.compile(r"\bOpenAI\b")),
    ("cursor", re.compile(r"^Cursor\b")),
)


def _label(text: str, table: dict[str, tuple[str, ...]]) -> str | None:
    wanted = text.strip().rstrip(":").strip().lower()
    for key, names in table.items():
        if wanted in names:
            return key
    return None


def _head_label(line: str) -> tuple[str, str] | None:
    """(field, rest of the line) when a line starts with a key/value label."""
    lowered = line.lower()
    for key, names in _HEAD_LABELS.items():
        for name in names:
            if lowered.startswith(name) and (len(line) == len(name) or not line[len(name)].isalnum()):
                rest = line[len(name) :].strip().lstrip(":").strip()
                return key, re.split(r"\s{2,}", rest)[0] if rest else ""
    return None


@dataclass
class _Walk:
    """What the line walk collected, before torn columns are lined up."""

    items: list[InvoiceLine] = field(default_factory=list)
    descriptions: list[InvoiceLine] = field(default_factory=list)  # rows that lost their amounts
    quantities: list[str] = field(default_factory=list)
    amounts: list[str] = field(default_factory=list)  # bare money tokens, in reading order
    summary: dict[str, list[str]] = field(default_factory=dict)  # label key -> money tokens
    bare_labels: list[tuple[str, bool]] = field(default_factory=list)  # (label key, matched exactly)


def parse_text(text: str, *, provider: str | None = None, mode: str = "text") -> ParsedInvoice:
    """Read an invoice or receipt from text; never raises on content, it reports problems instead."""
    lines = _lines(text)
    inv = ParsedInvoice(text_mode=mode)
    mark = tokens.decimal_mark([m.group(0) for line in lines for m in tokens.MONEY_RE.finditer(line)])
    start = next((i for i, line in enumerate(lines) if _TABLE_START.match(line)), None)
    head = lines if start is None else lines[:start]
    _read_head(inv, head, mark)
    inv.kind = _kind(lines, inv)
    inv.provider, inv.vendor, doubt = _vendor(head, lines, provider)
    if doubt:
        inv.reading_problems.append(Problem("provider", doubt))
    inv.currency = _currency(lines, inv)
    if start is None:
        inv.reading_problems.append(Problem("lines", "no line-item table (no Description/Qty/Amount header) found"))
    else:
        walk = _walk(lines[start + 1 :], mark)
        _line_up(inv, walk, mark)
    in_arrears = any(_USAGE_MONTH.search(line) and _USAGE_WORD.search(line) for line in head)  # "Cursor Usage for <Month>"
    for line in inv.lines:
        line.line_class = classify_line(line, in_arrears=in_arrears)
    _period(inv, head)
    return inv


def _lines(text: str) -> list[str]:
    result = []
    for raw in tokens.normalise(text).splitlines():
        line = _PAGE.sub("", raw).strip()
        if line:
            result.append(line)
    return result


def _read_head(inv: ParsedInvoice, head: list[str], mark: str) -> None:
    """Key/value pairs, whether a value shares its label's line or follows in a block of values."""
    values: dict[str, str] = {}
    pending: list[str] = []
    for line in head:
        found = _head_label(line)
        if found:
            key, rest = found
            if rest:
                values.setdefault(key, rest)
            else:
                pending.append(key)
            continue
        if pending:
            key = pending.pop(0)
            values.setdefault(key, re.split(r"\s{2,}", line)[0])
            continue
        headline = _HEADLINE.match(line)
        if headline and inv.headline_nano is None:
            money = tokens.money_value(headline.group("money"), mark)
            inv.headline_nano = money.nano if money else None
    if pending:
        inv.reading_problems.append(Problem(pending[0], f"no value found for the label {pending[0]!r}"))
    number = values.get("invoice_number")
    if number:
        stripe = _STRIPE_NUMBER.search(number)
        inv.invoice_number = stripe.group(0) if stripe else number.split()[0]
    receipt = values.get("receipt_number")
    if receipt:
        found = _RECEIPT_NUMBER.search(receipt)
        inv.receipt_number = found.group(0) if found else receipt.lstrip("#").split()[0]
    for key in ("issued_on", "due_on", "paid_on"):
        if key in values:
            parsed = tokens.parse_date(values[key])
            if parsed is None:
                inv.reading_problems.append(Problem(key, f"{values[key]!r} is not a date"))
            setattr(inv, key, parsed)


def _kind(lines: list[str], inv: ParsedInvoice) -> str:
    title = lines[0].split()[0].lower() if lines else ""
    if title in _TITLES["receipt"].split() or inv.receipt_number:
        return "receipt"
    return "invoice"


def _vendor(head: list[str], lines: list[str], override: str | None) -> tuple[str | None, str | None, str | None]:
    """(provider, seller, doubt). A legal name anywhere identifies the seller; a bare brand counts
    only in the block above the table. ``--provider`` names a vendor the PDF does not, but never
    silently overrules one it does (a mixed batch given one --provider would be mislabelled).
    """
    text = "\n".join(lines)
    found = next(((p, m.group(0)) for p, pattern in _SELLERS if (m := pattern.search(text))), None)
    if found is None:
        brands = {p for p, pattern in _BRANDS if any(pattern.search(line) for line in head)}
        found = (brands.pop(), None) if len(brands) == 1 else None
    if override is None:
        return (found[0], found[1] or PROVIDER_NAMES[found[0]], None) if found else (None, None, None)
    if found and found[0] != override:
        seller = found[1] or PROVIDER_NAMES[found[0]]
        return override, PROVIDER_NAMES[override], f"the PDF names {seller} ({found[0]}), not {override}"
    return override, (found[1] if found and found[1] else PROVIDER_NAMES[override]), None


def _currency(lines: list[str], inv: ParsedInvoice) -> str | None:
    """The headline's ISO code (``$1,140.00 USD due``) when printed, else the one symbol all amounts use."""
    for line in lines:
        headline = _HEADLINE.match(line)
        if headline and re.search(rf"\b({'|'.join(tokens.ISO_CODES)})\b", headline.group("money")):
            return tokens.currency_of(headline.group("money"))
    codes = {tokens.currency_of(m.group(0)) for line in lines for m in tokens.MONEY_RE.finditer(line)}
    codes.discard(None)
    if len(codes) > 1:
        message = f"amounts in more than one currency: {', '.join(sorted(codes))}"
        inv.reading_problems.append(Problem("currency", message))
        return None
    return codes.pop() if codes else None


def _is_noise(line: str, in_summary: bool) -> bool:
    """Page footers (``QZ7KD2RA-0012 · $1,140.00 USD due …``), headlines and repeated table headers."""
    if _FOOTER.search(line):
        return True
    return not in_summary and bool(_TABLE_START.match(line) or _TABLE_WORDS.match(line))


def _walk(lines: Iterable[str], mark: str) -> _Walk:
    walk = _Walk()
    in_summary = False
    last: InvoiceLine | None = None  # the row a period line or a wrapped description belongs to
    last_has_amount = False
    for line in lines:
        if _is_noise(line, in_summary):
            last, last_has_amount = None, False
            continue
        tail = tokens.trailing_money(line) or _value_first(line)
        label_text = tail[0] if tail else line
        key, exact = _label(label_text, _SUMMARY_LABELS), True
        if key is None and in_summary and label_text:
            exact = False
            if _TAX.search(label_text):
                key = "tax"
            elif _DISCOUNT.search(label_text) or (tail and tokens.money_value(tail[1], mark).nano < 0):
                key = "discount"
        if key:
            in_summary, last, last_has_amount = True, None, False
            if tail and tail[0]:
                walk.summary.setdefault(key, []).append(tail[1])
            else:
                walk.bare_labels.append((key, exact))
            continue
        money = tokens.only_money(line)
        if money:
            walk.amounts.append(money)
        elif in_summary:
            continue  # notes after the summary (reverse-charge wording, seller footer)
        elif not tail and last_has_amount and last.period_from is None and not tokens.is_range_line(line):
            last.description = f"{last.description} {line}"  # a description wrapped onto a second line
        elif _QUANTITY.match(line):
            walk.quantities.append(line)
        elif _PERCENT.match(line):
            continue  # a torn-off tax-rate column
        elif tokens.is_range_line(line):
            if last is not None and last.period_from is None:
                last.period_from, last.period_to = tokens.parse_range(line)
            last, last_has_amount = None, False
        elif tail:
            last, last_has_amount = _row(tail[0], tail[1], mark), True
            walk.items.append(last)
        else:
            last, last_has_amount = InvoiceLine(description=line, amount_nano=0), False
            walk.descriptions.append(last)
    return walk


def _value_first(line: str) -> tuple[str, str] | None:
    """``$1,020.17Subtotal``: plain mode glues a value drawn before its label onto the label."""
    found = _LEADING_MONEY.match(line)
    if found and _label(found.group("label"), _SUMMARY_LABELS):
        return found.group("label"), found.group("money")
    return None


def _row(before: str, amount: str, mark: str) -> InvoiceLine:
    """A row with its amount: ``<description> [qty] [unit price] [tax %] <amount>``."""
    before = _TRAILING_PERCENT.sub("", before)
    line = InvoiceLine(description=before, amount_nano=tokens.money_value(amount, mark).nano)
    found = _ROW_TAIL.match(before)
    if found:
        line.description = found.group("desc")
        line.unit_price_nano = tokens.money_value(found.group("unit"), mark).nano
        line.quantity = _quantity(found.group("qty"), mark)
    return line


def _quantity(text: str | None, mark: str) -> str | None:
    if text is None:
        return None
    value = tokens.number_value(text, mark)
    return None if value is None else format(value.normalize(), "f")


def _line_up(inv: ParsedInvoice, walk: _Walk, mark: str) -> None:
    """Set lines and summary figures, pairing torn-off labels, quantities and amounts by position."""

    def nano(token: str) -> int:
        return tokens.money_value(token, mark).nano

    amounts = [nano(a) for a in walk.amounts]
    summary = {key: [nano(v) for v in values] for key, values in walk.summary.items()}
    # A bare tax or discount wording is a label only when labels and values were torn apart;
    # next to inline pairs it is a note ("Tax to be paid on reverse charge basis").
    bare = [key for key, exact in walk.bare_labels if exact or not walk.summary]
    table_count = len(amounts) - len(bare)
    if bare and table_count < 0:
        inv.reading_problems.append(
            Problem("subtotal_nano", f"{len(bare)} summary labels but only {len(amounts)} amounts")
        )
    elif bare:
        for key, value in zip(bare, amounts[table_count:]):
            summary.setdefault(key, []).append(value)
    first = {key: values[0] for key, values in summary.items()}
    inv.subtotal_nano = first.get("subtotal")
    inv.total_excluding_tax_nano = first.get("total_excluding_tax")
    inv.total_nano = first.get("total")
    inv.applied_balance_nano = first.get("applied_balance", 0)
    inv.amount_due_nano = first.get("amount_due")
    inv.amount_paid_nano = first.get("amount_paid")
    inv.amount_remaining_nano = first.get("amount_remaining")
    inv.tax_nano = sum(summary.get("tax", []))
    inv.discount_nano = sum(abs(v) for v in summary.get("discount", []))

    table_amounts = amounts[: max(table_count, 0)]
    inv.lines = list(walk.items)
    if walk.items and not table_amounts:
        return  # rows carried their own amounts; stray text lines are notes
    if walk.descriptions or table_amounts:
        torn = _torn_rows(walk, table_amounts, inv.subtotal_nano, mark)
        if torn is None:
            inv.reading_problems.append(
                Problem("lines", f"could not line up {len(walk.descriptions)} descriptions with "
                                 f"{len(table_amounts)} amounts and {len(walk.quantities)} quantities")
            )  # fmt: skip
        else:
            inv.lines = torn


def _torn_rows(walk: _Walk, amounts: list[int], subtotal: int | None, mark: str) -> list[InvoiceLine] | None:
    """Rows whose columns came out one after another: descriptions, quantities, then money columns.

    With n descriptions, n amounts are the Amount column; 2n are Unit price and Amount, either
    column after column or row after row, and the reading whose arithmetic holds is taken.
    """
    rows = walk.descriptions
    n = len(rows)
    if n == 0 or walk.items:
        return None
    quantities = [_quantity(q, mark) for q in walk.quantities] if len(walk.quantities) == n else [None] * n
    if len(amounts) == n:
        readings = [([None] * n, amounts)]
    elif len(amounts) == 2 * n:
        readings = [(amounts[:n], amounts[n:]), (amounts[0::2], amounts[1::2])]
    else:
        return None
    scored = []
    for units, values in readings:
        candidate = [
            InvoiceLine(row.description, value, qty, unit, row.period_from, row.period_to)
            for row, qty, unit, value in zip(rows, quantities, units, values)
        ]
        score = sum(arithmetic_holds(line) for line in candidate) + (
            n if subtotal is not None and sum(values) == subtotal else 0
        )
        scored.append((score, values, candidate))
    best = max(score for score, _, _ in scored)
    winners = {tuple(values) for score, values, _ in scored if score == best}
    if len(winners) > 1:
        return None  # two readings fit equally well: a guess is not a reading
    return next(candidate for score, _, candidate in scored if score == best)


def _period(inv: ParsedInvoice, head: list[str]) -> None:
    """The first service period printed, else a ``Usage for <Month YYYY>`` heading, else the issue month."""
    if not any(line.period_from for line in inv.lines):
        for line in head:
            found = tokens.month_period(line) if _USAGE_MONTH.search(line) else None
            if found:
                inv.period_from, inv.period_to = found
                return
    inv.period_from, inv.period_to = inv.billing_period()
