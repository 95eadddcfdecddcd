from datetime import date

import pytest
from org_helpers import days, query, spend

from spendtui import org
from spendtui.analytics.overview import overview
from spendtui.analytics.query import Scope
from spendtui.analytics.totals import totals
from spendtui.errors import UsageError
from spendtui.periods import Period

TODAY = date(2026, 10, 20)
OCTOBER = Period(date(2026, 10, 1), date(2026, 10, 31), "month")
READ_OCTOBER_ON = "2026-10-31"  # edits happen on TODAY; October is read once all of it has accrued
KEY = ("api_key", "apikey_01")


def users(q, scope=Scope()):
    """The `users` table of `spendtui report --format json` (view overview) for October."""
    return {u["user"]: u["spend"] for u in overview(q, OCTOBER, scope).as_json()["users"]}


@pytest.fixture
def q(store):
    spend(store, "anthropic", "alice@example.com", days("2026-10-01", "2026-10-10"), "10")
    spend(store, "openai", "a.smith@example.com", days("2026-10-05", "2026-10-06"), "2.50")
    spend(store, "anthropic", KEY, days("2026-10-01", "2026-10-04"), "1.25")
    return query(store, READ_OCTOBER_ON)


def test_merge_moves_spend_history_and_seats_to_one_person_and_keeps_the_alias(store, q):
    org.create_team(store, "Data")
    org.add_members(store, "Data", ["a.smith@example.com"], today=TODAY, since="2026-10-01")
    org.put_seats(store, [org.SeatRow("cursor", "a.smith@example.com", "business", 40 * 10**9, date(2026, 10, 1), None)],
                  today=TODAY)  # fmt: skip
    assert users(q) == {"alice@example.com": "100.00", "a.smith@example.com": "45.00",
                        "unattributed:anthropic:apikey_01": "5.00"}  # fmt: skip

    edit = org.merge_people(store, "Alice@example.com", "a.smith@example.com", today=TODAY)

    assert edit.description == "Merge a.smith@example.com into alice@example.com"
    assert users(q) == {"alice@example.com": "145.00", "unattributed:anthropic:apikey_01": "5.00"}
    assert totals(q, OCTOBER, Scope(team="Data")).all.spend == 145 * 10**9
    [alice] = [p for p in org.list_people(store, TODAY) if p.email == "alice@example.com"]
    assert alice.aliases == ["a.smith@example.com"] and alice.teams == ["Data"]
    assert alice.seats == [("cursor", "business", 40 * 10**9)]
    assert [p.email for p in org.list_people(store, TODAY)] == ["alice@example.com"]
    # New data under the old email lands on the merged person.
    spend(store, "openai", "a.smith@example.com", [date(2026, 10, 7)], "1")
    assert users(q)["alice@example.com"] == "146.00"


def test_merging_the_same_seat_twice_keeps_one(store, q):
    seat = ("cursor", "business", 40 * 10**9, date(2026, 10, 1), None)
    org.put_seats(store, [org.SeatRow(seat[0], e, *seat[1:]) for e in ("alice@example.com", "a.smith@example.com")],
                  today=TODAY)  # fmt: skip
    org.merge_people(store, "alice@example.com", "a.smith@example.com", today=TODAY)
    assert store.scalar("SELECT COUNT(*) FROM seats") == 1
    assert users(q)["alice@example.com"] == "145.00"


def test_merge_refuses_unknown_or_identical_people(store, q):
    with pytest.raises(UsageError, match="no person with email 'nobody@example.com'"):
        org.merge_people(store, "alice@example.com", "nobody@example.com", today=TODAY)
    org.merge_people(store, "alice@example.com", "a.smith@example.com", today=TODAY)
    with pytest.raises(UsageError, match="already the same person"):
        org.merge_people(store, "a.smith@example.com", "alice@example.com", today=TODAY)


def test_mapping_a_key_to_a_person_turns_unattributed_spend_into_theirs(store, q):
    edit = org.map_account(store, "anthropic", *KEY, person="bob@example.com", today=TODAY)
    assert edit.description == "Map anthropic api_key apikey_01 to bob@example.com"
    assert users(q) == {"alice@example.com": "100.00", "a.smith@example.com": "5.00", "bob@example.com": "5.00"}


def test_mapping_a_key_to_a_team_counts_it_for_the_team_but_no_person(store, q):
    org.create_team(store, "Research")
    org.map_account(store, "anthropic", *KEY, team="research", today=TODAY)
    assert totals(q, OCTOBER, Scope(team="Research")).all.spend == 5 * 10**9
    assert "unattributed:anthropic:apikey_01" in users(q)
    # Mapping it to a person afterwards takes it away from the team.
    org.map_account(store, "anthropic", *KEY, person="alice@example.com", today=TODAY)
    assert totals(q, OCTOBER, Scope(team="Research")).all.spend == 0


def test_an_account_can_be_mapped_before_any_data_names_it(store, q):
    org.map_account(store, "openai", "project", "proj_future", person="alice@example.com", today=TODAY)
    spend(store, "openai", ("project", "proj_future"), [date(2026, 10, 12)], "7")
    assert users(q)["alice@example.com"] == "107.00"


@pytest.mark.parametrize(
    ("provider", "kind", "external", "target", "message"),
    [
        ("cursor", "api_key", "k", {"person": "alice@example.com"}, "a cursor account to map is named by --user, not --api-key"),
        ("gemini", "user", "u", {"person": "alice@example.com"}, "unknown provider 'gemini'"),
        ("anthropic", "api_key", "  ", {"person": "alice@example.com"}, "the --api-key id cannot be empty"),
        ("anthropic", "api_key", "k", {"person": "alice"}, "'alice' is not an email address"),
        ("anthropic", "api_key", "k", {"team": "Nope"}, "no team named 'Nope'"),
        ("anthropic", "api_key", "k", {}, "exactly one of a person or a team"),
    ],
)
def test_map_validates_its_arguments(store, q, provider, kind, external, target, message):
    with pytest.raises(UsageError, match=message):
        org.map_account(store, provider, kind, external, today=TODAY, **target)
