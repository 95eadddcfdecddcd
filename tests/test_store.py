import os
import sqlite3
import stat

import pytest

from spendtui.store import ReadOnlyError, Store, StoreError, migrate, open_store
from spendtui.store.facts import RANK_API, FactBatch, natural_key, write_facts
from spendtui.store.schema import FACT_COLUMNS, PERIOD_COLUMNS, SCHEMA_VERSION

EXPECTED_TABLES = {
    "meta", "settings", "people", "person_aliases", "teams", "memberships", "accounts", "seats",
    "usage_facts", "period_amounts", "cursor_spend_snapshots", "budgets", "alerts", "invoices",
    "invoice_lines", "imports", "sync_runs", "sync_state", "roll_day", "roll_month", "roll_quarter", "roll_year", "roll_subject", "roll_org_day",
    "roll_source_day",
}  # fmt: skip


def tables(store):
    return {r[0] for r in store.query("SELECT name FROM sqlite_master WHERE type = 'table'")}


def test_new_store_has_every_table_private_mode_and_wal(db_path):
    with open_store(db_path, on_upgrade=lambda old, new: pytest.fail("a new store is created, not upgraded")) as store:
        assert EXPECTED_TABLES <= tables(store)
        assert store.scalar("PRAGMA user_version") == SCHEMA_VERSION
        assert store.scalar("PRAGMA journal_mode") == "wal"
        assert store.scalar("PRAGMA busy_timeout") >= 5000
    assert stat.S_IMODE(os.stat(db_path).st_mode) == 0o600


def test_existing_store_keeps_its_mode(db_path):
    open_store(db_path).close()
    os.chmod(db_path, 0o660)
    open_store(db_path).close()
    assert stat.S_IMODE(os.stat(db_path).st_mode) == 0o660


@pytest.mark.parametrize("version", range(SCHEMA_VERSION))
def test_older_store_upgrades_and_keeps_its_data(db_path, version):
    # Build the store as an older spendtui left it: migrations up to `version` only.
    raw = sqlite3.connect(db_path, isolation_level=None)
    raw.row_factory = sqlite3.Row
    old = Store(db_path, raw, False, None)
    migrate(old, target=version)
    if version >= 1:
        raw.execute("INSERT INTO people(email, created_at) VALUES ('alice@example.com', '2026-01-01')")
        raw.executemany(
            "INSERT INTO usage_facts(nk, provider, product, stream, source, rank, day, person_id, category, amount_nano)"
            " VALUES (?, 'cursor', 'cursor', 'cursor.events', 'cursor.csv.events', 1, '2026-10-05', 1, 'overage', 5)",
            [(b"k1",), (b"k2",)],
        )
        raw.execute(
            "INSERT INTO roll_month VALUES ('2026-10', 'cursor', 'cursor', 1, 'auto', 'overage', 0, 5, NULL, 0, 0, 0, 0, 2)"
        )
    raw.close()
    with open_store(db_path) as upgraded:
        assert upgraded.scalar("PRAGMA user_version") == SCHEMA_VERSION
        assert EXPECTED_TABLES <= tables(upgraded)
        if version >= 1:
            assert upgraded.scalar("SELECT email FROM people") == "alice@example.com"
        if 1 <= version < 2:  # migration 2 counted the facts an older store already held
            assert [tuple(r) for r in upgraded.query("SELECT source, day, rows FROM roll_source_day")] == [
                ("cursor.csv.events", "2026-10-05", 2)
            ]
        if 1 <= version < 6:  # migration 6 summed the months an older store held into quarters
            assert [tuple(r) for r in upgraded.query("SELECT quarter, amount_nano, facts FROM roll_quarter")] == [
                ("2026-Q4", 5, 2)
            ]
        if 1 <= version < 7:  # migration 7 summarised the months (and quarters) per person, with the top model
            assert ("2026-10", 1, "cursor", "overage", 0, 5, None, "auto", 5) in [
                tuple(r) for r in upgraded.query("SELECT * FROM roll_subject")
            ]


