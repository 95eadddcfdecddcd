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
