"""Daily, monthly, quarterly and yearly rollups, rebuilt from facts, seats and period amounts (never running counters).

A refresh recomputes a provider's days ``first .. last`` from scratch inside the caller's
transaction. What a rollup depends on besides the facts (the reporting time zone, configured seat
prices, how far seat fees accrue) is kept in ``meta``; ``configure`` rebuilds everything when it
changes.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, timedelta

from spendtui.money import split_evenly
from spendtui.periods import add_months, utc_offsets
from spendtui.store import Store

_PARAMS_KEY = "rollup.params"
_THROUGH_KEY = "rollup.through"
_MEASURES = "amount_nano, requests, tok_in, tok_cache_write, tok_cache_read, tok_out, facts"
_SUMS = (
    "COALESCE(SUM(amount_nano), 0), SUM(requests), SUM(tok_in), SUM(tok_cache_write), "
    "SUM(tok_cache_read), SUM(tok_out)"
)
USAGE_COVERAGE = "est = 0 AND spread = 0 AND category != 'subscription'"


def _month_end(day: date) -> date:
    return add_months(day, 1) - timedelta(days=1)


def _params(store: Store) -> dict:
    raw = store.meta(_PARAMS_KEY)
    return json.loads(raw) if raw else {"timezone": "UTC", "seat_prices": {}}


def configure(store: Store, timezone: str, seat_prices: dict[str, int], today: date) -> bool:
    """Bring the rollups in line with the settings and today; False when stale but read-only.

    Seat fees accrue in the rollups through today (spend is what has accrued so far); a
    projection adds the rest of the month from ``seats`` itself (``seat_accrual_sql``).
    """
    wanted = {"timezone": timezone, "seat_prices": {k: seat_prices[k] for k in sorted(seat_prices)}}
    horizon = today
    stored = store.meta(_PARAMS_KEY)
    through = store.meta(_THROUGH_KEY)
    same = bool(stored) and json.loads(stored) == wanted
    if same and through == horizon.isoformat():
        return True
    if store.read_only:
        return False
    with store.transaction():
        store.set_meta(_THROUGH_KEY, horizon.isoformat())
        if same and through:
            # The day moved: accrue seat fees up to the new today (or take back days past it).
            moved = sorted([date.fromisoformat(through), horizon])
            refresh(store, providers_with_data(store), moved[0] + timedelta(days=1), moved[1])
        else:
            store.set_meta(_PARAMS_KEY, json.dumps(wanted))
            rebuild_all(store)
    return True


def providers_with_data(store: Store) -> list[str]:
    return [
        row[0]
        for row in store.query(
            "SELECT provider FROM usage_facts GROUP BY provider UNION SELECT provider FROM seats "
            "UNION SELECT provider FROM period_amounts"
        )
    ]


def rebuild_all(store: Store) -> None:
    """Drop and recompute every rollup (after a time zone or seat price change, or a merge)."""
    with store.transaction() as conn:
        for table in ("roll_day", "roll_month", "roll_quarter", "roll_year", "roll_org_day", "roll_source_day"):
            conn.execute(f"DELETE FROM {table}")
        for provider in providers_with_data(store):
            span = store.query(
                """SELECT MIN(d), MAX(d) FROM (
                     SELECT MIN(day) AS d FROM usage_facts WHERE provider = :p
                     UNION ALL SELECT MAX(day) FROM usage_facts WHERE provider = :p
                     UNION ALL SELECT MIN(active_from) FROM seats WHERE provider = :p
                     UNION ALL SELECT MIN(period_from) FROM period_amounts WHERE provider = :p
                     UNION ALL SELECT MAX(period_to) FROM period_amounts WHERE provider = :p)""",
                {"p": provider},
            )[0]
            if span[0] is None:
                continue
            first = date.fromisoformat(span[0]) - timedelta(days=1)
            last = date.fromisoformat(span[1]) + timedelta(days=1)
            through = store.meta(_THROUGH_KEY)
            if through:
                last = max(last, date.fromisoformat(through))
            refresh(store, [provider], first, last)


@contextmanager
def batched(store: Store) -> Iterator[None]:
    """Defer refreshes inside the block and run one per provider over the union of their ranges.

    For writers that make many batches in one transaction (the demo, a multi-window sync).
    """
    outer = store.pending_refresh is None
    if outer:
        store.pending_refresh = {}
    try:
        yield
        if outer:
            pending, store.pending_refresh = store.pending_refresh, None
            for provider, (first, last) in sorted(pending.items()):
                refresh(store, [provider], first, last)
    finally:
        if outer:
            store.pending_refresh = None


def refresh(store: Store, providers: list[str], first: date, last: date) -> None:
    """Recompute the rollups of ``providers`` for days ``first`` .. ``last`` (inclusive)."""
    if store.pending_refresh is not None:
        for provider in providers:
            known = store.pending_refresh.get(provider)
            store.pending_refresh[provider] = (min(first, known[0]), max(last, known[1])) if known else (first, last)
        return
    params = _params(store)
    through = store.meta(_THROUGH_KEY)
    with store.transaction():
        for provider in providers:
            start, end = _widen_for_period_amounts(store, provider, first, last)
            _rebuild_days(store, provider, start, end, params["timezone"], through)
            _rebuild_org_days(store, provider, start, end)
            _rebuild_months(store, provider, start, end)
            _rebuild_quarters(store, provider, start, end)
            _rebuild_years(store, provider, start, end)


def _widen_for_period_amounts(store: Store, provider: str, first: date, last: date) -> tuple[date, date]:
    """A period amount counts or not as a whole, so refresh whole spans it overlaps."""
    row = store.query(
        "SELECT MIN(period_from), MAX(period_to) FROM period_amounts "
        "WHERE provider = ? AND period_from <= ? AND period_to >= ?",
        (provider, last.isoformat(), first.isoformat()),
    )[0]
    if row[0] is None:
        return first, last
    return min(first, date.fromisoformat(row[0])), max(last, date.fromisoformat(row[1]))


def _local_day_sql(timezone: str, first: date, last: date) -> str:
    """SQL for the reporting-zone day of a fact: its instant's local date, else its vendor day."""
    offsets = utc_offsets(timezone, first, last)
    if len(offsets) == 1:
        shift = str(offsets[0][1])
    else:
        cases = " ".join(f"WHEN f.ts_ms < {start} THEN {prev}" for (start, _), (_, prev) in zip(offsets[1:], offsets))
        shift = f"CASE {cases} ELSE {offsets[-1][1]} END"
    return f"CASE WHEN f.ts_ms IS NULL THEN f.day ELSE date(f.ts_ms / 1000 + {shift}, 'unixepoch') END"


