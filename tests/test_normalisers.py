"""Each vendor normaliser against every reference fixture: amounts exact, categories, keys, shapes."""

from __future__ import annotations

import gc
import json
from collections import Counter, defaultdict

import pytest

from spendtui.importers.keys import cursor_event_key
from spendtui.money import cents_to_nano, dollars_to_nano
from spendtui.providers import anthropic, cursor, openai
from spendtui.providers.base import ShapeError
from spendtui.store.facts import Columns
from tests.conftest import FIXTURES


def load(vendor: str, name: str):
    return json.loads((FIXTURES / vendor / name).read_text())


def events_2026() -> list[dict]:
    return (
        load("cursor", "filtered-usage-events.page1.json")["usageEvents"]
        + load("cursor", "filtered-usage-events.page2.json")["usageEvents"]
    )


def records(frame) -> list[dict]:
    if isinstance(frame, Columns):
        return [dict(zip(frame.data, values)) for values in zip(*frame.data.values())]
    return frame.astype(object).where(frame.notna(), None).to_dict("records")


# -- Cursor ------------------------------------------------------------------------------------------
def test_cursor_events_classify_by_kind_and_normalise_auto():
    facts = records(cursor.normalise_events([events_2026()]))
    assert len(facts) == 8
    assert Counter(f["category"] for f in facts) == {"included": 4, "overage": 2, "none": 2}
    by_kind = {f["kind"]: f for f in facts}
    assert by_kind["Errored, Not Charged"]["requests"] == 0
    assert by_kind["User API Key"]["requests"] == 1 and by_kind["User API Key"]["amount_nano"] == 0
    assert by_kind["Errored, Not Charged"]["model"] == "auto"
    assert {f["model"] for f in facts} >= {"auto", "gpt-5.2-codex", "claude-opus-5-thinking-high"}
    first = facts[0]
    assert first["amount_nano"] == cents_to_nano("25.14155")  # chargedCents, not totalCents
    assert first["key"] == cursor_event_key(1791308883214, "alice@example.com", "claude-opus-5-thinking-high",
                                            412, 18250, 96400, 2310, 0)  # fmt: skip
    assert (first["tok_in"], first["tok_cache_write"], first["tok_cache_read"], first["tok_out"]) == (
        412, 18250, 96400, 2310)  # fmt: skip
    assert json.loads([f for f in facts if f["attrs"] and "max_mode" in f["attrs"]][0]["attrs"]) == {"max_mode": True}


def test_cursor_event_sums_match_the_spend_endpoint_per_member():
    """cursor.md section 7, invariant 2: spendCents = Usage-based, overallSpendCents = + Included."""
    on_demand, overall = defaultdict(int), defaultdict(int)
    for fact in records(cursor.normalise_events([events_2026()])):
        if fact["category"] == "overage":
            on_demand[fact["email"]] += fact["amount_nano"]
        if fact["category"] in ("overage", "included"):
            overall[fact["email"]] += fact["amount_nano"]
    for member in load("cursor", "spend.json")["teamMemberSpend"]:
        row = cursor.normalise_spend(member)
        assert row.on_demand_nano == on_demand[member["email"]], member["email"]
        assert row.total_nano == overall[member["email"]], member["email"]
        assert row.included_nano == overall[member["email"]] - on_demand[member["email"]]


def test_cursor_daily_counts_equal_event_counts_per_user_day():
    """Fixture invariant 3: the daily counters count the events of each kind."""
    from spendtui.providers.base import utc_day

    counted = Counter()
    for event in events_2026():
        kind = {"Usage-based": "Usage-based", "User API Key": "User API Key"}.get(event["kind"])
        kind = kind or ("Included" if event["kind"].startswith("Included") else None)
        if kind:
            counted[(utc_day(int(event["timestamp"])), event["userEmail"], kind)] += 1
    facts = records(cursor.normalise_daily(load("cursor", "daily-usage-data.json")["data"], None))
    assert Counter({(f["day"], f["email"], f["kind"]): f["requests"] for f in facts}) == counted
    assert all(f["estimated"] == 1 and f["amount_nano"] is None for f in facts)
    assert not [f for f in facts if f["email"] == "dave@example.com"]  # inactive days add nothing


