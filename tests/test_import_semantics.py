"""Import semantics (cli.md "Import and sync semantics"): idempotent, atomic, undoable, API over CSV."""

import hashlib
import json
from datetime import date
from decimal import Decimal

import pytest
from import_helpers import CURSOR_EVENTS, DATA, VARIANTS, dollars, imported, rows, run, table_counts

from spendtui.importers import run as run_module
from spendtui.importers.keys import cursor_category, cursor_event_prefix, with_occurrence
from spendtui.importers.run import undo_import
from spendtui.money import cents_to_nano, dollars_to_nano
from spendtui.store.facts import RANK_API, FactBatch, write_facts

API_TOTAL = Decimal("1.2837555")  # sum of chargedCents over the 8 API events, in dollars


def snapshot(store) -> tuple:
    """Row counts and a hash of every row of every table: equal snapshots, unchanged store."""
    digest = hashlib.sha256()
    for line in store.conn.iterdump():
        digest.update(line.encode())
    return table_counts(store), digest.hexdigest()


def api_events() -> list[dict]:
    """The same 8 events as the CSV, as the Cursor sync writes them from /teams/filtered-usage-events."""
    events = []
    for page in ("filtered-usage-events.page1.json", "filtered-usage-events.page2.json"):
        events += json.loads((DATA / "cursor" / page).read_text())["usageEvents"]
    prefixes, records = [], []
    for e in events:
        tokens = e.get("tokenUsage") or {}
        counts = [tokens.get(k, 0) for k in ("inputTokens", "cacheWriteTokens", "cacheReadTokens", "outputTokens")]
        prefixes.append(cursor_event_prefix(int(e["timestamp"]), e["userEmail"], e["model"], *counts))
        amount = cents_to_nano(str(e["chargedCents"]))
        category, requests = cursor_category(e["kind"], amount)
        records.append(
            {"product": "cursor", "ts_ms": int(e["timestamp"]), "email": e["userEmail"],
             "model": "auto" if e["model"] == "default" else e["model"], "kind": e["kind"], "category": category,
             "amount_nano": amount, "requests": requests, "tok_in": counts[0], "tok_cache_write": counts[1],
             "tok_cache_read": counts[2], "tok_out": counts[3]}
        )  # fmt: skip
    for record, key in zip(records, with_occurrence(prefixes)):
        record["key"] = key
    return records


def write_api(store):
    return write_facts(store, FactBatch("cursor", "cursor.events", "cursor.api.events", RANK_API, api_events()))


def csv_subset(tmp_path, name, lines):
    """A CSV of the fixture's header and the given data lines (1-based among data lines)."""
    text = CURSOR_EVENTS.read_text().splitlines()
    path = tmp_path / name
    path.write_text("\n".join([text[0]] + [text[i] for i in lines]) + "\n")
    return path


def test_the_same_file_twice_writes_nothing_the_second_time(store):
    imported(store, CURSOR_EVENTS)
    before = snapshot(store)
    (again,) = run(store, CURSOR_EVENTS)
    assert (again.status, again.previous_id) == ("already", 1)
    assert snapshot(store) == before


def test_a_copy_with_a_blank_line_is_a_new_file_that_changes_nothing(store, tmp_path):
    imported(store, CURSOR_EVENTS)
    copy = tmp_path / "copy.csv"
    copy.write_bytes(CURSOR_EVENTS.read_bytes() + b"\n")
    result = imported(store, copy)
    assert (result.rows, result.new, result.replaced, result.skipped) == (8, 0, 0, 8)
    assert dollars(store, "SELECT SUM(amount_nano) FROM usage_facts") == Decimal("0.99")


def test_overlapping_exports_leave_totals_unchanged(store, tmp_path):
    first = imported(store, csv_subset(tmp_path, "a.csv", range(1, 6)))
    second = imported(store, csv_subset(tmp_path, "b.csv", range(3, 9)))
    assert (first.new, second.new, second.skipped) == (5, 3, 3)
    assert dollars(store, "SELECT SUM(amount_nano) FROM usage_facts") == Decimal("0.99")
    assert store.scalar("SELECT COUNT(*) FROM usage_facts") == 8