def _rebuild_days(
    store: Store, provider: str, first: date, last: date, timezone: str, through: str | None
) -> None:
    conn = store.conn
    a, b = first.isoformat(), last.isoformat()
    conn.execute("DELETE FROM roll_day WHERE provider = ? AND day BETWEEN ? AND ?", (provider, a, b))
    local_day = _local_day_sql(timezone, first, last)
    conn.execute(
        f"""INSERT INTO roll_day (day, provider, product, subject, model, category, est, spread, {_MEASURES})
            SELECT local_day, :p, product, subject, model, category, estimated, 0, {_SUMS}, COUNT(*)
            FROM (
              SELECT {local_day} AS local_day, f.product, COALESCE(f.person_id, a.person_id, -f.account_id) AS subject,
                     f.model, f.category, f.estimated, f.amount_nano, f.requests,
                     f.tok_in, f.tok_cache_write, f.tok_cache_read, f.tok_out
              FROM usage_facts f LEFT JOIN accounts a ON a.id = f.account_id
              WHERE f.provider = :p AND f.day BETWEEN :wa AND :wb
            )
            WHERE local_day BETWEEN :a AND :b
            GROUP BY local_day, product, subject, model, category, estimated""",
        {
            "p": provider,
            "a": a,
            "b": b,
            "wa": (first - timedelta(days=1)).isoformat(),
            "wb": (last + timedelta(days=1)).isoformat(),
        },
    )
    conn.execute(
        "DELETE FROM roll_source_day WHERE provider = :p AND day BETWEEN :wa AND :wb",
        {"p": provider, "wa": (first - timedelta(days=1)).isoformat(), "wb": (last + timedelta(days=1)).isoformat()},
    )
    conn.execute(
        """INSERT INTO roll_source_day (provider, stream, source, day, rows)
           SELECT provider, stream, source, day, COUNT(*) FROM usage_facts
           WHERE provider = :p AND day BETWEEN :wa AND :wb GROUP BY stream, source, day""",
        {"p": provider, "wa": (first - timedelta(days=1)).isoformat(), "wb": (last + timedelta(days=1)).isoformat()},
    )
    _insert_spread_amounts(store, provider, first, last)
    accrue_to = min(last, date.fromisoformat(through)) if through else last
    if accrue_to >= first:
        _insert_seat_accruals(store, provider, first, accrue_to)
    # An estimate stands alone only on days with no billed usage of the same provider.
    conn.execute(
        f"""UPDATE roll_day SET est = 2
            WHERE provider = :p AND day BETWEEN :a AND :b AND est = 1 AND day IN (
              SELECT day FROM roll_day WHERE provider = :p AND day BETWEEN :a AND :b AND {USAGE_COVERAGE})""",
        {"p": provider, "a": a, "b": b},
    )


