"""The store's schema, as forward migrations numbered by ``PRAGMA user_version``.

Conventions every table follows:

- Money is INTEGER nano-dollars (``*_nano``), never REAL. Invoice amounts are nano-units of the
  invoice's own currency.
- A day is TEXT ``YYYY-MM-DD``; an instant is INTEGER epoch milliseconds (UTC); a timestamp of our
  own bookkeeping is TEXT ISO-8601 UTC.
- ``valid_to`` of a membership is exclusive (the day it ended); ``active_to`` of a seat and ``*_to``
  of a period are inclusive, as users write them.
- Facts keep what the vendor sent; ``roll_*`` tables are derived from facts, seats and period
  amounts and can always be rebuilt (``store.rollup``).
"""

from __future__ import annotations

import os
import shutil
import sqlite3
from collections.abc import Callable
from datetime import date
from pathlib import Path

MIGRATION_1 = """
CREATE TABLE meta (
    key TEXT PRIMARY KEY,
    value TEXT
);

-- Store-level settings an admin edits from the app (config.toml holds the rest).
CREATE TABLE settings (
    key TEXT PRIMARY KEY,
    value TEXT,
    updated_at TEXT NOT NULL
);

-- One row per human, keyed by lower-cased, trimmed email, across all vendors.
CREATE TABLE people (
    id INTEGER PRIMARY KEY,
    email TEXT NOT NULL UNIQUE,
    name TEXT,
    created_at TEXT NOT NULL
);

-- Other emails of a person (kept when two identities are merged).
CREATE TABLE person_aliases (
    email TEXT PRIMARY KEY,
    person_id INTEGER NOT NULL REFERENCES people(id)
);

CREATE TABLE teams (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL UNIQUE COLLATE NOCASE,
    created_at TEXT NOT NULL
);

-- Effective-dated membership: the person belongs to the team on days valid_from <= d < valid_to.
CREATE TABLE memberships (
    id INTEGER PRIMARY KEY,
    team_id INTEGER NOT NULL REFERENCES teams(id),
    person_id INTEGER NOT NULL REFERENCES people(id),
    valid_from TEXT NOT NULL,
    valid_to TEXT
);
CREATE INDEX memberships_team ON memberships(team_id, valid_from);
CREATE INDEX memberships_person ON memberships(person_id);

-- Vendor-side identities: users, API keys, workspaces, projects. Spend on an account that is
-- mapped to no person is "unattributed:<provider>:<external_id>"; team_id maps it to a team.
CREATE TABLE accounts (
    id INTEGER PRIMARY KEY,
    provider TEXT NOT NULL,
    kind TEXT NOT NULL,
    external_id TEXT NOT NULL,
    label TEXT,
    email TEXT,
    person_id INTEGER REFERENCES people(id),
    team_id INTEGER REFERENCES teams(id),
    status TEXT,
    first_seen TEXT,
    last_seen TEXT,
    attrs TEXT,
    UNIQUE (provider, kind, external_id)
);

-- Seats: who holds which plan at which vendor, for which fee. A NULL fee means the provider's
-- configured seat_price. billing_day anchors the billing period (1 = calendar month).
CREATE TABLE seats (
    id INTEGER PRIMARY KEY,
    provider TEXT NOT NULL,
    person_id INTEGER NOT NULL REFERENCES people(id),
    plan TEXT NOT NULL,
    monthly_fee_nano INTEGER,
    active_from TEXT NOT NULL,
    active_to TEXT,
    billing_day INTEGER NOT NULL DEFAULT 1,
    source TEXT NOT NULL,
    import_id INTEGER REFERENCES imports(id),
    UNIQUE (provider, person_id, plan, active_from)
);
CREATE INDEX seats_person ON seats(person_id);

-- Usage at the finest grain each source gives. nk is a 16-byte hash of the source's natural key:
-- writing the same record again replaces it (a higher rank, the API, wins over a CSV).
CREATE TABLE usage_facts (
    id INTEGER PRIMARY KEY,
    nk BLOB NOT NULL UNIQUE,
    provider TEXT NOT NULL,
    product TEXT NOT NULL,
    stream TEXT NOT NULL,
    source TEXT NOT NULL,
    rank INTEGER NOT NULL,
    ts_ms INTEGER,
    day TEXT NOT NULL,
    person_id INTEGER REFERENCES people(id),
    account_id INTEGER REFERENCES accounts(id),
    model TEXT NOT NULL DEFAULT '',
    kind TEXT,
    category TEXT NOT NULL,
    estimated INTEGER NOT NULL DEFAULT 0,
    amount_nano INTEGER,
    requests INTEGER,
    tok_in INTEGER NOT NULL DEFAULT 0,
    tok_cache_write INTEGER NOT NULL DEFAULT 0,
    tok_cache_read INTEGER NOT NULL DEFAULT 0,
    tok_out INTEGER NOT NULL DEFAULT 0,
    import_id INTEGER,
    sync_run_id INTEGER,
    attrs TEXT
);
CREATE INDEX usage_facts_provider_day ON usage_facts(provider, day);
CREATE INDEX usage_facts_import ON usage_facts(import_id) WHERE import_id IS NOT NULL;

-- Amounts that cover a span with no days (claude.ai spend report, email/period/spend CSV).
CREATE TABLE period_amounts (
    id INTEGER PRIMARY KEY,
    nk BLOB NOT NULL UNIQUE,
    provider TEXT NOT NULL,
    product TEXT NOT NULL,
    stream TEXT NOT NULL,
    source TEXT NOT NULL,
    rank INTEGER NOT NULL,
    period_from TEXT NOT NULL,
    period_to TEXT NOT NULL,
    person_id INTEGER REFERENCES people(id),
    account_id INTEGER REFERENCES accounts(id),
    model TEXT NOT NULL DEFAULT '',
    kind TEXT,
    category TEXT NOT NULL,
    amount_nano INTEGER,
    requests INTEGER,
    tok_in INTEGER NOT NULL DEFAULT 0,
    tok_cache_write INTEGER NOT NULL DEFAULT 0,
    tok_cache_read INTEGER NOT NULL DEFAULT 0,
    tok_out INTEGER NOT NULL DEFAULT 0,
    import_id INTEGER,
    attrs TEXT
);
CREATE INDEX period_amounts_provider ON period_amounts(provider, period_from);

-- Cursor /teams/spend answers only for the current cycle: a snapshot per sync keeps each cycle.
CREATE TABLE cursor_spend_snapshots (
    id INTEGER PRIMARY KEY,
    cycle_start_ms INTEGER NOT NULL,
    fetched_at TEXT NOT NULL,
    person_id INTEGER REFERENCES people(id),
    email TEXT NOT NULL,
    on_demand_nano INTEGER,
    included_nano INTEGER,
    total_nano INTEGER,
    limit_dollars INTEGER,
    raw TEXT NOT NULL
);
CREATE INDEX cursor_spend_cycle ON cursor_spend_snapshots(cycle_start_ms, fetched_at);

-- Budgets: the org's annual budget (team_id NULL, year set) and monthly team budgets that hold
-- from effective_from (YYYY-MM) until a later row replaces them.
CREATE TABLE budgets (
    id INTEGER PRIMARY KEY,
    team_id INTEGER REFERENCES teams(id),
    kind TEXT NOT NULL CHECK (kind IN ('annual', 'monthly')),
    year INTEGER,
    effective_from TEXT,
    name TEXT,
    amount_nano INTEGER NOT NULL,
    created_at TEXT NOT NULL
);

-- Which budget thresholds fired for which entity and period, and whether the webhook got them.
CREATE TABLE alerts (
    id INTEGER PRIMARY KEY,
    entity TEXT NOT NULL,
    period TEXT NOT NULL,
    threshold TEXT NOT NULL,
    budget_nano INTEGER NOT NULL,
    spend_nano INTEGER NOT NULL,
    first_seen_at TEXT NOT NULL,
    notified_at TEXT,
    UNIQUE (entity, period, threshold)
);

CREATE TABLE invoices (
    id INTEGER PRIMARY KEY,
    provider TEXT NOT NULL,
    vendor TEXT NOT NULL,
    kind TEXT NOT NULL,
    invoice_number TEXT NOT NULL,
    receipt_number TEXT,
    issued_on TEXT NOT NULL,
    due_on TEXT,
    paid_on TEXT,
    period_from TEXT,
    period_to TEXT,
    currency TEXT NOT NULL,
    subtotal_nano INTEGER NOT NULL,
    discount_nano INTEGER NOT NULL DEFAULT 0,
    tax_nano INTEGER NOT NULL DEFAULT 0,
    total_nano INTEGER NOT NULL,
    applied_balance_nano INTEGER NOT NULL DEFAULT 0,
    amount_due_nano INTEGER,
    file TEXT,
    sha256 TEXT,
    confirmed_by_user INTEGER NOT NULL DEFAULT 0,
    created_at TEXT NOT NULL,
    UNIQUE (provider, invoice_number)
);

CREATE TABLE invoice_lines (
    id INTEGER PRIMARY KEY,
    invoice_id INTEGER NOT NULL REFERENCES invoices(id) ON DELETE CASCADE,
    line_no INTEGER NOT NULL,
    description TEXT NOT NULL,
    quantity TEXT,
    unit_price_nano INTEGER,
    amount_nano INTEGER NOT NULL,
    period_from TEXT,
    period_to TEXT,
    class TEXT NOT NULL CHECK (class IN ('fixed_subscription', 'pool_topup', 'other'))
);
CREATE INDEX invoice_lines_invoice ON invoice_lines(invoice_id);

CREATE TABLE imports (
    id INTEGER PRIMARY KEY,
    file_name TEXT NOT NULL,
    sha256 TEXT NOT NULL,
    format TEXT NOT NULL,
    rows INTEGER NOT NULL,
    new INTEGER NOT NULL,
    replaced INTEGER NOT NULL,
    skipped INTEGER NOT NULL,
    period_from TEXT,
    period_to TEXT,
    imported_at TEXT NOT NULL,
    undone_at TEXT
);
CREATE INDEX imports_sha ON imports(sha256);

CREATE TABLE sync_runs (
    id INTEGER PRIMARY KEY,
    provider TEXT NOT NULL,
    trigger TEXT NOT NULL,
    started_at TEXT NOT NULL,
    finished_at TEXT,
    status TEXT NOT NULL,
    window_from TEXT,
    window_to TEXT,
    events INTEGER NOT NULL DEFAULT 0,
    records INTEGER NOT NULL DEFAULT 0,
    users INTEGER NOT NULL DEFAULT 0,
    duration_ms INTEGER,
    error TEXT
);
CREATE INDEX sync_runs_provider ON sync_runs(provider, started_at);

-- How far each provider's stream has been synced (high-water mark) and whether backfill ended.
CREATE TABLE sync_state (
    provider TEXT NOT NULL,
    stream TEXT NOT NULL,
    synced_through TEXT,
    backfill_done INTEGER NOT NULL DEFAULT 0,
    updated_at TEXT NOT NULL,
    PRIMARY KEY (provider, stream)
);

-- Daily rollup. day is a day in the reporting time zone for instant sources, the vendor's UTC
-- day for day-bucket sources. subject > 0 is people.id; subject < 0 is -accounts.id (spend no
-- person is mapped to). est: 0 billed, 1 an estimate standing alone, 2 an estimate shadowed by
-- billed data of the same provider and day. spread: 1 for period-only amounts spread over days.
CREATE TABLE roll_day (
    day TEXT NOT NULL,
    provider TEXT NOT NULL,
    product TEXT NOT NULL,
    subject INTEGER NOT NULL,
    model TEXT NOT NULL,
    category TEXT NOT NULL,
    est INTEGER NOT NULL,
    spread INTEGER NOT NULL,
    amount_nano INTEGER NOT NULL,
    requests INTEGER,
    tok_in INTEGER NOT NULL,
    tok_cache_write INTEGER NOT NULL,
    tok_cache_read INTEGER NOT NULL,
    tok_out INTEGER NOT NULL,
    facts INTEGER NOT NULL
);
CREATE INDEX roll_day_day ON roll_day(day, provider);
CREATE INDEX roll_day_subject_day ON roll_day(subject, day);

-- roll_day summed per calendar month (for long periods and per-person tables).
CREATE TABLE roll_month (
    month TEXT NOT NULL,
    provider TEXT NOT NULL,
    product TEXT NOT NULL,
    subject INTEGER NOT NULL,
    model TEXT NOT NULL,
    category TEXT NOT NULL,
    est INTEGER NOT NULL,
    amount_nano INTEGER NOT NULL,
    requests INTEGER,
    tok_in INTEGER NOT NULL,
    tok_cache_write INTEGER NOT NULL,
    tok_cache_read INTEGER NOT NULL,
    tok_out INTEGER NOT NULL,
    facts INTEGER NOT NULL
);
CREATE INDEX roll_month_month ON roll_month(month, provider);
CREATE INDEX roll_month_subject_month ON roll_month(subject, month);

-- roll_month summed per calendar year (long periods read one row per key).
CREATE TABLE roll_year (
    year TEXT NOT NULL,
    provider TEXT NOT NULL,
    product TEXT NOT NULL,
    subject INTEGER NOT NULL,
    model TEXT NOT NULL,
    category TEXT NOT NULL,
    est INTEGER NOT NULL,
    amount_nano INTEGER NOT NULL,
    requests INTEGER,
    tok_in INTEGER NOT NULL,
    tok_cache_write INTEGER NOT NULL,
    tok_cache_read INTEGER NOT NULL,
    tok_out INTEGER NOT NULL,
    facts INTEGER NOT NULL
);
CREATE INDEX roll_year_year ON roll_year(year, provider);
CREATE INDEX roll_year_subject_year ON roll_year(subject, year);

-- roll_day summed over subjects: what org-wide figures read.
CREATE TABLE roll_org_day (
    day TEXT NOT NULL,
    provider TEXT NOT NULL,
    product TEXT NOT NULL,
    model TEXT NOT NULL,
    category TEXT NOT NULL,
    est INTEGER NOT NULL,
    spread INTEGER NOT NULL,
    amount_nano INTEGER NOT NULL,
    requests INTEGER,
    tok_in INTEGER NOT NULL,
    tok_cache_write INTEGER NOT NULL,
    tok_cache_read INTEGER NOT NULL,
    tok_out INTEGER NOT NULL,
    facts INTEGER NOT NULL
);
CREATE INDEX roll_org_day_day ON roll_org_day(day, provider);
"""