def test_cursor_daily_estimate_uses_the_configured_request_price():
    price = dollars_to_nano("0.04")
    facts = records(cursor.normalise_daily(load("cursor", "daily-usage-data.json")["data"], price, "2026-10-06",
                                           "2026-10-06"))  # fmt: skip
    assert {f["day"] for f in facts} == {"2026-10-06"}
    alice = {f["kind"]: f for f in facts if f["email"] == "alice@example.com"}
    assert alice["Usage-based"]["amount_nano"] == price and alice["Usage-based"]["category"] == "overage"
    assert alice["Included"]["amount_nano"] == price and alice["Included"]["category"] == "included"
    assert alice["Included"]["model"] == "claude-opus-5-thinking-high"


def test_cursor_legacy_2025_events_without_charged_cents_or_token_usage():
    facts = records(cursor.normalise_events([load("cursor", "filtered-usage-events.legacy-2025.json")["usageEvents"]]))
    usage_based, request_priced, errored = facts
    assert usage_based["amount_nano"] == cents_to_nano("22.20725")  # totalCents + no fee
    assert usage_based["category"] == "overage"
    assert request_priced["amount_nano"] is None and request_priced["category"] == "included"
    assert request_priced["tok_in"] == request_priced["tok_out"] == 0 and request_priced["requests"] == 1
    assert errored["category"] == "none" and errored["requests"] == 0 and errored["model"] == "auto"


def test_cursor_amount_falls_back_to_total_plus_fee_and_unknown_kinds_stay_as_sent():
    base = {"timestamp": "1791308883214", "userEmail": "a@example.com", "model": "m",
            "tokenUsage": {"inputTokens": 1, "totalCents": 1.5}, "cursorTokenFee": 0.25}  # fmt: skip
    unpriced = {**base, "kind": "Free", "tokenUsage": {}, "cursorTokenFee": None}
    charged, free = records(cursor.normalise_events([[{**base, "kind": "Bugbot"}, unpriced]]))
    assert [charged[c] for c in ("kind", "category", "amount_nano", "requests")] == ["Bugbot", "overage", cents_to_nano("1.75"), 1]
    assert [free[c] for c in ("kind", "category", "amount_nano", "requests")] == ["Free", "none", None, 1]


def test_cursor_kinds_in_the_export_spelling_class_as_the_csv_import_does():
    base = {"timestamp": "1791308883214", "userEmail": "a@example.com", "model": "m", "chargedCents": 2.0}
    kinds = [("Included", 2.0), ("On-Demand", 0), ("Free", 2.0), ("Aborted, Not Charged", 0)]
    rows = records(cursor.normalise_events([[{**base, "kind": kind, "chargedCents": cents} for kind, cents in kinds]]))
    assert [(row["category"], row["requests"]) for row in rows] == [("included", 1), ("overage", 1), ("none", 1), ("none", 0)]


def test_cursor_identical_events_get_occurrence_indexes_and_windows_filter():
    event = events_2026()[0]
    frame = cursor.normalise_events([[event, dict(event), {**event, "timestamp": "1791400000000"}]],
                                    start_ms=0, end_ms=1791400000000)  # fmt: skip
    assert [k.rsplit("|", 1)[1] for k in frame["key"]] == ["0", "1"]


def test_cursor_identical_events_on_two_pages_stay_two_and_the_collector_runs_again():
    event = events_2026()[0]
    frame = cursor.normalise_events([[event], [dict(event)]])
    assert [k.rsplit("|", 1)[1] for k in frame["key"]] == ["0", "1"]
    assert gc.isenabled()
    with pytest.raises(ShapeError):  # the collector is held per page: a bad page must not leave it off
        cursor.normalise_events([[event], [{"kind": "Usage-based"}]])
    assert gc.isenabled()


