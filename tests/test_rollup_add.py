"""Facts that are all new are added to the rollups (``rollup.add``): the result must equal a rebuild."""

from datetime import date

import pytest
from builders import add_seat, cursor_event, day_cost, write_cursor, write_day_costs, write_spread
from import_helpers import CURSOR_EVENTS, imported

from spendtui.importers import run as run_module
from spendtui.money import dollars_to_nano
from spendtui.store import rollup
from spendtui.store.facts import RANK_CSV, FactBatch, write_facts

TODAY = date(2026, 10, 31)


def rollup_rows(store) -> dict[str, list[str]]:
    return {t: sorted(repr(tuple(r)) for r in store.query(f"SELECT * FROM {t}")) for t in rollup.ROLLUP_TABLES}


def assert_rollups_equal_a_rebuild(store) -> None:
    added = rollup_rows(store)
    rollup.rebuild_all(store)
    assert rollup_rows(store) == added


@pytest.fixture
def rebuilds(monkeypatch) -> list:
    """Days refreshed from facts: the sums of new facts are added without any."""
    calls = []
    original = rollup._rebuild_days
    monkeypatch.setattr(rollup, "_rebuild_days", lambda *args: calls.append(args[2:4]) or original(*args))
    return calls


@pytest.mark.parametrize("zone", ["UTC", "America/Los_Angeles", "Asia/Tokyo"])
def test_an_import_in_chunks_adds_what_a_rebuild_computes(store, monkeypatch, rebuilds, zone):
    rollup.configure(store, zone, {}, TODAY)
    monkeypatch.setattr(run_module, "WRITE_CHUNK_ROWS", 3)  # chunks that share days and rollup keys
    imported(store, CURSOR_EVENTS)
    assert rebuilds == []
    assert store.scalar("SELECT SUM(facts) FROM roll_day") == 8
    assert_rollups_equal_a_rebuild(store)


def test_new_facts_on_days_already_held_join_their_rows(store, rebuilds):
    rollup.configure(store, "Europe/Berlin", {}, TODAY)
    write_cursor(store, [cursor_event("2026-10-05T22:30:00Z", "a@example.com", "1.25"),
                         cursor_event("2026-10-06T09:00:00Z", "b@example.com", "0.50", requests=None)])  # fmt: skip
    write_cursor(store, [cursor_event("2026-10-05T23:30:00Z", "a@example.com", "2.00"),
                         cursor_event("2026-10-06T10:00:00Z", "b@example.com", "0.25", requests=None),
                         cursor_event("2026-10-06T11:00:00Z", "b@example.com", "0.25", requests=2)])  # fmt: skip
    assert rebuilds == []
    # Berlin is UTC+2 in October: both of a's events fall on the 6th there, in one row.
    assert store.query("SELECT day, amount_nano, facts FROM roll_day WHERE subject = 1")[0][:] == (
        "2026-10-06", dollars_to_nano("3.25"), 2,
    )
    assert store.scalar("SELECT requests FROM roll_day WHERE subject = 2") == 2
    assert_rollups_equal_a_rebuild(store)


def spread(email: str, dollars: str) -> dict:
    return {"key": f"{email}-oct", "product": "cursor", "email": email, "category": "overage",
            "amount_nano": dollars_to_nano(dollars), "period_from": "2026-10-01", "period_to": "2026-10-31"}  # fmt: skip


def estimate(email: str, dollars: str, when: str = "2026-10-05T12:00:00Z") -> dict:
    row = cursor_event(when, email, dollars, category="included", key=f"est-{email}-{dollars}")
    return dict(row, estimated=1)


def write_estimates(store, rows) -> None:
    write_facts(store, FactBatch("cursor", "cursor.daily", "cursor.csv.analytics", RANK_CSV, rows))


def test_billed_usage_shadows_estimates_held_and_new(store, rebuilds):
    rollup.configure(store, "UTC", {}, TODAY)
    write_estimates(store, [estimate("a@example.com", "4.00")])
    assert store.scalar("SELECT est FROM roll_day WHERE subject = 1") == 1
    rebuilds.clear()

    write_cursor(store, [cursor_event("2026-10-05T13:00:00Z", "c@example.com", "1.00")])
    assert store.scalar("SELECT est FROM roll_day WHERE subject = 1") == 2  # billed usage that day now
    write_estimates(store, [estimate("a@example.com", "2.00")])
    assert store.query("SELECT est, facts FROM roll_day WHERE subject = 1")[0][:] == (2, 2)
    write_cursor(store, [cursor_event("2026-10-08T13:00:00Z", "c@example.com", "1.00")])
    write_estimates(store, [estimate("b@example.com", "1.00", "2026-10-08T12:00:00Z")])
    assert rebuilds == []
    assert store.scalar("SELECT est FROM roll_day WHERE subject = 3") == 2  # new, and shadowed at once
    assert_rollups_equal_a_rebuild(store)