# Rows per source and day, so `status` and the Sync tab need not count millions of facts.
MIGRATION_2 = """
CREATE TABLE roll_source_day (
    provider TEXT NOT NULL,
    stream TEXT NOT NULL,
    source TEXT NOT NULL,
    day TEXT NOT NULL,
    rows INTEGER NOT NULL
);
CREATE INDEX roll_source_day_provider ON roll_source_day(provider, day);
INSERT INTO roll_source_day (provider, stream, source, day, rows)
    SELECT provider, stream, source, day, COUNT(*) FROM usage_facts GROUP BY provider, stream, source, day;
"""

# A synced range has a low end too (sync_state.synced_through is its high end), so an interrupted
# backward backfill resumes where it stopped instead of starting over.
MIGRATION_3 = """
ALTER TABLE sync_state ADD COLUMN synced_from TEXT
"""

# OpenAI's cost by line item reads only the cost facts that name one, through this partial covering
# index, instead of every OpenAI fact of the period (measured: 3.2 s -> 0.01 s for a year of
# 5,000 people whose cost facts carry no line item).
MIGRATION_4 = """
CREATE INDEX usage_facts_openai_line_items ON usage_facts(day, kind, account_id, person_id, amount_nano)
    WHERE stream = 'openai.cost' AND kind IS NOT NULL
"""

