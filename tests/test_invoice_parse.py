"""Reading vendor invoice PDFs: the committed fixtures in tests/data/invoices (see tests/invoice_pdfs.py)."""

from __future__ import annotations

import io
from datetime import date

import pytest

from conftest import FIXTURES
from spendtui.importers.invoices import InvoiceFileError, InvoiceLine, classify_line, parse_pdf, parse_text
from spendtui.importers.invoices import pdf as pdf_module
from spendtui.importers.invoices.tokens import decimal_mark, money_value, normalise, only_money, parse_date, parse_range
from spendtui.money import format_plain

PDFS = FIXTURES / "invoices"


def summary(inv) -> dict:
    sums = inv.class_sums()
    return {
        "provider": inv.provider,
        "vendor": inv.vendor,
        "kind": inv.kind,
        "number": inv.invoice_number,
        "receipt": inv.receipt_number,
        "date": str(inv.date),
        "period": f"{inv.period_from}..{inv.period_to}",
        "currency": inv.currency,
        "subtotal": format_plain(inv.subtotal_nano),
        "discount": format_plain(inv.discount_nano),
        "tax": format_plain(inv.tax_nano),
        "total": format_plain(inv.total_nano),
        "applied": format_plain(inv.applied_balance_nano),
        "due": format_plain(inv.amount_due_nano),
        "classes": [format_plain(sums[c]) for c in ("fixed_subscription", "pool_topup", "other")],
        "lines": len(inv.lines),
    }


EXPECTED = {
    "anthropic-team.pdf": dict(
        provider="anthropic", vendor="Anthropic, PBC", kind="invoice", number="QZ7KD2RA-0012", receipt=None,
        date="2026-10-01", period="2026-10-01..2026-10-31", currency="USD", subtotal="1140.00", discount="0.00",
        tax="0.00", total="1140.00", applied="0.00", due="1140.00", classes=["840.00", "300.00", "0.00"], lines=3),
    "anthropic-team-receipt.pdf": dict(
        provider="anthropic", vendor="Anthropic, PBC", kind="receipt", number="QZ7KD2RA-0012",
        receipt="2554-1935-9612", date="2026-10-01", period="2026-10-01..2026-10-31", currency="USD",
        subtotal="1140.00", discount="0.00", tax="0.00", total="1140.00", applied="0.00", due=None,
        classes=["840.00", "300.00", "0.00"], lines=3),
    "anthropic-api-credits-receipt.pdf": dict(
        provider="anthropic", vendor="Anthropic, PBC", kind="receipt", number="OKBBHMMB-0145", receipt="2101-8832",
        date="2026-10-03", period="2026-10-01..2026-10-31", currency="USD", subtotal="90.28", discount="0.00",
        tax="0.00", total="90.28", applied="0.00", due=None, classes=["0.00", "90.28", "0.00"], lines=1),
    "openai-business.pdf": dict(
        provider="openai", vendor="OpenAI", kind="invoice", number="8F3A21C9-0003", receipt=None, date="2026-10-05",
        period="2026-10-05..2027-10-04", currency="USD", subtotal="5300.00", discount="0.00", tax="0.00",
        total="5300.00", applied="-520.00", due="4780.00", classes=["4800.00", "500.00", "0.00"], lines=2),
    "openai-api-credits-ie.pdf": dict(
        provider="openai", vendor="OpenAI Ireland Limited", kind="invoice", number="ZK2P9QWE-0041", receipt=None,
        date="2026-10-01", period="2026-10-01..2026-10-31", currency="USD", subtotal="500.00", discount="0.00",
        tax="0.00", total="500.00", applied="0.00", due="500.00", classes=["0.00", "500.00", "0.00"], lines=1),
    "openai-chatgpt-es.pdf": dict(
        provider="openai", vendor="OpenAI, LLC", kind="invoice", number="5RT8WQ1Z-0002", receipt=None,
        date="2026-10-05", period="2026-10-05..2026-11-04", currency="USD", subtotal="90.00", discount="0.00",
        tax="0.00", total="90.00", applied="0.00", due="90.00", classes=["90.00", "0.00", "0.00"], lines=1),
    "cursor-usage.pdf": dict(
        provider="cursor", vendor="Anysphere, Inc.", kind="invoice", number="C4T9PLQ2-0021", receipt=None,
        date="2026-11-01", period="2026-10-01..2026-10-31", currency="USD", subtotal="212.47", discount="0.00",
        tax="0.00", total="212.47", applied="0.00", due="212.47", classes=["0.00", "0.00", "212.47"], lines=3),
    "cursor-usage-balance.pdf": dict(
        provider="cursor", vendor="Anysphere, Inc.", kind="invoice", number="E1A2B3C4-0007", receipt=None,
        date="2025-02-01", period="2025-01-01..2025-01-31", currency="USD", subtotal="0.40", discount="0.00",
        tax="0.00", total="0.40", applied="-0.40", due="0.00", classes=["0.00", "0.00", "0.40"], lines=1),
    "cursor-teams-multipage.pdf": dict(
        provider="cursor", vendor="Anysphere, Inc.", kind="invoice", number="7HX2KD9Q-0031", receipt=None,
        date="2026-10-31", period="2026-10-01..2026-10-31", currency="USD", subtotal="1020.17", discount="204.03",
        tax="59.17", total="875.31", applied="0.00", due="875.31", classes=["480.00", "0.00", "540.17"], lines=28),
    "cursor-teams-de.pdf": dict(
        provider="cursor", vendor="Anysphere, Inc.", kind="invoice", number="9D2C71AB-0004", receipt=None,
        date="2026-10-01", period="2026-10-01..2026-10-31", currency="EUR", subtotal="1440.00", discount="0.00",
        tax="273.60", total="1713.60", applied="0.00", due="1713.60", classes=["1440.00", "0.00", "0.00"], lines=1),
}  # fmt: skip


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_fixture_invoices_parse_with_confidence(name):
    inv = parse_pdf(PDFS / name)
    assert inv.problems == []
    assert summary(inv) == EXPECTED[name]
    assert inv.text_mode == "layout"
    assert len(inv.sha256) == 64


