"""Daily, monthly, quarterly and yearly rollups, rebuilt from facts, seats and period amounts (never running counters).

A refresh recomputes a provider's days ``first .. last`` from scratch inside the caller's
transaction. A batch whose facts are all new is added instead (``add``): a million new facts would
otherwise be re-read and sorted by SQLite, while their sums grouped in pandas give the same rows
(the tests check both against ``rebuild_all``). What a rollup depends on besides the facts (the
reporting time zone, configured seat prices, how far seat fees accrue) is kept in ``meta``;
``configure`` rebuilds everything when it changes.
"""

from __future__ import annotations

import json
import sqlite3
from collections import defaultdict
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from itertools import repeat
from typing import TYPE_CHECKING, Any

from spendtui.money import split_evenly, to_usd
from spendtui.periods import add_months, utc_offsets
from spendtui.store import Store

if TYPE_CHECKING:
    import pandas as pd

_PARAMS_KEY = "rollup.params"
_THROUGH_KEY = "rollup.through"
_MEASURES = "amount_nano, requests, tok_in, tok_cache_write, tok_cache_read, tok_out, facts"
_SUMS = (
    "COALESCE(SUM(amount_nano), 0), SUM(requests), SUM(tok_in), SUM(tok_cache_write), "
    "SUM(tok_cache_read), SUM(tok_out)"
)
_USAGE_VALUE = ("overage", "api", "included")  # the categories that rank a person's models
USAGE_COVERAGE = "est = 0 AND spread = 0 AND category != 'subscription'"
ROLLUP_TABLES = ("roll_day", "roll_month", "roll_quarter", "roll_year", "roll_subject", "roll_org_day", "roll_source_day")
_KEYS = ["day", "product", "subject", "model", "category", "est"]
_ABOVE_KEYS = ["product", "subject", "model", "category", "est"]  # the keys of month, quarter and year
_SUMMED = ["amount_nano", "tok_in", "tok_cache_write", "tok_cache_read", "tok_out", "facts"]
# Sums that could leave int64 (pandas would wrap silently) are left to SQLite, which refuses them.
_AMOUNT_LIMIT = 2.0**62


def _month_end(day: date) -> date:
    return add_months(day, 1) - timedelta(days=1)


def _params(store: Store) -> dict:
    raw = store.meta(_PARAMS_KEY)
    return json.loads(raw) if raw else {"timezone": "UTC", "seat_prices": {}}


def configure(
    store: Store, timezone: str, seat_prices: dict[str, int], today: date, fx: dict[str, Decimal] | None = None
) -> bool:
    """Bring the rollups in line with the settings and today; False when stale but read-only or busy.

    Seat fees accrue in the rollups through today (spend is what has accrued so far); a
    projection adds the rest of the month from ``seats`` and invoices (``seat_accrual_sql``).
    """
    wanted = {
        "timezone": timezone,
        "seat_prices": {k: seat_prices[k] for k in sorted(seat_prices)},
        "fx": {k: str(v) for k, v in sorted((fx or {}).items())},  # invoices' seat lines in other currencies
    }
    horizon = today
    stored = store.meta(_PARAMS_KEY)
    through = store.meta(_THROUGH_KEY)
    same = bool(stored) and json.loads(stored) == wanted
    if same and through == horizon.isoformat():
        return True
    if store.read_only:
        return False
    try:
        with store.transaction():
            store.set_meta(_THROUGH_KEY, horizon.isoformat())
            if same and through:
                # The day moved: accrue seat fees up to the new today (or take back days past it).
                moved = sorted([date.fromisoformat(through), horizon])
                refresh(store, providers_with_data(store), moved[0] + timedelta(days=1), moved[1])
            else:
                store.set_meta(_PARAMS_KEY, json.dumps(wanted))
                rebuild_all(store)
    except sqlite3.OperationalError as error:
        if "locked" not in str(error):
            raise
        return False  # another process (a sync, an import) writes the store: its last figures stand
    return True


def built_for(store: Store) -> tuple[str, str | None]:
    """(time zone, last day seat fees accrue to) of the rollups as they stand."""
    return _params(store)["timezone"], store.meta(_THROUGH_KEY)


def providers_with_data(store: Store) -> list[str]:
    return [
        row[0]
        for row in store.query(
            "SELECT provider FROM usage_facts GROUP BY provider UNION SELECT provider FROM seats "
            "UNION SELECT provider FROM period_amounts UNION SELECT provider FROM invoices"
        )
    ]