# Per-person reads (a team, a person) walk the rollups by subject: covering indexes keep each
# subject's rows together instead of one page read per row scattered over the day-ordered table
# (measured: a 200-person team's year of daily rows 1.15 s warm, 5.4 s cold -> 0.35 s).
MIGRATION_5 = """
DROP INDEX roll_day_subject_day;
CREATE INDEX roll_day_subject_cover
    ON roll_day(subject, day, provider, product, model, category, est, spread, amount_nano, requests);
DROP INDEX roll_month_subject_month;
CREATE INDEX roll_month_subject_cover
    ON roll_month(subject, month, provider, product, model, category, est, amount_nano, requests)
"""

# roll_month summed per calendar quarter (YYYY-Qn): a quarter reads one row per key, not three.
MIGRATION_6 = """
CREATE TABLE roll_quarter (
    quarter TEXT NOT NULL,
    provider TEXT NOT NULL,
    product TEXT NOT NULL,
    subject INTEGER NOT NULL,
    model TEXT NOT NULL,
    category TEXT NOT NULL,
    est INTEGER NOT NULL,
    amount_nano INTEGER NOT NULL,
    requests INTEGER,
    tok_in INTEGER NOT NULL,
    tok_cache_write INTEGER NOT NULL,
    tok_cache_read INTEGER NOT NULL,
    tok_out INTEGER NOT NULL,
    facts INTEGER NOT NULL
);
CREATE INDEX roll_quarter_quarter ON roll_quarter(quarter, provider);
CREATE INDEX roll_quarter_subject ON roll_quarter(subject, quarter);
INSERT INTO roll_quarter (quarter, provider, product, subject, model, category, est, amount_nano, requests,
                          tok_in, tok_cache_write, tok_cache_read, tok_out, facts)
    SELECT substr(month, 1, 4) || '-Q' || ((CAST(substr(month, 6, 2) AS INTEGER) + 2) / 3), provider, product,
           subject, model, category, est, SUM(amount_nano), SUM(requests), SUM(tok_in), SUM(tok_cache_write),
           SUM(tok_cache_read), SUM(tok_out), SUM(facts)
    FROM roll_month GROUP BY 1, provider, product, subject, model, category, est
"""

