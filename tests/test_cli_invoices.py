"""``spendtui invoice add | list | remove`` through the real entry point: output, stderr and exit codes."""

from __future__ import annotations

import csv
import io
import json

import pytest

from conftest import FIXTURES
from spendtui.cli import main

PDFS = FIXTURES / "invoices"


@pytest.fixture
def run(db_path, capsys, monkeypatch):
    monkeypatch.setenv("SPENDTUI_TODAY", "2026-10-20")

    def invoke(*args: str) -> tuple[int, str, str]:
        with pytest.raises(SystemExit) as done:
            main(["--db", str(db_path), *args])
        captured = capsys.readouterr()
        return done.value.code, captured.out, captured.err

    return invoke


def test_add_stores_each_file_and_list_prints_the_cli_json(run, db_path):
    code, out, err = run("invoice", "add", str(PDFS / "anthropic-team.pdf"), str(PDFS / "cursor-usage-balance.pdf"))
    assert (code, out) == (0, "")
    assert "anthropic-team.pdf: stored anthropic invoice QZ7KD2RA-0012" in err
    code, out, _ = run("invoice", "list", "--format", "json")
    assert code == 0
    listed = json.loads(out)
    assert [i["invoice_number"] for i in listed] == ["E1A2B3C4-0007", "QZ7KD2RA-0012"]
    assert listed[0] == {
        "invoice_number": "E1A2B3C4-0007", "provider": "cursor", "vendor": "Anysphere, Inc.", "kind": "invoice",
        "date": "2025-02-01", "period": {"from": "2025-01-01", "to": "2025-01-31"}, "currency": "USD",
        "subtotal": "0.40", "discount": "0.00", "tax": "0.00", "total": "0.40", "amount_due": "0.00",
        "fixed_subscription": "0.00", "pool_topup": "0.00", "other": "0.40",
        "file": "spend.db-invoices/cursor-E1A2B3C4-0007.pdf",
    }  # fmt: skip
    assert (db_path.parent / "spend.db-invoices" / "cursor-E1A2B3C4-0007.pdf").exists()


def test_an_invoice_already_stored_and_its_receipt_exit_0_and_say_so(run):
    run("invoice", "add", str(PDFS / "anthropic-team.pdf"))
    code, _, err = run("invoice", "add", str(PDFS / "anthropic-team.pdf"), str(PDFS / "anthropic-team-receipt.pdf"))
    assert code == 0
    assert "anthropic-team.pdf: already stored as anthropic QZ7KD2RA-0012" in err
    assert "anthropic-team-receipt.pdf: the receipt of a purchase already stored (anthropic QZ7KD2RA-0012" in err
    assert len(json.loads(run("invoice", "list", "--format", "json")[1])) == 1


def test_files_that_fail_are_listed_with_their_reason_and_the_rest_is_stored(run):
    code, _, err = run(
        "invoice", "add", str(PDFS / "encrypted.pdf"), str(PDFS / "openai-business.pdf"),
        str(PDFS / "image-only.pdf"), str(PDFS / "arithmetic-off.pdf"), str(PDFS / "not-a-pdf.pdf"),
        str(PDFS / "truncated.pdf"), str(PDFS / "unknown-layout.pdf"),
    )  # fmt: skip
    assert code == 1
    assert "spendtui: error: encrypted.pdf: the PDF is encrypted with a password" in err
    assert "spendtui: error: image-only.pdf: not stored: the PDF has no text layer" in err
    assert "spendtui: error: arithmetic-off.pdf: not stored: line items add up to 1150.00, not the Subtotal" in err
    assert "spendtui: error: not-a-pdf.pdf: not a PDF file" in err
    assert "spendtui: error: truncated.pdf: damaged PDF" in err
    assert "spendtui: error: unknown-layout.pdf: not stored:\n  - no line-item table" in err
    assert "spendtui: error: 6 of 7 files not stored" in err
    assert [i["invoice_number"] for i in json.loads(run("invoice", "list", "--format", "json")[1])] == ["8F3A21C9-0003"]


def test_global_options_work_between_the_group_and_its_command(db_path, capsys):
    with pytest.raises(SystemExit) as done:
        main(["invoice", "--db", str(db_path), "add", str(PDFS / "cursor-usage.pdf")])
    assert done.value.code == 0
    assert db_path.exists() and "stored cursor invoice" in capsys.readouterr().err


def test_a_doubt_the_admin_has_checked_is_stored_with_confirm_but_a_scan_never(run):
    code, _, err = run("invoice", "add", str(PDFS / "arithmetic-off.pdf"))
    assert code == 1 and "--confirm stores it as read" in err
    code, _, err = run("invoice", "add", "--confirm", str(PDFS / "arithmetic-off.pdf"), str(PDFS / "image-only.pdf"))
    assert code == 1
    assert "image-only.pdf: not stored: the PDF has no text layer" in err and "--confirm" not in err
    (stored,) = json.loads(run("invoice", "list", "--format", "json")[1])
    assert stored["file"].endswith(".pdf") and stored["total"] == "1140.00"  # as read, though it does not add up


