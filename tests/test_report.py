"""The overview report checked against hand computations over small hand-made stores."""

import json
import subprocess
import sys
from datetime import date
from decimal import Decimal

import pytest
from click.testing import CliRunner

from builders import (
    add_seat,
    add_team,
    cursor_event,
    day_cost,
    write_cursor,
    write_day_costs,
    write_spread,
    write_usage,
)
from spendtui.analytics.overview import overview
from spendtui.analytics.query import AnalyticsError, Query, Scope
from spendtui.cli import cli
from spendtui.money import dollars_to_nano
from spendtui.periods import parse_period
from spendtui.store import rollup

TODAY = date(2026, 10, 31)


@pytest.fixture
def org(store):
    """Alice and Bob on Cursor; Anthropic API on a workspace; OpenAI costs + requests; a seat; a spread."""
    rollup.configure(store, "UTC", {}, TODAY)
    write_cursor(store, [
        cursor_event("2026-10-05T10:00:00Z", "alice@x.com", "1.10", model="claude-opus-5"),
        cursor_event("2026-10-05T11:00:00Z", "alice@x.com", "0.40", model="auto", category="included"),
        cursor_event("2026-10-06T09:00:00Z", "bob@x.com", "2.25", model="gpt-5"),
        cursor_event("2026-10-06T09:30:00Z", "bob@x.com", "0", model="gpt-5", category="none", requests=0),
        cursor_event("2026-09-20T09:30:00Z", "alice@x.com", "3.00", model="claude-opus-5"),
    ])  # fmt: skip
    write_day_costs(store, "anthropic", [
        day_cost("2026-10-01", "wrkspc_1", "5.000000001", model="claude-sonnet-5"),
        day_cost("2026-10-02", "wrkspc_1", "0.9999999", model="claude-haiku-4-5"),
    ])  # fmt: skip
    write_day_costs(store, "openai", [day_cost("2026-10-03", "proj_1", "4.00", model="gpt-5", email="bob@x.com")])
    write_usage(store, "openai", [
        {"key": "u1", "product": "api", "day": "2026-10-03", "email": "bob@x.com", "model": "gpt-5",
         "category": "api", "requests": 40},
    ])  # fmt: skip
    add_seat(store, "cursor", "alice@x.com", "teams", "31", "2026-10-01", today=TODAY)
    write_spread(store, "anthropic", [
        {"key": "s1", "product": "claude_ai", "period_from": "2026-10-01", "period_to": "2026-10-31",
         "email": "carol@x.com", "model": "claude-sonnet-5", "category": "overage", "amount_nano": dollars_to_nano("3.10")},
    ])  # fmt: skip
    return store


def report(store, text="2026-10", scope=Scope(), tz="UTC"):
    return overview(Query(store, tz, TODAY), parse_period(text, TODAY), scope).as_json()


def test_overview_matches_a_hand_computation(org):
    data = report(org)
    # Cursor: 1.10 + 2.25 overage, 0.40 included; seat 31.00; Anthropic 5.000000001 + 0.9999999 api + 3.10 spread;
    # OpenAI 4.00 api.
    assert data["categories"] == {"subscription": "31.00", "overage": "6.45", "api": "10.00"}
    assert data["total_spend"] == "47.45"  # 31 + 3.35 + 3.10 + 5.999999901 + 4.00, rounded once at the end
    assert data["included_usage"] == "0.40"
    assert data["previous_spend"] == "3.00"
    assert data["change_pct"] == pytest.approx(1481.67)
    # Requests: Cursor 3 (the errored one ran nothing), OpenAI 40; Anthropic reports none.
    assert data["requests"] == 43
    assert {p["provider"]: p["requests"] for p in data["providers"]} == {"cursor": 3, "openai": 40, "anthropic": None}
    # Cost per request: (overage + api) of Cursor and OpenAI only = 3.35 + 4.00 over 43.
    assert data["cost_per_request"] == str((Decimal("7.35") / 43).quantize(Decimal("0.01")))
    assert data["top_model"] == "claude-sonnet-5"  # 5.000000001 + 3.10 beats gpt-5 at 6.25
    assert data["estimated"] == []


