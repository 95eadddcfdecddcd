"""Property tests: any valid export round-trips to exactly the money and counts its rows hold."""

import csv
import tempfile
from decimal import Decimal
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from spendtui.config import Settings
from spendtui.importers.run import import_files
from spendtui.money import nano_to_decimal
from spendtui.store import open_store

V4 = ["Date", "User", "Cloud Agent ID", "Automation ID", "Kind", "Model", "Max Mode", "Input (w/ Cache Write)",
      "Input (w/o Cache Write)", "Cache Read", "Output Tokens", "Total Tokens", "Cost"]  # fmt: skip
KINDS = {"On-Demand": "overage", "Included": "included", "Errored, Not Charged": "none", "User API Key": "none"}

cents = st.integers(min_value=0, max_value=500_000_00)
tokens = st.integers(min_value=0, max_value=5_000_000)
event = st.tuples(
    st.integers(min_value=1_767_225_600_000, max_value=1_798_761_599_999),  # 2026, to the millisecond
    st.sampled_from(["a@example.com", "B@Example.com", "c@example.com"]),
    st.sampled_from(sorted(KINDS)),
    st.sampled_from(["auto", "default", "gpt-5.2-codex", "claude-opus-5"]),
    tokens, tokens, tokens, tokens,
    cents,
    st.sampled_from(["plain", "dollar", "word"]),
)  # fmt: skip


def write_events(path: Path, events) -> None:
    from datetime import datetime, timezone

    with open(path, "w", newline="") as handle:
        writer = csv.writer(handle, quoting=csv.QUOTE_ALL)
        writer.writerow(V4)
        for ts, email, kind, model, cw, ui, cr, out, amount, style in events:
            when = datetime.fromtimestamp(ts / 1000, timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.") + f"{ts % 1000:03d}Z"
            dollars = Decimal(amount) / 100
            cost = {"plain": f"{dollars}", "dollar": f"${dollars:,.2f}", "word": "-"}[style]
            writer.writerow([when, email, "", "", kind, model, "No", cw, ui, cr, out, cw + ui + cr + out, cost])


def fresh_store():
    return open_store(Path(tempfile.mkdtemp()) / "spend.db")


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(event, min_size=1, max_size=40))
def test_cursor_events_round_trip_exactly(events):
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "usage-events.csv"
        write_events(path, events)
        with fresh_store() as store:
            (result,) = import_files(store, [path], Settings()).files
            assert result.status == "imported", result.error
            assert result.new == len(events)  # identical rows stay distinct events
            expected: dict[str, Decimal] = {}
            for *_, kind, _model, _a, _b, _c, _d, amount, style in events:
                if style != "word":
                    category = KINDS[kind]
                    expected[category] = expected.get(category, Decimal(0)) + Decimal(amount) / 100
            stored = {
                row[0]: nano_to_decimal(row[1])
                for row in store.query(
                    "SELECT category, SUM(amount_nano) FROM usage_facts WHERE amount_nano IS NOT NULL GROUP BY 1"
                )
            }
            assert stored == expected
            assert store.scalar("SELECT SUM(requests) FROM usage_facts") == sum(
                e[2] != "Errored, Not Charged" for e in events
            )
            assert store.scalar("SELECT SUM(tok_in + tok_cache_write + tok_cache_read + tok_out) FROM usage_facts") == sum(
                sum(e[4:8]) for e in events
            )
            # importing it again (as a new file) changes nothing
            copy = Path(folder) / "copy.csv"
            copy.write_bytes(path.read_bytes() + b"\n")
            (again,) = import_files(store, [copy], Settings()).files
            assert (again.new, again.replaced, again.skipped) == (0, 0, len(events))


long_amounts = st.decimals(min_value=0, max_value=100_000, places=9, allow_nan=False, allow_infinity=False)


@settings(max_examples=20, deadline=None)
@given(st.lists(st.tuples(st.integers(min_value=0, max_value=60), long_amounts), min_size=1, max_size=30))
def test_openai_cost_amounts_are_exact_to_the_nano_dollar(rows):
    header = "start_time,end_time,start_time_iso,end_time_iso,amount_value,amount_currency,line_item,project_id\n"
    lines = []
    for index, (day, amount) in enumerate(rows):
        start = 1_790_812_800 + day * 86_400
        # written the way the export writes them: a long decimal with trailing zeros
        lines.append(f'{start},{start + 86400},,,{amount:.30f},usd,"gpt-5, input {index}",proj_1\n')
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "cost_export.csv"
        path.write_text(header + "".join(lines))
        with fresh_store() as store:
            (result,) = import_files(store, [path], Settings()).files
            assert result.status == "imported", result.error
            total = nano_to_decimal(store.scalar("SELECT SUM(amount_nano) FROM usage_facts"))
            assert total == sum(amount for _, amount in rows)