def test_overlapping_day_bucket_exports_of_two_header_versions(store):
    imported(store, DATA / "anthropic" / "claude_api_cost_2026_10_01_to_2026_10_04.csv")
    older = imported(store, VARIANTS / "claude_api_cost_12col.csv")  # 2026-10-03 again, without api_key_id
    # the $0.00 web search row is new; the 4 others stay as they were: the key's name resolves to its known id
    assert (older.new, older.replaced) == (1, 0)
    assert dollars(store, "SELECT SUM(amount_nano) FROM usage_facts") == Decimal("37.87")


def test_csv_over_api_keeps_the_api_amounts(store):
    write_api(store)
    result = imported(store, CURSOR_EVENTS)
    assert (result.new, result.replaced, result.skipped) == (0, 0, 8)  # every row is an event the API holds
    assert dollars(store, "SELECT SUM(amount_nano) FROM usage_facts") == API_TOTAL
    assert rows(store, "SELECT DISTINCT source FROM usage_facts") == [("cursor.api.events",)]
    assert dollars(store, "SELECT SUM(amount_nano) FROM roll_org_day WHERE category = 'overage'") == Decimal("0.420658")


def test_api_over_csv_replaces_every_csv_event(store):
    imported(store, CURSOR_EVENTS)
    written = write_api(store)
    assert (written.new, written.replaced) == (0, 8)
    assert store.scalar("SELECT COUNT(*) FROM usage_facts") == 8
    assert dollars(store, "SELECT SUM(amount_nano) FROM usage_facts") == API_TOTAL
    assert dollars(store, "SELECT SUM(amount_nano) FROM roll_org_day") == API_TOTAL
    # the API's records are no longer the import's: undoing it takes nothing the API said
    assert undo_import(store, 1).facts == 0
    assert dollars(store, "SELECT SUM(amount_nano) FROM usage_facts") == API_TOTAL


def test_csv_day_buckets_of_days_the_api_holds_are_outranked(store):
    api_day = {"key": "api-2026-10-01", "product": "api", "day": "2026-10-01", "account_kind": "workspace",
               "account_id": "wrkspc_1", "model": "claude-sonnet-5", "category": "api",
               "amount_nano": cents_to_nano("2109.5")}  # fmt: skip
    write_facts(store, FactBatch("anthropic", "anthropic.cost", "anthropic.api.cost_report", RANK_API, [api_day],
                                 day_buckets=True))  # fmt: skip
    result = imported(store, DATA / "anthropic" / "claude_api_cost_2026_10_01_to_2026_10_04.csv")
    assert (result.new, result.skipped) == (13, 11)  # the 11 rows of 2026-10-01 are the API's day
    assert dollars(store, "SELECT SUM(amount_nano) FROM usage_facts") == Decimal("21.095") + Decimal("16.77")


def test_a_failure_while_writing_leaves_the_store_as_it_was(store, monkeypatch):
    imported(store, DATA / "cursor" / "spend-by-user.csv")
    before = snapshot(store)
    calls = []

    def failing_write(store, batch, **kwargs):
        calls.append(len(batch.rows))
        if len(calls) == 2:
            raise OSError("disk full")
        return write_facts(store, batch, **kwargs)

    monkeypatch.setattr(run_module, "WRITE_CHUNK_ROWS", 3)
    monkeypatch.setattr(run_module, "write_facts", failing_write)
    (result,) = run(store, CURSOR_EVENTS)
    assert result.status == "failed" and "disk full" in result.error
    assert calls == [3, 3]  # the first chunk was written, then rolled back with the rest
    assert snapshot(store) == before


def test_a_bad_file_among_good_ones_is_refused_alone(store):
    results = run(store, CURSOR_EVENTS, VARIANTS / "cursor_bad_cost.csv", DATA / "openai" / "cost_2026-10-01_2026-10-04.csv")
    assert [r.status for r in results] == ["imported", "failed", "imported"]
    assert rows(store, "SELECT file_name FROM imports ORDER BY id") == [
        ("team-usage-events.csv",), ("cost_2026-10-01_2026-10-04.csv",)
    ]


def test_dry_run_writes_nothing_and_says_what_it_would(store):
    before = snapshot(store)
    (result,) = run(store, CURSOR_EVENTS, dry_run=True)
    assert result.status == "dry-run"
    (plan,) = result.plan
    assert (plan.stream, plan.records, plan.first_day, plan.last_day, plan.days, plan.people, plan.amount_nano) == (
        "cursor.events", 8, "2026-10-05", "2026-10-06", 2, 3, dollars_to_nano("0.99"))  # fmt: skip
    assert snapshot(store) == before


