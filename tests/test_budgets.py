from datetime import date

import pytest
from org_helpers import days, nano, query, spend

from spendtui import org
from spendtui.analytics.budgets import annual_status, month_projection, team_budget, team_statuses
from spendtui.money import scale
from spendtui.analytics.query import Query, Scope
from spendtui.errors import UsageError


def status_of(q, team):
    return {s.team: s for s in team_statuses(q)}[team]


@pytest.fixture
def daily_100(store):
    """$100 of API spend every day of 2026, and of 2028 (a leap year)."""
    spend(store, "openai", "alice@example.com", days("2026-01-01", "2026-12-31"), "100")
    spend(store, "openai", "alice@example.com", days("2028-01-01", "2028-12-31"), "100")
    org.set_annual_budget(store, 2026, "36500", name="2026 AI Budget")
    org.set_annual_budget(store, 2028, "73200")
    return store


@pytest.mark.parametrize(
    ("today", "ytd", "elapsed", "remaining", "expected", "projected"),
    [
        ("2026-01-01", "100", 1, 364, "100", "36500"),
        ("2026-07-02", "18300", 183, 182, "18300", "36500"),
        ("2026-12-31", "36500", 365, 0, "36500", "36500"),
        ("2028-02-29", "6000", 60, 306, "12000", "36600"),
        ("2028-12-31", "36600", 366, 0, "73200", "36600"),
    ],
)
def test_annual_burn_at_year_boundaries_and_in_a_leap_year(daily_100, today, ytd, elapsed, remaining, expected, projected):
    status = annual_status(query(daily_100, today))
    assert (status.spend, status.elapsed_days, status.remaining_days) == (nano(ytd), elapsed, remaining)
    assert (status.expected, status.projected) == (nano(expected), nano(projected))


def test_annual_status_as_json_and_for_years_not_running(daily_100):
    q = query(daily_100, "2026-07-02")
    assert annual_status(q).as_json() == {
        "year": 2026, "name": "2026 AI Budget", "budget": "36500.00", "ytd_spend": "18300.00", "used_pct": 50.14,
        "expected_to_date": "18300.00", "expected_pct": 50.14, "projected_year_end": "36500.00",
        "projected_pct": 100.0, "elapsed_days": 183, "remaining_days": 182, "estimated": False,
    }  # fmt: skip
    future = annual_status(q, 2028)
    assert (future.spend, future.elapsed_days, future.projected, future.expected) == (0, 0, None, 0)
    assert annual_status(q, 2027) is None
    past = annual_status(query(daily_100, "2029-03-01"), 2028)
    assert (past.spend, past.remaining_days, past.projected) == (nano("36600"), 0, nano("36600"))


def test_setting_the_annual_budget_again_replaces_it(daily_100):
    org.set_annual_budget(daily_100, "2026", "$40,000.00")
    status = annual_status(query(daily_100, "2026-01-01"))
    assert status.budget.amount == nano("40000") and status.budget.name == "2026 AI Budget"


@pytest.fixture
def platform(store):
    """alice: $10 of API a day and a $28/month seat, in Platform since 2025."""
    spend(store, "anthropic", "alice@example.com", days("2026-01-01", "2026-03-31"), "10")
    spend(store, "anthropic", "alice@example.com", days("2028-02-01", "2028-02-29"), "10")
    org.put_seats(store, [org.SeatRow("cursor", "alice@example.com", "business", nano("28"), date(2025, 1, 1), None)],
                  today=date(2026, 1, 1))  # fmt: skip
    org.create_team(store, "Platform")
    org.add_members(store, "Platform", ["alice@example.com"], today=date(2026, 1, 1), since="2025-01-01")
    org.set_team_budget(store, "Platform", "400", today=date(2026, 1, 1), effective_from="2025-01")
    return store


def test_projected_month_end_in_a_28_day_month(platform):
    status = status_of(query(platform, "2026-02-14"), "Platform")
    month = status.month
    assert (month.elapsed_days, month.remaining_days, month.resets_in_days) == (14, 14, 15)
    assert (month.spend, month.usage_spend, month.remaining_seats) == (nano("154"), nano("140"), nano("14"))
    assert month.projected == nano("154") + nano("140") + nano("14")
    assert status.as_json() == {
        "team": "Platform", "month": "2026-02", "budget": "400.00", "mtd_spend": "154.00", "used_pct": 38.5,
        "projected_month_end": "308.00", "projected_pct": 77.0, "resets_in_days": 15, "estimated": False,
    }  # fmt: skip