def test_cursor_service_account_event_without_email_lands_on_an_account():
    event = {**events_2026()[0], "userEmail": "", "serviceAccountId": "svc_1", "serviceAccountName": "ci"}
    fact = records(cursor.normalise_events([[event, events_2026()[1]]]))[0]
    assert fact["email"] is None
    assert (fact["account_kind"], fact["account_id"], fact["account_label"]) == ("service_account", "svc_1", "ci")


def test_cursor_event_without_timestamp_is_a_shape_error():
    with pytest.raises(ShapeError, match="unreadable timestamp"):
        cursor.normalise_events([[{"userEmail": "a@example.com", "kind": "Usage-based"}]])


def test_cursor_members_in_all_three_shapes():
    current = cursor.normalise_members(load("cursor", "members.json"))
    assert [(m.email, m.removed) for m in current][-1] == ("erin@example.com", True)
    assert current[0].user_id.startswith("user_") and current[0].name == "Alice Nguyen"
    assert current[-1].name is None  # "" means no name
    bare = cursor.normalise_members([{"name": "A", "email": " Alice@Example.com ", "role": "owner"}])
    assert bare[0].email == "alice@example.com" and not bare[0].removed and bare[0].user_id is None
    wrapped = cursor.normalise_members({"teamMembers": [{"name": "B", "email": "b@example.com", "role": "removed"}]})
    assert wrapped[0].removed
    with pytest.raises(ShapeError):
        cursor.normalise_members({"members": []})


def test_cursor_spend_shapes_total_on_demand_and_included():
    members = load("cursor", "spend.legacy-2026-02.json")["teamMemberSpend"]
    legacy = {m["email"]: cursor.normalise_spend(m) for m in members}
    alice = legacy["alice@example.com"]
    assert (alice.on_demand_nano, alice.included_nano, alice.total_nano) == (
        cents_to_nano(42), cents_to_nano(24), cents_to_nano(66))  # fmt: skip
    assert alice.limit_dollars == 500 and legacy["bob@example.com"].limit_dollars is None  # 0 = no override
    era_2025 = cursor.normalise_spend({"email": "a@example.com", "spendCents": 1250, "hardLimitOverrideDollars": 0})
    assert (era_2025.on_demand_nano, era_2025.included_nano, era_2025.total_nano) == (
        cents_to_nano(1250), None, cents_to_nano(1250))  # fmt: skip
    current = cursor.normalise_spend(load("cursor", "spend.json")["teamMemberSpend"][1])
    assert current.limit_dollars == 150 and json.loads(current.raw)["email"] == "bob@example.com"


# -- Anthropic ---------------------------------------------------------------------------------------
def day_totals(facts) -> dict[str, int]:
    totals: dict[str, int] = defaultdict(int)
    for fact in facts:
        totals[fact["day"]] += fact["amount_nano"]
    return dict(totals)


ANTHROPIC_DAYS = {"2026-10-01": cents_to_nano("2109.5"), "2026-10-02": cents_to_nano("1527"),
                  "2026-10-03": cents_to_nano("150")}  # fmt: skip


