"""Importing files into the store: what ``spendtui import`` and the app's import screen both call.

Each file is one transaction: its ``imports`` row, its records and the rollup refresh commit together
or not at all, so a refused file leaves no trace. A file already imported (same sha256, not undone)
is skipped. Records carry the import's id, so ``undo_import`` can take exactly them back.
"""

from __future__ import annotations

import hashlib
import re
import sqlite3
import time
from collections.abc import Callable, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import pandas as pd

from spendtui.config import Settings
from spendtui.errors import SpendtuiError, UsageError
from spendtui.importers import detect
from spendtui.importers.base import Context, Output, Staged, concat
from spendtui.importers.table import ImportFileError, LineIndex, read_chunks, read_header
from spendtui.store import Store, rollup, superseded, utc_now
from spendtui.store.facts import RANK_CSV, FactBatch, WriteResult, write_facts, write_period_amounts

READ_CHUNK_ROWS = 250_000
WRITE_CHUNK_ROWS = 250_000
WRITE_CACHE_KIB = 256 * 1024
_NAME_PERIOD = re.compile(r"(\d{4})[-_](\d{2})[-_](\d{2})(?:_to)?_(\d{4})[-_](\d{2})[-_](\d{2})(?:\D*)$")


@dataclass
class Progress:
    """What a long import is doing.

    ``step`` is ``start`` (``detail`` names the format), ``read`` (bytes of the file), ``parsed``
    (``done`` rows read) or ``write`` (records written of ``total``).
    """

    file: str
    step: str
    done: int
    total: int
    detail: str = ""


@dataclass
class StreamPlan:
    """What a file holds for one stream: shown by ``--dry-run`` and after an import."""

    stream: str
    records: int
    first_day: str | None
    last_day: str | None
    days: int
    people: int
    accounts: int
    amount_nano: int | None
    included_nano: int = 0  # of the amount, usage a plan covers: value, not spend (metrics.md)


@dataclass
class FileResult:
    path: Path
    status: str  # imported | already | dry-run | failed
    format: str | None = None
    variant: str | None = None
    import_id: int | None = None
    rows: int = 0
    new: int = 0
    replaced: int = 0
    skipped: int = 0
    first_day: str | None = None
    last_day: str | None = None
    seconds: float = 0.0
    plan: list[StreamPlan] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    against_store: bool = False  # a dry run's new / replaced / skipped were counted against the store
    error: str | None = None
    previous_id: int | None = None  # for "already": the import that holds this file


@dataclass
class ImportSummary:
    files: list[FileResult]

    @property
    def failed(self) -> list[FileResult]:
        return [f for f in self.files if f.status == "failed"]


def period_from_name(path: Path) -> tuple[date, date] | None:
    """``..._2026-10-01_2026-10-31.csv`` or ``..._2026_10_01_to_2026_10_31.csv``."""
    match = _NAME_PERIOD.search(path.stem)
    if not match:
        return None
    try:
        start = date(*(int(g) for g in match.groups()[:3]))
        end = date(*(int(g) for g in match.groups()[3:]))
    except ValueError:
        return None
    return (start, end) if start <= end else None


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def import_files(
    store: Store | None,
    paths: Sequence[Path],
    settings: Settings,
    *,
    format: str = detect.AUTO,
    period: tuple[date, date] | None = None,
    user: str | None = None,
    dry_run: bool = False,
    progress: Callable[[Progress], None] | None = None,
    on_file: Callable[[FileResult], None] | None = None,
) -> ImportSummary:
    """Import each file in its own transaction; a failed file is reported and the others go on.

    ``store`` may be None for a dry run against a store that does not exist yet; ``on_file``
    hears about each file as soon as it is done.
    """
    if format != detect.AUTO:
        detect.by_name(format)  # an unknown name is a usage error before any file is read
    results = []
    for path in paths:
        started = time.perf_counter()
        try:
            result = import_file(
                store, Path(path), settings, format=format, period=period, user=user, dry_run=dry_run, progress=progress
            )
        except (SpendtuiError, OSError, sqlite3.Error) as error:
            if isinstance(error, UsageError) and not isinstance(error, ImportFileError):
                raise
            if isinstance(error, SpendtuiError):
                message = str(error)
            elif isinstance(error, sqlite3.Error):
                message = f"{Path(path).name}: the store could not be written ({error}); nothing was written"
            else:
                message = f"{Path(path).name}: {error.strerror or error}"
            result = FileResult(Path(path), "failed", error=message)
        result.seconds = time.perf_counter() - started
        results.append(result)
        if on_file:
            on_file(result)
    return ImportSummary(results)


