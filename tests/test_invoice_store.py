"""Storing parsed invoices: one purchase once, the PDF kept privately, confirm-after-edit, remove."""

from __future__ import annotations

import os
import stat
from datetime import date

import pytest

from conftest import FIXTURES
from spendtui.errors import SpendtuiError, UsageError
from spendtui.importers.invoices import InvoiceLine, ParsedInvoice, parse_pdf
from spendtui.store import ReadOnlyError, open_store
from spendtui.store.backup import backup
from spendtui.store.invoices import InvoiceNotStored, list_invoices, remove_invoice, store_invoice

PDFS = FIXTURES / "invoices"


def counts(store) -> tuple[int, int]:
    return store.scalar("SELECT COUNT(*) FROM invoices"), store.scalar("SELECT COUNT(*) FROM invoice_lines")


def kept(store) -> list[str]:
    folder = store.path.parent / "spend.db-invoices"
    return sorted(p.name for p in folder.iterdir()) if folder.exists() else []


def test_a_stored_invoice_keeps_its_rows_and_a_private_copy_of_the_pdf(store):
    result = store_invoice(store, parse_pdf(PDFS / "anthropic-team.pdf"))
    assert (result.status, result.file) == ("stored", "spend.db-invoices/anthropic-QZ7KD2RA-0012.pdf")
    copy = store.path.parent / result.file
    assert copy.read_bytes() == (PDFS / "anthropic-team.pdf").read_bytes()
    assert stat.S_IMODE(os.stat(copy).st_mode) == 0o600
    assert counts(store) == (1, 3)
    (listed,) = list_invoices(store)
    assert listed.as_json() == {
        "invoice_number": "QZ7KD2RA-0012", "provider": "anthropic", "vendor": "Anthropic, PBC", "kind": "invoice",
        "date": "2026-10-01", "period": {"from": "2026-10-01", "to": "2026-10-31"}, "currency": "USD",
        "subtotal": "1140.00", "discount": "0.00", "tax": "0.00", "total": "1140.00", "amount_due": "1140.00",
        "fixed_subscription": "840.00", "pool_topup": "300.00", "other": "0.00",
        "file": "spend.db-invoices/anthropic-QZ7KD2RA-0012.pdf",
    }  # fmt: skip
    assert not listed.confirmed_by_user
    lines = store.query(
        "SELECT description, quantity, unit_price_nano, period_to, class FROM invoice_lines ORDER BY line_no"
    )
    assert tuple(lines[0]) == ("Claude Team - Standard seat", "8", 30 * 10**9, "2026-10-31", "fixed_subscription")


def test_the_same_file_twice_is_stored_once(store):
    store_invoice(store, parse_pdf(PDFS / "cursor-usage.pdf"))
    again = store_invoice(store, parse_pdf(PDFS / "cursor-usage.pdf"))
    assert (again.status, again.new) == ("duplicate", False)
    assert "already stored" in again.message
    assert counts(store) == (1, 3)
    assert kept(store) == ["cursor-C4T9PLQ2-0021.pdf"]


def test_a_receipt_after_its_invoice_is_the_same_purchase_and_adds_what_only_it_prints(store):
    store_invoice(store, parse_pdf(PDFS / "anthropic-team.pdf"))
    result = store_invoice(store, parse_pdf(PDFS / "anthropic-team-receipt.pdf"))
    assert result.status == "same_purchase"
    assert counts(store) == (1, 3)
    row = store.query("SELECT kind, receipt_number, paid_on, issued_on FROM invoices")[0]
    assert tuple(row) == ("invoice", "2554-1935-9612", "2026-10-01", "2026-10-01")
    assert kept(store) == ["anthropic-QZ7KD2RA-0012.pdf"]


def test_an_invoice_after_its_receipt_is_the_same_purchase(store):
    store_invoice(store, parse_pdf(PDFS / "anthropic-team-receipt.pdf"))
    result = store_invoice(store, parse_pdf(PDFS / "anthropic-team.pdf"))
    assert result.status == "same_purchase"
    assert counts(store) == (1, 3)
    assert tuple(store.query("SELECT kind, due_on FROM invoices")[0]) == ("receipt", "2026-10-01")


