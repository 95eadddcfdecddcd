"""Vendor PDF invoices and receipts (Anthropic, OpenAI, Cursor; Stripe layouts) -> ParsedInvoice.

``parse_pdf(path)`` reads a file; ``parse_text(text)`` reads extracted text (tests, other
extractors). Both return a ``ParsedInvoice`` whose ``problems`` say why it cannot be trusted
unseen; the app shows it in an editor and stores the corrected result with
``spendtui.store.invoices.store_invoice(store, parsed, confirmed=True)``.
"""

from spendtui.importers.invoices.classify import classify_line
from spendtui.importers.invoices.model import CLASSES, KINDS, InvoiceLine, ParsedInvoice, Problem, check
from spendtui.importers.invoices.pdf import InvoiceFileError, parse_pdf
from spendtui.importers.invoices.text import parse_text

__all__ = [
    "CLASSES",
    "KINDS",
    "InvoiceFileError",
    "InvoiceLine",
    "ParsedInvoice",
    "Problem",
    "check",
    "classify_line",
    "parse_pdf",
    "parse_text",
]
