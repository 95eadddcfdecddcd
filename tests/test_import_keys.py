"""The Cursor event key the CSV importer and the API sync share (importers/keys.py)."""

import pytest
from import_helpers import CURSOR_EVENTS, imported

from spendtui.importers.keys import cursor_category, cursor_event_key, normalize_cursor_model, with_occurrence
from spendtui.store.facts import day_key, natural_key


def test_key_normalises_email_and_model():
    assert cursor_event_key(1791308883214, " Alice@Example.COM", "Default", 412, 18250, 96400, 2310) == (
        "1791308883214|alice@example.com|auto|412|18250|96400|2310|0"
    )
    assert normalize_cursor_model("claude-4.5-Sonnet ") == "claude-4.5-sonnet"


def test_occurrence_counts_equal_prefixes_in_order():
    assert with_occurrence(["a", "b", "a", "a"]) == ["a|0", "b|0", "a|1", "a|2"]


def test_the_csv_row_is_stored_under_the_api_events_key(store):
    imported(store, CURSOR_EVENTS)
    api_key = cursor_event_key(1791308883214, "alice@example.com", "claude-opus-5-thinking-high", 412, 18250, 96400, 2310)
    nk = day_key("2026-10-06", natural_key(f"cursor|cursor.events|{api_key}"))  # 1791308883214 is 2026-10-06 UTC
    assert store.scalar("SELECT amount_nano FROM usage_facts WHERE nk = ?", (nk,)) == 220_000_000


@pytest.mark.parametrize(
    ("kind", "amount", "expected"),
    [
        ("Usage-based", 1, ("overage", 1)), ("On-Demand", 1, ("overage", 1)), ("Included in Business", 1, ("included", 1)),
        ("Included", 0, ("included", 1)), ("Errored, Not Charged", 0, ("none", 0)), ("Aborted, Not Charged", 0, ("none", 0)),
        ("User API Key", 0, ("none", 1)), ("free", None, ("none", 1)), ("Free", None, ("none", 1)),
        ("Something New", 5, ("overage", 1)), ("Something New", None, ("none", 1)), ("Something New", 0, ("none", 1)),
    ],
)  # fmt: skip
def test_kinds_to_categories(kind, amount, expected):
    assert cursor_category(kind, amount) == expected