def _insert_spread_amounts(store: Store, provider: str, first: date, last: date) -> None:
    """Spread period-only amounts evenly over their days, unless a finer source covers them."""
    rows = store.query(
        """SELECT pa.*, COALESCE(pa.person_id, a.person_id, -pa.account_id) AS subject
           FROM period_amounts pa LEFT JOIN accounts a ON a.id = pa.account_id
           WHERE pa.provider = ? AND pa.period_from <= ? AND pa.period_to >= ?""",
        (provider, last.isoformat(), first.isoformat()),
    )
    totals: dict[tuple, list[int | None]] = defaultdict(lambda: [0, None, 0, 0, 0, 0, 0])
    for row in rows:
        covered = store.scalar(
            f"""SELECT EXISTS (SELECT 1 FROM roll_day WHERE subject = ? AND day BETWEEN ? AND ?
                               AND provider = ? AND {USAGE_COVERAGE})""",
            (row["subject"], row["period_from"], row["period_to"], provider),
        )
        if covered:
            continue
        start, end = date.fromisoformat(row["period_from"]), date.fromisoformat(row["period_to"])
        days = (end - start).days + 1
        shares = {
            name: split_evenly(row[name], days) if row[name] is not None else None
            for name in ("amount_nano", "requests", "tok_in", "tok_cache_write", "tok_cache_read", "tok_out")
        }
        for index in range(max(0, (first - start).days), min(days, (last - start).days + 1)):
            day = (start + timedelta(days=index)).isoformat()
            acc = totals[(day, row["product"], row["subject"], row["model"], row["category"])]
            acc[0] += shares["amount_nano"][index] if shares["amount_nano"] else 0
            if shares["requests"]:
                acc[1] = (acc[1] or 0) + shares["requests"][index]
            for slot, name in enumerate(("tok_in", "tok_cache_write", "tok_cache_read", "tok_out"), start=2):
                acc[slot] += shares[name][index]
            acc[6] += 1
    store.conn.executemany(
        f"""INSERT INTO roll_day (day, provider, product, subject, model, category, est, spread, {_MEASURES})
            VALUES (?, ?, ?, ?, ?, ?, 0, 1, ?, ?, ?, ?, ?, ?, ?)""",
        [(k[0], provider, k[1], k[2], k[3], k[4], *v) for k, v in totals.items()],
    )


def _billing_calendar(first: date, last: date, anchors: list[int]) -> list[tuple]:
    """(day, anchor, period_end, period_days) for each day and billing-day anchor."""
    rows = []
    for anchor in anchors:
        day = first
        while day <= last:
            start = _period_start(day, anchor)
            next_month = add_months(start, 1)
            following = next_month.replace(day=min(anchor, _month_end(next_month).day))
            end = following - timedelta(days=1)
            length = (end - start).days + 1
            while day <= min(end, last):
                rows.append((day.isoformat(), anchor, end.isoformat(), length))
                day += timedelta(days=1)
    return rows


def _period_start(day: date, anchor: int) -> date:
    """The start of the billing period holding ``day`` when periods start on day ``anchor``."""
    this_month = day.replace(day=min(anchor, _month_end(day).day))
    if day >= this_month:
        return this_month
    previous = add_months(day, -1)
    return previous.replace(day=min(anchor, _month_end(previous).day))


def seat_accrual_sql(store: Store, provider: str | None, first: date, last: date) -> tuple[str, dict]:
    """SQL yielding (day, provider, subject, plan, amount_nano) of seat fees accruing first..last.

    A fee accrues evenly over its billing period's days, the remainder on the period's last day,
    so a full period sums to the fee. Reads a temp calendar this call fills.
    """
    where = "provider = :p" if provider else "1"
    anchors = [row[0] for row in store.query(f"SELECT DISTINCT billing_day FROM seats WHERE {where}", {"p": provider})]
    conn = store.conn
    conn.execute("CREATE TEMP TABLE IF NOT EXISTS billing_calendar (day, anchor, period_end, period_days)")
    conn.execute("DELETE FROM billing_calendar")
    conn.executemany("INSERT INTO billing_calendar VALUES (?, ?, ?, ?)", _billing_calendar(first, last, anchors))
    sql = f"""SELECT c.day AS day, s.provider AS provider, s.person_id AS subject, s.plan AS plan,
                     CASE WHEN c.day = c.period_end THEN s.fee - (c.period_days - 1) * (s.fee / c.period_days)
                          ELSE s.fee / c.period_days END AS amount_nano
              FROM (SELECT *, COALESCE(monthly_fee_nano, json_extract(:prices, '$.' || provider)) AS fee
                    FROM seats WHERE {where}) s
              JOIN billing_calendar c ON c.anchor = s.billing_day AND c.day >= s.active_from
                   AND (s.active_to IS NULL OR c.day <= s.active_to)
              WHERE s.fee IS NOT NULL"""
    return sql, {"p": provider, "prices": json.dumps(_params(store)["seat_prices"])}