def test_dry_run_over_a_store_counts_what_it_holds_already(store, tmp_path):
    """What a dry run prints is what the import would then say: 3 of these 6 events are stored."""
    imported(store, csv_subset(tmp_path, "a.csv", range(1, 6)))
    before = snapshot(store)
    overlapping = csv_subset(tmp_path, "b.csv", range(3, 9))
    (rehearsed,) = run(store, overlapping, dry_run=True)
    assert (rehearsed.status, rehearsed.against_store) == ("dry-run", True)
    assert snapshot(store) == before
    real = imported(store, overlapping)
    assert (rehearsed.new, rehearsed.replaced, rehearsed.skipped) == (real.new, real.replaced, real.skipped) == (3, 0, 3)


def test_dry_run_on_a_store_another_process_writes_prints_the_plan_alone(store, db_path):
    import sqlite3

    store.conn.execute("PRAGMA busy_timeout = 50")
    other = sqlite3.connect(db_path, isolation_level=None)
    other.execute("BEGIN IMMEDIATE")
    try:
        (result,) = run(store, CURSOR_EVENTS, dry_run=True)
    finally:
        other.execute("ROLLBACK")
        other.close()
    assert (result.status, result.against_store, result.plan[0].records) == ("dry-run", False, 8)
    assert any(note.startswith("the store is busy (database is locked)") for note in result.notes)


def test_undo_takes_the_import_back_and_refreshes_the_rollups(store):
    imported(store, DATA / "cursor" / "spend-by-user.csv")
    imported(store, CURSOR_EVENTS)
    # alice, bob and carol have events in October: their per-user amounts give way to them (dave's is $0)
    assert dollars(store, "SELECT SUM(amount_nano) FROM roll_org_day WHERE day >= '2026-10-01'") == Decimal("0.99")
    undone = undo_import(store, 2)
    assert (undone.facts, undone.period_amounts) == (8, 0)
    assert store.scalar("SELECT COUNT(*) FROM usage_facts") == 0
    assert store.scalar("SELECT undone_at IS NOT NULL FROM imports WHERE id = 2") == 1
    # without the events, October's per-user spend (period-only) is no longer shadowed by finer data
    assert dollars(store, "SELECT SUM(amount_nano) FROM roll_org_day WHERE day >= '2026-10-01'") == Decimal("1.28")
    assert undo_import(store, 2).already_undone_at is not None
    # an undone file can be imported again
    assert imported(store, CURSOR_EVENTS).new == 8


def figures(store) -> dict[str, list]:
    """Every record and rollup row but row ids: what a report is computed from."""
    tables = {"usage_facts": "nk, provider, stream, source, day, person_id, amount_nano, tok_in, import_id",
              "period_amounts": "nk, period_from, period_to, person_id, amount_nano, import_id",
              **{t: "*" for t in ("roll_day", "roll_month", "roll_year", "roll_subject", "roll_org_day")}}  # fmt: skip
    return {t: sorted(map(tuple, store.tuples(f"SELECT {c} FROM {t}")), key=repr) for t, c in tables.items()}


def restated(tmp_path, name, cents_more):
    """The fixture again with every charged Cost raised by ``cents_more`` cents: the vendor restated it."""
    lines = CURSOR_EVENTS.read_text().splitlines()
    for i, line in enumerate(lines[1:], 1):
        fields = line.rsplit(",", 1)
        if fields[1] != '"-"':
            lines[i] = f'{fields[0]},"{Decimal(fields[1].strip(chr(34))) + Decimal(cents_more) / 100}"'
    path = tmp_path / name
    path.write_text("\n".join(lines) + "\n")
    return path


def test_undo_of_a_later_overlapping_import_keeps_what_the_earlier_one_holds(store, tmp_path):
    imported(store, csv_subset(tmp_path, "a.csv", range(1, 6)))
    before = figures(store)
    imported(store, csv_subset(tmp_path, "b.csv", range(3, 9)))
    undone = undo_import(store, 2)
    assert (undone.facts, undone.restored) == (3, 0)
    assert figures(store) == before


