from datetime import date

import pytest
from org_helpers import days, query, snapshot, spend

from spendtui import org
from spendtui.analytics.query import AnalyticsError, Scope
from spendtui.analytics.totals import totals
from spendtui.errors import SpendtuiError, UsageError
from spendtui.periods import Period

TODAY = date(2026, 10, 20)
OCTOBER = Period(date(2026, 10, 1), date(2026, 10, 31), "month")
READ_OCTOBER_ON = "2026-10-31"  # edits happen on TODAY; October is read once all of it has accrued
Q3 = Period(date(2026, 7, 1), date(2026, 9, 30), "range")


def team_spend(q, team, period):
    return totals(q, period, Scope(team=team)).all.spend


def members(store, team):
    return {t.name: t.members for t in org.list_teams(store, TODAY)}[team]


@pytest.fixture
def alice(store):
    """alice spends $10 a day from July to October and belongs to Platform since July."""
    spend(store, "anthropic", "alice@example.com", days("2026-07-01", "2026-10-31"), "10")
    org.create_team(store, "Platform")
    org.create_team(store, "Data")
    org.add_members(store, "Platform", ["alice@example.com"], today=TODAY, since="2026-07-01")
    return query(store, READ_OCTOBER_ON)


def test_a_person_moved_mid_month_counts_for_each_team_only_on_its_days(store, alice):
    org.move_member(store, "alice@example.com", "Data", today=TODAY, since="2026-10-15")
    platform, data = team_spend(alice, "Platform", OCTOBER), team_spend(alice, "Data", OCTOBER)
    assert (platform, data) == (14 * 10 * 10**9, 17 * 10 * 10**9)
    person = totals(alice, OCTOBER, Scope(user="alice@example.com")).all.spend
    assert platform + data == person == 310 * 10**9


def test_moving_someone_today_leaves_last_quarters_team_totals_alone(store, alice):
    before = team_spend(alice, "Platform", Q3)
    org.move_member(store, "alice@example.com", "Data", today=TODAY)
    assert team_spend(alice, "Platform", Q3) == before == 92 * 10 * 10**9
    assert team_spend(alice, "Data", Q3) == 0
    assert members(store, "Platform") == [] and members(store, "Data") == ["alice@example.com"]


def test_a_person_in_two_teams_counts_for_both(store, alice):
    org.add_members(store, "Data", ["alice@example.com"], today=TODAY, since="2026-10-01")
    assert team_spend(alice, "Platform", OCTOBER) == team_spend(alice, "Data", OCTOBER) == 310 * 10**9


def test_removing_a_member_closes_the_membership_from_that_day(store, alice):
    org.remove_members(store, "Platform", ["alice@example.com"], today=TODAY, since="2026-10-11")
    assert team_spend(alice, "Platform", OCTOBER) == 10 * 10 * 10**9
    rows = store.query("SELECT valid_from, valid_to FROM memberships")
    assert [tuple(r) for r in rows] == [("2026-07-01", "2026-10-11")]
    # Joining again the day it ended continues the same membership rather than adding a second.
    org.add_members(store, "Platform", ["alice@example.com"], today=TODAY, since="2026-10-11")
    assert [tuple(r) for r in store.query("SELECT valid_from, valid_to FROM memberships")] == [("2026-07-01", None)]


def test_adding_an_existing_member_changes_nothing_and_backdating_extends(store, alice):
    again = org.add_members(store, "Platform", ["ALICE@example.com "], today=TODAY)
    assert not again.changed and again.details["unchanged"] == ["alice@example.com"]
    org.add_members(store, "Platform", ["alice@example.com"], today=TODAY, since="2026-06-01")
    assert [tuple(r) for r in store.query("SELECT valid_from, valid_to FROM memberships")] == [("2026-06-01", None)]


def test_adding_an_unknown_email_creates_the_person(store, alice):
    org.add_members(store, "Data", ["new.hire@example.com"], today=TODAY)
    assert members(store, "Data") == ["new.hire@example.com"]


def test_removing_someone_who_is_not_a_member_says_so(store, alice):
    with pytest.raises(UsageError, match="alice@example.com is not a member of Data on or after 2026-10-20"):
        org.remove_members(store, "Data", ["alice@example.com"], today=TODAY)
    with pytest.raises(UsageError, match="no person with email 'bob@example.com'"):
        org.remove_members(store, "Platform", ["bob@example.com"], today=TODAY)


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("   ", "cannot be empty"),
        ("platform", "a team named 'Platform' already exists"),
        ("PLATFORM ", "a team named 'Platform' already exists"),
        ("ops@example.com", "cannot contain '@'"),
        ("x" * 81, "at most 80 characters"),
    ],
)
def test_team_names_are_validated(store, alice, name, message):
    with pytest.raises(UsageError, match=message):
        org.create_team(store, name)


