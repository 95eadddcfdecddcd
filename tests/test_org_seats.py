from datetime import date

import pytest
from org_helpers import nano, query, snapshot, spend

from spendtui import org
from spendtui.analytics.query import Scope
from spendtui.analytics.seats import idle_seats, multi_vendor_seats
from spendtui.analytics.totals import totals
from spendtui.errors import SpendtuiError, UsageError
from spendtui.periods import Period

TODAY = date(2026, 10, 20)
OCTOBER = Period(date(2026, 10, 1), date(2026, 10, 31), "month")
READ_OCTOBER_ON = "2026-10-31"  # edits happen on TODAY; October is read once all of it has accrued
HEADER = "provider,email,plan,monthly_fee,from,to\n"


def write(tmp_path, body, name="seats.csv"):
    path = tmp_path / name
    path.write_text(HEADER + body)
    return path


def seat_rows(store):
    return [tuple(r) for r in store.query(
        "SELECT s.provider, p.email, s.plan, s.monthly_fee_nano, s.active_from, s.active_to "
        "FROM seats s JOIN people p ON p.id = s.person_id ORDER BY 1, 2")]  # fmt: skip


def test_import_stores_seats_and_their_fees_show_as_subscription_spend(store, tmp_path):
    q = query(store, READ_OCTOBER_ON, {"anthropic": nano("25")})
    edit = org.import_seats(store, write(tmp_path, "cursor,Bob@Example.com,business,$40.00,2026-10-01,\n"
                                                   "anthropic,carol@example.com,team-premium,,2026-09-01,2026-10-15\n"),
                            today=TODAY)  # fmt: skip
    assert edit.details == {"seats": 2, "new": 2, "replaced": 0}
    assert seat_rows(store) == [
        ("anthropic", "carol@example.com", "team-premium", None, "2026-09-01", "2026-10-15"),
        ("cursor", "bob@example.com", "business", nano("40"), "2026-10-01", None),
    ]
    october = totals(q, OCTOBER, Scope()).all.categories
    # cursor: the whole month's $40; anthropic: 15 of 31 days of the configured $25 (remainder on the 31st).
    assert october["subscription"] == nano("40") + 15 * (nano("25") // 31)


def test_importing_a_known_seat_replaces_its_fee_and_end(store, tmp_path):
    query(store, TODAY.isoformat())
    org.import_seats(store, write(tmp_path, "cursor,bob@example.com,business,40,2026-10-01,\n"), today=TODAY)
    edit = org.import_seats(store, write(tmp_path, "cursor,bob@example.com,business,32.50,2026-10-01,2026-10-31\n"),
                            today=TODAY)  # fmt: skip
    assert edit.details == {"seats": 1, "new": 0, "replaced": 1}
    assert seat_rows(store) == [("cursor", "bob@example.com", "business", nano("32.50"), "2026-10-01", "2026-10-31")]


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ("cursr,bob@example.com,business,40,2026-10-01,\n", r"line 3, column 'provider': provider must be one of"),
        ("cursor,bob,business,40,2026-10-01,\n", r"line 3, column 'email': .* \(value 'bob'\)"),
        ("cursor,bob@example.com, ,40,2026-10-01,\n", r"line 3, column 'plan': a plan cannot be empty"),
        ("cursor,bob@example.com,business,-40,2026-10-01,\n", r"line 3, column 'monthly_fee': monthly_fee must be more than zero"),
        ("cursor,bob@example.com,business,forty,2026-10-01,\n", r"column 'monthly_fee': .* \(value 'forty'\)"),
        ("cursor,bob@example.com,business,40,,\n", r"line 3, column 'from': from must be YYYY-MM-DD"),
        ("cursor,bob@example.com,business,40,2026-10-01,2026-09-30\n", r"column 'to': to 2026-09-30 is before from 2026-10-01"),
        ("cursor,a@example.com,b,1,2026-10-01,\ncursor,a@example.com,b,2,2026-10-01,\n",
         r"line 4, column 'from': the same seat .* is on line 3"),
    ],
)  # fmt: skip
def test_bad_seat_files_name_the_cell_and_write_nothing(store, tmp_path, body, message):
    before = snapshot(store)
    with pytest.raises(SpendtuiError, match=message):
        org.import_seats(store, write(tmp_path, "cursor,ok@example.com,business,40,2026-10-01,\n" + body), today=TODAY)
    assert snapshot(store) == before


def test_an_empty_seat_file_is_refused(store, tmp_path):
    with pytest.raises(UsageError, match="no seats in the file"):
        org.import_seats(store, write(tmp_path, ""), today=TODAY)


@pytest.fixture
def seats(store):
    """bob: cursor (used last week) + anthropic (last used in August); carol: openai since this month."""
    spend(store, "cursor", "bob@example.com", [date(2026, 10, 12)], "0", category="included")
    spend(store, "anthropic", "bob@example.com", [date(2026, 8, 30)], "3")
    spend(store, "anthropic", "dan@example.com", [date(2026, 10, 19)], "3")
    spend(store, "openai", "erin@example.com", [date(2026, 10, 19)], "3")
    org.put_seats(store, [
        org.SeatRow("cursor", "bob@example.com", "business", None, date(2026, 6, 1), None),
        org.SeatRow("anthropic", "bob@example.com", "premium", nano("150"), date(2026, 6, 1), None),
        org.SeatRow("anthropic", "dan@example.com", "standard", nano("30"), date(2026, 6, 1), None),
        org.SeatRow("openai", "carol@example.com", "chatgpt-team", nano("30"), date(2026, 10, 5), None),
        org.SeatRow("openai", "carol@example.com", "old", nano("30"), date(2026, 1, 1), date(2026, 9, 30)),
    ], today=TODAY)  # fmt: skip
    return query(store, TODAY.isoformat(), {"cursor": nano("40")})


def test_idle_seats_are_held_seats_with_no_use_of_that_provider_in_30_days(seats):
    idle = idle_seats(seats, {"cursor": nano("40")})
    assert [i.as_json() for i in idle] == [
        {"user": "bob@example.com", "provider": "anthropic", "plan": "premium", "monthly_cost": "150.00",
         "held_since": "2026-06-01", "last_used": "2026-08-30"},
    ]  # fmt: skip
    # carol's seat is 15 days old: too young to call idle. Thirty days on, nobody has used anything.
    seats.today = date(2026, 11, 20)
    assert [(i.seat.email, i.seat.provider) for i in idle_seats(seats, {})] == []  # no usage data at all: unknown


def test_idle_seats_follow_a_team_scope(store, seats):
    org.create_team(store, "Data")
    org.add_members(store, "Data", ["dan@example.com"], today=TODAY, since="2026-01-01")
    assert idle_seats(seats, {}, Scope(team="Data")) == []
    assert len(idle_seats(seats, {}, Scope(provider="anthropic"))) == 1


def test_people_with_seats_at_several_vendors_and_their_monthly_cost(seats):
    multi = multi_vendor_seats(seats, {"cursor": nano("40")})
    assert [m.as_json() for m in multi] == [{
        "user": "bob@example.com", "providers": ["anthropic", "cursor"], "monthly_cost": "190.00",
        "seats": [
            {"provider": "anthropic", "plan": "premium", "monthly_cost": "150.00", "held_since": "2026-06-01"},
            {"provider": "cursor", "plan": "business", "monthly_cost": "40.00", "held_since": "2026-06-01"},
        ],
    }]  # fmt: skip
    assert multi_vendor_seats(seats, {})[0].monthly_cost == nano("150")  # cursor price unknown