def test_estimates_on_days_usage_covers_add_up_without_re_deriving_months(store, monkeypatch):
    rollup.configure(store, "UTC", {}, TODAY)
    write_cursor(store, [cursor_event("2026-10-05T13:00:00Z", "c@example.com", "1.00")])
    rederived = []
    original = rollup._rebuild_above_days
    monkeypatch.setattr(rollup, "_rebuild_above_days", lambda *args: rederived.append(args[2:]) or original(*args))
    october = "SELECT est, amount_nano FROM roll_month WHERE subject = (SELECT id FROM people WHERE email = ?) ORDER BY est"

    write_estimates(store, [estimate("a@example.com", "4.00"), estimate("a@example.com", "3.00", "2026-10-09T12:00:00Z")])
    # The 5th has billed usage (c's), the 9th none: October holds a shadowed and a standing estimate.
    assert store.tuples(october, ("a@example.com",)) == [(1, dollars_to_nano("3.00")), (2, dollars_to_nano("4.00"))]
    write_estimates(store, [estimate("a@example.com", "1.00"), estimate("a@example.com", "2.00", "2026-10-09T13:00:00Z")])
    assert store.tuples(october, ("a@example.com",)) == [(1, dollars_to_nano("5.00")), (2, dollars_to_nano("5.00"))]
    assert rederived == []
    assert_rollups_equal_a_rebuild(store)


def test_usage_covers_a_spread_amount(store, rebuilds):
    rollup.configure(store, "UTC", {}, TODAY)
    write_spread(store, "cursor", [spread("b@example.com", "31.00"), spread("d@example.com", "62.00")])
    assert store.scalar("SELECT COUNT(*) FROM roll_day WHERE spread = 1") == 62
    rebuilds.clear()

    write_cursor(store, [cursor_event("2026-10-07T13:00:00Z", "b@example.com", "1.00")])
    assert rebuilds == []
    assert store.scalar("SELECT COUNT(*) FROM roll_day WHERE spread = 1") == 31  # b's own usage covers b's October
    assert_rollups_equal_a_rebuild(store)


def test_account_facts_and_seats_add_up_as_a_rebuild_would(store, rebuilds):
    rollup.configure(store, "UTC", {}, TODAY)
    add_seat(store, "openai", "a@example.com", "team", "30.00", "2026-10-01", today=TODAY)
    write_day_costs(store, "openai", [day_cost("2026-10-03", "proj-1", "2.50", model="gpt-5")])
    store.conn.execute("UPDATE accounts SET person_id = 1 WHERE external_id = 'proj-1'")
    rollup.rebuild_all(store)  # as mapping the account in the app refreshes its days
    rebuilds.clear()
    write_day_costs(store, "openai", [day_cost("2026-10-03", "proj-1", "1.00", model="gpt-5-mini"),
                                      day_cost("2026-10-04", "proj-2", "0.75", model="gpt-5")])  # fmt: skip
    assert rebuilds == []
    subjects = [r[0] for r in store.query("SELECT DISTINCT subject FROM roll_day WHERE product = 'api' ORDER BY 1")]
    assert subjects == [-2, 1]  # proj-2 is no one's; proj-1 is a's
    assert_rollups_equal_a_rebuild(store)


def test_a_batch_that_replaces_a_fact_refreshes_its_days_from_facts(store, rebuilds):
    write_cursor(store, [cursor_event("2026-10-05T12:00:00Z", "a@example.com", "1.00", key="k")])
    write_cursor(store, [cursor_event("2026-10-05T12:00:00Z", "a@example.com", "2.00", key="k")])
    assert rebuilds == [(date(2026, 10, 4), date(2026, 10, 6))]  # its UTC day and the days around it
    assert store.scalar("SELECT amount_nano FROM roll_day") == dollars_to_nano("2.00")


# An instant whose day there is not its UTC day: the 6th in Tokyo, the 4th in Los Angeles.
@pytest.mark.parametrize(("zone", "when"), [("Asia/Tokyo", "2026-10-05T20:00:00Z"),
                                            ("America/Los_Angeles", "2026-10-05T03:00:00Z")])  # fmt: skip
def test_a_replaced_fact_refreshes_the_local_day_it_counts_on(store, zone, when):
    rollup.configure(store, zone, {}, TODAY)
    for dollars in ("1.00", "2.00"):
        write_cursor(store, [cursor_event(when, "a@example.com", dollars, key="k")])
    assert store.scalar("SELECT amount_nano FROM roll_day") == dollars_to_nano("2.00")
    assert_rollups_equal_a_rebuild(store)