def test_anthropic_cost_report_grouped_and_ungrouped_give_the_same_day_totals():
    grouped = anthropic.normalise_cost(
        load("anthropic", "cost_report_page1.json")["data"] + load("anthropic", "cost_report_page2.json")["data"],
        {"wrkspc_01Kd8Xq2VmT7pLr4Nw9ZcB3s": "Data Platform"},
    )
    ungrouped = anthropic.normalise_cost(load("anthropic", "cost_report_ungrouped.json")["data"])
    assert day_totals(grouped) == day_totals(ungrouped) == ANTHROPIC_DAYS
    assert ANTHROPIC_DAYS["2026-10-01"] == 21_095_000_000  # 2109.5 cents = $21.095, not $2109.50
    assert {(f["account_id"], f["account_label"]) for f in grouped} == {
        ("default", "Default"), ("wrkspc_01Kd8Xq2VmT7pLr4Nw9ZcB3s", "Data Platform")}  # fmt: skip
    assert len({f["key"] for f in grouped}) == len(grouped)
    web = [f for f in grouped if f["kind"] == "web_search"]
    assert web and web[0]["model"] == "" and web[0]["amount_nano"] == cents_to_nano("12")
    assert all(f["category"] == "api" and f["product"] == "api" for f in grouped)


def test_anthropic_cost_amount_is_a_string_of_cents_with_fractions_and_usd_only():
    bucket = {"starting_at": "2026-10-01T00:00:00Z", "results": [{"amount": "527.999760", "currency": "USD"}]}
    assert anthropic.normalise_cost([bucket])[0]["amount_nano"] == 5_279_997_600
    bucket["results"][0]["currency"] = "EUR"
    with pytest.raises(ShapeError, match="EUR"):
        anthropic.normalise_cost([bucket])


def test_anthropic_usage_report_tokens_are_disjoint_buckets():
    facts = anthropic.normalise_usage(
        load("anthropic", "usage_report_messages_page1.json")["data"]
        + load("anthropic", "usage_report_messages_page2.json")["data"]
    )
    assert len(facts) == 6 and all(f.get("amount_nano") is None for f in facts)
    first = facts[0]
    assert (first["tok_in"], first["tok_cache_write"], first["tok_cache_read"], first["tok_out"]) == (
        1_200_000, 400_000, 8_000_000, 300_000)  # fmt: skip
    assert first["account_id"] == "default" and json.loads(first["attrs"]) == {"web_search_requests": 12}
    result = {"api_key_id": "apikey_1", "workspace_id": "wrkspc_1", "uncached_input_tokens": 5}
    bucket = {"starting_at": "2026-10-01T00:00:00Z", "results": [result]}
    keyed = anthropic.normalise_usage([bucket], {"apikey_1": "ci"})
    assert (keyed[0]["account_kind"], keyed[0]["account_label"]) == ("api_key", "ci")


def test_anthropic_claude_code_sums_an_actor_day_and_marks_estimates():
    facts = anthropic.normalise_claude_code(
        load("anthropic", "claude_code_usage_2026-10-06_page1.json")["data"]
        + load("anthropic", "claude_code_usage_2026-10-06_page2.json")["data"]
    )
    by = {(f.get("email") or f["account_id"], f["model"]): f for f in facts}
    alice = by[("alice@example.com", "claude-sonnet-5")]  # local 363 + remote 49 cents
    assert alice["amount_nano"] == cents_to_nano(412) and alice["category"] == "included"
    assert (alice["tok_in"], alice["tok_cache_write"], alice["tok_cache_read"], alice["tok_out"]) == (
        108_000, 350_000, 5_890_000, 47_400)  # fmt: skip
    bot = by[("ci-bot-key", "claude-sonnet-5")]
    assert (bot["account_kind"], bot["category"], bot["amount_nano"]) == ("key_name", "api", cents_to_nano(127))
    assert all(f["estimated"] == 1 and f["day"] == "2026-10-06" for f in facts) and len(facts) == 4
    fraction = anthropic.normalise_claude_code([{
        "date": "2026-10-06", "actor": {"type": "user_actor", "email_address": "a@example.com"},
        "customer_type": "api", "model_breakdown": [{"model": "m", "estimated_cost": {"amount": 0.1}}]}])  # fmt: skip
    assert fraction[0]["amount_nano"] == 1_000_000  # Decimal(str(0.1)) cents, exactly $0.001