def test_csv_lists_the_json_fields_with_a_flat_period(run):
    run("invoice", "add", str(PDFS / "cursor-teams-de.pdf"))
    code, out, _ = run("invoice", "list", "--format", "csv")
    (row,) = list(csv.DictReader(io.StringIO(out)))
    assert code == 0
    assert (row["invoice_number"], row["currency"], row["period_from"], row["period_to"], row["tax"], row["total"]) == (
        "9D2C71AB-0004", "EUR", "2026-10-01", "2026-10-31", "273.60", "1713.60")  # fmt: skip


def test_the_table_ends_with_the_reconciliation_and_names_what_it_left_out(run):
    run("invoice", "add", str(PDFS / "openai-business.pdf"), str(PDFS / "cursor-teams-de.pdf"))
    code, out, _ = run("invoice", "list")
    assert code == 0
    invoices, reconciliation = out.split("\n\n")
    assert "8F3A21C9-0003" in invoices and "9D2C71AB-0004" in invoices
    assert reconciliation.startswith("Reconciliation per provider and month (USD)")
    openai_row = next(line for line in reconciliation.splitlines() if line.startswith("openai"))
    # seat fees: the annual seat line accrues 4800.00 over 365 days from Oct 5, 16 days by Oct 20 = 210.41
    assert openai_row.split()[:9] == ["openai", "2026-10", "(open)", "1", "5300.00", "4800.00", "210.41", "500.00",
                                      "0.00"]  # fmt: skip
    assert "cursor 2026-10: 1 invoice(s) in EUR totalling 1713.60 EUR left out (no [fx] rate for EUR)" in out


def test_reconcile_json_uses_the_configured_fx_rate(run, tmp_path, monkeypatch):
    config = tmp_path / "config.toml"
    config.write_text('[fx]\nEUR = "1.10"\n')
    monkeypatch.setenv("SPENDTUI_CONFIG", str(config))
    run("invoice", "add", str(PDFS / "cursor-teams-de.pdf"))
    code, out, _ = run("invoice", "list", "--reconcile", "--format", "json")
    (row,) = json.loads(out)
    assert code == 0
    assert (row["provider"], row["month"], row["invoice_total"], row["fixed_subscription"], row["open"]) == (
        "cursor", "2026-10", "1884.96", "1584.00", True)  # fmt: skip


def test_reconcile_csv_writes_flags_as_the_json_does(run):
    run("invoice", "add", str(PDFS / "openai-business.pdf"))
    code, out, _ = run("invoice", "list", "--reconcile", "--format", "csv")
    (row,) = list(csv.DictReader(io.StringIO(out)))
    assert code == 0 and (row["open"], row["usage_estimated"]) == ("true", "false")


def test_remove_deletes_the_invoice_and_its_file(run, db_path):
    run("invoice", "add", str(PDFS / "cursor-usage.pdf"))
    code, _, err = run("invoice", "remove", "C4T9PLQ2-0021")
    assert code == 0
    assert "removed cursor invoice C4T9PLQ2-0021 and spend.db-invoices/cursor-C4T9PLQ2-0021.pdf" in err
    assert json.loads(run("invoice", "list", "--format", "json")[1]) == []
    assert not (db_path.parent / "spend.db-invoices" / "cursor-C4T9PLQ2-0021.pdf").exists()
    code, _, err = run("invoice", "remove", "C4T9PLQ2-0021")
    assert code == 1 and "no stored invoice or receipt numbered 'C4T9PLQ2-0021'" in err


def test_provider_names_the_vendor_of_a_pdf_that_does_not(run):
    code, _, err = run("invoice", "add", str(PDFS / "reseller-enterprise.pdf"))
    assert code == 1 and "reseller-enterprise.pdf: not stored: vendor not recognised" in err
    code, _, err = run("invoice", "add", "--provider", "anthropic", str(PDFS / "reseller-enterprise.pdf"))
    assert code == 0 and "stored anthropic invoice RS-2026-0410" in err
    (stored,) = json.loads(run("invoice", "list", "--format", "json")[1])
    assert (stored["vendor"], stored["fixed_subscription"], stored["file"]) == (
        "Anthropic", "1200.00", "spend.db-invoices/anthropic-RS-2026-0410.pdf")  # fmt: skip


def test_read_only_refuses_to_add_with_exit_2(run):
    code, _, err = run("invoice", "list")
    assert code == 1 and "no store at" in err  # listing never creates a store
    run("invoice", "add", str(PDFS / "cursor-usage.pdf"))
    code, _, err = run("--read-only", "invoice", "add", str(PDFS / "openai-business.pdf"))
    assert code == 2 and "read-only" in err