def test_seat_lines_keep_quantity_unit_price_and_the_last_day_of_their_service_period():
    lines = parse_pdf(PDFS / "anthropic-team.pdf").lines
    rows = [(x.description, x.quantity, format_plain(x.unit_price_nano), format_plain(x.amount_nano)) for x in lines]
    assert rows == [
        ("Claude Team - Standard seat", "8", "30.00", "240.00"),
        ("Claude Team - Premium seat", "4", "150.00", "600.00"),
        ("Extra usage credits", "1", "300.00", "300.00"),
    ]
    assert (lines[0].period_from, lines[0].period_to) == (date(2026, 10, 1), date(2026, 10, 31))
    assert lines[2].period_from is None
    assert [x.line_class for x in lines] == ["fixed_subscription", "fixed_subscription", "pool_topup"]


def test_multipage_invoice_reads_both_pages_proration_credits_discount_and_tax():
    inv = parse_pdf(PDFS / "cursor-teams-multipage.pdf")
    assert inv.pages == 2
    first, *prorations, unused, courtesy = inv.lines
    assert (first.description, first.line_class) == ("Cursor Teams", "fixed_subscription")
    assert len(prorations) == 25  # 13 on page 1, 12 on page 2: the page footer and header did not split a row
    assert all(p.description.startswith("Remaining time on 1 × Cursor Teams after") for p in prorations)
    assert {p.line_class for p in prorations} == {"other"}
    assert prorations[1].quantity is None and prorations[0].quantity == "1"  # amount-only rows read too
    assert prorations[-1].period_from == date(2026, 10, 26)
    assert (unused.description, format_plain(unused.amount_nano), unused.line_class) == (
        "Unused time on Cursor Teams after 20 Oct 2026", "-15.48", "other")  # fmt: skip
    assert (courtesy.description, format_plain(courtesy.amount_nano), courtesy.line_class) == (
        "Courtesy credit", "-25.00", "other")  # fmt: skip