def rebuild_all(store: Store) -> None:
    """Drop and recompute every rollup (after a time zone or seat price change, or a merge)."""
    with store.transaction() as conn:
        for table in ROLLUP_TABLES:
            conn.execute(f"DELETE FROM {table}")
        for provider in providers_with_data(store):
            span = store.query(
                """SELECT MIN(d), MAX(d) FROM (
                     SELECT MIN(day) AS d FROM usage_facts WHERE provider = :p
                     UNION ALL SELECT MAX(day) FROM usage_facts WHERE provider = :p
                     UNION ALL SELECT MIN(active_from) FROM seats WHERE provider = :p
                     UNION ALL SELECT MIN(period_from) FROM period_amounts WHERE provider = :p
                     UNION ALL SELECT MAX(period_to) FROM period_amounts WHERE provider = :p
                     UNION ALL SELECT MIN(COALESCE(period_from, issued_on)) FROM invoices WHERE provider = :p)""",
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


@dataclass
class _Pending:
    """What a batched block owes one provider's rollups: days to refresh, sums to add."""

    days: tuple[date, date] | None = None
    sums: list[tuple[pd.DataFrame, pd.DataFrame]] = field(default_factory=list)
    amount_bound: float = 0.0
    sums_days: tuple[date, date] | None = None  # the UTC days of the added facts


def _union(span: tuple[date, date] | None, first: date, last: date) -> tuple[date, date]:
    return (min(first, span[0]), max(last, span[1])) if span else (first, last)


@contextmanager
def batched(store: Store) -> Iterator[None]:
    """Defer refreshes inside the block and run one per provider over the union of their ranges.

    For writers that make many batches in one transaction (the demo, a multi-window sync, an
    import's chunks). Added sums are applied first, then the ranges refreshed from facts; a
    refresh recomputes its days from facts, which hold the added ones too.
    """
    outer = store.pending_refresh is None
    if outer:
        store.pending_refresh = {}
    try:
        yield
        if outer:
            pending, store.pending_refresh = store.pending_refresh, None
            for provider, todo in sorted(pending.items()):
                if todo.sums and todo.amount_bound >= _AMOUNT_LIMIT:
                    todo.days = _union(todo.days, todo.sums_days[0] - timedelta(days=1),
                                       todo.sums_days[1] + timedelta(days=1))
                elif todo.sums:
                    with store.transaction():
                        _add_sums(store, provider, *_joined(todo.sums))
                if todo.days:
                    refresh(store, [provider], *todo.days)
    finally:
        if outer:
            store.pending_refresh = None


def refresh(store: Store, providers: list[str], first: date, last: date) -> None:
    """Recompute the rollups of ``providers`` for days ``first`` .. ``last`` (inclusive)."""
    if store.pending_refresh is not None:
        for provider in providers:
            todo = store.pending_refresh.setdefault(provider, _Pending())
            todo.days = _union(todo.days, first, last)
        return
    params = _params(store)
    through = store.meta(_THROUGH_KEY)
    with store.transaction():
        for provider in providers:
            start, end = _widen_for_period_amounts(store, provider, first, last)
            _rebuild_days(store, provider, start, end, params["timezone"], through)
            _rebuild_above_days(store, provider, start, end)


def refresh_fact_days(store: Store, providers: list[str], first: date, last: date) -> None:
    """Refresh the rollups of facts of UTC days ``first`` .. ``last``.

    A fact counts on its day in the reporting zone, which may be the UTC day before or after.
    """
    refresh(store, providers, first - timedelta(days=1), last + timedelta(days=1))


def _rebuild_above_days(store: Store, provider: str, first: date, last: date) -> None:
    _rebuild_org_days(store, provider, first, last)
    _rebuild_months(store, provider, first, last)
    _rebuild_quarters(store, provider, first, last)
    _rebuild_years(store, provider, first, last)
    _rebuild_subject_units(store, provider, first, last)


def add(store: Store, provider: str, stream: str, source: str, facts: dict[str, list[Any]]) -> None:
    """Add facts of one stream and source that were all just inserted (none replaced or removed).

    ``facts`` holds the stage columns (``ts_ms``, ``day``, ``person_id``, ``account_id``, ``product``,
    ``model``, ``category``, ``estimated``, measures) as lists. The result equals a refresh of their
    days: the daily rows only grow by the new facts' sums, and what depends on the daily rows
    (spread amounts, shadowed estimates, months...) is brought along.
    """
    import numpy as np
    import pandas as pd

    amounts = pd.array(facts["amount_nano"], dtype="Int64")
    bound = float(np.abs(amounts.to_numpy(dtype=float, na_value=0)).sum())
    utc_days = np.array(facts["day"], dtype=object)
    span = date.fromisoformat(utc_days.min()), date.fromisoformat(utc_days.max())
    pending = store.pending_refresh
    if pending is None and bound >= _AMOUNT_LIMIT:
        refresh_fact_days(store, [provider], *span)
        return
    rows = pd.DataFrame(
        {
            "day": _local_days(_params(store)["timezone"], facts["ts_ms"], utc_days, *span),
            "product": pd.Series(facts["product"], dtype=object),
            "subject": _subjects(store, facts["person_id"], facts["account_id"]),
            "model": pd.Series(facts["model"], dtype=object),
            "category": pd.Series(facts["category"], dtype=object),
            "est": np.array(facts["estimated"], dtype=np.int64),
            "amount_nano": amounts,
            "requests": pd.array(facts["requests"], dtype="Int64"),
            **{name: np.array(facts[name], dtype=np.int64) for name in _SUMMED[1:-1]},
            "facts": np.ones(len(utc_days), dtype=np.int64),
        }
    )
    per_day = pd.Series(utc_days).value_counts(sort=False)
    sources = pd.DataFrame({"stream": stream, "source": source, "day": per_day.index, "rows": per_day.to_numpy()})
    sums = (_grouped(rows), sources)
    if pending is None:
        with store.transaction():
            _add_sums(store, provider, *sums)
        return
    todo = pending.setdefault(provider, _Pending())
    todo.sums.append(sums)
    todo.amount_bound += bound
    todo.sums_days = _union(todo.sums_days, *span)


def _grouped(rows: pd.DataFrame, keys: list[str] = _KEYS) -> pd.DataFrame:
    """Rows summed per rollup key, as SQLite's SUM would: no requests at all stays NULL."""
    groups = rows.groupby(keys, sort=False, dropna=False)
    sums = groups[_SUMMED].sum()
    sums["requests"] = groups["requests"].sum(min_count=1)
    return sums.reset_index()


def _joined(parts: list[tuple[pd.DataFrame, pd.DataFrame]]) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The sums of several batches as one: keys two batches share are summed again."""
    import pandas as pd

    if len(parts) == 1:
        return parts[0]
    sources = pd.concat([p[1] for p in parts], ignore_index=True)
    return (
        _grouped(pd.concat([p[0] for p in parts], ignore_index=True)),
        sources.groupby(["stream", "source", "day"], sort=False)["rows"].sum().reset_index(),
    )


def _local_days(timezone: str, ts_ms: list[int | None], utc_days: Any, first: date, last: date) -> Any:
    """The reporting-zone day of each fact, as ``_local_day_sql`` computes it in SQL."""
    import numpy as np
    import pandas as pd

    instants = pd.array(ts_ms, dtype="Int64")
    timed = ~instants.isna()
    days = utc_days.copy()
    if timed.any():
        offsets = utc_offsets(timezone, first, last)
        starts = np.array([start for start, _ in offsets], dtype=np.int64)
        shifts = np.array([shift for _, shift in offsets], dtype=np.int64)
        ms = instants[timed].to_numpy(dtype=np.int64)
        seconds = ms // 1000 + shifts[np.maximum(np.searchsorted(starts, ms, side="right") - 1, 0)]
        codes, numbers = pd.factorize(seconds // 86_400)
        epoch = date(1970, 1, 1)
        labels = np.array([(epoch + timedelta(days=int(n))).isoformat() for n in numbers], dtype=object)
        days[np.asarray(timed)] = labels[codes]
    return days


def _subjects(store: Store, people: list[int | None], accounts: list[int | None]) -> Any:
    """``COALESCE(person_id, accounts.person_id, -account_id)`` per fact, as the daily rollup groups them."""
    import numpy as np

    subjects = np.array(people, dtype=object)
    unnamed = np.flatnonzero(np.equal(subjects, None))
    if len(unnamed):
        ids = sorted({accounts[i] for i in unnamed})
        owners = dict(store.tuples(f"SELECT id, person_id FROM accounts WHERE id IN ({','.join('?' * len(ids))})", ids))
        subjects[unnamed] = [owners.get(accounts[i]) or -accounts[i] for i in unnamed]
    return subjects.astype(np.int64)


def _add_sums(store: Store, provider: str, sums: pd.DataFrame, sources: pd.DataFrame) -> None:
    """Merge grouped sums into the daily rows of their days, then bring what depends on those rows along.

    When no spread amount overlaps the days and the new usage shadows no estimate held, the daily
    rows change by exactly the sums (their estimates shadowed where usage covers the day), so the
    org-wide, monthly, quarterly and yearly rows are added to the same way; otherwise they are
    recomputed from the daily rows, like the spread amounts and shadowed estimates.
    """
    first, last = date.fromisoformat(sums["day"].min()), date.fromisoformat(sums["day"].max())
    days = {"p": provider, "a": first.isoformat(), "b": last.isoformat()}
    sums["spread"] = 0
    plain = not store.scalar(
        "SELECT EXISTS (SELECT 1 FROM period_amounts WHERE provider = :p AND period_from <= :b AND period_to >= :a)",
        days,
    ) and _shadow_added(store, sums, days)
    sums = sums.sort_values(["subject", "day"])  # the order of the covering index by subject: appends, not seeks
    _merge_rows(store, provider, "roll_day", [*_KEYS, "spread"], sums, reshadowed=not plain)
    for stream, source, day, rows in sources.itertuples(index=False):
        key = (provider, stream, source, day)
        if not store.conn.execute(
            "UPDATE roll_source_day SET rows = rows + ? WHERE provider = ? AND stream = ? AND source = ? AND day = ?",
            (int(rows), *key),
        ).rowcount:
            store.conn.execute("INSERT INTO roll_source_day VALUES (?, ?, ?, ?, ?)", (*key, int(rows)))
    if not plain:
        start, end = _widen_for_period_amounts(store, provider, first, last)
        store.conn.execute(
            "DELETE FROM roll_day WHERE provider = ? AND day BETWEEN ? AND ? AND spread = 1",
            (provider, start.isoformat(), end.isoformat()),
        )
        _insert_spread_amounts(store, provider, start, end)  # new usage may cover a spread amount's span now
        _shadow_estimates(store, provider, start, end)
        _rebuild_above_days(store, provider, start, end)
        return
    org = ["day", "product", "model", "category", "est", "spread"]
    _merge_rows(store, provider, "roll_org_day", org, _grouped(sums, org))
    sums["month"] = _relabel(sums["day"], lambda day: day[:7])
    months = _grouped(sums, ["month", *_ABOVE_KEYS])
    _merge_rows(store, provider, "roll_month", ["month", *_ABOVE_KEYS], months)
    months["quarter"] = _relabel(months["month"], lambda month: quarter_of(date.fromisoformat(f"{month}-01")))
    _merge_rows(store, provider, "roll_quarter", ["quarter", *_ABOVE_KEYS], _grouped(months, ["quarter", *_ABOVE_KEYS]))
    months["year"] = _relabel(months["month"], lambda month: month[:4])
    _merge_rows(store, provider, "roll_year", ["year", *_ABOVE_KEYS], _grouped(months, ["year", *_ABOVE_KEYS]))
    _rebuild_subject_units(store, provider, first, last)  # a top model per person cannot be added to


def _shadow_added(store: Store, sums: pd.DataFrame, days: dict) -> bool:
    """Shadow the added estimates as ``_shadow_estimates`` would (est 2 on a day with billed usage,
    held or added); False when the added usage covers a day whose held estimates stand (est 1): those
    held rows must be shadowed, which the caller does from the daily rows.

    A daily-usage backfill adds estimates to days the events already cover: shadowed here, they add
    up like any other rows instead of re-deriving every month, quarter and year they touch. Which
    days hold what is read from the org-wide daily rows: a few hundred a day, not one per person.
    """
    covering = (sums["est"] == 0) & (sums["category"] != "subscription")
    covered = set(sums.loc[covering, "day"].unique().tolist())  # (iterating the column: 0.3 s a write)
    held = store.tuples(
        f"""SELECT DISTINCT day, est FROM roll_org_day WHERE provider = :p AND day BETWEEN :a AND :b
            AND (est = 1 OR ({USAGE_COVERAGE}))""",
        days,
    )
    if any(est == 1 and day in covered for day, est in held):
        return False
    estimates = sums["est"] != 0
    if estimates.any():
        covered |= {day for day, est in held if est == 0}
        sums.loc[estimates & sums["day"].isin(covered), "est"] = 2
    return True


def _relabel(column: pd.Series, label: Callable[[str], str]) -> Any:
    """``label`` of each value, computed once per distinct one: a write's daily rows hold a few dozen
    days, and labelling each of its 300 K rows took about a tenth of the rollups' time."""
    import numpy as np
    import pandas as pd

    codes, distinct = pd.factorize(column)
    return np.array([label(value) for value in distinct], dtype=object)[codes]


def _merge_rows(
    store: Store, provider: str, table: str, keys: list[str], rows: pd.DataFrame, *, reshadowed: bool = False
) -> None:
    """Add summed ``rows`` to a rollup ``table``: a row it holds with the same key takes their sums in
    place, the others are inserted.

    In place, not deleted and summed again: a backfill adds each month to its quarter and year
    rows, and rewriting the whole year (and its indexes) at every write cost more than the new
    rows themselves. ``reshadowed``: the caller shadows the daily estimates again afterwards, so an
    estimate held shadowed (est 2) takes new estimates (est 1) and becomes 1. Otherwise est is part
    of the key (a month holds an est 1 and an est 2 row when only some of its days are covered).
    ``keys[0]`` is the period column.
    """
    conn = store.conn
    columns = [*keys, *_MEASURES.split(", ")]
    values = [rows[c].to_numpy(dtype=object, na_value=None).tolist() for c in columns]
    period = keys[0]
    params = {"p": provider, "a": rows[period].min(), "b": rows[period].max()}
    insert = f"INSERT INTO {table} (provider, {', '.join(columns)})"
    if not store.scalar(f"SELECT EXISTS (SELECT 1 FROM {table} WHERE provider = :p AND {period} BETWEEN :a AND :b)", params):
        conn.executemany(f"{insert} VALUES (?, {', '.join('?' * len(columns))})", zip(repeat(provider), *values))
        return
    conn.execute(f"CREATE TEMP TABLE roll_add ({', '.join(columns)})")
    conn.executemany(f"INSERT INTO temp.roll_add VALUES ({', '.join('?' * len(columns))})", zip(*values))
    est = "(t.est != 0) = (a.est != 0)" if reshadowed else "t.est = a.est"
    same = " AND ".join(["t.provider = :p", *(f"t.{k} = a.{k}" for k in keys if k != "est"), est])
    added = ", ".join(f"{m} = t.{m} + a.{m}" for m in _SUMMED[1:])
    # + turns an overflowing sum into a float; abs() of the smallest integer fails as SUM() would.
    amount = "t.amount_nano + a.amount_nano"
    updated = conn.execute(
        f"""UPDATE {table} AS t SET est = a.est, {added},
                amount_nano = IIF(typeof({amount}) = 'integer', {amount}, abs(-9223372036854775807 - 1)),
                requests = COALESCE(t.requests + a.requests, t.requests, a.requests)
            FROM temp.roll_add a WHERE {same}""",
        params,
    ).rowcount
    if updated < len(rows):  # (keys are unique on both sides: a held row takes at most one new one)
        conn.execute(f"{insert} SELECT :p, * FROM temp.roll_add a WHERE NOT EXISTS (SELECT 1 FROM {table} t WHERE {same})", params)
    conn.execute("DROP TABLE temp.roll_add")


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
    _shadow_estimates(store, provider, first, last)


def _shadow_estimates(store: Store, provider: str, first: date, last: date) -> None:
    """An estimate stands alone only on days with no billed usage of the same provider."""
    store.conn.execute(
        f"""UPDATE roll_day SET est = 2
            WHERE provider = :p AND day BETWEEN :a AND :b AND est = 1 AND day IN (
              SELECT day FROM roll_day WHERE provider = :p AND day BETWEEN :a AND :b AND {USAGE_COVERAGE})""",
        {"p": provider, "a": first.isoformat(), "b": last.isoformat()},
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
    so a full period sums to the fee. Seats come first: an invoice's seat lines (``invoice_seat_sql``)
    accrue only on days no seat of their provider has a fee, so a seat is never paid twice.
    Reads temp tables this call fills.
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
    prices = json.dumps(_params(store)["seat_prices"])
    return f"{sql} UNION ALL {invoice_seat_sql(store, provider, first, last)}", {"p": provider, "prices": prices}


def invoice_seat_sql(store: Store, provider: str | None, first: date, last: date) -> str:
    """SQL of the seat accruals paid by invoices (metrics.md: a fee accrues over an invoice's service
    period): each seat line (``fixed_subscription``) in USD, or converted at a configured ``[fx]``
    rate, accrues evenly over its service period (the invoice's, else its issue month) to the
    provider's ``invoice`` account, on the days no seat of that provider has a fee. Parameters: ``:prices``."""
    conn = store.conn
    conn.execute("CREATE TEMP TABLE IF NOT EXISTS invoice_seat_fees (provider, subject, plan, first, last, days, fee)")
    conn.execute("CREATE TEMP TABLE IF NOT EXISTS invoice_days (day TEXT PRIMARY KEY)")
    conn.execute("DELETE FROM invoice_seat_fees")
    conn.execute("DELETE FROM invoice_days")
    fees = _invoice_seat_fees(store, provider, first, last)
    conn.executemany("INSERT INTO invoice_seat_fees VALUES (?, ?, ?, ?, ?, ?, ?)", fees)
    if fees:
        span = (last - first).days + 1
        conn.executemany("INSERT INTO invoice_days VALUES (?)", [((first + timedelta(days=i)).isoformat(),) for i in range(span)])
    return """SELECT d.day AS day, f.provider AS provider, f.subject AS subject, f.plan AS plan,
                     CASE WHEN d.day = f.last THEN f.fee - (f.days - 1) * (f.fee / f.days)
                          ELSE f.fee / f.days END AS amount_nano
              FROM temp.invoice_seat_fees f JOIN temp.invoice_days d ON d.day BETWEEN f.first AND f.last
              WHERE NOT EXISTS (
                SELECT 1 FROM seats s WHERE s.provider = f.provider AND s.active_from <= d.day
                  AND (s.active_to IS NULL OR d.day <= s.active_to)
                  AND COALESCE(s.monthly_fee_nano, json_extract(:prices, '$.' || s.provider)) IS NOT NULL)"""


INVOICE_ACCOUNT = ("invoice", "invoices")  # (kind, external_id) of the account invoices' seat lines accrue to


def _invoice_seat_fees(store: Store, provider: str | None, first: date, last: date) -> list[tuple]:
    """(provider, subject, plan, first, last, days, fee in nano-dollars) of the seat lines overlapping first..last."""
    rates = {code: Decimal(rate) for code, rate in _params(store).get("fx", {}).items()}
    rows = store.query(
        f"""SELECT i.provider, -a.id, l.description, COALESCE(l.period_from, i.period_from),
                   COALESCE(l.period_to, i.period_to), i.issued_on, i.currency, l.amount_nano
            FROM invoice_lines l JOIN invoices i ON i.id = l.invoice_id
            JOIN accounts a ON a.provider = i.provider AND a.kind = ? AND a.external_id = ?
            WHERE l.class = 'fixed_subscription' {"AND i.provider = ?" if provider else ""}""",
        (*INVOICE_ACCOUNT, *([provider] if provider else [])),
    )
    fees = []
    for prov, subject, plan, start, end, issued, currency, amount in rows:
        start, end = _service_period(start, end, issued)
        if end < first or start > last or end < start:
            continue
        rate = Decimal(1) if currency == "USD" else rates.get(currency)
        if rate is not None:
            fees.append((prov, subject, plan, start.isoformat(), end.isoformat(), (end - start).days + 1,
                         to_usd(amount, rate)))  # fmt: skip
    return fees


def _service_period(start: str | None, end: str | None, issued: str) -> tuple[date, date]:
    """A seat line's service days: as printed, else the calendar month the invoice was issued in."""
    if start and end:
        return date.fromisoformat(start), date.fromisoformat(end)
    month = date.fromisoformat(issued).replace(day=1)
    return month, _month_end(month)


def invoice_seat_span(store: Store, invoice_id: int) -> tuple[str, date, date] | None:
    """(provider, first, last day) an invoice's seat lines accrue over; None when it has none."""
    rows = store.query(
        """SELECT i.provider, COALESCE(l.period_from, i.period_from), COALESCE(l.period_to, i.period_to), i.issued_on
           FROM invoice_lines l JOIN invoices i ON i.id = l.invoice_id
           WHERE i.id = ? AND l.class = 'fixed_subscription'""",
        (invoice_id,),
    )
    if not rows:
        return None
    spans = [_service_period(start, end, issued) for _, start, end, issued in rows]
    return rows[0][0], min(a for a, _ in spans), max(b for _, b in spans)


def refresh_invoice_seats(store: Store, span: tuple[str, date, date] | None) -> None:
    """Bring the rollups along after an invoice with seat lines was stored or removed."""
    if span:
        refresh(store, [span[0]], span[1], span[2])


def ensure_invoice_accounts(store: Store) -> None:
    """The account each provider's invoice seat lines accrue to (shown as unattributed:<provider>:invoices)."""
    store.conn.execute(
        """INSERT OR IGNORE INTO accounts (provider, kind, external_id, label)
           SELECT DISTINCT i.provider, ?, ?, 'Seat invoices' FROM invoices i
           JOIN invoice_lines l ON l.invoice_id = i.id WHERE l.class = 'fixed_subscription'""",
        INVOICE_ACCOUNT,
    )


def _insert_seat_accruals(store: Store, provider: str, first: date, last: date) -> None:
    ensure_invoice_accounts(store)
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


def _rebuild_subject_units(store: Store, provider: str, first: date, last: date) -> None:
    """roll_subject for the months, quarters and years holding first..last, from their model-grain
    rollups (counted rows only: est 0 or 1)."""
    months, day = [], first.replace(day=1)
    while day <= last:
        months.append(day.isoformat()[:7])
        day = add_months(day, 1)
    quarters = sorted({quarter_of(date.fromisoformat(m + "-01")) for m in months})
    years = sorted({m[:4] for m in months})
    conn = store.conn
    for table, unit, keys in (("roll_month", "month", months), ("roll_quarter", "quarter", quarters), ("roll_year", "year", years)):
        units = json.dumps(keys)
        conn.execute("DELETE FROM roll_subject WHERE unit IN (SELECT value FROM json_each(?)) AND provider = ?", (units, provider))
        rows = store.tuples(
            f"""SELECT {unit}, subject, model, category, est, amount_nano, requests FROM {table}
                WHERE provider = ? AND {unit} IN (SELECT value FROM json_each(?)) AND est IN (0, 1)""",
            (provider, units),
        )
        if rows:
            conn.executemany(
                "INSERT INTO roll_subject (unit, subject, provider, category, est, amount_nano, requests, top_model, "
                "top_value) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                _subject_rows(provider, rows),
            )


def _subject_rows(provider: str, rows: list[tuple]) -> Iterator[tuple]:
    """Model-grain rows (unit, subject, model, category, est, amount_nano, requests) as roll_subject
    rows: sums per (unit, subject, category, est), each with its (unit, subject)'s top model, the one
    with the most usage value (overage + API + included; ties to the smaller name) when positive.

    Folded here: SQLite's window functions took three times as long (a 2,000-person store's three
    months, two quarters and a year: 0.92 -> 0.32 s CPU), and a backfill rebuilds the touched
    quarter and year at every write. Plain Python, not pandas, which ``report`` must not import.
    """
    values: dict[tuple, int] = defaultdict(int)
    sums: dict[tuple, list] = {}
    for unit, subject, model, category, est, amount, requests in rows:
        if category in _USAGE_VALUE:
            values[unit, subject, model] += amount
        acc = sums.get((unit, subject, category, est))
        if acc is None:
            sums[unit, subject, category, est] = [amount, requests]
        else:
            acc[0] += amount
            if requests is not None:
                acc[1] = requests if acc[1] is None else acc[1] + requests
    top: dict[tuple, tuple[int, str]] = {}
    for (unit, subject, model), value in values.items():
        held = top.get((unit, subject))
        if value > 0 and (held is None or value > held[0] or (value == held[0] and model < held[1])):
            top[unit, subject] = (value, model)
    for (unit, subject, category, est), (amount, requests) in sums.items():
        value, model = top.get((unit, subject), (None, None))
        yield unit, subject, provider, category, est, amount, requests, model, value