def test_every_cent_is_in_users_daily_providers_and_categories(org):
    data = report(org)
    total = Decimal(data["total_spend"])
    assert sum(Decimal(c) for c in data["categories"].values()) == total
    assert len(data["daily"]) == 31
    assert sum(Decimal(d["spread"]) for d in data["daily"]) == Decimal("3.10") + Decimal("0.00")
    users = {u["user"]: u for u in data["users"]}
    assert set(users) == {"alice@x.com", "bob@x.com", "carol@x.com", "unattributed:anthropic:wrkspc_1"}
    assert users["alice@x.com"]["spend"] == "32.10"
    assert users["alice@x.com"]["previous_spend"] == "3.00"
    assert users["bob@x.com"]["spend"] == "6.25"
    assert users["bob@x.com"]["top_model"] == "gpt-5"
    assert users["unattributed:anthropic:wrkspc_1"]["spend"] == "6.00"
    assert [u["user"] for u in data["users"]][0] == "alice@x.com"


def test_exact_totals_add_up_across_every_slice(org):
    q = Query(org, "UTC", TODAY)
    result = overview(q, parse_period("2026-10", TODAY), Scope())
    total = result.total_spend
    assert total == sum(s.spend for s in result.current.providers.values())
    assert total == sum(s.spend for s in result.current.subjects.values())
    assert total == sum(d.spend for d in result.days.values())
    assert total == dollars_to_nano("47.449999901")


def test_model_shares_and_usage_value(org):
    models = {(m["provider"], m["model"]): m for m in report(org)["models"]}
    assert models[("cursor", "auto")] == {
        "provider": "cursor", "model": "auto", "spend": "0.00", "usage_value": "0.40", "requests": 1,
        "share_pct": pytest.approx(float(Decimal("0.40") / Decimal("16.849999901") * 100), abs=0.005),
    }  # fmt: skip
    assert sum(m["share_pct"] for m in models.values()) == pytest.approx(100, abs=0.05)


def test_scope_person_team_and_provider(org):
    assert report(org, scope=Scope(user="ALICE@x.com"))["total_spend"] == "32.10"
    assert report(org, scope=Scope(provider="openai"))["total_spend"] == "4.00"
    add_team(org, "Platform", [("alice@x.com", "2026-01-01", "2026-10-06"), ("bob@x.com", "2026-10-06", None)])
    # Alice counts until Oct 5 (her seat accrues 5 days = 5.00, plus 1.10); Bob from Oct 6 (2.25).
    data = report(org, scope=Scope(team="platform"))
    assert data["total_spend"] == "8.35"
    assert {u["user"] for u in data["users"]} == {"alice@x.com", "bob@x.com"}


def test_unknown_team_or_person_is_a_clear_error(org):
    with pytest.raises(AnalyticsError, match="no team named 'Nope'"):
        report(org, scope=Scope(team="Nope"))
    with pytest.raises(AnalyticsError, match="no person"):
        report(org, scope=Scope(user="nobody@x.com"))


def test_previous_zero_means_new_not_infinite(org):
    data = report(org, scope=Scope(user="carol@x.com"))
    assert data["previous_spend"] == "0.00"
    assert data["change_pct"] is None


def test_empty_store_reports_zeros_and_nulls(store):
    data = report(store)
    assert data["total_spend"] == "0.00"
    assert data["requests"] is None and data["cost_per_request"] is None and data["top_model"] is None
    assert data["users"] == [] and len(data["daily"]) == 31


def test_future_seat_accruals_are_not_spend_yet(org):
    q = Query(org, "UTC", date(2026, 10, 15))
    month = overview(q, parse_period("2026-10", date(2026, 10, 15)), Scope(user="alice@x.com"))
    assert month.as_json()["categories"]["subscription"] == "15.00"
    assert month.as_json()["daily"][20]["spend"] == "0.00"