def test_decimal_comma_euro_invoice_in_german():
    inv = parse_pdf(PDFS / "cursor-teams-de.pdf")
    (line,) = inv.lines
    assert (line.quantity, format_plain(line.unit_price_nano)) == ("40", "36.00")
    assert format_plain(line.amount_nano) == "1440.00"
    assert inv.due_on == date(2026, 10, 15)
    assert (line.period_from, line.period_to) == (date(2026, 10, 1), date(2026, 10, 31))


def test_reverse_charge_vat_reads_as_zero_tax_and_its_note_is_not_a_label():
    inv = parse_pdf(PDFS / "openai-api-credits-ie.pdf")
    assert inv.tax_nano == 0
    assert inv.total_excluding_tax_nano == inv.total_nano == 500 * 10**9


# -- torn columns --------------------------------------------------------------------------------
def _text(name: str, mode: str) -> str:
    from pypdf import PdfReader

    return "\n".join(p.extract_text(extraction_mode=mode) for p in PdfReader(PDFS / name).pages)


def test_plain_extraction_of_the_torn_fixture_really_tears_rows_and_summary_apart():
    plain = [line.strip() for line in _text("anthropic-team-torn.pdf", "plain").splitlines()]
    assert "Claude Team - Standard seat" in plain  # its row lost qty, unit price and amount
    assert plain[plain.index("Extra usage credits") + 1 : plain.index("Extra usage credits") + 4] == ["8", "4", "1"]
    assert plain.index("$1,140.00") < plain.index("Subtotal")  # summary values come before their labels
    assert plain[plain.index("Invoice number") + 1] == "Date of issue"  # labels block, then values block
    layout = _text("anthropic-team-torn.pdf", "layout")
    assert any("Claude Team - Standard seat" in line and "$240.00" in line for line in layout.splitlines())


def test_torn_plain_text_parses_to_the_same_invoice_as_the_layout_text():
    torn = parse_text(_text("anthropic-team-torn.pdf", "plain"), mode="plain")
    assert torn.problems == []
    assert summary(torn) == EXPECTED["anthropic-team.pdf"]
    assert [(x.quantity, x.unit_price_nano, x.period_to) for x in torn.lines] == [
        (x.quantity, x.unit_price_nano, x.period_to) for x in parse_pdf(PDFS / "anthropic-team.pdf").lines
    ]


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_plain_mode_text_of_every_fixture_reads_the_same_as_layout_mode(name):
    inv = parse_text(_text(name, "plain"), mode="plain")
    assert inv.problems == []
    assert summary(inv) == EXPECTED[name]


def test_torn_columns_written_row_after_row_are_lined_up_by_their_arithmetic():
    text = """Receipt
Receipt number
Invoice number
Date paid
2554-1935-9612
PXE7RQGJ-0008
Feb 13, 2025
Cursor
Description Qty Unit price Amount
Cursor Pro
Feb 13 - Mar 13, 2025
Cursor Pro extra
2
1
US$20.00
US$40.00
US$5.00
US$5.00
US$45.00
US$45.00
Subtotal
Total
Anysphere, Inc."""
    inv = parse_text(text)
    assert inv.problems == []
    assert (inv.kind, inv.invoice_number, inv.receipt_number, inv.paid_on) == (
        "receipt", "PXE7RQGJ-0008", "2554-1935-9612", date(2025, 2, 13))  # fmt: skip
    assert [(x.quantity, x.unit_price_nano, x.amount_nano) for x in inv.lines] == [
        ("2", 20 * 10**9, 40 * 10**9),
        ("1", 5 * 10**9, 5 * 10**9),
    ]
    assert (inv.lines[0].period_from, inv.lines[0].period_to) == (date(2025, 2, 13), date(2025, 3, 12))