@pytest.mark.parametrize(
    ("today", "month_spend"),
    [
        ("2026-02-28", "308"),  # the last day of a 28-day month: 28 days of $10 and the whole $28 seat
        ("2028-02-29", "318"),  # Feb 29 of a leap year is its month's last day: 29 × $10 + $28
        ("2026-03-31", "338"),
    ],
)
def test_on_a_months_last_day_the_projection_is_the_spend(platform, today, month_spend):
    month = month_projection(query(platform, today), Scope(team="Platform"))
    assert (month.spend, month.projected) == (nano(month_spend), nano(month_spend))
    assert (month.remaining_days, month.remaining_seats, month.resets_in_days) == (0, 0, 1)


def test_on_the_first_of_a_month_one_day_projects_the_whole_month(platform):
    month = month_projection(query(platform, "2026-01-01"), Scope(team="Platform"))
    seat_day = nano("28") // 31  # the seat accrues evenly, the remainder on the 31st
    assert (month.elapsed_days, month.remaining_days, month.resets_in_days) == (1, 30, 31)
    assert (month.spend, month.remaining_seats) == (nano("10") + seat_day, nano("28") - seat_day)
    assert month.projected == nano("10") * 31 + nano("28")


def test_a_membership_added_today_counts_from_the_start_of_today(platform):
    spend(platform, "openai", "carol@example.com", days("2026-02-01", "2026-02-14"), "5")
    org.add_members(platform, "Platform", ["carol@example.com"], today=date(2026, 2, 14))
    month = status_of(query(platform, "2026-02-14"), "Platform").month
    assert month.spend == nano("154") + nano("5")
    assert month.usage_spend == nano("145")


def test_a_person_in_two_teams_counts_for_each_and_seats_follow_future_membership(platform):
    org.create_team(platform, "Data")
    org.add_members(platform, "Data", ["alice@example.com"], today=date(2026, 2, 1), since="2026-02-01")
    org.remove_members(platform, "Data", ["alice@example.com"], today=date(2026, 2, 1), since="2026-02-21")
    q = query(platform, "2026-02-14")
    platform_status, data_status = status_of(q, "Platform"), status_of(q, "Data")
    assert platform_status.month.spend == data_status.month.spend == nano("154")
    assert platform_status.month.remaining_seats == nano("14")
    assert data_status.month.remaining_seats == nano("6")  # Feb 15..20 only
    assert data_status.budget is None and data_status.used_pct is None


def test_a_team_budget_holds_from_its_month_and_keeps_the_months_before(platform):
    org.set_team_budget(platform, "Platform", "600", today=date(2026, 3, 10))
    team = platform.scalar("SELECT id FROM teams")
    assert team_budget(platform, team, "2026-02").amount == nano("400")
    assert team_budget(platform, team, "2026-03").amount == nano("600")
    assert team_budget(platform, team, "2027-01").amount == nano("600")
    assert team_budget(platform, team, "2024-12") is None


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda s: org.set_annual_budget(s, 26, "100"), "a budget year is written YYYY"),
        (lambda s: org.set_annual_budget(s, 2026, "0"), "the annual budget must be more than zero"),
        (lambda s: org.set_annual_budget(s, 2026, "-5"), "must be more than zero"),
        (lambda s: org.set_annual_budget(s, 2026, "lots"), "must be an amount in dollars"),
        (lambda s: org.set_annual_budget(s, 2026, "100", name="  "), "a budget name cannot be empty"),
        (lambda s: org.set_team_budget(s, "Nope", "100", today=date(2026, 1, 1)), "no team named 'Nope'"),
        (lambda s: org.set_team_budget(s, "Platform", "100", today=date(2026, 1, 1), effective_from="2026-13"),
         "a budget month is written YYYY-MM"),
    ],
)
def test_budget_values_are_validated(platform, call, message):
    with pytest.raises(UsageError, match=message):
        call(platform)


def test_scale_rounds_half_up_in_whole_nano_dollars():
    assert scale(1, 1, 2) == 1 and scale(-1, 1, 2) == -1 and scale(10, 1, 3) == 3 and scale(20, 1, 3) == 7


def test_a_projection_over_rollups_that_lag_today_still_counts_every_seat_fee(store):
    """A read-only viewer's store whose writer last ran on the 20th: the fees of the 21st on are ahead."""
    org.put_seats(store, [org.SeatRow("cursor", "bob@example.com", "business", nano("30"), date(2026, 1, 1), None)],
                  today=date(2026, 11, 20))  # fmt: skip
    query(store, "2026-11-20")  # the rollups accrue seat fees through the 20th
    lagging = month_projection(Query(store, "UTC", date(2026, 11, 23)), Scope())
    assert lagging.projected == nano("30")  # 20 days held + 10 days ahead, not 20 + 7