@pytest.mark.parametrize(
    "tz, october, november",
    [("UTC", "1.00", "2.00"), ("America/Los_Angeles", "3.00", "0.00"), ("Asia/Tokyo", "0.00", "3.00")],
)
def test_instants_fall_on_local_days_and_months(store, tz, october, november):
    """11-01 03:00Z is still October in Los Angeles; 10-31 16:00Z is already November in Tokyo."""
    today = date(2026, 11, 30)
    rollup.configure(store, tz, {}, today)
    write_cursor(store, [
        cursor_event("2026-10-31T16:00:00Z", "a@x.com", "1.00"),
        cursor_event("2026-11-01T03:00:00Z", "a@x.com", "2.00"),
    ])  # fmt: skip
    q = Query(store, tz, today)
    months = [overview(q, parse_period(m, today), Scope()).as_json()["total_spend"] for m in ("2026-10", "2026-11")]
    assert months == [october, november]
    all_time = overview(q, parse_period(None, today, "2026-01-01", "2026-12-31"), Scope()).as_json()
    assert all_time["total_spend"] == "3.00"


def test_changing_the_time_zone_rebuilds_rollups(store):
    rollup.configure(store, "UTC", {}, date(2026, 11, 30))
    write_cursor(store, [cursor_event("2026-11-01T03:00:00Z", "a@x.com", "2.00")])
    assert store.scalar("SELECT day FROM roll_day") == "2026-11-01"
    rollup.configure(store, "America/Los_Angeles", {}, date(2026, 11, 30))
    assert store.scalar("SELECT day FROM roll_day") == "2026-10-31"


def test_vendor_day_buckets_keep_their_utc_day_in_any_zone(store):
    rollup.configure(store, "Asia/Tokyo", {}, date(2026, 11, 30))
    write_day_costs(store, "anthropic", [day_cost("2026-10-31", "w", "7.00", model="m")])
    q = Query(store, "Asia/Tokyo", date(2026, 11, 30))
    assert overview(q, parse_period("2026-10", date(2026, 11, 30)), Scope()).as_json()["total_spend"] == "7.00"