def test_value_glued_before_its_label_is_read_as_a_summary_pair():
    text = """Invoice
Invoice number 7HX2KD9Q-0031
Date of issue Oct 31, 2026
Cursor
Description Qty Unit price Amount
Cursor Teams 12 $40.00 $480.00
Oct 1 – Nov 1, 2026
Courtesy credit -$25.00
$455.00Subtotal
$455.00Total
$455.00Amount due"""
    inv = parse_text(text)
    assert inv.problems == []
    assert (inv.subtotal_nano, inv.total_nano, inv.amount_due_nano) == (455 * 10**9,) * 3


def test_torn_columns_that_cannot_be_lined_up_are_a_problem_not_a_guess():
    text = BASE.replace("Claude Team - Standard seat 5 $30.00 $150.00\nOct 1 – Nov 1, 2026", "Seat A\nSeat B\n$10.00")
    text = text.format(headline="", summary="$10.00\n$10.00\nSubtotal\nTotal")
    inv = parse_text(text)
    assert any("could not line up 2 descriptions" in str(p) for p in inv.problems)


# -- choosing between layout and plain extraction -------------------------------------------------
def test_plain_text_is_used_when_the_layout_reading_has_problems(monkeypatch):
    real = pdf_module._page_texts

    def broken_layout(path, reader, mode):
        texts = real(path, reader, mode)
        return [t.replace("$240.00", "") for t in texts] if mode == "layout" else texts

    monkeypatch.setattr(pdf_module, "_page_texts", broken_layout)
    inv = parse_pdf(PDFS / "anthropic-team.pdf")
    assert inv.text_mode == "plain"
    assert inv.problems == []


# -- files we cannot read ---------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("encrypted.pdf", "encrypted.pdf: the PDF is encrypted with a password"),
        ("truncated.pdf", "truncated.pdf: damaged PDF: it ends early"),
        ("not-a-pdf.pdf", "not-a-pdf.pdf: not a PDF file"),
        ("missing.pdf", "missing.pdf: cannot read"),
    ],
)
def test_unreadable_files_raise_an_error_naming_the_file(name, message):
    with pytest.raises(InvoiceFileError, match=message):
        parse_pdf(PDFS / name)


def test_corrupt_pdf_with_an_end_marker_is_reported_as_damaged(tmp_path):
    junk = tmp_path / "junk.pdf"
    junk.write_bytes(b"%PDF-1.7\n1 0 obj << /Type /Catalog /Pages 9 0 R >> endobj\ngarbage\n%%EOF\n")
    with pytest.raises(InvoiceFileError, match="junk.pdf: damaged PDF"):
        parse_pdf(junk)


def test_a_pdf_whose_middle_is_garbled_is_damaged_not_a_scan():
    # an invoice with random bytes over its middle, header and %%EOF intact: pypdf finds no page
    with pytest.raises(InvoiceFileError, match="garbled-middle.pdf: damaged PDF: no page can be read"):
        parse_pdf(PDFS / "garbled-middle.pdf")


def test_a_pdf_encrypted_with_only_an_owner_password_opens(tmp_path):
    from pypdf import PdfReader, PdfWriter

    writer = PdfWriter(clone_from=PdfReader(PDFS / "cursor-usage.pdf"))
    writer.encrypt(user_password="", owner_password="owner", algorithm="RC4-128")
    buffer = io.BytesIO()
    writer.write(buffer)
    path = tmp_path / "restricted.pdf"
    path.write_bytes(buffer.getvalue())
    assert summary(parse_pdf(path)) == EXPECTED["cursor-usage.pdf"]


