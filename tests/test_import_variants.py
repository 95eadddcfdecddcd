"""Header versions and the quirks of real exports (tests/data/import_variants/), and refused files."""

from decimal import Decimal

import pytest
from import_helpers import VARIANTS, dollars, imported, rows, run

from spendtui.importers.run import period_from_name
from spendtui.money import dollars_to_nano

EVENT_COLUMNS = (
    "SELECT ts_ms, f.model, f.kind, category, amount_nano, requests, tok_in, tok_cache_write, tok_cache_read, tok_out"
)


def test_bom_crlf_and_quoted_header(store):
    raw = (VARIANTS / "cursor_v4_bom_crlf.csv").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf\"Date\"") and raw.count(b"\r\n") == 4  # (kept byte-exact by .gitattributes)
    result = imported(store, VARIANTS / "cursor_v4_bom_crlf.csv")
    assert (result.variant, result.new) == ("v4 team", 3)
    assert rows(store, "SELECT email FROM people ORDER BY email")[0] == ("alice@example.com",)  # trimmed, lower-cased
    assert dollars(store, "SELECT SUM(amount_nano) FROM usage_facts") == Decimal("0.38")


def test_reordered_columns_money_words_unknown_kinds_and_legacy_tokens(store):
    result = imported(store, VARIANTS / "cursor_reordered_extra.csv")
    assert (result.rows, result.new) == (8, 8)  # the blank lines at the end are not rows
    assert rows(store, f"{EVENT_COLUMNS}, f.attrs FROM usage_facts f ORDER BY ts_ms") == [
        (1791360000000, "claude-opus-5-thinking-high", "On-Demand", "overage", dollars_to_nano("1234.56"), 1,
         300, 400, 200, 100, '{"max_mode": true}'),
        # Free with empty token cells: no cost (NULL), the word kept; default is Auto
        (1791360060000, "auto", "free", "none", None, 1, 0, 0, 0, 0, '{"cost": "Free"}'),
        # a naive ISO time is UTC; Included as a cost is no number
        (1791360120000, "auto", "Included in Pro", "included", None, 1, 5, 0, 0, 10, '{"cost": "Included"}'),
        # an unknown kind with a cost is spend, kept as it is written
        (1791360180000, "gpt-5.2-codex", "Bonus Credits", "overage", dollars_to_nano("0.50"), 1, 1, 0, 1, 1, None),
        (1791360240000, "gpt-5.2-codex", "Aborted, Not Charged", "none", None, 0, 0, 0, 0, 0, None),
        (1791360300000, "auto", "User API Key", "none", dollars_to_nano("0.03"), 1, 1, 0, 1, 1, None),
        # w/o + read + output = total: the legacy reading where "w/" includes "w/o" (50 - 30 written)
        (1791360360000, "claude-4.5-sonnet-thinking", "On-Demand", "overage", dollars_to_nano("0.10"), 1,
         30, 20, 20, 10, '{"tokens_raw": {"Cache Read": "20", "Input (w/ Cache Write)": "50", '
         '"Input (w/o Cache Write)": "30", "Output Tokens": "10", "Total Tokens": "60"}}'),
        # an unknown kind without a cost is not spend
        (1791360420000, "mystery-model", "Trial", "none", None, 1, 0, 0, 0, 1, None),
    ]  # fmt: skip


def test_individual_exports_need_to_know_whose_they_are(store):
    (refused,) = run(store, VARIANTS / "cursor_v3_individual.csv")
    assert refused.status == "failed" and "--user EMAIL" in refused.error
    (refused,) = run(store, VARIANTS / "cursor_v2_individual_you.csv")
    assert refused.status == "failed" and "line 2, column 'User'" in refused.error and "'You'" in refused.error
    result = imported(store, VARIANTS / "cursor_v3_individual.csv", user="Me@Example.com")
    assert result.variant == "v3 individual"
    imported(store, VARIANTS / "cursor_v2_individual_you.csv", user="me@example.com")
    # two identical events in one file stay two (occurrence 0 and 1)
    assert rows(store, "SELECT p.email, COUNT(*) FROM usage_facts JOIN people p ON p.id = person_id GROUP BY 1") == [
        ("me@example.com", 4)
    ]
    assert dollars(store, "SELECT SUM(amount_nano) FROM usage_facts") == Decimal("0.11")


def test_requests_variant_has_no_cost(store):
    result = imported(store, VARIANTS / "cursor_requests_variant.csv")
    assert result.variant == "Requests variant"
    assert rows(store, f"{EVENT_COLUMNS}, f.attrs FROM usage_facts f ORDER BY ts_ms") == [
        (1770120000000, "claude-4.5-sonnet", "Usage-based", "overage", None, 1, 200, 100, 300, 400,
         '{"request_units": "1.5"}'),
        (1770120600000, "auto", "Included in Business", "included", None, 1, 20, 0, 30, 40, '{"request_units": "1"}'),
    ]  # fmt: skip