def _insert_seat_accruals(store: Store, provider: str, first: date, last: date) -> None:
    source, params = seat_accrual_sql(store, provider, first, last)
    store.conn.execute(
        f"""INSERT INTO roll_day (day, provider, product, subject, model, category, est, spread, {_MEASURES})
            SELECT day, provider, 'seat', subject, plan, 'subscription', 0, 0, SUM(amount_nano),
                   NULL, 0, 0, 0, 0, COUNT(*)
            FROM ({source}) GROUP BY day, subject, plan""",
        params,
    )


def _rebuild_org_days(store: Store, provider: str, first: date, last: date) -> None:
    params = (provider, first.isoformat(), last.isoformat())
    store.conn.execute("DELETE FROM roll_org_day WHERE provider = ? AND day BETWEEN ? AND ?", params)
    store.conn.execute(
        f"""INSERT INTO roll_org_day (day, provider, product, model, category, est, spread, {_MEASURES})
            SELECT day, provider, product, model, category, est, spread, {_SUMS}, SUM(facts)
            FROM roll_day WHERE provider = ? AND day BETWEEN ? AND ?
            GROUP BY day, product, model, category, est, spread""",
        params,
    )


def _rebuild_months(store: Store, provider: str, first: date, last: date) -> None:
    start, end = first.replace(day=1), _month_end(last)
    store.conn.execute(
        "DELETE FROM roll_month WHERE provider = ? AND month BETWEEN ? AND ?",
        (provider, start.isoformat()[:7], end.isoformat()[:7]),
    )
    store.conn.execute(
        f"""INSERT INTO roll_month (month, provider, product, subject, model, category, est, {_MEASURES})
            SELECT substr(day, 1, 7), provider, product, subject, model, category, est, {_SUMS}, SUM(facts)
            FROM roll_day WHERE provider = ? AND day BETWEEN ? AND ?
            GROUP BY substr(day, 1, 7), product, subject, model, category, est""",
        (provider, start.isoformat(), end.isoformat()),
    )


def quarter_of(day: date) -> str:
    """'2026-Q3' for any day of July to September 2026: the key of roll_quarter."""
    return f"{day.year}-Q{(day.month + 2) // 3}"


def _rebuild_quarters(store: Store, provider: str, first: date, last: date) -> None:
    """roll_month summed per calendar quarter: a quarter reads one row per key instead of three."""
    start = first.replace(month=3 * ((first.month - 1) // 3) + 1, day=1)
    end = add_months(last.replace(month=3 * ((last.month - 1) // 3) + 1, day=1), 3) - timedelta(days=1)
    store.conn.execute(
        "DELETE FROM roll_quarter WHERE provider = ? AND quarter BETWEEN ? AND ?",
        (provider, quarter_of(start), quarter_of(end)),
    )
    store.conn.execute(
        f"""INSERT INTO roll_quarter (quarter, provider, product, subject, model, category, est, {_MEASURES})
            SELECT substr(month, 1, 4) || '-Q' || ((CAST(substr(month, 6, 2) AS INTEGER) + 2) / 3),
                   provider, product, subject, model, category, est, {_SUMS}, SUM(facts)
            FROM roll_month WHERE provider = ? AND month BETWEEN ? AND ?
            GROUP BY 1, product, subject, model, category, est""",
        (provider, start.isoformat()[:7], end.isoformat()[:7]),
    )


def _rebuild_years(store: Store, provider: str, first: date, last: date) -> None:
    """roll_quarter summed per calendar year: a year-to-date figure reads one row per key.

    From quarters, not months: a backfill refreshes the year at every write, and four rows per key
    are a third of twelve (the sums are the same).
    """
    years = (str(first.year), str(last.year))
    store.conn.execute("DELETE FROM roll_year WHERE provider = ? AND year BETWEEN ? AND ?", (provider, *years))
    store.conn.execute(
        f"""INSERT INTO roll_year (year, provider, product, subject, model, category, est, {_MEASURES})
            SELECT substr(quarter, 1, 4), provider, product, subject, model, category, est, {_SUMS}, SUM(facts)
            FROM roll_quarter WHERE provider = ? AND quarter BETWEEN ? AND ?
            GROUP BY substr(quarter, 1, 4), product, subject, model, category, est""",
        (provider, f"{years[0]}-Q1", f"{years[1]}-Q4"),
    )