def test_image_only_pdf_is_returned_with_a_no_text_problem():
    inv = parse_pdf(PDFS / "image-only.pdf")
    assert inv.text_mode == "none"
    assert "no text layer" in str(inv.problems[0])
    assert not inv.confident


def test_unknown_layout_is_not_confident():
    inv = parse_pdf(PDFS / "unknown-layout.pdf")
    fields = {p.field for p in inv.problems}
    assert {"provider", "invoice_number", "total_nano", "lines"} <= fields


def test_arithmetic_that_does_not_add_up_is_flagged_and_an_edit_clears_it():
    inv = parse_pdf(PDFS / "arithmetic-off.pdf")
    assert [str(p) for p in inv.problems] == ["line items add up to 1150.00, not the Subtotal 1140.00"]
    assert inv.problems[0].field == "lines"
    inv.lines[0].amount_nano = 240 * 10**9  # what the admin corrects in the editor
    inv.lines[0].line_class = classify_line(inv.lines[0])
    assert inv.confident
    assert inv.lines[0].line_class == "fixed_subscription"


def test_provider_override_names_a_vendor_the_text_does_not():
    text = BASE.replace("Anthropic, PBC", "Acme Billing Services").format(
        headline="", summary="Subtotal $150.00\nTotal $150.00"
    )
    assert parse_text(text).provider is None
    assert [p.field for p in parse_text(text).problems] == ["provider"]
    overridden = parse_text(text, provider="anthropic")
    assert (overridden.provider, overridden.vendor, overridden.confident) == ("anthropic", "Anthropic", True)


# -- arithmetic checks --------------------------------------------------------------------------------
BASE = """Invoice
Invoice number AB12CD34-0001
Date of issue October 1, 2026
Anthropic, PBC
{headline}
Description Qty Unit price Amount
Claude Team - Standard seat 5 $30.00 $150.00
Oct 1 – Nov 1, 2026
{summary}"""


@pytest.mark.parametrize(
    ("headline", "summary_block", "problem"),
    [
        ("$150.00 USD due October 1, 2026", "Subtotal $150.00\nTotal $150.00\nAmount due $150.00", None),
        ("", "Subtotal $150.00\nTotal $160.00", "Subtotal − discounts + tax is 150.00, but Total is 160.00"),
        ("", "Subtotal $150.00\nTotal $150.00\nApplied balance -$50.00\nAmount due $150.00",
         "Total − applied balance is 100.00, but Amount due is 150.00"),
        ("", "Subtotal $150.00\nTotal excluding tax $140.00\nTotal $150.00",
         "Subtotal − discounts is 150.00, but Total excluding tax is 140.00"),
        ("$99.00 USD due October 1, 2026", "Subtotal $150.00\nTotal $150.00",
         "the headline says 99.00, the summary 150.00"),
        ("", "Subtotal $150.00\nTotal $150.00\nAmount due €150.00", "amounts in more than one currency: EUR, USD"),
        ("", "Subtotal $150.00\nSales tax (8% on $150.00) $12.00\nTotal $162.00\nAmount due $162.00", None),
        ("", "Subtotal $150.00\nWelcome (10% off) -$15.00\nTotal $135.00", None),
        ("", "Subtotal $150.00\nTotal $150.00\nAmount due $150.00\nAmount paid $50.00\nAmount remaining $100.00",
         None),  # partly paid
        ("", "Subtotal $150.00\nTotal $150.00\nAmount paid $50.00\nAmount remaining $90.00",
         "Total − applied balance is 150.00, but Amount paid + remaining is 140.00"),
    ],
)  # fmt: skip
def test_summary_arithmetic(headline, summary_block, problem):
    messages = [str(p) for p in parse_text(BASE.format(headline=headline, summary=summary_block)).problems]
    assert messages[:1] == ([problem] if problem else [])