def test_undo_of_an_earlier_overlapping_import_names_the_later_one_and_its_advice_works(store, tmp_path):
    imported(store, csv_subset(tmp_path, "a.csv", range(1, 6)))
    b = csv_subset(tmp_path, "b.csv", range(3, 9))
    imported(store, b)
    undone = undo_import(store, 1)
    assert (undone.facts, undone.later) == (5, [2])  # events 3-5, held unchanged by #2, went too
    assert store.scalar("SELECT COUNT(*) FROM usage_facts") == 3
    undo_import(store, 2)
    assert imported(store, b).new == 6


def test_undo_of_a_restated_export_puts_the_costs_it_replaced_back(store, tmp_path):
    imported(store, CURSOR_EVENTS)
    before = figures(store)
    assert imported(store, restated(tmp_path, "restated.csv", 3)).replaced == 6
    assert dollars(store, "SELECT SUM(amount_nano) FROM usage_facts") == Decimal("0.99") + Decimal("0.18")
    undone = undo_import(store, 2)
    assert (undone.facts, undone.restored) == (0, 6)
    assert figures(store) == before
    assert store.scalar("SELECT COUNT(*) FROM superseded_facts") == 0


@pytest.mark.parametrize("order", [(2, 3), (3, 2)])
def test_two_restatements_undone_in_either_order_end_where_the_store_started(store, tmp_path, order):
    imported(store, CURSOR_EVENTS)
    first = figures(store)
    imported(store, restated(tmp_path, "restated1.csv", 3))
    imported(store, restated(tmp_path, "restated2.csv", 5))
    for import_id in order:
        undo_import(store, import_id)
    assert figures(store) == first
    # and the first file's own undo still takes everything away
    undo_import(store, 1)
    assert store.scalar("SELECT COUNT(*) FROM usage_facts") == 0


def test_undo_of_a_longer_report_puts_the_shorter_one_back(store):
    report = VARIANTS / "claude_ai_spend_report.csv"
    imported(store, report, period=(date(2026, 11, 1), date(2026, 11, 15)))
    shorter = figures(store)
    imported(store, report, period=(date(2026, 11, 1), date(2026, 11, 30)))
    longest = imported(store, report, period=(date(2026, 10, 1), date(2026, 11, 30)))
    assert longest.replaced == 2
    after_longest = figures(store)
    undo_import(store, 2)  # its span is covered by import 3's: nothing to put back yet
    assert figures(store) == after_longest
    assert undo_import(store, 3).restored == 2
    assert figures(store) == shorter


def test_a_report_for_a_longer_span_supersedes_a_shorter_one(store):
    imported(store, VARIANTS / "claude_ai_spend_report.csv", period=(date(2026, 11, 1), date(2026, 11, 15)))
    longer = imported(store, VARIANTS / "claude_ai_spend_report.csv", period=(date(2026, 11, 1), date(2026, 11, 30)))
    assert (longer.new, longer.replaced) == (2, 2)
    assert rows(store, "SELECT DISTINCT period_from, period_to FROM period_amounts") == [("2026-11-01", "2026-11-30")]
    assert dollars(store, "SELECT SUM(amount_nano) FROM period_amounts") == Decimal("1.70")


def test_a_report_for_a_span_inside_a_stored_one_is_refused(store):
    imported(store, VARIANTS / "claude_ai_spend_report.csv", period=(date(2026, 11, 1), date(2026, 11, 30)))
    before = snapshot(store)
    (refused,) = run(store, VARIANTS / "claude_ai_spend_report.csv", period=(date(2026, 11, 1), date(2026, 11, 15)))
    assert refused.status == "failed"
    assert "overlaps 2026-11-01..2026-11-30 from import #1" in refused.error
    assert "spendtui imports undo 1" in refused.error
    assert snapshot(store) == before


@pytest.mark.parametrize("name", ["cursor_bad_cost.csv", "cursor_ragged.csv"])
def test_refused_file_leaves_the_store_byte_for_byte(store, name):
    imported(store, CURSOR_EVENTS)
    before = snapshot(store)
    (result,) = run(store, VARIANTS / name)
    assert result.status == "failed"
    assert snapshot(store) == before