def test_a_receipt_records_what_the_card_was_charged(store):
    store_invoice(store, parse_pdf(PDFS / "anthropic-team-receipt.pdf"))
    assert store.scalar("SELECT amount_due_nano FROM invoices") == 1140 * 10**9  # the receipt's "Amount paid"


def test_the_same_number_with_another_total_is_refused(store):
    store_invoice(store, parse_pdf(PDFS / "anthropic-team.pdf"))
    other = parse_pdf(PDFS / "anthropic-team.pdf")
    other.source, other.sha256, other.total_nano = None, None, 1_000 * 10**9
    with pytest.raises(InvoiceNotStored, match="already stored with Total 1140.00 USD, but this file says 1000.00"):
        store_invoice(store, other)


def test_an_unconfident_parse_writes_nothing(store):
    with pytest.raises(InvoiceNotStored, match="arithmetic-off.pdf: not stored: line items add up to 1150.00") as error:
        store_invoice(store, parse_pdf(PDFS / "arithmetic-off.pdf"))
    assert [p.field for p in error.value.problems] == ["lines"]
    assert counts(store) == (0, 0)
    assert kept(store) == []


def test_confirmed_by_the_admin_an_arithmetic_doubt_is_stored_and_marked(store):
    result = store_invoice(store, parse_pdf(PDFS / "arithmetic-off.pdf"), confirmed=True)
    assert result.status == "stored"
    assert store.scalar("SELECT confirmed_by_user FROM invoices") == 1


def test_a_scanned_invoice_needs_its_essentials_entered_before_it_can_be_confirmed(store):
    parsed = parse_pdf(PDFS / "image-only.pdf")
    with pytest.raises(InvoiceNotStored) as error:
        store_invoice(store, parsed, confirmed=True)
    assert {p.field for p in error.value.problems} == {"provider", "invoice_number", "issued_on", "currency",
                                                       "total_nano", "lines"}  # fmt: skip
    # What the admin types into the editor:
    parsed.provider, parsed.invoice_number, parsed.issued_on = "openai", "SCAN0001-0001", date(2026, 10, 7)
    parsed.currency, parsed.subtotal_nano, parsed.total_nano = "USD", 250 * 10**9, 250 * 10**9
    parsed.lines = [InvoiceLine("Credit purchase", 250 * 10**9, "1", 250 * 10**9, line_class="pool_topup")]
    result = store_invoice(store, parsed, confirmed=True)
    assert (result.status, result.file) == ("stored", "spend.db-invoices/openai-SCAN0001-0001.pdf")
    row = store.query("SELECT vendor, confirmed_by_user, period_from, period_to FROM invoices")[0]
    assert tuple(row) == ("OpenAI", 1, "2026-10-01", "2026-10-31")  # no service period: the month of its date


def test_a_hand_entered_invoice_without_a_file_is_stored_without_one(store):
    entered = ParsedInvoice(provider="cursor", invoice_number="PO-2026-118", issued_on=date(2026, 10, 1),
                            currency="USD", subtotal_nano=400 * 10**9, total_nano=400 * 10**9,
                            lines=[InvoiceLine("Cursor Teams", 400 * 10**9, "10", 40 * 10**9,
                                               line_class="fixed_subscription")])  # fmt: skip
    assert entered.confident
    result = store_invoice(store, entered)
    assert (result.status, result.file) == ("stored", None)
    assert kept(store) == []


def test_the_kept_file_name_is_generated_never_taken_from_the_document(store, tmp_path):
    parsed = parse_pdf(PDFS / "cursor-usage.pdf")
    parsed.invoice_number = "../../../etc/cron.d/x y"
    result = store_invoice(store, parsed)
    assert result.file == "spend.db-invoices/cursor-etc_cron.d_x_y.pdf"
    assert kept(store) == ["cursor-etc_cron.d_x_y.pdf"]


def test_a_stale_file_under_the_generated_name_is_not_overwritten(store):
    folder = store.path.parent / "spend.db-invoices"
    folder.mkdir()
    (folder / "cursor-C4T9PLQ2-0021.pdf").write_bytes(b"someone else's")
    result = store_invoice(store, parse_pdf(PDFS / "cursor-usage.pdf"))
    assert result.file.startswith("spend.db-invoices/cursor-C4T9PLQ2-0021-") and result.file.endswith(".pdf")
    assert (folder / "cursor-C4T9PLQ2-0021.pdf").read_bytes() == b"someone else's"


