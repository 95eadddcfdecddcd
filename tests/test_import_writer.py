"""The fact writer leaves a record written again unchanged alone, so it keeps the import that wrote it."""

from spendtui.store.facts import RANK_API, RANK_CSV, FactBatch, write_facts, write_period_amounts


def event(amount=220_000_000, attrs=None):
    return {"key": "1790000000000|a@example.com|auto|1|0|0|1|0", "product": "cursor", "ts_ms": 1_790_000_000_000,
            "email": "a@example.com", "model": "auto", "kind": "On-Demand", "category": "overage",
            "amount_nano": amount, "requests": 1, "tok_in": 1, "tok_out": 1, "attrs": attrs}  # fmt: skip


def write(store, rows, *, rank=RANK_CSV, source="cursor.csv.events", import_id=None):
    return write_facts(store, FactBatch("cursor", "cursor.events", source, rank, rows), import_id=import_id)


def stored(store):
    return tuple(store.query("SELECT import_id, source, rank, amount_nano, attrs FROM usage_facts")[0])


def test_unchanged_record_keeps_its_first_import_even_with_other_attrs(store):
    write(store, [event(attrs='{"cloud_agent_id": "bc-1"}')], import_id=1)
    result = write(store, [event()], import_id=2)
    assert (result.new, result.replaced, result.unchanged) == (0, 0, 1)
    assert stored(store) == (1, "cursor.csv.events", RANK_CSV, 220_000_000, '{"cloud_agent_id": "bc-1"}')


def test_changed_record_is_replaced_and_changes_hands(store):
    write(store, [event()], import_id=1)
    result = write(store, [event(amount=230_000_000)], import_id=2)
    assert (result.new, result.replaced, result.unchanged) == (0, 1, 0)
    assert stored(store)[:4] == (2, "cursor.csv.events", RANK_CSV, 230_000_000)


def test_higher_rank_with_equal_values_still_takes_over(store):
    write(store, [event()], import_id=1)
    result = write(store, [event()], rank=RANK_API, source="cursor.api.events")
    assert (result.replaced, result.unchanged) == (1, 0)
    assert stored(store)[:3] == (None, "cursor.api.events", RANK_API)


def test_period_amount_written_again_unchanged_keeps_its_import(store):
    row = {"key": "2026-09|a@example.com", "product": "cursor", "email": "a@example.com", "category": "overage",
           "amount_nano": 5_000_000_000, "period_from": "2026-09-01", "period_to": "2026-09-30"}  # fmt: skip
    write_period_amounts(store, "cursor", "cursor.spend_by_user", "csv", RANK_CSV, [row], import_id=1)
    again = write_period_amounts(store, "cursor", "cursor.spend_by_user", "csv", RANK_CSV, [row], import_id=2)
    assert (again.new, again.replaced, again.unchanged) == (0, 0, 1)
    changed = write_period_amounts(
        store, "cursor", "cursor.spend_by_user", "csv", RANK_CSV, [dict(row, amount_nano=1)], import_id=3
    )
    assert (changed.new, changed.replaced, changed.unchanged) == (0, 1, 0)
    assert store.scalar("SELECT import_id FROM period_amounts") == 3


def test_counts_of_a_mixed_batch(store):
    keys = [f"k{i}" for i in range(4)]
    base = [dict(event(), key=k, ts_ms=1_790_000_000_000 + i) for i, k in enumerate(keys)]
    write(store, base[:3], import_id=1)  # k0, k1, k2 as CSV
    write(store, [base[2]], rank=RANK_API, source="cursor.api.events")  # k2 now the API's
    batch = [base[0], dict(base[1], amount_nano=1), base[2], base[3]]  # unchanged, changed, outranked, new
    result = write(store, batch, import_id=2)
    assert (result.rows, result.new, result.replaced, result.unchanged, result.outranked) == (4, 1, 1, 1, 1)
    assert [
        tuple(r) for r in store.query("SELECT import_id, source FROM usage_facts ORDER BY ts_ms")
    ] == [(1, "cursor.csv.events"), (2, "cursor.csv.events"), (None, "cursor.api.events"), (2, "cursor.csv.events")]


def test_constant_text_with_quotes_is_stored_as_written(store):
    rows = [dict(event(), key=f"k{i}", kind="Included in O'Brien's plan", category="included") for i in range(3)]
    write(store, rows)
    assert store.scalar("SELECT DISTINCT kind FROM usage_facts") == "Included in O'Brien's plan"
    assert store.scalar("SELECT COUNT(*) FROM usage_facts WHERE product = 'cursor' AND rank = 1") == 3


def test_a_batch_that_changes_nothing_leaves_the_rollups_alone(store, monkeypatch):
    from spendtui.store import rollup

    write(store, [event()], import_id=1)
    calls = []
    monkeypatch.setattr(rollup, "refresh", lambda *args: calls.append(args))
    write(store, [event()], import_id=2)
    assert calls == []
    write(store, [event(amount=1)], import_id=3)
    assert len(calls) == 1


def test_records_are_inserted_oldest_first_whatever_the_order_of_the_batch(store):
    """The (provider, day) index then takes appends; exports list the newest records first."""
    days = [dict(event(), key=f"k{d}", ts_ms=1_790_000_000_000 + d * 86_400_000) for d in range(4)]
    write(store, days[2:][::-1])  # newest first
    write(store, days[:2])  # oldest first
    stored = [r[0] for r in store.query("SELECT ts_ms FROM usage_facts ORDER BY id")]
    assert stored == [d["ts_ms"] for d in (days[2], days[3], days[0], days[1])]


def test_columns_are_the_same_records_as_dicts(store, tmp_path):
    from spendtui.store import open_store
    from spendtui.store.facts import Columns

    named = event()
    unnamed = dict(event(), key="k-svc", email=None, account_kind="service_account", account_id="svc_1")
    as_dicts = write(store, [named, unnamed])
    # The Cursor normaliser builds columns window by window; a window without service accounts has no account columns.
    windows = [Columns({k: [v] for k, v in named.items()}),
               Columns({k: [v] for k, v in unnamed.items()} | {"account_label": [None]})]  # fmt: skip
    with open_store(tmp_path / "columns.db") as other:
        as_columns = write(other, Columns.concat(windows))
        assert (as_columns.new, as_columns.rows) == (as_dicts.new, as_dicts.rows) == (2, 2)
        rows = "SELECT nk, day, person_id IS NULL, account_id IS NULL, amount_nano, model FROM usage_facts ORDER BY nk"
        assert [tuple(r) for r in other.query(rows)] == [tuple(r) for r in store.query(rows)]
