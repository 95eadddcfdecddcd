"""Writing usage facts and period-only amounts: idempotent upserts that keep the rollups current.

Every importer, provider sync and the demo writes through ``write_facts`` / ``write_period_amounts``.
A record's natural key (text the source defines) is hashed; writing a key again replaces the
record unless the stored one came from a higher-ranked source (the API's exact amount wins over a
CSV's rounded one). Each call runs in one transaction together with the rollup refresh of the days
it touched, so a failure leaves the store as it was.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import date, datetime, timezone
from typing import TYPE_CHECKING, Any

from spendtui.store import Store
from spendtui.store import superseded
from spendtui.store.identity import account_ids, normalize_email, person_ids
from spendtui.store.schema import FACT_COLUMNS, PERIOD_COLUMNS

if TYPE_CHECKING:
    import pandas as pd

CATEGORIES = ("subscription", "overage", "api", "included", "none")
SPEND_CATEGORIES = ("subscription", "overage", "api")

RANK_CSV = 1
RANK_API = 2

# Input columns of a fact batch, with their defaults. ``key`` is the natural key text; ``email``
# names a person, else (account_kind, account_id[, account_label]) names a vendor account.
FACT_INPUT = {
    "key": None,
    "product": None,
    "ts_ms": None,
    "day": None,
    "email": None,
    "account_kind": None,
    "account_id": None,
    "account_label": None,
    "model": "",
    "kind": None,
    "category": None,
    "estimated": 0,
    "amount_nano": None,
    "requests": None,
    "tok_in": 0,
    "tok_cache_write": 0,
    "tok_cache_read": 0,
    "tok_out": 0,
    "attrs": None,
}
PERIOD_INPUT = {k: v for k, v in FACT_INPUT.items() if k not in ("ts_ms", "day", "estimated")} | {
    "period_from": None,
    "period_to": None,
}
_MEASURES = ("amount_nano", "requests", "tok_in", "tok_cache_write", "tok_cache_read", "tok_out")


class BatchError(ValueError):
    """A batch that breaks the writer's contract (a bug in its producer, not bad user input)."""


@dataclass
class FactBatch:
    """Records of one source for one provider, plus what the source's answer replaces."""

    provider: str
    stream: str
    source: str
    rank: int
    rows: Any  # Columns, a pandas DataFrame or a list of dicts, with FACT_INPUT columns
    day_buckets: bool = False
    replace_days: tuple[str, str] | None = None
    replace_ts: tuple[int, int] | None = None


@dataclass
class WriteResult:
    rows: int = 0
    new: int = 0
    replaced: int = 0
    unchanged: int = 0
    outranked: int = 0
    removed: int = 0
    people: int = 0
    first_day: str | None = None
    last_day: str | None = None
    providers: set[str] = field(default_factory=set)

    def add(self, other: WriteResult) -> None:
        for name in ("rows", "new", "replaced", "unchanged", "outranked", "removed", "people"):
            setattr(self, name, getattr(self, name) + getattr(other, name))
        days = [d for d in (self.first_day, other.first_day) if d]
        self.first_day = min(days) if days else None
        days = [d for d in (self.last_day, other.last_day) if d]
        self.last_day = max(days) if days else None
        self.providers |= other.providers


def natural_key(text: str) -> bytes:
    return hashlib.blake2b(text.encode("utf-8"), digest_size=16).digest()


def day_key(day: str, hashed: bytes) -> bytes:
    """A usage fact's stored key: its UTC day (4 bytes, big-endian ordinal) + 12 bytes of its key's hash.

    Every source's key names its day or instant, so the day adds no identity; it orders the unique
    index by day, and a write (a day-ordered export, a sync window) touches the index pages of its
    days instead of pages all over an index that outgrows the cache (2.2 M synced events: 16 -> 12 s).
    """
    return _day_prefix(day) + hashed[:12]


def _day_prefix(day: str) -> bytes:
    return date.fromisoformat(day).toordinal().to_bytes(4, "big")


