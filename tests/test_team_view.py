"""Team context, provider tabs and the Teams table against hand computations."""

from datetime import date
from decimal import Decimal

import pytest

from builders import add_seat, add_team, cursor_event, day_cost, write_cursor, write_day_costs, write_usage
from spendtui.analytics.providers import provider_tab
from spendtui.analytics.query import Query, Scope
from spendtui.analytics.team import concentration, distribution, team_context
from spendtui.analytics.teams import spend_by_team, team_members
from spendtui.money import dollars_to_nano
from spendtui.org.people import map_account
from spendtui.periods import parse_period
from spendtui.store import rollup
from spendtui.store.facts import RANK_API, FactBatch, write_facts

TODAY = date(2026, 11, 10)
D = dollars_to_nano


def test_concentration_of_one_big_spender():
    result = concentration([D("10"), 0, 0, 0])
    assert result.gini == 0.75  # (n-1)/n when one person holds everything
    assert result.top_decile_people == 1 and result.top_decile_share == 100.0
    assert concentration([D("5")] * 4).gini == 0.0


def test_concentration_top_decile_rounds_up_people():
    spends = [D(str(v)) for v in range(1, 12)]  # 11 people: the top 10% is 2 people (11 + 10)
    result = concentration(spends)
    assert result.top_decile_people == 2
    assert result.top_decile_share == pytest.approx(float(Decimal(21) / Decimal(66) * 100), abs=0.01)
    assert result.top5_share == pytest.approx(float(Decimal(11 + 10 + 9 + 8 + 7) / 66 * 100), abs=0.01)


def test_concentration_of_nobody_is_undefined_not_zero():
    assert concentration([]).gini is None and concentration([0, 0]).top5_share is None


def test_distribution_bands():
    bins = {b["band"]: b["people"] for b in distribution([D("0"), D("9.99"), D("10"), D("2600")])}
    assert bins["$0-10"] == 2 and bins["$10-25"] == 1 and bins["$2,500+"] == 1
    assert [(b["from"], b["to"]) for b in distribution([])][:2] == [("0.00", "10.00"), ("10.00", "25.00")]


@pytest.fixture
def org(store):
    rollup.configure(store, "UTC", {}, TODAY)
    write_cursor(store, [
        cursor_event("2026-11-02T10:00:00Z", "alice@x.com", "10.00"),
        cursor_event("2026-11-03T10:00:00Z", "alice@x.com", "5.00", category="included"),
        cursor_event("2026-11-04T10:00:00Z", "bob@x.com", "4.00"),
        cursor_event("2026-10-04T10:00:00Z", "bob@x.com", "8.00"),
    ])  # fmt: skip
    write_day_costs(store, "anthropic", [day_cost("2026-11-05", "wrkspc_a", "6.00", model="claude-sonnet-5")])
    write_day_costs(store, "openai", [day_cost("2026-11-05", "proj_a", "2.00", model="gpt-5")])
    write_usage(store, "openai", [{"key": "u", "product": "api", "day": "2026-11-05", "model": "gpt-5",
                                   "category": "api", "requests": 8, "account_kind": "project", "account_id": "proj_a"}])  # fmt: skip
    add_seat(store, "cursor", "alice@x.com", "teams", "30", "2026-09-01", today=TODAY)
    add_seat(store, "cursor", "bob@x.com", "teams", "30", "2026-11-01", today=TODAY)
    add_team(store, "Platform", [("alice@x.com", "2026-01-01", None)])
    add_team(store, "Data", [("bob@x.com", "2026-01-01", "2026-11-04")])
    return store


def context(store, text="mtd", scope=Scope()):
    return team_context(Query(store, "UTC", TODAY), parse_period(text, TODAY), scope)


def test_projected_month_end(org):
    ctx = context(org)
    # MTD (Nov 1-10): seats 2 x 10 days x $1 = 20; cursor overage 14; api 8 -> 42.
    # Run rate: (14 + 8) / 10 days x 20 remaining days = 44; remaining seat fees: 2 x 20 days x $1 = 40.
    assert ctx.projection.spend == D("42")
    assert ctx.projection.remaining_seats == D("40")
    assert ctx.projection.projected == D("126")
    assert ctx.projection.resets_in_days == 21


def test_unique_users_average_and_unattributed(org):
    ctx = context(org)
    assert ctx.unique_users == 2
    assert ctx.attributed_spend == D("34")  # alice 10 + 10 seat; bob 4 + 10 seat
    assert ctx.unattributed_spend == D("8")
    assert ctx.avg_cost_per_user == Decimal(D("17"))


def test_categories_and_shares(org):
    cats = context(org).categories()
    assert cats == {"subscription": "20.00", "overage": "14.00", "api": "8.00", "top_category": "subscription",
                    "overage_share": 33.33, "api_share": 19.05}  # fmt: skip


def test_seat_growth_counts_seat_holders_per_month(org):
    growth = {(s.month, s.provider): s for s in context(org).seats}
    assert growth[("2026-10", "cursor")].seats == 1
    assert growth[("2026-11", "cursor")].seats == 2
    assert growth[("2026-11", "cursor")].spend == D("34")


def test_team_scope_counts_members_only_on_their_days(org):
    data = context(org, scope=Scope(team="Data")).as_json()
    # Bob left Data on Nov 4 (exclusive): seat Nov 1-3 = 3.00; his Nov 4 event is not Data's.
    assert data["total_spend"] == "3.00"