# Per-person money without the product and model grain, for every month, quarter and year: user
# tables, team sums and concentration read about 5 rows per person and month instead of 15
# (measured on 5,000 people: 76 K rows -> 25 K). Only counted rows (est 0 or 1) are kept. Each
# row repeats its (unit, subject, provider)'s top model: the model with the most usage value
# (overage + API + included), ties to the smaller name, so the user tables need no model grain.
MIGRATION_7 = """
CREATE TABLE roll_subject (
    unit TEXT NOT NULL,
    subject INTEGER NOT NULL,
    provider TEXT NOT NULL,
    category TEXT NOT NULL,
    est INTEGER NOT NULL,
    amount_nano INTEGER NOT NULL,
    requests INTEGER,
    top_model TEXT,
    top_value INTEGER,
    PRIMARY KEY (unit, subject, provider, category, est)
) WITHOUT ROWID;
""" + "".join(
    f"""INSERT INTO roll_subject (unit, subject, provider, category, est, amount_nano, requests, top_model, top_value)
    SELECT unit, subject, provider, category, est, SUM(amount_nano), SUM(requests),
           CASE WHEN top_value > 0 THEN top_model END, CASE WHEN top_value > 0 THEN top_value END
    FROM (
      SELECT *, FIRST_VALUE(model) OVER top AS top_model, FIRST_VALUE(value) OVER top AS top_value
      FROM (
        SELECT {unit} AS unit, subject, provider, model, category, est, amount_nano, requests,
               SUM(CASE WHEN category IN ('overage', 'api', 'included') THEN amount_nano ELSE 0 END)
                 OVER (PARTITION BY {unit}, subject, provider, model) AS value
        FROM {table} WHERE est IN (0, 1)
      )
      WINDOW top AS (PARTITION BY unit, subject, provider ORDER BY value DESC, model)
    )
    GROUP BY unit, subject, provider, category, est;
"""
    for table, unit in (("roll_month", "month"), ("roll_quarter", "quarter"), ("roll_year", "year"))
)