def test_a_file_changed_between_reading_and_storing_is_refused(store, tmp_path):
    copy = tmp_path / "Invoice-C4T9PLQ2-0021.pdf"
    copy.write_bytes((PDFS / "cursor-usage.pdf").read_bytes())
    parsed = parse_pdf(copy)
    copy.write_bytes((PDFS / "openai-business.pdf").read_bytes())
    with pytest.raises(InvoiceNotStored, match="changed after it was read"):
        store_invoice(store, parsed)


def test_remove_deletes_row_lines_and_file(store):
    store_invoice(store, parse_pdf(PDFS / "cursor-usage.pdf"))
    store_invoice(store, parse_pdf(PDFS / "anthropic-team.pdf"))
    removed = remove_invoice(store, "C4T9PLQ2-0021")
    assert (removed.provider, removed.invoice_number) == ("cursor", "C4T9PLQ2-0021")
    assert counts(store) == (1, 3)
    assert kept(store) == ["anthropic-QZ7KD2RA-0012.pdf"]


def test_remove_finds_a_purchase_by_its_receipt_number(store):
    store_invoice(store, parse_pdf(PDFS / "anthropic-api-credits-receipt.pdf"))
    assert remove_invoice(store, "2101-8832").invoice_number == "OKBBHMMB-0145"
    assert counts(store) == (0, 0)


def test_remove_of_an_unknown_number_fails_and_a_shared_number_needs_a_provider(store):
    with pytest.raises(SpendtuiError, match="no stored invoice or receipt numbered 'NOPE'"):
        remove_invoice(store, "NOPE")
    for provider in ("cursor", "openai"):
        parsed = ParsedInvoice(provider=provider, invoice_number="SAME-0001", issued_on=date(2026, 10, 1),
                               currency="USD", subtotal_nano=10**9, total_nano=10**9,
                               lines=[InvoiceLine("Plan", 10**9, line_class="fixed_subscription")])  # fmt: skip
        store_invoice(store, parsed)
    with pytest.raises(UsageError, match="stored for several providers \\(cursor, openai\\); pass --provider"):
        remove_invoice(store, "SAME-0001")
    assert remove_invoice(store, "SAME-0001", provider="openai").provider == "openai"


def test_a_backup_takes_the_kept_pdfs_along_into_a_folder_of_its_own(store, tmp_path):
    store_invoice(store, parse_pdf(PDFS / "anthropic-team.pdf"))
    beside = backup(store, store.path.parent / "before-cleanup.db").path
    (tmp_path / "away").mkdir()
    away = backup(store, tmp_path / "away").path
    with open_store(away) as copy:
        (invoice,) = list_invoices(copy)
        assert invoice.file == "spend.db-invoices/anthropic-QZ7KD2RA-0012.pdf"
        assert (away.parent / invoice.file).read_bytes() == (PDFS / "anthropic-team.pdf").read_bytes()
    with open_store(beside) as copy:
        assert list_invoices(copy)[0].file == "before-cleanup.db-invoices/anthropic-QZ7KD2RA-0012.pdf"
        remove_invoice(copy, "QZ7KD2RA-0012")
    assert kept(store) == ["anthropic-QZ7KD2RA-0012.pdf"]  # removing it from the copy left the store's PDF


def test_a_read_only_store_refuses_to_store_or_remove(db_path):
    open_store(db_path).close()
    with open_store(db_path, read_only=True) as store:
        with pytest.raises(ReadOnlyError):
            store_invoice(store, parse_pdf(PDFS / "cursor-usage.pdf"))
        with pytest.raises(ReadOnlyError):
            remove_invoice(store, "C4T9PLQ2-0021")


def test_a_store_dir_that_cannot_hold_the_pdf_leaves_no_row(store, monkeypatch):
    def refuse(directory, name, data):
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr("spendtui.store.invoices._write_private", refuse)
    with pytest.raises(InvoiceNotStored, match="cursor-usage.pdf: not stored: cannot keep the PDF in .*denied"):
        store_invoice(store, parse_pdf(PDFS / "cursor-usage.pdf"))
    assert counts(store) == (0, 0)