def test_a_locked_store_fails_the_file_cleanly(store, db_path):
    import sqlite3

    store.conn.execute("PRAGMA busy_timeout = 50")
    other = sqlite3.connect(db_path, isolation_level=None)
    other.execute("BEGIN IMMEDIATE")
    try:
        (result,) = run(store, CURSOR_EVENTS)
    finally:
        other.execute("ROLLBACK")
        other.close()
    assert result.status == "failed"
    assert result.error.startswith("team-usage-events.csv: the store could not be written (database is locked)")
    assert imported(store, CURSOR_EVENTS).new == 8


def test_the_same_file_imported_meanwhile_by_another_process_is_not_written_twice(store, monkeypatch):
    imported(store, CURSOR_EVENTS)
    real = run_module._previous_import
    calls = []

    def not_yet(*args):  # the first look (before parsing) misses the other import
        calls.append(args)
        return None if len(calls) == 1 else real(*args)

    monkeypatch.setattr(run_module, "_previous_import", not_yet)
    before = snapshot(store)
    (again,) = run(store, CURSOR_EVENTS)
    assert (again.status, again.previous_id, len(calls)) == ("already", 1, 2)
    assert snapshot(store) == before


def test_an_import_leaves_the_connections_settings_and_temp_tables_as_they_were(store):
    store.conn.execute("CREATE TEMP TABLE app_state (x)")
    store.conn.execute("INSERT INTO app_state VALUES (1)")
    settings = [store.scalar(f"PRAGMA {name}") for name in ("cache_size", "temp_store")]
    imported(store, CURSOR_EVENTS)
    assert [store.scalar(f"PRAGMA {name}") for name in ("cache_size", "temp_store")] == settings
    assert store.scalar("SELECT x FROM temp.app_state") == 1


def test_undo_after_a_merge_restores_what_it_replaced_to_the_person_who_stayed(store, tmp_path):
    """A merge moves everything of the merged-away person, what imports superseded included: undo
    would otherwise put back records naming a person who no longer exists."""
    from spendtui.org.people import merge_people

    imported(store, CURSOR_EVENTS)
    imported(store, _with_user(tmp_path, "dana.csv", "dana@example.com"))  # dana exists before the merge
    imported(store, restated(tmp_path, "restated.csv", 3))
    merge_people(store, "dana@example.com", "alice@example.com", today=date(2026, 10, 10))
    undo_import(store, 3)
    assert dollars(store, "SELECT SUM(amount_nano) FROM usage_facts") == Decimal("0.99") + Decimal("0.22")
    assert not store.query("SELECT 1 FROM usage_facts f LEFT JOIN people p ON p.id = f.person_id "
                           "WHERE f.person_id IS NOT NULL AND p.id IS NULL")  # fmt: skip
    assert store.scalar("SELECT COUNT(*) FROM usage_facts f JOIN people p ON p.id = f.person_id "
                        "WHERE p.email = 'dana@example.com'") == 4  # alice's 3 and dana's own  # fmt: skip


def _with_user(tmp_path, name, email):
    """The fixture's first event again, as someone else's."""
    lines = CURSOR_EVENTS.read_text().splitlines()
    path = tmp_path / name
    path.write_text("\n".join([lines[0], lines[1].replace("alice@example.com", email)]) + "\n")
    return path


def test_a_key_the_token_export_names_is_the_key_the_cost_export_gives_an_id_and_maps_as_one(store):
    imported(store, DATA / "anthropic" / "claude_api_cost_2026_10_01_to_2026_10_04.csv")
    imported(store, DATA / "anthropic" / "claude_api_tokens_2026_10_01_to_2026_10_04.csv")
    accounts = store.query("SELECT DISTINCT a.external_id FROM usage_facts f JOIN accounts a ON a.id = f.account_id "
                           "WHERE a.label = 'prod-backend' OR a.external_id = 'prod-backend'")  # fmt: skip
    assert [a[0] for a in accounts] == ["apikey_01Hn4Tq8WzR2xK7mPv3LsJ9d"]  # cost and tokens: one account
    from spendtui import org

    org.map_account(store, "anthropic", "api_key", "prod-backend", person="ada@example.com", today=date(2026, 10, 5))
    assert store.scalar("SELECT COUNT(*) FROM usage_facts f JOIN accounts a ON a.id = f.account_id "
                        "WHERE a.label = 'prod-backend' AND a.person_id IS NULL") == 0  # fmt: skip