def test_teams_table_one_query_for_all_teams(org):
    rows = {t.name: t for t in spend_by_team(Query(org, "UTC", TODAY), parse_period("mtd", TODAY))}
    assert rows["Platform"].sums.spend == D("20") and rows["Platform"].members == 1
    assert rows["Data"].sums.spend == D("3") and rows["Data"].members == 0  # nobody in it today
    members = team_members(Query(org, "UTC", TODAY), "Data", parse_period("mtd", TODAY))
    assert [(m.email, m.until, m.spend) for m in members] == [("bob@x.com", "2026-11-04", D("3"))]


def test_team_members_list_the_accounts_mapped_to_the_team_so_they_add_up_to_its_spend(org):
    map_account(org, "anthropic", "workspace", "wrkspc_a", team="Data", today=TODAY)
    q = Query(org, "UTC", TODAY)
    data = next(t for t in spend_by_team(q, parse_period("mtd", TODAY)) if t.name == "Data")
    members = team_members(q, "Data", parse_period("mtd", TODAY))
    assert [(m.email, m.since, m.spend) for m in members] == [
        ("unattributed:anthropic:wrkspc_a", None, D("6")), ("bob@x.com", "2026-01-01", D("3"))]  # fmt: skip
    assert sum(m.spend for m in members) == data.sums.spend


def test_cursor_figures_follow_a_person_or_team_filter(org):
    q, mtd = Query(org, "UTC", TODAY), parse_period("mtd", TODAY)
    bob = provider_tab(q, mtd, Scope(user="bob@x.com"), "cursor").as_json()
    # his seat Nov 1-10 (10.00) + his Nov 4 event (4.00), per day the data covers (3) x 30
    assert (bob["spend"], bob["days_covered"], bob["projected_30_days"]) == ("14.00", 3, "140.00")
    assert bob["teams"] is None and bob["average_per_team"] is None  # one person has no teams to average
    data = provider_tab(q, mtd, Scope(team="Data"), "cursor").as_json()
    assert (data["teams"], data["average_per_team"]) == (1, "3.00")


def test_claude_code_estimates_are_named_estimated_value_and_provider_days_add_up(org):
    write_facts(org, FactBatch("anthropic", "anthropic.claude_code", "anthropic.api.claude_code", RANK_API, [
        {"key": "cc", "product": "claude_code", "day": "2026-11-06", "email": "alice@x.com", "model": "claude-sonnet-5",
         "category": "api", "estimated": 1, "amount_nano": dollars_to_nano("1.005")}], day_buckets=True))  # fmt: skip
    tab = provider_tab(Query(org, "UTC", TODAY), parse_period("mtd", TODAY), Scope(), "anthropic").as_json()
    assert tab["claude_code_estimated_by_person"] == [
        {"person": "alice@x.com", "estimated_value": "1.01", "requests": None, "tokens": 0}]  # fmt: skip
    assert sum(Decimal(d["spend"]) for d in tab["daily"]) == Decimal(tab["spend"])


def test_cursor_tab(org):
    tab = provider_tab(Query(org, "UTC", TODAY), parse_period("mtd", TODAY), Scope(), "cursor").as_json()
    assert tab["spend"] == "34.00" and tab["included_usage"] == "5.00" and tab["on_demand"] == "14.00"
    assert tab["days_covered"] == 3
    # spend per day with data (3 days with requests) x 30
    assert tab["projected_30_days"] == "340.00"
    assert tab["teams"] == 2 and tab["average_per_team"] == "11.50"  # Platform 20.00, Data 3.00
    users = {u["user"]: u for u in tab["users"]}
    assert users["alice@x.com"]["plan"] == "teams" and users["alice@x.com"]["included"] == "5.00"
    assert tab["source"]["connected"] is False and "SPENDTUI_CURSOR_API_KEY" in tab["source"]["setup"][1]


def test_anthropic_and_openai_tabs(org):
    q = Query(org, "UTC", TODAY)
    anthropic = provider_tab(q, parse_period("mtd", TODAY), Scope(), "anthropic").as_json()
    assert anthropic["api_cost_by_workspace"] == [
        {"workspace": "wrkspc_a", "spend": "6.00", "requests": None, "tokens": 0}
    ]
    assert anthropic["requests"] is None
    openai = provider_tab(q, parse_period("mtd", TODAY), Scope(), "openai").as_json()
    assert openai["requests"] == 8 and openai["cost_per_request"] == "0.25"
    # a cost with no line item is listed as such (its project is in api_cost_by_project)
    assert openai["cost_by_line_item"] == [{"line_item": None, "project": None, "spend": "2.00"}]


def test_openai_line_items_add_up_to_the_api_cost(store):
    rows = [
        {**day_cost("2026-11-03", "proj_a", "1.250000001", model="gpt-5"), "kind": "gpt-5, input", "key": "a"},
        {**day_cost("2026-11-04", "proj_a", "0.75", model="gpt-5"), "kind": "gpt-5, input", "key": "b"},
        {**day_cost("2026-11-04", "proj_b", "3.00", model="gpt-5"), "kind": "gpt-5, output", "key": "c"},
        {**day_cost("2026-11-05", "proj_b", "0.50", model="gpt-5"), "key": "d"},  # no line item named
    ]
    write_day_costs(store, "openai", rows)
    tab = provider_tab(Query(store, "UTC", TODAY), parse_period("mtd", TODAY), Scope(), "openai").as_json()
    assert tab["cost_by_line_item"] == [
        {"line_item": "gpt-5, output", "project": "proj_b", "spend": "3.00"},
        {"line_item": "gpt-5, input", "project": "proj_a", "spend": "2.00"},
        {"line_item": None, "project": None, "spend": "0.50"},
    ]
    assert tab["api_cost"] == "5.50"