# -- OpenAI ------------------------------------------------------------------------------------------
OPENAI_DAYS = {"2026-10-01": dollars_to_nano("10.0875"), "2026-10-02": dollars_to_nano("8.6625"),
               "2026-10-03": dollars_to_nano("1.4225")}  # fmt: skip


def test_openai_costs_grouped_and_ungrouped_give_the_same_day_totals():
    grouped = openai.normalise_costs(
        load("openai", "costs_page1.json")["data"] + load("openai", "costs_page2.json")["data"],
        {"proj_Q7mK2vX9tL4pR8nW3cY6hB1d": "Support Bot"},
    )
    ungrouped = openai.normalise_costs(load("openai", "costs_ungrouped.json")["data"])
    assert day_totals(grouped) == day_totals(ungrouped) == OPENAI_DAYS
    assert ungrouped[0]["account_id"] == "default"
    first = grouped[0]
    assert (first["model"], first["kind"], first["account_label"]) == (
        "gpt-5-2025-08-07", "gpt-5-2025-08-07, input", "Support Bot")  # fmt: skip


def test_openai_float_dollars_go_through_repr_not_binary():
    bucket = {"start_time": 1790812800, "results": [{"amount": {"value": 0.1 + 0.2, "currency": "usd"}},
                                                    {"amount": {"value": 0.00383598, "currency": "usd"}}]}  # fmt: skip
    assert [f["amount_nano"] for f in openai.normalise_costs([bucket])] == [300_000_000, 3_835_980]


def test_openai_completions_subtract_cached_and_cache_write_from_input():
    facts = openai.normalise_usage(
        "completions",
        load("openai", "usage_completions_page1.json")["data"] + load("openai", "usage_completions_page2.json")["data"],
    )
    first = facts[0]
    assert (first["tok_in"], first["tok_cache_read"], first["tok_out"], first["requests"]) == (
        2_000_000, 6_000_000, 400_000, 1320)  # fmt: skip
    old = {"input_tokens": 1000, "input_cached_tokens": 300, "output_tokens": 5, "num_model_requests": 2}
    assert openai.completion_tokens(old) == (700, 0, 300, 5)
    assert openai.completion_tokens({**old, "input_cache_write_tokens": 100}) == (600, 100, 300, 5)
    result = {**old, "num_model_requests": 3.0, "user_id": "user-1", "project_id": "proj_1"}
    user = openai.normalise_usage("completions", [{"start_time": 1790812800, "results": [result]}], {"user-1": "Alice"})
    assert (user[0]["account_kind"], user[0]["account_label"], user[0]["requests"]) == ("user", "Alice", 3)


def test_openai_embeddings_tokens_and_requests():
    facts = openai.normalise_usage("embeddings", load("openai", "usage_embeddings.json")["data"])
    assert [(f["day"], f["tok_in"], f["requests"], f["kind"]) for f in facts] == [
        ("2026-10-01", 41_000_000, 900, "embeddings"), ("2026-10-02", 29_500_000, 650, "embeddings")]  # fmt: skip


@pytest.mark.parametrize("value", [0, 7, -3, 25.14155, 0.1, 1e-05, 2.9343, 12.81875, -0.5, 1e-08, 123.456789012, 9.9e7,
                                   3.0e9, 0.30000000000000004])  # fmt: skip
def test_fast_cents_are_exactly_money_cents(value):
    from spendtui.providers.base import cents_nano

    assert cents_nano(value) == cents_to_nano(value)


def test_fast_cents_agree_with_money_on_any_float():
    from hypothesis import given, settings
    from hypothesis import strategies as st

    from spendtui.providers.base import cents_nano

    @settings(max_examples=3000, deadline=None)
    @given(st.floats(min_value=-1e10, max_value=1e10, allow_nan=False) | st.decimals(
        min_value=-10**6, max_value=10**6, places=7).map(float))  # fmt: skip
    def check(value):
        assert cents_nano(value) == cents_to_nano(value)

    check()