def _natural_keys(prefix: str, keys: list, days: list[str]) -> list[bytes]:
    """``day_key(day, natural_key(prefix + key))`` for each key: copying a hash already fed the prefix
    costs half of building one per key (0.39 against 0.75 us, a million times per large backfill)."""
    seeded = hashlib.blake2b(prefix.encode("utf-8"), digest_size=16)
    heads: dict[str, bytes] = {}
    hashed = []
    add = hashed.append
    for key, day in zip(keys, days):
        head = heads.get(day)
        if head is None:
            head = heads[day] = _day_prefix(day)
        hasher = seeded.copy()
        hasher.update(str(key).encode("utf-8"))
        add(head + hasher.digest()[:12])
    return hashed


class Columns:
    """Records as named lists of plain Python values (None where missing): what the writer reads.

    A producer of millions of records (the Cursor events normaliser in a backfill) hands these over
    as it built them; a DataFrame of object columns costs about a microsecond per record to build
    and to read back as Python values.
    """

    __slots__ = ("data", "length")

    def __init__(self, data: dict[str, list]):
        lengths = {len(values) for values in data.values()}
        if len(lengths) > 1:
            raise BatchError(f"columns of different lengths: {sorted(lengths)}")
        self.data = data
        self.length = lengths.pop() if lengths else 0

    def __len__(self) -> int:
        return self.length

    @property
    def columns(self) -> list[str]:
        return list(self.data)

    def __getitem__(self, name: str) -> list:
        return self.data[name]

    @classmethod
    def concat(cls, parts: list[Columns]) -> Columns:
        """The parts one after the other; a column some parts lack is None in their rows."""
        joined: dict[str, list] = {name: [] for part in parts for name in part.data}
        for part in parts:
            for name, values in joined.items():
                values.extend(part.data.get(name) or [None] * len(part))
        return cls(joined)


def _frame(rows: Any, columns: dict[str, Any]) -> pd.DataFrame | Columns:
    import pandas as pd

    frame = rows if isinstance(rows, (pd.DataFrame, Columns)) else pd.DataFrame.from_records(list(rows))
    unknown = set(frame.columns) - set(columns)
    if unknown:
        raise BatchError(f"unknown fact columns: {sorted(unknown)}")
    return frame


def _values(frame: pd.DataFrame | Columns, name: str, default: Any) -> list[Any]:
    """A column as plain Python values (no numpy scalars, NaN as None), or the default."""
    if name not in frame.columns:
        return [default] * len(frame)
    if isinstance(frame, Columns):
        values = frame.data[name]
        return [default if v is None else v for v in values] if default is not None and None in values else values
    import numpy as np

    column = frame[name]
    if column.dtype.kind in "iub" and isinstance(column.dtype, np.dtype):  # numpy ints hold no missing values
        return column.to_numpy().tolist()
    missing = column.isna().to_numpy()
    if column.dtype.kind == "f":  # a float column of whole numbers (NaN forced it to float)
        values = [None if m else int(v) for v, m in zip(column.tolist(), missing.tolist())]
    elif missing.any():
        values = column.to_numpy(dtype=object, na_value=None).tolist()
    else:
        return column.to_numpy(dtype=object).tolist()
    if default is not None:
        values = [default if v is None else v for v in values]
    return values


def _resolve_subjects(
    store: Store, provider: str, frame: pd.DataFrame | Columns
) -> tuple[list[int | None], list[int | None], int]:
    """people.id or accounts.id per record, looked up once per distinct email or account."""
    import numpy as np
    import pandas as pd

    emails = pd.Series(_values(frame, "email", None), dtype=object)
    codes, distinct = pd.factorize(emails)  # None -> code -1
    people = person_ids(store, (e for e in distinct if e))
    by_code = np.array([people[normalize_email(e)] if e else None for e in distinct] + [None], dtype=object)
    person_col = by_code[codes]
    account_col: list[int | None] = [None] * len(frame)
    unnamed = np.flatnonzero(np.equal(person_col, None)).tolist()
    if unnamed:
        kinds = _values(frame, "account_kind", None)
        ids = _values(frame, "account_id", None)
        labels = _values(frame, "account_label", None)
        needed = {(kinds[i], ids[i], labels[i]) for i in unnamed}
        if any(k is None or x is None for k, x, _ in needed):
            raise BatchError("every record needs an email or an (account_kind, account_id)")
        accounts = account_ids(store, provider, needed)
        for i in unnamed:
            account_col[i] = accounts[(kinds[i], ids[i])]
    return person_col.tolist(), account_col, len(people)