def test_v1_dollar_signs_date_only_and_cost_to_you(store):
    result = imported(store, VARIANTS / "cursor_v1.csv", user="me@example.com")
    assert result.variant == "v1"
    assert rows(store, f"{EVENT_COLUMNS}, f.attrs FROM usage_facts f ORDER BY ts_ms, f.model") == [
        (1739145600000, "claude-3.7-sonnet", None, "overage", dollars_to_nano("0.10"), 1, 400, 500, 100, 50,
         '{"cost": "$0.10"}'),
        (1739145600000, "cursor-small", None, "included", dollars_to_nano("0.02"), 1, 100, 0, 0, 10, None),
        (1739232000000, "gpt-4o", None, "none", None, 1, 0, 0, 0, 0, None),
    ]  # fmt: skip


def test_summary_variant_keeps_the_token_total(store):
    result = imported(store, VARIANTS / "cursor_summary_variant.csv")
    assert result.variant == "summary variant"
    assert rows(store, "SELECT f.kind, category, amount_nano, tok_in, f.attrs FROM usage_facts f ORDER BY ts_ms") == [
        ("Usage-based", "overage", dollars_to_nano("0.37"), 12345, '{"tokens_total_only": true}'),
        ("Included in Pro", "included", None, 500, '{"cost": "Included", "max_mode": true, "tokens_total_only": true}'),
    ]


def test_analytics_aliases_and_summary_rows(store):
    result = imported(store, VARIANTS / "cursor_analytics_variant.csv")
    assert (result.rows, result.new) == (3, 3)  # the "Total active users" row and the idle day hold nothing
    assert rows(store, "SELECT day, model, category, requests FROM usage_facts ORDER BY category") == [
        ("2025-07-01", "auto", "included", 3), ("2025-07-01", "auto", "none", 1), ("2025-07-01", "auto", "overage", 1)
    ]  # fmt: skip


def test_spend_per_user_billing_cycles(store):
    imported(store, VARIANTS / "cursor_spend_cycles.csv")
    assert rows(store, "SELECT period_from, period_to, amount_nano FROM period_amounts ORDER BY period_from") == [
        ("2026-01-31", "2026-02-27", dollars_to_nano("7")),  # one month from the 31st: through Feb 27
        ("2026-09-03", "2026-10-02", dollars_to_nano("1200")),  # "$1,200.00"
        ("2026-10-03", "2026-11-02", dollars_to_nano("40.5")),
    ]


def test_anthropic_older_cost_export_and_trimmed_token_export(store):
    imported(store, VARIANTS / "claude_api_cost_12col.csv")
    assert rows(
        store,
        "SELECT a.kind, a.external_id, SUM(amount_nano) FROM usage_facts f JOIN accounts a ON a.id = f.account_id "
        "GROUP BY a.id ORDER BY 1",
    ) == [("api_key", "prod-backend", dollars_to_nano("1.50")), ("workspace", "Default", 0)]
    imported(store, VARIANTS / "claude_api_tokens_trimmed.csv")
    assert rows(
        store, "SELECT tok_in, tok_cache_write, tok_cache_read, tok_out FROM usage_facts WHERE stream = 'anthropic.usage'"
    ) == [(1000, 0, 0, 200)]


def test_claude_ai_report_needs_a_period_and_sums_channel_rows(store):
    (refused,) = run(store, VARIANTS / "claude_ai_spend_report.csv")
    assert refused.status == "failed" and "--period FROM..TO" in refused.error
    assert store.scalar("SELECT COUNT(*) FROM imports") == 0
    from datetime import date

    imported(store, VARIANTS / "claude_ai_spend_report.csv", period=(date(2026, 11, 1), date(2026, 11, 15)))
    assert rows(
        store,
        """SELECT COALESCE(p.email, a.kind || ':' || a.external_id), pa.kind, pa.amount_nano, pa.requests, pa.tok_in,
                  pa.period_from, pa.period_to
           FROM period_amounts pa LEFT JOIN people p ON p.id = pa.person_id LEFT JOIN accounts a ON a.id = pa.account_id
           ORDER BY 1""",
    ) == [
        ("alice@example.com", "Claude Tag", dollars_to_nano("1.65"), 15, 1500, "2026-11-01", "2026-11-15"),
        ("user:default", "Chat", dollars_to_nano("0.05"), 3, 300, "2026-11-01", "2026-11-15"),
    ]  # fmt: skip


def test_openai_float_counts_naive_times_and_old_columns(store):
    result = imported(store, VARIANTS / "embeddings_usage_2026-10-01_2026-10-02.csv")
    assert (result.new, result.skipped) == (1, 1)
    assert rows(store, "SELECT day, kind, requests, tok_in FROM usage_facts") == [
        ("2026-10-01", "embeddings", 3, 41000000)
    ]
    imported(store, VARIANTS / "completions_usage_old.csv")
    # no input_uncached_tokens column: uncached = input - cached
    assert rows(
        store,
        "SELECT a.kind, a.external_id, requests, tok_in, tok_cache_read, tok_out FROM usage_facts f "
        "JOIN accounts a ON a.id = f.account_id WHERE f.kind = 'completions'",
    ) == [("user", "user-abc", 12, 600, 400, 50)]