def import_file(
    store: Store | None,
    path: Path,
    settings: Settings,
    *,
    format: str = detect.AUTO,
    period: tuple[date, date] | None = None,
    user: str | None = None,
    dry_run: bool = False,
    progress: Callable[[Progress], None] | None = None,
) -> FileResult:
    """Parse one file completely (every row valid or nothing), then write it in one transaction."""
    if path.is_dir():
        raise ImportFileError(f"{path}: a directory, not a file")
    if not path.is_file():
        raise ImportFileError(f"{path}: no such file")
    header = read_header(path)
    chosen = detect.choose(path, header, format)
    context = Context(path, settings, user=user.strip().lower() if user else None, lines=LineIndex(path))
    if chosen.needs_period:
        context.period = period or period_from_name(path)
    elif period:
        context.note(f"--period is for files with no dates; {chosen.name} has dates, so it was not used")
    sha = file_sha256(path)
    # A file with no dates is the same import only for the same period.
    span = tuple(d.isoformat() for d in context.period) if chosen.needs_period and context.period else None
    previous = _previous_import(store, sha, span) if store is not None else None
    if previous is not None:
        return FileResult(path, "already", chosen.name, chosen.variant(header), previous_id=previous)
    result = FileResult(path, "dry-run" if dry_run else "imported", chosen.name, chosen.variant(header))
    if progress:
        progress(Progress(path.name, "start", 0, path.stat().st_size, f"{chosen.name} ({result.variant})"))
    outputs, result.rows, ignored = _parse(path, chosen, context, progress)
    if progress:
        progress(Progress(path.name, "parsed", result.rows, sum(len(o.rows) for o in outputs)))
    result.notes = context.notes
    result.plan = [_plan(o) for o in outputs]
    days = [d for p in result.plan for d in (p.first_day, p.last_day) if d]
    result.first_day, result.last_day = (min(days), max(days)) if days else (None, None)
    if store is not None:
        for output in outputs:
            if output.period:
                _overlapping_periods(store, output, path)
    if dry_run:
        result.skipped = ignored
        if store is not None and not store.read_only:
            _rehearse(store, path, (sha, span), chosen.name, outputs, result, ignored)
        return result
    if store is None:
        raise ValueError("a store is needed to import")
    _write(store, path, (sha, span), chosen.name, outputs, result, ignored, progress)
    return result


class _Rehearsal(Exception):
    """Ends a dry run's write, so that its transaction rolls back."""


def _rehearse(store, path, identity, name, outputs, result, ignored) -> None:
    """Count what the file would add, replace and skip against what the store holds, by writing it
    and rolling the write back: the counts are the import's own, not an estimate. It takes the
    write lock for as long as the import would (a sync waits meanwhile)."""
    counted = FileResult(path, "imported")
    try:
        with store.transaction():
            _write(store, path, identity, name, outputs, counted, ignored, None)
            raise _Rehearsal
    except _Rehearsal:
        pass
    except sqlite3.OperationalError as exc:  # another process is writing: the plan alone, as without a store
        result.notes.append(f"the store is busy ({exc}): new and stored records not counted")
        return
    result.new, result.replaced, result.skipped, result.against_store = (
        counted.new, counted.replaced, counted.skipped, True)  # fmt: skip


def _previous_import(store: Store, sha: str, span: tuple[str, str] | None) -> int | None:
    """The live import of the same file (and, for a file with no dates, the same period)."""
    first, last = span or (None, None)
    return store.scalar(
        "SELECT id FROM imports WHERE sha256 = ? AND undone_at IS NULL "
        "AND (? IS NULL OR (period_from = ? AND period_to = ?))",
        (sha, first, first, last),
    )


def _parse(path: Path, chosen, context: Context, progress) -> tuple[list[Output], int, int]:
    staged: list[Staged] = []
    rows = 0

    def on_bytes(done: int, total: int) -> None:
        if progress:
            progress(Progress(path.name, "read", done, total))

    for table in read_chunks(path, READ_CHUNK_ROWS, on_bytes):
        rows += len(table)
        if len(table):
            staged.append(chosen.parse(table, context))
    joined = concat(staged)
    outputs = chosen.finish(joined.rows, context) if len(joined.rows) or chosen.needs_period else []
    return outputs, rows, joined.ignored