_STAGE_COLUMNS = FACT_COLUMNS


def _utc_day(ts_ms: int) -> str:
    return datetime.fromtimestamp(ts_ms / 1000, timezone.utc).date().isoformat()


def write_facts(
    store: Store, batch: FactBatch, *, import_id: int | None = None, sync_run_id: int | None = None
) -> WriteResult:
    """Upsert a batch of facts and refresh the rollups of the days it touched, atomically."""
    from spendtui.store import rollup

    frame = _frame(batch.rows, FACT_INPUT)
    result = WriteResult(rows=len(frame), providers={batch.provider})
    with store.transaction() as conn:
        conn.execute("DROP TABLE IF EXISTS temp.stage_facts")
        staged = {}
        if len(frame):
            staged = _stage(store, batch, frame, import_id, sync_run_id, result)
        else:
            conn.execute(f"CREATE TEMP TABLE stage_facts ({', '.join(_STAGE_COLUMNS)})")
        removed_range = _apply_replacements(conn, batch, result)
        if len(frame) or removed_range:
            _merge(conn, batch, result, import_id)
        bounds = [d for d in (result.first_day, result.last_day) if d] + list(removed_range or ())
        if result.new == result.rows and result.new and not result.removed:  # only additions: add their sums
            rollup.add(store, batch.provider, batch.stream, batch.source, staged)
        elif bounds and result.new + result.replaced + result.removed:  # nothing changed: the rollups stand
            first, last = date.fromisoformat(min(bounds)), date.fromisoformat(max(bounds))
            rollup.refresh_fact_days(store, [batch.provider], first, last)
        conn.execute("DROP TABLE temp.stage_facts")
    return result


def _stage(store, batch, frame, import_id, sync_run_id, result) -> dict[str, list[Any]]:
    """Fill temp.stage_facts with the batch; returns its columns (the rollups may add them up)."""
    keys = _values(frame, "key", None)
    if None in keys:
        raise BatchError("every record needs a natural key")
    ts = _values(frame, "ts_ms", None)
    days = _values(frame, "day", None)
    if None in days:
        days = [d if d is not None else (_utc_day(t) if t is not None else None) for d, t in zip(days, ts)]
    if None in days:
        raise BatchError("every record needs a day or an instant")
    hashed = _natural_keys(f"{batch.provider}|{batch.stream}|", keys, days)
    if len(set(hashed)) != len(hashed):
        raise BatchError(f"{batch.source}: two records share a natural key (add an occurrence index)")
    categories = _values(frame, "category", None)
    if not set(categories) <= set(CATEGORIES):
        raise BatchError(f"unknown categories: {sorted(set(categories) - set(CATEGORIES), key=str)}")
    person_col, account_col, result.people = _resolve_subjects(store, batch.provider, frame)
    n = len(frame)
    columns = [
        hashed,
        [batch.provider] * n,
        _values(frame, "product", None),
        [batch.stream] * n,
        [batch.source] * n,
        [batch.rank] * n,
        ts,
        days,
        person_col,
        account_col,
        _values(frame, "model", ""),
        _values(frame, "kind", None),
        categories,
        _values(frame, "estimated", 0),
        *(_values(frame, m, FACT_INPUT[m]) for m in _MEASURES),
        [import_id] * n,
        [sync_run_id] * n,
        _values(frame, "attrs", None),
    ]
    # A column with one value for the whole batch (provider, source, import...) becomes the stage
    # table's default instead of a million bound parameters.
    defaults = {}
    for name, values in zip(_STAGE_COLUMNS, columns):
        if name != "nk" and _sql_literal(values[0]) is not None and values.count(values[0]) == n:
            defaults[name] = _sql_literal(values[0])
    conn = store.conn
    conn.execute(
        "CREATE TEMP TABLE stage_facts ("
        + ", ".join(f"{c} DEFAULT {defaults[c]}" if c in defaults else c for c in _STAGE_COLUMNS)
        + ")"
    )
    bound = [(name, values) for name, values in zip(_STAGE_COLUMNS, columns) if name not in defaults]
    conn.executemany(
        f"INSERT INTO stage_facts ({', '.join(name for name, _ in bound)}) VALUES ({','.join('?' * len(bound))})",
        zip(*(values for _, values in bound)),
    )
    result.first_day, result.last_day = min(days), max(days)
    return dict(zip(_STAGE_COLUMNS, columns))