def test_a_cent_of_rounding_per_line_is_tolerated_but_not_two():
    two_lines = BASE.replace(
        "Claude Team - Standard seat 5 $30.00 $150.00", "Seat A $75.01\nOct 1 – Nov 1, 2026\nSeat B $75.01"
    )
    assert parse_text(two_lines.format(headline="", summary="Subtotal $150.00\nTotal $150.00")).confident
    three_cents = two_lines.replace("Seat B $75.01", "Seat B $75.02")
    assert not parse_text(three_cents.format(headline="", summary="Subtotal $150.00\nTotal $150.00")).confident


# -- tokens -------------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("text", "nano", "currency"),
    [
        ("$1,234.56", 1_234_560_000_000, "USD"),
        ("-US$0.40", -400_000_000, "USD"),
        ("\u2212$10.00", -10_000_000_000, "USD"),
        ("€1.234,56", 1_234_560_000_000, "EUR"),
        ("1.234,56 €", 1_234_560_000_000, "EUR"),
        ("1\u202f234,56\u00a0€", 1_234_560_000_000, "EUR"),
        ("1200,00 US$", 1_200_000_000_000, "USD"),
        ("$1,140.00 USD", 1_140_000_000_000, "USD"),
        ("($3.00)", -3_000_000_000, "USD"),
        ("$0.000003", 3_000, "USD"),
    ],
)
def test_money_tokens(text, nano, currency):
    token = only_money(normalise(text))
    money = money_value(token, decimal_mark([token]))
    assert (money.nano, money.currency) == (nano, currency)


def test_a_bare_number_before_an_amount_is_a_quantity_not_money():
    assert only_money("1 US$20.00") is None
    assert only_money("8") is None


@pytest.mark.parametrize(
    "text",
    ["October 1, 2026", "1 October 2026", "Oct 1, 2026", "1. Oktober 2026", "1 octobre 2026",
     "1 de octubre de 2026", "2026-10-01", "1 oct. 2026", "1. Okt. 2026"],
)  # fmt: skip
def test_dates_in_english_german_french_and_spanish(text):
    assert parse_date(text) == date(2026, 10, 1)


@pytest.mark.parametrize(
    ("text", "first", "last"),
    [
        ("Oct 1 \u2013 Nov 1, 2026", date(2026, 10, 1), date(2026, 10, 31)),
        ("Feb 13 - Mar 13, 2025", date(2025, 2, 13), date(2025, 3, 12)),
        ("Dec 15 \u2013 Jan 15, 2027", date(2026, 12, 15), date(2027, 1, 14)),
        ("Oct 5, 2026 \u2013 Oct 5, 2027", date(2026, 10, 5), date(2027, 10, 4)),
        ("1. März – 1. April 2026", date(2026, 3, 1), date(2026, 3, 31)),
        ("1 févr. – 1 mars 2026", date(2026, 2, 1), date(2026, 2, 28)),
    ],
)
def test_service_periods_store_the_last_day_covered(text, first, last):
    assert parse_range(text) == (first, last)


# -- classification -----------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("description", "qty", "unit", "amount", "period", "expected"),
    [
        ("Claude Team - Standard seat", "8", 30, 240, True, "fixed_subscription"),
        ("Cursor Teams", "12", 40, 480, True, "fixed_subscription"),
        ("ChatGPT Business", "20", 240, 4800, True, "fixed_subscription"),
        ("Claude Enterprise seat", "10", 60, 600, False, "fixed_subscription"),
        ("Claude Team - Standard seat", "8", 30, 200, True, "other"),  # qty × unit ≠ amount: proration
        ("Extra usage credits", "1", 300, 300, False, "pool_topup"),
        ("Auto-recharge credits", "1", 90, 90, False, "pool_topup"),
        ("Workspace credits", "1", 500, 500, False, "pool_topup"),
        ("Prepaid top-up", None, None, 100, False, "pool_topup"),
        ("Courtesy credit", None, None, -25, False, "other"),
        ("Remaining time on 3 × Cursor Teams after 15 Oct 2026", "1", 60, 60, True, "other"),
        ("Unused time on Cursor Teams after 20 Oct 2026", None, None, -15, False, "other"),
        ("On-demand usage - claude-opus (MAX mode)", "1", 158, 158, False, "other"),
        ("Enterprise usage billed in arrears", "1", 900, 900, False, "other"),
        ("Seat true-up", "2", 50, 100, False, "other"),
        ("Cursor Token Rate", "1", 4, 4, False, "other"),
        ("Setup fee", "1", 10, 10, False, "other"),
    ],
)
def test_line_classes(description, qty, unit, amount, period, expected):
    line = InvoiceLine(
        description=description,
        amount_nano=amount * 10**9,
        quantity=qty,
        unit_price_nano=None if unit is None else unit * 10**9,
        period_from=date(2026, 10, 1) if period else None,
    )
    assert classify_line(line) == expected


