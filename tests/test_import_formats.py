"""Every vendor fixture imports to exactly the totals its file holds (hand-summed from the CSVs)."""

from decimal import Decimal

from import_helpers import CURSOR_EVENTS, DATA, dollars, imported, rows

from spendtui.config import ProviderSettings, Settings
from spendtui.importers import FORMAT_NAMES, detect
from spendtui.money import dollars_to_nano


def test_cursor_events_v4(store):
    result = imported(store, CURSOR_EVENTS)
    assert (result.format, result.variant, result.rows, result.new) == ("cursor-events", "v4 team", 8, 8)
    assert rows(
        store,
        "SELECT category, SUM(amount_nano), SUM(requests), COUNT(*) FROM usage_facts GROUP BY category ORDER BY 1",
    ) == [
        ("included", dollars_to_nano("0.64"), 4, 4),  # 0.16 + 0.22 + 0.19 + 0.07
        ("none", None, 1, 2),  # Errored (no request) and User API Key (a request, no money)
        ("overage", dollars_to_nano("0.35"), 2, 2),  # 0.22 + 0.13
    ]
    assert rows(store, "SELECT SUM(tok_in), SUM(tok_cache_write), SUM(tok_cache_read), SUM(tok_out) FROM usage_facts") == [
        (115702, 54400, 943100, 17580)
    ]
    assert rows(store, "SELECT DISTINCT stream, source, rank, product FROM usage_facts") == [
        ("cursor.events", "cursor.csv.events", 1, "cursor")
    ]
    # '-' is no cost: NULL, not zero; 'auto' stays auto; the cloud agent id is kept.
    assert rows(store, "SELECT model, amount_nano FROM usage_facts WHERE kind = 'Errored, Not Charged'") == [("auto", None)]
    assert store.scalar("SELECT attrs FROM usage_facts WHERE attrs LIKE '%cloud_agent%'") == (
        '{"cloud_agent_id": "bc-7f3c9a52-1e4b-4d8a-9c61-2b5e8f0d4a17"}'
    )
    # The rollups were refreshed in the same transaction.
    assert dollars(store, "SELECT SUM(amount_nano) FROM roll_org_day WHERE provider = 'cursor'") == Decimal("0.99")


def test_cursor_events_legacy_v2_holds_the_same_events(store):
    result = imported(store, DATA / "cursor" / "team-usage-events.legacy.csv")
    assert (result.variant, result.new) == ("v2 team", 8)
    assert dollars(store, "SELECT SUM(amount_nano) FROM usage_facts") == Decimal("0.99")


def test_cursor_analytics_counts_requests_and_has_no_money_without_a_price(store):
    result = imported(store, DATA / "cursor" / "analytics-daily-export.csv")
    assert result.notes and "request_price" in result.notes[0]
    assert rows(
        store,
        "SELECT category, SUM(requests), COUNT(amount_nano), MIN(estimated) FROM usage_facts GROUP BY 1 ORDER BY 1",
    ) == [("included", 4, 0, 1), ("none", 1, 0, 1), ("overage", 2, 0, 1)]
    # dave's inactive days hold nothing: 8 rows, 7 records, 3 rows (with no request) skipped
    assert (result.rows, result.new, result.skipped) == (8, 7, 3)
    assert rows(store, "SELECT DISTINCT stream, source FROM usage_facts") == [("cursor.daily", "cursor.csv.analytics")]


def test_cursor_analytics_is_estimated_at_the_configured_request_price(store):
    settings = Settings(providers={"cursor": ProviderSettings(request_price_nano=dollars_to_nano("0.04"))})
    imported(store, DATA / "cursor" / "analytics-daily-export.csv", settings=settings)
    assert rows(store, "SELECT category, SUM(amount_nano) FROM usage_facts GROUP BY 1 ORDER BY 1") == [
        ("included", dollars_to_nano("0.16")),  # 4 requests x $0.04
        ("none", None),  # API key requests cost Cursor nothing
        ("overage", dollars_to_nano("0.08")),
    ]


def test_cursor_spend_per_user_is_period_only_overage(store):
    result = imported(store, DATA / "cursor" / "spend-by-user.csv")
    assert result.new == 9
    assert dollars(store, "SELECT SUM(amount_nano) FROM period_amounts") == Decimal("614.33")
    assert rows(
        store,
        """SELECT e.email, pa.period_from, pa.period_to, pa.category, pa.stream, pa.source FROM period_amounts pa
           JOIN people e ON e.id = pa.person_id WHERE e.email = 'erin@example.com'""",
    ) == [("erin@example.com", "2026-09-01", "2026-09-30", "overage", "cursor.spend_by_user", "cursor.csv.spend_by_user")]
    # Spread over September's 30 days: the month's rollup holds the whole amount.
    september = dollars(
        store, "SELECT SUM(amount_nano) FROM roll_org_day WHERE provider = 'cursor' AND day LIKE '2026-09-%'"
    )
    assert september == Decimal("613.05")  # 412.87 + 96.40 + 58.15 + 12.03 + 33.60