def test_duplicate_names_compare_without_case_beyond_ascii(store):
    org.create_team(store, "Straße")
    with pytest.raises(UsageError, match="already exists"):
        org.create_team(store, "STRASSE")
    org.create_team(store, "Ops")
    with pytest.raises(UsageError, match="a team named 'Straße' already exists"):
        org.rename_team(store, "Ops", "strasse")


def test_rename_keeps_members_and_refuses_a_taken_name(store, alice):
    with pytest.raises(UsageError, match="'Data' already exists"):
        org.rename_team(store, "Platform", "data")
    org.rename_team(store, "platform", "Platform Eng")
    assert members(store, "Platform Eng") == ["alice@example.com"]
    org.rename_team(store, "Platform Eng", "platform eng")  # a change of case only is allowed
    assert [t.name for t in org.list_teams(store, TODAY)] == ["Data", "platform eng"]


def test_delete_removes_the_team_and_its_history_but_not_the_spend(store, alice):
    org.set_team_budget(store, "Platform", "5000", today=TODAY)
    org.map_account(store, "openai", "project", "proj_1", team="Platform", today=TODAY)
    edit = org.delete_team(store, "platform")
    assert (edit.details["memberships"], edit.details["budgets"], edit.details["accounts"]) == (1, 1, 1)
    assert [t.name for t in org.list_teams(store, TODAY)] == ["Data"]
    assert store.scalar("SELECT COUNT(*) FROM memberships") == 0
    assert store.scalar("SELECT team_id FROM accounts WHERE external_id = 'proj_1'") is None
    assert totals(alice, OCTOBER, Scope()).all.spend == 310 * 10**9
    with pytest.raises(AnalyticsError, match="no team named 'Platform'"):
        team_spend(alice, "Platform", OCTOBER)


def test_unknown_team_lists_the_known_ones(store, alice):
    with pytest.raises(UsageError, match=r"no team named 'Ops' \(teams: Data, Platform\)"):
        org.add_members(store, "Ops", ["alice@example.com"], today=TODAY)


def test_member_emails_are_validated_before_anything_is_written(store, alice):
    before = snapshot(store)
    with pytest.raises(UsageError, match="'bob@' is not an email address"):
        org.add_members(store, "Data", ["carol@example.com", "bob@"], today=TODAY)
    with pytest.raises(UsageError, match="--since must be YYYY-MM-DD"):
        org.add_members(store, "Data", ["carol@example.com"], today=TODAY, since="10/01/2026")
    assert snapshot(store) == before


def test_import_adds_memberships_and_creates_teams(store, alice, tmp_path):
    path = tmp_path / "teams.csv"
    path.write_text("Team,Email,Since\nData,bob@example.com,2026-10-01\n\nOps,Carol@Example.com,\nData,alice@example.com,2026-10-15\n")
    edit = org.import_memberships(store, path, today=TODAY)
    assert edit.details == {"rows": 3, "added": 3, "teams_created": ["Ops"]}
    assert members(store, "Data") == ["alice@example.com", "bob@example.com"]
    assert members(store, "Ops") == ["carol@example.com"]
    ops_since = store.scalar(
        "SELECT valid_from FROM memberships m JOIN teams t ON t.id = m.team_id WHERE t.name = 'Ops'"
    )
    assert ops_since == TODAY.isoformat()


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("team,mail\nData,a@example.com\n", r"line 1: the header must be team,email\[,since\]"),
        ("team,email\nData,a@example.com\nData,not-an-email\n", r"line 3, column 'email': .* \(value 'not-an-email'\)"),
        ("team,email,since\nData,a@example.com,2026-13-01\n", r"line 2, column 'since': since must be YYYY-MM-DD"),
        ("team,email\n\n\n ,a@example.com\n", r"line 4, column 'team': a team name cannot be empty \(value ''\)"),
        ('team,email\n"Data\nEng",a@example.com,extra\n', r"line 2: 3 cells, the header has 2"),
    ],
)
def test_import_errors_name_the_file_line_column_and_value_and_write_nothing(store, alice, tmp_path, content, message):
    path = tmp_path / "teams.csv"
    path.write_text(content)
    before = snapshot(store)
    with pytest.raises(SpendtuiError, match=message) as error:
        org.import_memberships(store, path, today=TODAY)
    assert str(path) in str(error.value) and error.value.exit_code == 1
    assert snapshot(store) == before