def test_lines_of_a_usage_invoice_are_usage_even_when_a_model_is_called_pro_or_max():
    text = _text("cursor-usage.pdf", "layout")
    text = text.replace("On-demand usage - claude-sonnet-5", "gemini-2.5-pro").replace(
        "On-demand usage - gpt-5", "gpt-5 (MAX mode)")  # fmt: skip
    inv = parse_text(text)
    assert [line.description for line in inv.lines][:2] == ["gemini-2.5-pro", "gpt-5 (MAX mode)"]
    assert {line.line_class for line in inv.lines} == {"other"}


def test_the_fixture_generator_still_renders_invoices_that_parse(tmp_path):
    invoice_pdfs = pytest.importorskip("invoice_pdfs")
    if not invoice_pdfs.FONT.exists():
        pytest.skip("DejaVuSans.ttf is not installed")
    path = tmp_path / "again.pdf"
    path.write_bytes(invoice_pdfs.render(invoice_pdfs.ANTHROPIC_TEAM_TORN))
    assert summary(parse_pdf(path)) == EXPECTED["anthropic-team.pdf"]


def test_a_wrapped_description_joins_its_row_and_a_footer_without_a_dot_is_not_part_of_it():
    text = BASE.replace(
        "Claude Team - Standard seat 5 $30.00 $150.00\nOct 1 – Nov 1, 2026",
        "Remaining time on 5 × Claude Team - Standard seat after 15 Oct    5    $30.00    $150.00\n2026\n"
        "AB12CD34-0001 - $150.00 USD due October 1, 2026\nSeat B $0.00",
    )
    inv = parse_text(text.format(headline="", summary="Subtotal $150.00\nTotal $150.00"))
    assert inv.problems == []
    assert [x.description for x in inv.lines] == [
        "Remaining time on 5 × Claude Team - Standard seat after 15 Oct 2026", "Seat B"]  # fmt: skip


def test_provider_override_never_silently_relabels_a_pdf_that_names_another_vendor():
    inv = parse_pdf(PDFS / "openai-business.pdf", provider="cursor")
    assert [(p.field, str(p)) for p in inv.problems] == [("provider", "the PDF names OpenAI (openai), not cursor")]
    assert parse_pdf(PDFS / "cursor-usage.pdf", provider="cursor").confident


def test_torn_money_columns_that_fit_two_readings_equally_are_not_guessed():
    # Two rows, no quantities, four amounts: 10 20 30 40 reads as units (10, 20) + amounts (30, 40)
    # or as rows (10 -> 20) and (30 -> 40); with no Subtotal or quantity to decide, neither is taken.
    text = BASE.replace("Claude Team - Standard seat 5 $30.00 $150.00\nOct 1 – Nov 1, 2026",
                        "Seat A\nSeat B\n$10.00\n$20.00\n$30.00\n$40.00")  # fmt: skip
    inv = parse_text(text.format(headline="", summary="Total $70.00"))
    assert inv.lines == []
    assert "could not line up 2 descriptions with 4 amounts" in str(inv.problems[0])