def test_openai_cost_long_decimals_and_people_by_email(store):
    imported(store, VARIANTS / "openai_cost_naive_iso.csv")
    assert rows(
        store,
        "SELECT p.email, f.model, amount_nano FROM usage_facts f JOIN people p ON p.id = f.person_id",
    ) == [("ivy@example.com", "gpt-5-mini-2025-08-07", 3835980)]  # $0.00383598 exactly
    assert dollars(store, "SELECT SUM(amount_nano) FROM usage_facts") == Decimal("1.50383598")


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("cursor_bad_cost.csv", "cursor_bad_cost.csv: line 5, column 'Cost': not an amount in dollars: '12.3.4'"),
        ("cursor_bad_date.csv", "cursor_bad_date.csv: line 3, column 'Date': not an ISO-8601 date or time: 'yesterday'"),
        ("cursor_bad_tokens.csv",
         "cursor_bad_tokens.csv: line 3, column 'Cache Read': not a whole number of at least 0: '-5'"),
        ("cursor_ragged.csv", "cursor_ragged.csv: line 3: 12 fields where the header has 11"),
        ("cursor_spend_overlap.csv", "cursor_spend_overlap.csv: line 3: gina@example.com has a period that overlaps"),
        ("openai_cost_eur.csv",
         "openai_cost_eur.csv: line 2, column 'amount_currency': only USD amounts can be imported: 'eur'"),
    ],
)  # fmt: skip
def test_a_bad_row_refuses_the_whole_file(store, name, message):
    (result,) = run(store, VARIANTS / name)
    assert result.status == "failed"
    assert result.error.startswith(message)
    assert store.scalar("SELECT COUNT(*) FROM usage_facts") == 0
    assert store.scalar("SELECT COUNT(*) FROM imports") == 0


def test_period_in_file_names():
    from datetime import date
    from pathlib import Path

    assert period_from_name(Path("claude_ai_spend_report_2026-10-01_2026-10-31.csv")) == (
        date(2026, 10, 1), date(2026, 10, 31))  # fmt: skip
    assert period_from_name(Path("claude_api_cost_2026_10_01_to_2026_10_04.csv")) == (date(2026, 10, 1), date(2026, 10, 4))
    assert period_from_name(Path("spend-report.csv")) is None
    assert period_from_name(Path("x_2026-10-31_2026-10-01.csv")) is None


CURSOR_HEADER = "Date,User,Kind,Model,Max Mode,Input (w/ Cache Write),Input (w/o Cache Write),Cache Read,Output Tokens,Total Tokens,Cost"
ANTHROPIC_COST_HEADER = "usage_date_utc,model,workspace,api_key,usage_type,context_window,token_type,cost_usd,list_price_usd"


@pytest.mark.parametrize(
    ("lines", "message"),
    [
        ([CURSOR_HEADER, "now,alice@example.com,On-Demand,auto,No,0,1,0,1,2,0.01"],
         "x.csv: line 2, column 'Date': not an ISO-8601 date or time: 'now'"),
        ([CURSOR_HEADER, "2026-10,alice@example.com,On-Demand,auto,No,0,1,0,1,2,0.01"],
         "x.csv: line 2, column 'Date': not an ISO-8601 date or time: '2026-10'"),
        ([ANTHROPIC_COST_HEADER, "2026-10-01 not a date,Claude Sonnet 5,Default,k,message,x,input_no_cache,3.60,3.60"],
         "x.csv: line 2, column 'usage_date_utc': not a date (YYYY-MM-DD): '2026-10-01 not a date'"),
        (["email,period,spend", "alice@example.com,2026-09,$1,234.56", "bob@example.com,2026-09,$12.00"],
         "x.csv: line 2: 4 fields where the header has 3"),
        ([CURSOR_HEADER, "2026-10-09T09:00:00Z,alice@example.com,On-Demand,auto,No,0,1,0,1,2,99999999999"],
         "x.csv: line 2, column 'Cost': more than $1,000,000,000 in one amount: '99999999999'"),
        ([CURSOR_HEADER, "2026-10-09T09:00:00Z,alice@example.com,On-Demand,auto,No,0,99999999999999999999,0,1,2,1"],
         "x.csv: line 2, column 'Input (w/o Cache Write)': more than 1,000,000,000,000,000: '99999999999999999999'"),
    ],
)  # fmt: skip
def test_values_pandas_would_take_are_refused_with_their_line(store, tmp_path, lines, message):
    """'now' is a time to pandas, a first row with an extra field an index column, and a huge
    amount an int64 overflow: each must be a refusal naming the line, not a wrong day or a traceback."""
    path = tmp_path / "x.csv"
    path.write_text("\n".join(lines) + "\n")
    (result,) = run(store, path)
    assert result.status == "failed"
    assert result.error.startswith(message)
    assert store.scalar("SELECT COUNT(*) FROM usage_facts") == 0


def test_a_directory_is_named_as_one(store, tmp_path):
    (result,) = run(store, tmp_path)
    assert result.error == f"{tmp_path}: a directory, not a file"