def test_anthropic_cost_export_in_dollars_per_api_key(store):
    result = imported(store, DATA / "anthropic" / "claude_api_cost_2026_10_01_to_2026_10_04.csv")
    assert result.new == 24
    assert rows(store, "SELECT day, SUM(amount_nano) FROM usage_facts GROUP BY day ORDER BY day") == [
        ("2026-10-01", dollars_to_nano("21.10")),
        ("2026-10-02", dollars_to_nano("15.27")),
        ("2026-10-03", dollars_to_nano("1.50")),
    ]
    assert rows(
        store,
        """SELECT a.kind, a.external_id, a.label, SUM(f.amount_nano) FROM usage_facts f
           JOIN accounts a ON a.id = f.account_id GROUP BY a.id ORDER BY a.label""",
    ) == [
        ("api_key", "apikey_01Qb6Yc3NfV8tL2wRk5XmH7p", "analytics-batch", dollars_to_nano("14.93")),
        ("api_key", "apikey_01Hn4Tq8WzR2xK7mPv3LsJ9d", "prod-backend", dollars_to_nano("22.94")),
    ]
    assert rows(store, "SELECT DISTINCT model FROM usage_facts ORDER BY 1") == [
        ("",), ("claude-haiku-4-5",), ("claude-sonnet-5",)
    ]
    attrs = store.scalar("SELECT attrs FROM usage_facts WHERE model = 'claude-sonnet-5' LIMIT 1")
    assert '"workspace": "' in attrs and '"context_window": "0-200k"' in attrs
    assert rows(store, "SELECT DISTINCT category, stream, source, requests FROM usage_facts") == [
        ("api", "anthropic.cost", "anthropic.csv.cost", None)
    ]


def test_anthropic_token_export(store):
    imported(store, DATA / "anthropic" / "claude_api_tokens_2026_10_01_to_2026_10_04.csv")
    assert rows(
        store,
        "SELECT SUM(tok_in), SUM(tok_cache_write), SUM(tok_cache_read), SUM(tok_out), COUNT(amount_nano) FROM usage_facts",
    ) == [(9950000, 820000, 18300000, 1312000, 0)]
    assert rows(store, "SELECT DISTINCT stream, source FROM usage_facts") == [("anthropic.usage", "anthropic.csv.tokens")]


def test_claude_ai_spend_report_takes_its_period_from_the_file_name(store):
    result = imported(store, DATA / "anthropic" / "claude_ai_spend_report_2026-10-01_2026-10-31.csv")
    assert (result.first_day, result.last_day) == ("2026-10-01", "2026-10-31")
    assert dollars(store, "SELECT SUM(amount_nano) FROM period_amounts") == Decimal("95.46")  # net spend
    assert rows(
        store,
        """SELECT SUM(requests), SUM(tok_in), SUM(tok_cache_read), SUM(tok_cache_write), SUM(tok_out)
           FROM period_amounts""",
    ) == [(3183, 4950000, 89800000, 5930000, 2555000)]
    assert rows(
        store,
        """SELECT p.email, pa.kind, pa.model, pa.amount_nano, pa.attrs, pa.product FROM period_amounts pa
           JOIN people p ON p.id = pa.person_id WHERE p.email = 'bob@example.com' ORDER BY pa.kind""",
    ) == [
        ("bob@example.com", "Claude Code", "claude-opus-5", dollars_to_nano("35.55"), '{"gross_usd": "41.82"}',
         "claude_ai"),
        ("bob@example.com", "Cowork", "claude-sonnet-5", dollars_to_nano("3.14"),
         '{"gross_usd": "3.69", "web_search_count": 3}', "claude_ai"),
    ]  # fmt: skip


def test_openai_cost_export_skips_empty_days(store):
    result = imported(store, DATA / "openai" / "cost_2026-10-01_2026-10-04.csv")
    assert (result.rows, result.new, result.skipped) == (18, 17, 1)
    assert rows(store, "SELECT day, SUM(amount_nano) FROM usage_facts GROUP BY day ORDER BY day") == [
        ("2026-10-01", dollars_to_nano("10.0875")),
        ("2026-10-02", dollars_to_nano("8.6625")),
        ("2026-10-03", dollars_to_nano("1.4225")),
    ]
    assert rows(
        store,
        """SELECT f.model, f.kind, a.kind, a.external_id, a.label FROM usage_facts f JOIN accounts a ON a.id = f.account_id
           WHERE f.day = '2026-10-01' AND f.kind LIKE 'text-embedding%'""",
    ) == [("text-embedding-3-small", "text-embedding-3-small, input", "project", "proj_Z3nP8rT5wK1mV6qX2jL9sD4f",
           "Search Indexer")]  # fmt: skip


def test_openai_completions_usage_export(store):
    result = imported(store, DATA / "openai" / "completions_usage_2026-10-01_2026-10-04.csv")
    assert (result.rows, result.new, result.skipped) == (6, 5, 1)
    assert rows(
        store,
        "SELECT SUM(requests), SUM(tok_in), SUM(tok_cache_read), SUM(tok_cache_write), SUM(tok_out) FROM usage_facts",
    ) == [(13065, 9980000, 13900000, 0, 1981000)]  # requests were written as 1320.0
    assert rows(store, "SELECT DISTINCT kind, stream, source, category FROM usage_facts") == [
        ("completions", "openai.usage", "openai.csv.usage", "api")
    ]


def test_the_format_names_listed_without_pandas_are_the_formats_detect_knows():
    assert FORMAT_NAMES == tuple(f.name for f in detect.FORMATS)