def test_cli_report_json_and_csv(org, db_path, monkeypatch):
    monkeypatch.setenv("SPENDTUI_TODAY", TODAY.isoformat())
    org.close()
    runner = CliRunner()
    result = runner.invoke(cli, ["report", "2026-10", "--db", str(db_path), "--format", "json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.output)["total_spend"] == "47.45"
    result = runner.invoke(cli, ["--db", str(db_path), "report", "2026-10", "--format", "csv", "--table", "providers"])
    assert result.output.splitlines()[0] == "provider,spend,requests"
    result = runner.invoke(cli, ["report", "--db", str(db_path), "2026-10", "--format", "csv", "--table", "nope"])
    assert result.exit_code == 2 and "has no table 'nope'" in result.output
    result = runner.invoke(cli, ["report", "2026-10", "--db", str(db_path), "--format", "json", "--user", " Alice@X.com "])
    assert json.loads(result.output)["scope"]["user"] == "alice@x.com"


def test_headless_commands_never_import_textual(org, db_path):
    org.close()
    code = (
        "import sys\n"
        "from spendtui.cli import main\n"
        "try:\n"
        f"    main(['report', '--db', {str(db_path)!r}, '--format', 'json'])\n"
        "except SystemExit as done:\n"
        "    assert done.code == 0, done.code\n"
        "heavy = sorted(m for m in sys.modules if m.split('.')[0] in ('textual', 'rich', 'httpx', 'pypdf', 'pandas'))\n"
        "print(heavy)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip().splitlines()[-1] == "[]"


def test_a_span_reads_whole_years_quarters_and_months_and_days_at_its_edges():
    from spendtui.analytics.query import split_span

    span = split_span(date(2025, 12, 30), date(2027, 5, 3))
    assert span.years == ["2026"] and span.quarters == ["2027-Q1"] and span.months == ["2027-04"]
    assert span.edges == [(date(2025, 12, 30), date(2025, 12, 31)), (date(2027, 5, 1), date(2027, 5, 3))]
    fine = split_span(date(2026, 7, 1), date(2026, 9, 30), coarse=False)
    assert fine.quarters == [] and fine.months == ["2026-07", "2026-08", "2026-09"]


def test_a_quarter_equals_its_three_months_after_later_writes(org):
    """The quarter rollup is refreshed with the months: a late fact in August moves the quarter too."""
    write_cursor(org, [cursor_event("2026-08-14T10:00:00Z", "bob@x.com", "7.000000003", model="gpt-5")])
    q = Query(org, "UTC", TODAY)
    quarter = overview(q, parse_period(None, TODAY, "2026-07-01", "2026-09-30"), Scope()).as_json()
    months = [report(org, m) for m in ("2026-07", "2026-08", "2026-09")]
    assert quarter["total_spend"] == "10.00"  # alice's 3.00 in September, bob's 7.000000003 in August
    assert Decimal(quarter["total_spend"]) == sum(Decimal(m["total_spend"]) for m in months)
    assert {u["user"]: u["spend"] for u in quarter["users"]} == {"bob@x.com": "7.00", "alice@x.com": "3.00"}


def test_spend_of_a_source_that_names_no_model_has_no_model_not_an_empty_one(store):
    rollup.configure(store, "UTC", {}, TODAY)
    write_spread(store, "cursor", [{"key": "a", "product": "cursor", "email": "ann@x.com", "period_from": "2026-10-01",
                                    "period_to": "2026-10-31", "category": "overage", "amount_nano": 31 * 10**9}])  # fmt: skip
    data = report(store)
    assert data["total_spend"] == "31.00"
    assert data["top_model"] is None and data["users"][0]["top_model"] is None
    assert [m["model"] for m in data["models"]] == [None]


def test_the_json_daily_spends_add_up_to_total_spend_to_the_cent(store):
    rollup.configure(store, "UTC", {}, date(2026, 11, 30))
    add_seat(store, "cursor", "ann@x.com", "teams", "40", "2026-10-01", today=date(2026, 11, 30))
    add_seat(store, "cursor", "bob@x.com", "teams", "20", "2026-10-01", today=date(2026, 11, 30))
    data = report(store)  # 31 days of 60.00 / 31 = 1.935...: each day alone rounds to 1.94, 31 x 1.94 = 60.14
    assert data["total_spend"] == "60.00"
    assert sum(Decimal(d["spend"]) for d in data["daily"]) == Decimal("60.00")


def test_an_estimate_of_included_usage_does_not_mark_billed_spend_estimated(store):
    rollup.configure(store, "UTC", {}, TODAY)
    write_cursor(store, [cursor_event("2026-10-05T10:00:00Z", "alice@x.com", "10.00")])
    write_usage(store, "anthropic", [{"key": "cc", "product": "claude_code", "day": "2026-10-05", "email": "alice@x.com",
                                      "model": "claude-sonnet-5", "category": "included", "estimated": 1,
                                      "amount_nano": dollars_to_nano("3.00")}])  # fmt: skip
    data = report(store, scope=Scope(user="alice@x.com"))
    assert (data["total_spend"], data["included_usage"], data["estimated"]) == ("10.00", "3.00", [])


def test_categories_and_providers_add_up_to_total_spend_as_shown(store):
    rollup.configure(store, "UTC", {}, TODAY)
    write_cursor(store, [cursor_event("2026-10-05T10:00:00Z", "ann@x.com", "0.005"),
                         cursor_event("2026-10-05T11:00:00Z", "bob@x.com", "0.005")])  # fmt: skip
    write_day_costs(store, "anthropic", [day_cost("2026-10-05", "wrkspc_1", "0.005", model="claude-sonnet-5")])
    write_day_costs(store, "openai", [day_cost("2026-10-05", "proj_1", "0.005", model="gpt-5")])
    data = report(store)  # four half cents: 0.02 in all, though each part alone rounds to 0.01
    assert data["total_spend"] == "0.02"
    assert sum(Decimal(c) for c in data["categories"].values()) == Decimal("0.02")
    assert sum(Decimal(p["spend"]) for p in data["providers"]) == Decimal("0.02")
    assert {u["spend"] for u in data["users"]} == {"0.01"}  # a person's row is their own rounding


def test_spend_categories_shown_add_up_to_the_spend_shown():
    from spendtui.analytics.totals import shown_categories

    half_cent = dollars_to_nano("0.005")
    shown = shown_categories({"subscription": half_cent, "overage": half_cent, "api": half_cent, "included": 7})
    assert shown == {"subscription": dollars_to_nano("0.01"), "overage": 0, "api": dollars_to_nano("0.01")}