def _plan(output: Output) -> StreamPlan:
    rows = output.rows
    if output.period:
        first, last = rows["period_from"].min(), rows["period_to"].max()
        day_count = int(sum((date.fromisoformat(b) - date.fromisoformat(a)).days + 1
                            for a, b in set(zip(rows["period_from"], rows["period_to"]))))  # fmt: skip
    else:
        first, last = rows["day"].min(), rows["day"].max()
        day_count = int(rows["day"].nunique())
    people = int(rows["email"].nunique()) if "email" in rows else 0
    accounts = 0
    if "account_id" in rows:
        named = rows[rows["account_id"].notna()]
        accounts = len(set(zip(named["account_kind"], named["account_id"])))
    amount, included = None, 0
    if "amount_nano" in rows and rows["amount_nano"].notna().any():
        amount = int(rows["amount_nano"].sum())
        if "category" in rows:
            included = int(rows.loc[rows["category"] == "included", "amount_nano"].sum())
    return StreamPlan(output.stream, len(rows), first, last, day_count, people, accounts, amount, included)


@contextmanager
def _big_write(store: Store):
    """A large page cache and in-memory temp tables while a file is written, then the settings as they were.

    A million records touch a unique index of random 16-byte keys and a rollup that sorts them all:
    with SQLite's default 2 MB cache both spill to disk. Changing temp_store drops every temp table,
    so it is left alone on a connection that holds some (the app's, say).
    """
    conn = store.conn
    cache = conn.execute("PRAGMA cache_size").fetchone()[0]
    temp = conn.execute("PRAGMA temp_store").fetchone()[0]
    switch_temp = temp != 2 and not conn.execute("SELECT COUNT(*) FROM temp.sqlite_master").fetchone()[0]
    conn.execute(f"PRAGMA cache_size = -{WRITE_CACHE_KIB}")
    if switch_temp:
        conn.execute("PRAGMA temp_store = MEMORY")
    try:
        yield
    finally:
        conn.execute(f"PRAGMA cache_size = {int(cache)}")
        if switch_temp:
            conn.execute(f"PRAGMA temp_store = {int(temp)}")


def _write(store, path, identity, name, outputs, result, ignored, progress) -> None:
    sha, span = identity
    total = sum(len(o.rows) for o in outputs)
    written = WriteResult()
    periods_removed = 0
    store.require_writable("import")
    with _big_write(store), store.transaction() as conn:
        previous = _previous_import(store, sha, span)  # again, now that we hold the write lock
        if previous is not None:
            result.status, result.previous_id = "already", previous
            return
        with rollup.batched(store):
            import_id = conn.execute(
                "INSERT INTO imports(file_name, sha256, format, rows, new, replaced, skipped, imported_at) "
                "VALUES (?, ?, ?, 0, 0, 0, 0, ?)",
                (path.name, sha, name, utc_now()),
            ).lastrowid
            done = 0
            for output in outputs:
                if output.period:
                    periods_removed += _overlapping_periods(store, output, path, import_id=import_id)
                    written.add(
                        write_period_amounts(store, output.provider, output.stream, output.source, RANK_CSV,
                                             output.rows, import_id=import_id)
                    )  # fmt: skip
                    done += len(output.rows)
                    if progress:
                        progress(Progress(path.name, "write", done, total))
                    continue
                for start in range(0, len(output.rows), WRITE_CHUNK_ROWS):
                    chunk = output.rows.iloc[start : start + WRITE_CHUNK_ROWS]
                    batch = FactBatch(
                        output.provider, output.stream, output.source, RANK_CSV, chunk, day_buckets=output.day_buckets
                    )
                    written.add(write_facts(store, batch, import_id=import_id))
                    done += len(chunk)
                    if progress:
                        progress(Progress(path.name, "write", done, total))
            result.import_id = import_id
            result.new = written.new
            result.replaced = written.replaced + periods_removed
            result.skipped = written.unchanged + written.outranked + ignored
            conn.execute(
                "UPDATE imports SET rows = ?, new = ?, replaced = ?, skipped = ?, period_from = ?, period_to = ? "
                "WHERE id = ?",
                (result.rows, result.new, result.replaced, result.skipped, result.first_day, result.last_day,
                 import_id),  # fmt: skip
            )