def _sql_literal(value: Any) -> str | None:
    """``value`` written as an SQL literal, for the few types a constant column holds; None when not."""
    if value is None:
        return "NULL"
    if type(value) is int:
        return str(value)
    if type(value) is str:
        return "'" + value.replace("'", "''") + "'"
    return None


def _apply_replacements(conn, batch: FactBatch, result: WriteResult) -> tuple[str, str] | None:
    """Drop what the batch's source answer supersedes; returns the day range it covered."""
    if batch.day_buckets and batch.replace_days is None:
        # A lower-ranked day-bucket source (a CSV) does not overwrite days a higher one (the API) holds.
        conn.execute(
            """DELETE FROM stage_facts WHERE EXISTS (
                 SELECT 1 FROM usage_facts f
                 WHERE f.provider = stage_facts.provider AND f.day = stage_facts.day
                   AND f.stream = stage_facts.stream AND f.rank > stage_facts.rank)"""
        )
    if batch.replace_days:
        first, last = batch.replace_days
        result.removed = conn.execute(
            """DELETE FROM usage_facts
               WHERE provider = ? AND stream = ? AND day BETWEEN ? AND ? AND rank <= ?
                 AND nk NOT IN (SELECT nk FROM stage_facts)""",
            (batch.provider, batch.stream, first, last, batch.rank),
        ).rowcount
        return first, last
    if batch.replace_ts:
        start, end = batch.replace_ts
        first, last = _utc_day(start), _utc_day(end - 1)
        result.removed = conn.execute(
            """DELETE FROM usage_facts
               WHERE provider = ? AND day BETWEEN ? AND ? AND stream = ? AND source = ?
                 AND ts_ms >= ? AND ts_ms < ? AND nk NOT IN (SELECT nk FROM stage_facts)""",
            (batch.provider, first, last, batch.stream, batch.source, start, end),
        ).rowcount
        return first, last
    return None


# What makes a stored record the same as a new one (attrs are side notes: an older export that lacks
# a column does not make a record new). A record written again unchanged is left alone: it keeps the
# import or sync run that first wrote it, so undoing a later, overlapping import does not take it
# away, and re-importing a large file rewrites nothing.
_COMPARED = (
    "product", "source", "rank", "ts_ms", "day", "model", "kind", "category", "estimated", "person_id", "account_id",
    *_MEASURES,
)  # fmt: skip


def _merge(conn, batch: FactBatch, result: WriteResult, import_id: int | None) -> None:
    """Upsert the stage into usage_facts and count new / replaced / unchanged / outranked records.

    The counts come from the upsert itself (rows inserted, rows changed) rather than from a join
    of the stage with the facts, which would look every key up a second time; only a stream that
    holds records of a higher rank pays for counting those. An import keeps the records it
    replaces, for its undo.
    """
    staged = conn.execute("SELECT COUNT(*) FROM stage_facts").fetchone()[0]
    outranked = 0
    higher = staged and conn.execute(
        """SELECT EXISTS (SELECT 1 FROM usage_facts WHERE provider = ? AND day BETWEEN ? AND ?
                          AND stream = ? AND rank > ?)""",
        (batch.provider, result.first_day, result.last_day, batch.stream, batch.rank),
    ).fetchone()[0]
    if higher:
        outranked = conn.execute(
            "SELECT COUNT(*) FROM stage_facts s JOIN usage_facts f ON f.nk = s.nk WHERE f.rank > s.rank"
        ).fetchone()[0]
    before = conn.execute("SELECT MAX(id) FROM usage_facts").fetchone()[0] or 0
    updates = ", ".join(f"{c} = excluded.{c}" for c in _STAGE_COLUMNS if c != "nk")
    changed = " OR ".join(f"usage_facts.{c} IS NOT excluded.{c}" for c in _COMPARED)
    # Oldest first, so the (provider, day) index takes appends: exports that list the newest
    # records first are read backwards (a million Cursor events: ~0.5 s less).
    newest_first = conn.execute(
        "SELECT (SELECT day FROM stage_facts ORDER BY rowid LIMIT 1) > "
        "(SELECT day FROM stage_facts ORDER BY rowid DESC LIMIT 1)"
    ).fetchone()[0]
    with superseded.kept_on_update(conn, import_id):
        written = conn.execute(
            f"""INSERT INTO usage_facts ({', '.join(_STAGE_COLUMNS)})
                SELECT {', '.join(_STAGE_COLUMNS)} FROM stage_facts WHERE true
                ORDER BY rowid {"DESC" if newest_first else ""}
                ON CONFLICT(nk) DO UPDATE SET {updates}
                WHERE excluded.rank >= usage_facts.rank AND ({changed})"""
        ).rowcount  # (rows inserted or updated by the statement itself, not by the trigger)
    result.new = conn.execute("SELECT COUNT(*) FROM usage_facts WHERE id > ?", (before,)).fetchone()[0]
    result.replaced = written - result.new
    result.outranked = outranked + (result.rows - staged)  # (day buckets a higher rank holds left the stage)
    result.unchanged = staged - result.new - result.replaced - outranked