# What an import replaced (a restated export) or removed (a period it covers), as it was, so that
# undoing the import puts it back. by_import is the import that superseded the record.
MIGRATION_9 = """
CREATE TABLE superseded_facts (
    by_import INTEGER NOT NULL,
    nk BLOB NOT NULL,
    provider TEXT NOT NULL,
    product TEXT NOT NULL,
    stream TEXT NOT NULL,
    source TEXT NOT NULL,
    rank INTEGER NOT NULL,
    ts_ms INTEGER,
    day TEXT NOT NULL,
    person_id INTEGER,
    account_id INTEGER,
    model TEXT NOT NULL,
    kind TEXT,
    category TEXT NOT NULL,
    estimated INTEGER NOT NULL,
    amount_nano INTEGER,
    requests INTEGER,
    tok_in INTEGER NOT NULL,
    tok_cache_write INTEGER NOT NULL,
    tok_cache_read INTEGER NOT NULL,
    tok_out INTEGER NOT NULL,
    import_id INTEGER,
    sync_run_id INTEGER,
    attrs TEXT
);
CREATE INDEX superseded_facts_by ON superseded_facts(by_import);
CREATE TABLE superseded_periods (
    by_import INTEGER NOT NULL,
    nk BLOB NOT NULL,
    provider TEXT NOT NULL,
    product TEXT NOT NULL,
    stream TEXT NOT NULL,
    source TEXT NOT NULL,
    rank INTEGER NOT NULL,
    period_from TEXT NOT NULL,
    period_to TEXT NOT NULL,
    person_id INTEGER,
    account_id INTEGER,
    model TEXT NOT NULL,
    kind TEXT,
    category TEXT NOT NULL,
    amount_nano INTEGER,
    requests INTEGER,
    tok_in INTEGER NOT NULL,
    tok_cache_write INTEGER NOT NULL,
    tok_cache_read INTEGER NOT NULL,
    tok_out INTEGER NOT NULL,
    import_id INTEGER,
    attrs TEXT
);
CREATE INDEX superseded_periods_by ON superseded_periods(by_import);
"""