def _overlapping_periods(store: Store, output: Output, path: Path, *, import_id: int | None = None) -> int:
    """Period amounts of the same stream and person whose span overlaps a new one's.

    A span the new row covers completely (last month's MTD export under the full month) is
    superseded (removed when ``import_id``, the import removing it, is given); one that sticks out
    cannot be reconciled with it, so the file is refused.
    """
    removed = 0
    rows = output.rows
    emails = rows["email"] if "email" in rows else pd.Series([None] * len(rows))
    kinds = rows["account_kind"] if "account_kind" in rows else pd.Series([None] * len(rows))
    ids = rows["account_id"] if "account_id" in rows else pd.Series([None] * len(rows))
    for email, kind, account, first, last in zip(emails, kinds, ids, rows["period_from"], rows["period_to"]):
        email = None if pd.isna(email) else email
        found = store.query(
            """SELECT pa.id, pa.period_from, pa.period_to, pa.import_id, pa.rank FROM period_amounts pa
               LEFT JOIN people p ON p.id = pa.person_id LEFT JOIN accounts a ON a.id = pa.account_id
               WHERE pa.provider = :provider AND pa.stream = :stream
                 AND pa.period_from <= :last AND pa.period_to >= :first
                 AND NOT (pa.period_from = :first AND pa.period_to = :last)
                 AND (p.email = :email OR (a.kind = :kind AND a.external_id = :account))""",
            {"provider": output.provider, "stream": output.stream, "first": first, "last": last,
             "email": email, "kind": kind, "account": account},
        )  # fmt: skip
        for row in found:
            if first <= row["period_from"] and row["period_to"] <= last and row["rank"] <= RANK_CSV:
                if import_id is not None:
                    superseded.keep_periods(store.conn, import_id, "id", [row["id"]])
                    store.conn.execute("DELETE FROM period_amounts WHERE id = ?", (row["id"],))
                    removed += 1
                continue
            held_by = f"import #{row['import_id']}" if row["import_id"] else "a synced or generated record"
            undo = f" (spendtui imports undo {row['import_id']})" if row["import_id"] else ""
            raise ImportFileError(
                f"{path.name}: {email or account}'s period {first}..{last} overlaps {row['period_from']}.."
                f"{row['period_to']} from {held_by} without covering it; amounts over different spans cannot "
                f"both be counted, so undo that import first{undo} or import a file for the same span"
            )
    return removed


@dataclass
class UndoResult:
    import_id: int
    file_name: str
    facts: int
    period_amounts: int
    restored: int = 0  # records it had replaced or removed, put back as they were
    already_undone_at: str | None = None
    later: list[int] = field(default_factory=list)  # live later imports of the same format and days


def undo_import(store: Store, import_id: int) -> UndoResult:
    """Delete the records an import wrote (or last changed), put back those it superseded, and
    refresh the rollups of their days: the figures are again what they were before the import.

    A record a later import wrote again unchanged still belongs to this one (it is not tracked per
    record: a re-import of a million would pay for it) and goes with it; ``later`` names the live
    later imports that may have held some, whose undo and re-import brings them back.
    """
    row = store.query("SELECT file_name, undone_at, format, period_from, period_to FROM imports WHERE id = ?",
                      (import_id,))  # fmt: skip
    if not row:
        raise ImportFileError(f"no import #{import_id} (see `spendtui imports list`)")
    name, undone, format_name, first, last = row[0]
    if undone:
        return UndoResult(import_id, name, 0, 0, already_undone_at=undone)
    later = [
        r[0]
        for r in store.query(
            "SELECT id FROM imports WHERE id > ? AND undone_at IS NULL AND format = ? "
            "AND period_from <= ? AND period_to >= ? ORDER BY id",
            (import_id, format_name, last, first),
        )
    ]
    store.require_writable("undo an import")
    with store.transaction() as conn:
        spans = store.query(
            """SELECT provider, MIN(day), MAX(day) FROM usage_facts WHERE import_id = :id GROUP BY provider
               UNION ALL
               SELECT provider, MIN(period_from), MAX(period_to) FROM period_amounts WHERE import_id = :id
               GROUP BY provider""",
            {"id": import_id},
        )
        undone = superseded.undo(conn, import_id)
        with rollup.batched(store):
            for provider, first, last in spans:
                rollup.refresh_fact_days(store, [provider], date.fromisoformat(first), date.fromisoformat(last))
        conn.execute("UPDATE imports SET undone_at = ? WHERE id = ?", (utc_now(), import_id))
    return UndoResult(import_id, name, undone.facts_removed, undone.periods_removed, undone.restored, later=later)


def list_imports(store: Store) -> list[dict]:
    return [
        dict(row)
        for row in store.query(
            "SELECT id, file_name, format, rows, new, replaced, skipped, period_from, period_to, imported_at, "
            "undone_at, sha256 FROM imports ORDER BY id"
        )
    ]