def write_period_amounts(
    store: Store,
    provider: str,
    stream: str,
    source: str,
    rank: int,
    rows: Any,
    *,
    import_id: int | None = None,
) -> WriteResult:
    """Upsert amounts that cover a span with no days; they are spread over their days in the rollup."""
    from spendtui.store import rollup

    frame = _frame(rows, PERIOD_INPUT)
    result = WriteResult(rows=len(frame), providers={provider})
    if not len(frame):
        return result
    with store.transaction() as conn:
        person_col, account_col, result.people = _resolve_subjects(store, provider, frame)
        keys = [natural_key(f"{provider}|{stream}|{k}") for k in _values(frame, "key", None)]
        if len(set(keys)) != len(keys):
            raise BatchError(f"{source}: two period amounts share a natural key")
        starts, ends = _values(frame, "period_from", None), _values(frame, "period_to", None)
        columns = [
            keys, [provider] * len(frame), _values(frame, "product", None), [stream] * len(frame),
            [source] * len(frame), [rank] * len(frame), starts, ends, person_col, account_col,
            _values(frame, "model", ""), _values(frame, "kind", None), _values(frame, "category", None),
            *(_values(frame, m, PERIOD_INPUT[m]) for m in _MEASURES), [import_id] * len(frame),
            _values(frame, "attrs", None),
        ]  # fmt: skip
        names = ", ".join(PERIOD_COLUMNS)
        existing = {
            bytes(row[0]): row[1]
            for chunk in _chunks(keys, 500)
            for row in conn.execute(
                f"SELECT nk, rank FROM period_amounts WHERE nk IN ({','.join('?' * len(chunk))})", chunk
            )
        }
        if import_id is not None:
            superseded.keep_periods(conn, import_id, "nk", [k for k in keys if k in existing and existing[k] <= rank])
        result.new = sum(1 for k in keys if k not in existing)
        result.outranked = sum(1 for k in keys if k in existing and existing[k] > rank)
        written_columns = PERIOD_COLUMNS[1:]  # all but nk
        updates = ", ".join(f"{c} = excluded.{c}" for c in written_columns)
        # As in _merge: an amount written again unchanged is left alone (it keeps its import).
        changed = " OR ".join(
            f"period_amounts.{c} IS NOT excluded.{c}" for c in written_columns if c not in ("import_id", "attrs")
        )
        written = conn.executemany(
            f"""INSERT INTO period_amounts ({names}) VALUES ({','.join('?' * len(columns))})
                ON CONFLICT(nk) DO UPDATE SET {updates}
                WHERE excluded.rank >= period_amounts.rank AND ({changed})""",
            zip(*columns),
        ).rowcount
        result.replaced = written - result.new
        result.unchanged = len(keys) - result.new - result.outranked - result.replaced
        result.first_day, result.last_day = min(starts), max(ends)
        rollup.refresh(store, [provider], date.fromisoformat(result.first_day), date.fromisoformat(result.last_day))
    return result


def _chunks(items: list, size: int):
    for start in range(0, len(items), size):
        yield items[start : start + size]