Migration = Callable[[sqlite3.Connection], None]


def _script(sql: str) -> Migration:
    def run(conn: sqlite3.Connection) -> None:
        for statement in sql.split(";\n"):
            if statement.strip():
                conn.execute(statement)

    return run


def _day_first_fact_keys(conn: sqlite3.Connection) -> None:
    """Migration 8: a usage fact's key becomes its UTC day (4-byte big-endian ordinal) + the first 12
    bytes of its 16-byte hash, so the unique index holds a day's records together and a write
    touches the pages of its days (``facts.day_key``, frozen here as it was released)."""

    heads: dict[str, bytes] = {}

    def keyed(day: str, nk: bytes) -> bytes:
        head = heads.get(day)
        if head is None:
            head = heads[day] = date.fromisoformat(day).toordinal().to_bytes(4, "big")
        return head + nk[:12]

    conn.create_function("spendtui_day_key", 2, keyed, deterministic=True)
    try:
        conn.execute("UPDATE usage_facts SET nk = spendtui_day_key(day, nk)")
    finally:
        conn.create_function("spendtui_day_key", 2, None)


def invoice_folder_name(db_path: Path) -> str:
    """The folder of a store's kept invoice PDFs: next to it, named after it (as SQLite names
    acme.db-wal), so two stores in one directory (a store and its backup) never share a PDF and
    removing an invoice from one cannot delete the other's."""
    return f"{db_path.name}-invoices"


def copy_kept_pdfs(conn: sqlite3.Connection, source_dir: Path, db_path: Path, files_like: str = "%") -> None:
    """Copy the PDFs the invoices in ``conn`` name (relative to ``source_dir``) into the folder of the
    store at ``db_path`` and point the rows there; a file already missing stays named as it was."""
    folder = invoice_folder_name(db_path)
    rows = conn.execute("SELECT id, file FROM invoices WHERE file LIKE ?", (files_like,)).fetchall()
    for invoice_id, file in rows:
        source = source_dir / file
        if not source.is_file():
            continue
        target = db_path.parent / folder / source.name
        target.parent.mkdir(mode=0o700, exist_ok=True)
        shutil.copyfile(source, target)
        os.chmod(target, 0o600)
        conn.execute("UPDATE invoices SET file = ? WHERE id = ?", (f"{folder}/{source.name}", invoice_id))


def _own_invoice_folder(conn: sqlite3.Connection) -> None:
    """Kept PDFs used to share one ``invoices/`` folder per directory: copy (never move: another store
    of the folder may name them) each store's into its own."""
    name = conn.execute("PRAGMA database_list").fetchone()[2]
    if name:  # (an in-memory store keeps no files)
        copy_kept_pdfs(conn, Path(name).parent, Path(name), "invoices/%")


# Where a `sync --since` backfill is headed until it gets there: a run that fails or is stopped on
# the way is resumed by the next one, a plain scheduled sync included.
MIGRATION_11 = """
ALTER TABLE sync_state ADD COLUMN backfill_from TEXT
"""


# The columns the writers fill (all but the rowid), in the order of the tables; a test checks them
# against the live schema, since a migration that adds a column must add it here too.
FACT_COLUMNS = (
    "nk", "provider", "product", "stream", "source", "rank", "ts_ms", "day", "person_id", "account_id",
    "model", "kind", "category", "estimated", "amount_nano", "requests", "tok_in", "tok_cache_write",
    "tok_cache_read", "tok_out", "import_id", "sync_run_id", "attrs",
)  # fmt: skip
PERIOD_COLUMNS = (
    "nk", "provider", "product", "stream", "source", "rank", "period_from", "period_to", "person_id", "account_id",
    "model", "kind", "category", "amount_nano", "requests", "tok_in", "tok_cache_write", "tok_cache_read",
    "tok_out", "import_id", "attrs",
)  # fmt: skip

# Append only: a released migration never changes, a new one goes at the end.
MIGRATIONS: list[Migration] = [
    *(_script(m) for m in (MIGRATION_1, MIGRATION_2, MIGRATION_3, MIGRATION_4, MIGRATION_5, MIGRATION_6, MIGRATION_7)),
    _day_first_fact_keys,
    _script(MIGRATION_9),
    _own_invoice_folder,
    _script(MIGRATION_11),
]
SCHEMA_VERSION = len(MIGRATIONS)