def test_facts_keyed_before_migration_8_are_the_same_records_after_it(db_path):
    raw = sqlite3.connect(db_path, isolation_level=None)
    migrate(Store(db_path, raw, False, None), target=7)
    raw.execute("INSERT INTO people(email, created_at) VALUES ('alice@example.com', '2026-01-01')")
    raw.execute(
        "INSERT INTO usage_facts(nk, provider, product, stream, source, rank, day, person_id, category, amount_nano)"
        " VALUES (?, 'cursor', 'cursor', 'cursor.events', 'api', 2, '2026-10-05', 1, 'overage', 5)",
        (natural_key("cursor|cursor.events|event-1"),),  # how schema 7 keyed a record
    )
    raw.close()
    record = {"key": "event-1", "product": "cursor", "day": "2026-10-05", "email": "alice@example.com",
              "category": "overage", "amount_nano": 5}  # fmt: skip
    heard = []
    with open_store(db_path, on_upgrade=lambda old, new: heard.append((old, new))) as store:
        assert heard == [(7, SCHEMA_VERSION)]  # the CLI and the app say that a long upgrade is under way
        result = write_facts(store, FactBatch("cursor", "cursor.events", "api", RANK_API, [record]))
        assert (result.new, result.unchanged) == (0, 1)
        assert store.scalar("SELECT COUNT(*) FROM usage_facts") == 1


@pytest.mark.parametrize("table, written", [("usage_facts", FACT_COLUMNS), ("period_amounts", PERIOD_COLUMNS),
                                             ("superseded_facts", ("by_import", *FACT_COLUMNS)),
                                             ("superseded_periods", ("by_import", *PERIOD_COLUMNS))])  # fmt: skip
def test_the_writers_column_lists_are_the_tables_columns(store, table, written):
    """The writers and undo copy rows by these lists: a column a migration adds must be in them."""
    columns = [row[1] for row in store.query(f"PRAGMA table_info({table})") if row[1] not in ("id", "rowid")]
    assert tuple(columns) == written


def test_pdfs_kept_in_the_shared_folder_are_copied_into_the_store_s_own(db_path):
    raw = sqlite3.connect(db_path, isolation_level=None)
    migrate(Store(db_path, raw, False, None), target=9)  # the schema before each store had its own folder
    shared = db_path.parent / "invoices"
    shared.mkdir()
    (shared / "cursor-A-1.pdf").write_bytes(b"%PDF-1.7 kept")
    raw.executemany(
        """INSERT INTO invoices (provider, vendor, kind, invoice_number, issued_on, currency, subtotal_nano,
               total_nano, file, created_at) VALUES ('cursor', 'Cursor', 'invoice', ?, '2026-10-01', 'USD', 1, 1, ?, '')""",
        [("A-1", "invoices/cursor-A-1.pdf"), ("A-2", "invoices/cursor-A-2.pdf")],  # A-2's file is gone already
    )
    raw.close()
    with open_store(db_path) as upgraded:
        files = [r[0] for r in upgraded.query("SELECT file FROM invoices ORDER BY invoice_number")]
    assert files == ["spend.db-invoices/cursor-A-1.pdf", "invoices/cursor-A-2.pdf"]
    assert (db_path.parent / "spend.db-invoices" / "cursor-A-1.pdf").read_bytes() == b"%PDF-1.7 kept"
    assert (shared / "cursor-A-1.pdf").exists()  # another store of this folder may still name it


def test_store_from_a_newer_spendtui_is_refused(db_path):
    open_store(db_path).close()
    conn = sqlite3.connect(db_path)
    conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    conn.close()
    with pytest.raises(StoreError, match="newer spendtui"):
        open_store(db_path)


def test_not_a_store_is_refused(tmp_path):
    junk = tmp_path / "junk.db"
    junk.write_bytes(b"this is not sqlite at all" * 100)
    with pytest.raises(StoreError, match="not a spendtui store"):
        open_store(junk)


def test_read_only_store_refuses_writes(db_path):
    open_store(db_path).close()
    with open_store(db_path, read_only=True) as store:
        assert store.read_only
        with pytest.raises(ReadOnlyError, match="read-only"):
            with store.transaction():
                pass


def test_unwritable_store_opens_read_only_with_a_reason(db_path, monkeypatch):
    open_store(db_path).close()
    # CI may run as root, who can write anything: ask the access check the question a user would.
    monkeypatch.setattr("spendtui.store.os.access", lambda path, mode: mode != os.W_OK)
    with open_store(db_path) as store:
        assert store.read_only and "cannot write" in store.read_only_reason


def test_transaction_rolls_back_everything_on_error(store):
    with pytest.raises(RuntimeError):
        with store.transaction() as conn:
            conn.execute("INSERT INTO teams(name, created_at) VALUES ('Platform', 'x')")
            with store.transaction() as inner:
                inner.execute("INSERT INTO teams(name, created_at) VALUES ('Data', 'x')")
            raise RuntimeError("boom")
    assert store.scalar("SELECT COUNT(*) FROM teams") == 0
