"""Provider sync: windows, state, atomic writes and history, the same for the CLI and the TUI.

Each provider stream remembers the range it has synced (``sync_state``: ``synced_from`` ..
``synced_through``). A run

- re-reads a trailing window (48 h before ``synced_through``) up to the end of the last closed
  hour, and within it the vendor's answer replaces ours (``replace_days`` / ``replace_ts``);
- on the first run backfills backwards (90 days, or from ``--since``; Cursor stops earlier after
  7 empty windows in a row) and an interrupted backfill resumes where it stopped;
- writes every window in one transaction together with the stream's new state, so a run killed
  at any moment leaves the store consistent;
- never deletes history outside the re-read window: older day buckets replace ours only on days
  the vendor answered with data, older events are only upserted.

A failure in one provider does not stop the others. One sync at a time per store: an exclusive
``flock`` on ``<db>.sync.lock`` that dies with its process. Cancellation (a ``threading.Event``) is
honoured between pages and windows; progress goes to a callback. No Textual here.
"""

from __future__ import annotations

import dataclasses
import fcntl
import os
import sqlite3
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

from spendtui import providers as registry
from spendtui.config import KEY_ENV, PROVIDERS, Settings
from spendtui.errors import SpendtuiError, UsageError
from spendtui.gcpause import gc_paused
from spendtui.providers.base import (
    DAY_MS,
    HOUR_MS,
    Part,
    Provider,
    Run,
    Stream,
    day_ms,
    floor_day,
    rfc3339,
)  # fmt: skip
from spendtui.providers.base import window_days as days_of
from spendtui.providers.http import Cancelled, HttpOptions
from spendtui.providers.secrets import MissingKeyError, has_key, redact, resolve_key
from spendtui.store import Store, open_store, utc_now
from spendtui.store.facts import Columns

TRAILING_MS = 48 * HOUR_MS
BACKFILL_DAYS = 90

SYNC_BUSY_TIMEOUT_MS = 300_000  # how long a sync waits for another process's write (an import) to end
STATUS_EXIT = {"ok": 0, "failed": 1, "config_error": 2, "cancelled": 130}


class SyncLocked(SpendtuiError):
    """Another sync holds this store's lock, or another writer its write lock for longer than a sync
    waits (exit 1; a service tries again at its next interval)."""


@dataclass(frozen=True)
class Progress:
    """What a sync is doing, for a progress line or the TUI's sync screen."""

    provider: str
    message: str
    stream: str | None = None
    step: int = 0  # windows done in this stream
    steps: int = 0  # windows planned in this stream
    records: int = 0
    status: str | None = None  # set on a provider's last word: ok | failed | config_error | cancelled
    error: str | None = None  # with it, why a provider did not end ok


@dataclass
class ProviderReport:
    provider: str
    status: str = "ok"  # ok | failed | config_error | cancelled
    events: int = 0
    records: int = 0
    users: int = 0
    windows: int = 0
    duration_ms: int = 0
    error: str | None = None
    warnings: list[str] = field(default_factory=list)  # answers written without removing anything
    notes: list[str] = field(default_factory=list)  # worth a line after the run, not a record in its history
    requests: int = 0
    http_s: float = 0.0  # waiting for the vendor
    wait_s: float = 0.0  # pacing and backoff
    run_id: int | None = None

    @property
    def exit_code(self) -> int:
        return STATUS_EXIT[self.status]


@dataclass
class SyncReport:
    providers: list[ProviderReport] = field(default_factory=list)

    @property
    def cancelled(self) -> bool:
        return any(p.status == "cancelled" for p in self.providers)

    @property
    def exit_code(self) -> int:
        """2 when a key or config needs fixing, else 1 when a provider failed, 130 when cancelled."""
        codes = {p.exit_code for p in self.providers}
        for code in (2, 1, 130):
            if code in codes:
                return code
        return 0


# -- the lock ------------------------------------------------------------------------------------
def lock_path(db_path: Path) -> Path:
    return Path(f"{db_path}.sync.lock")


@contextmanager
def sync_lock(db_path: Path) -> Iterator[None]:
    """Hold the store's sync lock, or raise SyncLocked naming the PID that holds it.

    ``flock`` belongs to the open file: the kernel drops it when the process dies, so a killed
    sync never leaves a stale lock. The file keeps the holder's PID for the message.
    """
    path = lock_path(db_path)
    try:
        fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o660)
    except OSError as exc:
        raise SpendtuiError(
            f"cannot open the sync lock {path} ({exc.strerror}): whoever syncs {db_path} must be able to write "
            "it as they write the store (e.g. the same group, mode 660)"
        ) from None
    _share_like_the_store(fd, db_path)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        holder = os.pread(fd, 32, 0).decode(errors="replace").strip() or "unknown"
        os.close(fd)
        raise SyncLocked(f"another sync (PID {holder}) is running on {db_path}; it holds {path}") from None
    try:
        os.ftruncate(fd, 0)
        os.pwrite(fd, f"{os.getpid()}\n".encode(), 0)
        yield
    finally:
        os.ftruncate(fd, 0)
        fcntl.flock(fd, fcntl.LOCK_UN)
        os.close(fd)


def _share_like_the_store(fd: int, db_path: Path) -> None:
    """Give a lock file this user owns the store's permission bits: a store shared by a group (cli.md)
    is synced by its members in turn, and the umask (022 under systemd) would leave the lock theirs alone."""
    try:
        store = Path(db_path)
        if os.fstat(fd).st_uid == os.geteuid() and store.exists():
            os.fchmod(fd, store.stat().st_mode & 0o666)
    except OSError:
        pass  # (the lock still works for this user; the next one gets the clear error above)


# -- planning ------------------------------------------------------------------------------------
@dataclass
class StreamState:
    synced_from: int | None = None
    synced_through: int | None = None
    backfill_done: bool = False
    backfill_from: int | None = None  # a --since backfill not finished yet: later runs carry it on

    def merged(self, start: int, end: int) -> StreamState:
        """The range grown by a window written next to (or over) it; a disjoint window is not tracked."""
        low, high = self.synced_from, self.synced_through
        if low is None or high is None:
            return dataclasses.replace(self, synced_from=start, synced_through=end)
        if start <= high and end >= low:
            return dataclasses.replace(self, synced_from=min(low, start), synced_through=max(high, end))
        return self

    def aiming_at(self, since: date | None) -> StreamState:
        """The state with a --since that reaches past what it holds taken on as its backfill's target."""
        since_ms = day_ms(since) if since is not None else None
        if since_ms is None or (self.synced_from is not None and since_ms >= self.synced_from):
            return self
        return dataclasses.replace(self, backfill_from=since_ms)


@dataclass
class Pass:
    """Windows fetched in order; a backward pass extends the range downwards (a backfill)."""

    windows: list[tuple[int, int]]
    backfill: bool = False
    stop_after_empty: int | None = None


def split(low: int, high: int, days: int, backward: bool) -> list[tuple[int, int]]:
    """[low, high) in windows of at most ``days`` UTC days, cut at midnights, in fetch order."""
    windows = []
    if backward:
        end = high
        while end > low:
            start = max(low, floor_day(end - 1) - (days - 1) * DAY_MS)
            windows.append((start, end))
            end = start
    else:
        start = low
        while start < high:
            end = min(high, floor_day(start) + days * DAY_MS)
            windows.append((start, end))
            start = end
    return windows


def closed_end(now_ms: int, until: date | None) -> int:
    """Fetch only closed windows: up to the last full hour, and through ``--until`` 23:59:59.999."""
    end = now_ms - now_ms % HOUR_MS
    if until is not None:
        end = min(end, day_ms(until + timedelta(days=1)))
    return end


def plan(
    stream: Stream,
    state: StreamState,
    end: int,
    since: date | None,
    *,
    trailing_ms: int = TRAILING_MS,
    backfill_days: int = BACKFILL_DAYS,
) -> tuple[list[Pass], int]:
    """The passes a run makes over one stream, and where the re-read (replacing) window starts."""
    align = floor_day if stream.day_buckets else (lambda ms: ms)
    since_ms = day_ms(since) if since is not None else None
    low, high = state.synced_from, state.synced_through
    if low is None or high is None:
        start = since_ms if since_ms is not None else align(end - backfill_days * DAY_MS)
        stop = None if since_ms is not None else stream.stop_after_empty
        backfill = Pass(split(start, end, stream.window_days, backward=True), True, stop)
        return [backfill], align(end - trailing_ms)
    replace_from = align(high - trailing_ms)
    upper = replace_from if since_ms is None or since_ms < low else min(replace_from, since_ms)
    passes = [Pass(split(upper, end, stream.window_days, backward=False))]
    if since_ms is not None and since_ms < low:
        passes.append(Pass(split(since_ms, min(low, end), stream.window_days, backward=True), True))
    elif not state.backfill_done:
        floor = align(end - backfill_days * DAY_MS)
        passes.append(Pass(split(floor, low, stream.window_days, backward=True), True, stream.stop_after_empty))
    return passes, replace_from


# -- state ---------------------------------------------------------------------------------------
def _ms(text: str | None) -> int | None:
    if text is None:
        return None
    return int(datetime.fromisoformat(text.replace("Z", "+00:00")).timestamp() * 1000)


def load_state(store: Store, provider: str, stream: str) -> StreamState:
    row = store.query(
        "SELECT synced_from, synced_through, backfill_done, backfill_from FROM sync_state "
        "WHERE provider = ? AND stream = ?",
        (provider, stream),
    )
    if not row:
        return StreamState()
    return StreamState(_ms(row[0][0]), _ms(row[0][1]), bool(row[0][2]), _ms(row[0][3]))


def save_state(store: Store, provider: str, stream: str, state: StreamState) -> None:
    store.conn.execute(
        """INSERT INTO sync_state(provider, stream, synced_from, synced_through, backfill_done, backfill_from,
                                  updated_at)
           VALUES (?, ?, ?, ?, ?, ?, ?)
           ON CONFLICT(provider, stream) DO UPDATE SET synced_from = excluded.synced_from,
             synced_through = excluded.synced_through, backfill_done = excluded.backfill_done,
             backfill_from = excluded.backfill_from, updated_at = excluded.updated_at""",
        (
            provider,
            stream,
            *(rfc3339(ms) if ms is not None else None for ms in (state.synced_from, state.synced_through)),
            int(state.backfill_done),
            rfc3339(state.backfill_from) if state.backfill_from is not None else None,
            utc_now(),
        ),
    )


# -- writing -------------------------------------------------------------------------------------
def day_runs(days: list[str]) -> list[tuple[str, str]]:
    """Sorted days grouped into runs of consecutive days: [(first, last), ...]."""
    runs: list[tuple[str, str]] = []
    for day in sorted(set(days)):
        if runs and date.fromisoformat(runs[-1][1]) + timedelta(days=1) == date.fromisoformat(day):
            runs[-1] = (runs[-1][0], day)
        else:
            runs.append((day, day))
    return runs


def write_window(
    store: Store, provider: str, stream: Stream, parts: list[Part], start: int, end: int, replace: bool, run_id: int
) -> str | None:
    """Write one window's parts (inside the caller's transaction); returns why an answer that was to
    replace ours was written without removing anything, or None.

    ``replace``: the window lies in the re-read window, so the vendor's answer replaces all of ours
    there, empty days included, unless it is too short to be a restatement (``short_answer``).
    Otherwise day buckets replace ours only on days the vendor answered with data (a vendor that
    forgot old days must not erase them here), and events are upserted. The first part of a
    day-bucket window carries the replacement; the others add to it.
    """
    from spendtui.store.facts import RANK_API, FactBatch, write_facts

    too_short = short_answer(store, provider, stream, parts, start, end) if replace else None
    replace = replace and too_short is None
    if not stream.day_buckets:
        for part in parts:
            if not replace and not len(part.rows):
                continue  # nothing to add and nothing to replace
            batch = FactBatch(provider, stream.name, part.source, RANK_API, part.rows,
                              replace_ts=(start, end) if replace else None)  # fmt: skip
            write_facts(store, batch, sync_run_id=run_id)
        return too_short
    first, last = days_of(start, end)
    spans = [(first, last)] if replace else day_runs([day for p in parts for day in _days(p.rows)])
    for low, high in spans:
        for index, part in enumerate(parts):
            rows = _between(part.rows, low, high)
            if index and not len(rows):
                continue
            batch = FactBatch(provider, stream.name, part.source, RANK_API, rows, day_buckets=True,
                              replace_days=(low, high) if index == 0 else None)  # fmt: skip
            write_facts(store, batch, sync_run_id=run_id)
    return too_short


# A re-read answer this many records (and more than half) short of what the vendor answered before for
# the same span is no restatement: vendors add late records and correct amounts, they do not take
# most of a day back. It is an outage answering empty, a truncated page run or a filter gone wrong,
# or people removed from the team whose usage the vendor no longer lists: either way our records stay.
SHORT_ANSWER_RECORDS = 20


def short_answer(store: Store, provider: str, stream: Stream, parts: list[Part], start: int, end: int) -> str | None:
    """Why the vendor's answer for a re-read span must not remove records, or None when it may.

    Compared with the vendor's own earlier answers for the span (rank API), not with imported CSV
    rows, which group differently."""
    from spendtui.store.facts import RANK_API

    first, last = days_of(start, end)
    instants = "" if stream.day_buckets else " AND ts_ms >= :start AND ts_ms < :end"
    held = store.scalar(
        "SELECT COUNT(*) FROM usage_facts WHERE provider = :p AND day BETWEEN :first AND :last "
        f"AND stream = :stream AND rank = :rank{instants}",
        {"p": provider, "first": first, "last": last, "stream": stream.name, "rank": RANK_API,
         "start": start, "end": end},
    )  # fmt: skip
    answered = sum(len(p.rows) for p in parts)
    if held - answered < SHORT_ANSWER_RECORDS or answered * 2 >= held:
        return None
    span = first if first == last else f"{first}..{last}"
    return (
        f"{stream.name} {span}: the vendor now answers {answered:,} record{'s' * (answered != 1)} where it "
        f"answered {held:,} before; its answer was added and nothing of ours removed (a re-read that short "
        "is an outage or a filter, not a restatement)"
    )


def _days(rows) -> list[str]:
    """The ``day`` of each row of a day-bucket part (a DataFrame or a list of fact dicts)."""
    return rows["day"].tolist() if hasattr(rows, "columns") else [f["day"] for f in rows]


def _between(rows, low: str, high: str):
    """The rows of a day-bucket part whose day is in ``low`` .. ``high``."""
    if hasattr(rows, "columns"):
        return rows[(rows["day"] >= low) & (rows["day"] <= high)] if len(rows) else rows
    return [f for f in rows if low <= f["day"] <= high]


# -- running -------------------------------------------------------------------------------------
def chosen_providers(settings: Settings, providers: list[str] | None) -> list[str]:
    """The providers asked for, else every provider with a key configured (env, key_file, key_command)."""
    names = list(providers) if providers else [p for p in PROVIDERS if has_key(p, settings)]
    if not names:
        raise MissingKeyError(
            "no provider has a key: set "
            + ", ".join(KEY_ENV.values())
            + ", or key_file / key_command under [providers.<name>] in the config"
        )
    return names


def run_sync(
    store: Store | Path | str,
    settings: Settings,
    providers: list[str] | None = None,
    since: date | None = None,
    until: date | None = None,
    trigger: str = "manual",
    progress: Callable[[Progress], None] | None = None,
    cancel: threading.Event | None = None,
    *,
    now: datetime | None = None,
    http: HttpOptions | None = None,
) -> SyncReport:
    """Sync the providers into the store; see the module docstring. Returns a report per provider.

    ``store`` may be a path (the sync opens its own connection, as a TUI worker thread must).
    Raises SyncLocked when another sync runs, MissingKeyError when no provider has a key.
    """
    names = chosen_providers(settings, providers)
    owned = not isinstance(store, Store)
    opened = open_store(Path(store)) if owned else store
    try:
        opened.require_writable("sync")
        with sync_lock(opened.path), _bulk_pragmas(opened):
            try:
                with opened.transaction() as conn:
                    conn.execute(
                        "UPDATE sync_runs SET status = 'interrupted', finished_at = ? WHERE status = 'running'",
                        (utc_now(),),
                    )
            except sqlite3.OperationalError as exc:
                if "locked" not in str(exc):  # a full disk or an I/O error is not a busy store
                    raise
                raise SyncLocked(
                    f"the store is busy ({exc}): another process has been writing it for more than "
                    f"{SYNC_BUSY_TIMEOUT_MS // 1000} s (a large import?); nothing was synced"
                ) from None
            session = _Session(opened, settings, since, until, trigger, progress, cancel, now, http)
            report = SyncReport()
            for name in names:
                if session.cancel.is_set():
                    break
                report.providers.append(session.provider(name))
            return report
    finally:
        if owned:
            opened.close()


@contextmanager
def _bulk_pragmas(store: Store) -> Iterator[None]:
    """A 64 MiB page cache and a long wait for the write lock while syncing, restored for the
    connection's owner afterwards.

    The natural-key index takes random inserts, which SQLite's default 2 MiB cache turns into page
    reloads: a 90-day backfill of 2,000 users spends about a fifth less CPU with the bigger cache.
    A scheduled sync that starts while an import writes a large file waits for it to finish.
    """
    saved = store.scalar("PRAGMA cache_size"), store.scalar("PRAGMA busy_timeout")
    store.conn.execute("PRAGMA cache_size = -65536")  # negative = KiB
    store.conn.execute(f"PRAGMA busy_timeout = {SYNC_BUSY_TIMEOUT_MS}")
    try:
        yield
    finally:
        store.conn.execute(f"PRAGMA cache_size = {int(saved[0])}")
        store.conn.execute(f"PRAGMA busy_timeout = {int(saved[1])}")


def _store_failure(name: str, exc: sqlite3.Error) -> str:
    return (
        f"{name}: the store could not be written ({exc}): another process may have held it for more than "
        f"{SYNC_BUSY_TIMEOUT_MS // 1000} s (a large import?), or the disk is full; what this sync wrote "
        "before is kept and the next sync resumes"
    )


class _Session:
    def __init__(self, store, settings, since, until, trigger, progress, cancel, now, http):
        self.store = store
        self.settings = settings
        self.since = since
        self.until = until
        self.trigger = trigger
        self.report_progress = progress or (lambda event: None)
        self.cancel = cancel or threading.Event()
        self.now_ms = int((now or datetime.now(timezone.utc)).timestamp() * 1000)
        self.http = http

    def provider(self, name: str) -> ProviderReport:
        report = ProviderReport(name)
        try:
            self._provider(name, report)
        except sqlite3.Error as exc:  # not even the run's history row could be written
            report.status, report.error = "failed", _store_failure(name, exc)
            self.report_progress(Progress(name, f"{name}: failed: {report.error}", status="failed", error=report.error))
        return report

    def _provider(self, name: str, report: ProviderReport) -> None:
        started = time.monotonic()
        with self.store.transaction() as conn:
            report.run_id = conn.execute(
                "INSERT INTO sync_runs(provider, trigger, started_at, status) VALUES (?, ?, ?, 'running')",
                (name, self.trigger, utc_now()),
            ).lastrowid
        span: list[int] = []
        users: set[str] = set()
        try:
            provider = registry.get(name)
            secret = resolve_key(name, self.settings)
            with provider.client(secret, self.settings, self.http, self.cancel) as client:
                run = Run(self.store, client, self.settings, self.now_ms, self.cancel,
                          note=lambda message: self.report_progress(Progress(name, message)))  # fmt: skip
                users = run.users
                try:
                    provider.directory(run)
                    for stream in provider.streams:
                        self._stream(run, provider, stream, report, span)
                finally:
                    report.requests, report.http_s, report.wait_s = client.requests, client.http_s, client.wait_s
        except Cancelled as exc:
            report.status, report.error = "cancelled", redact(exc)
        except UsageError as exc:
            report.status, report.error = "config_error", redact(exc)
        except SpendtuiError as exc:
            report.status, report.error = "failed", redact(exc)
        except sqlite3.Error as exc:
            report.status, report.error = "failed", _store_failure(name, exc)
        except Exception as exc:  # a bug or a vendor surprise: this provider fails, the others still run
            report.status, report.error = "failed", redact(f"{name}: unexpected {exc.__class__.__name__}: {exc}")
        report.users = len(users)
        report.duration_ms = int((time.monotonic() - started) * 1000)
        with self.store.transaction() as conn:
            conn.execute(
                """UPDATE sync_runs SET finished_at = ?, status = ?, window_from = ?, window_to = ?, events = ?,
                     records = ?, users = ?, duration_ms = ?, error = ? WHERE id = ?""",
                (
                    utc_now(), report.status, rfc3339(min(span)) if span else None,
                    rfc3339(max(span)) if span else None, report.events, report.records, report.users,
                    report.duration_ms, "; ".join(filter(None, [report.error, *report.warnings])) or None, report.run_id,
                ),
            )  # fmt: skip
        done = f"{name}: {report.status}" + (f": {report.error}" if report.error else "")
        self.report_progress(Progress(name, done, records=report.records, status=report.status, error=report.error))

    def _stream(self, run: Run, provider: Provider, stream: Stream, report: ProviderReport, span: list[int]) -> None:
        held = load_state(self.store, provider.name, stream.name)
        state = held.aiming_at(self.since)
        if state != held:  # kept before the first window: a run that fails at once is resumed too
            with self.store.transaction():
                save_state(self.store, provider.name, stream.name, state)
        target = None
        if state.backfill_from is not None and (state.synced_from is None or state.backfill_from < state.synced_from):
            target = datetime.fromtimestamp(state.backfill_from / 1000, timezone.utc).date()
        passes, replace_from = plan(stream, state, closed_end(self.now_ms, self.until), target)
        steps = sum(len(p.windows) for p in passes)
        step = 0
        pending = _Pending(self.store, provider.name, stream, report)
        try:
            for fetch_pass in passes:
                empty_in_a_row = 0
                for start, end in fetch_pass.windows:
                    run.check_cancel()
                    replace = start >= replace_from
                    parts = provider.fetch(run, stream, start, end)
                    records = sum(len(p.rows) for p in parts)
                    if not pending.fits(records, replace):
                        pending.write(state)
                    state = state.merged(start, end)
                    pending.add(start, end, parts, records, replace)
                    if pending.due():
                        pending.write(state)
                    step += 1
                    report.windows += 1
                    report.records += records
                    report.events += sum(p.events for p in parts)
                    span += [start, end]
                    first, last = days_of(start, end)
                    window = first if first == last else f"{first}..{last}"
                    self.report_progress(Progress(provider.name, f"{stream.name} {window}: {records} records",
                                                  stream.name, step, steps, records))  # fmt: skip
                    empty_in_a_row = 0 if records else empty_in_a_row + 1
                    if empty_in_a_row == 1:
                        empty_last = last  # the newest day of the empty run (the backfill walks backwards)
                    if fetch_pass.stop_after_empty and empty_in_a_row >= fetch_pass.stop_after_empty:
                        # The vendor's retention, as a rule; but a team's break in use looks the same.
                        stopped = (f"{stream.name}: nothing from {first} to {empty_last}, so the backfill stops there "
                                   f"(for older records: spendtui sync --provider {provider.name} --since YYYY-MM-DD)")
                        report.notes.append(stopped)
                        run.note(stopped)
                        break
                pending.write(state)
                if fetch_pass.backfill:
                    state = dataclasses.replace(state, backfill_done=True, backfill_from=None)
                    with self.store.transaction():
                        save_state(self.store, provider.name, stream.name, state)
        except Exception:
            pending.write(state)  # the windows fetched before a failure or a cancel are kept
            raise


FLUSH_ROWS = 300_000  # a write then holds the store's write lock for a few seconds at most (~200 MiB of events held)
FLUSH_SECONDS = 30.0


class _Pending:
    """Fetched windows not written yet, written together with the stream's state.

    Every write re-derives the quarters, years and per-person rows it touches and rewrites pages
    all over the natural-key index, so windows wait until they hold FLUSH_ROWS records, the next
    one would take them past it or switches between re-read and older windows, FLUSH_SECONDS
    passed since the last write (a paced real sync still persists every few windows), the pass
    ends, or the stream fails or is cancelled.
    A run killed in between loses only fetched windows, never consistency: the next run fetches
    them again.
    """

    def __init__(self, store: Store, provider: str, stream: Stream, report: ProviderReport):
        self.store, self.provider, self.stream, self.report = store, provider, stream, report
        self.windows: list[tuple[int, int, list[Part]]] = []
        self.rows = 0
        self.replace = False
        self.written_at = time.monotonic()

    def fits(self, records: int, replace: bool) -> bool:
        """Whether a window of ``records`` joins the pending ones: a 30-day window of daily rows holds
        ~150 K, and three of them in one write peaked at 1.1 GiB."""
        if not self.windows:
            return True
        return replace == self.replace and self.rows + records <= FLUSH_ROWS

    def add(self, start: int, end: int, parts: list[Part], records: int, replace: bool) -> None:
        self.windows.append((start, end, parts))
        self.rows += records
        self.replace = replace

    def due(self) -> bool:
        return self.rows >= FLUSH_ROWS or time.monotonic() - self.written_at >= FLUSH_SECONDS

    def write(self, state: StreamState) -> None:
        """Write the windows and the state in one transaction, the cycle collector held: the write
        makes a tuple per record and per rollup row, none in a cycle, and the collector's scans of
        them cost about half a microsecond per record."""
        if self.windows:
            start = min(w[0] for w in self.windows)
            end = max(w[1] for w in self.windows)
            parts = combine_parts([w[2] for w in self.windows])
            with self.store.transaction(), gc_paused():
                too_short = write_window(
                    self.store, self.provider, self.stream, parts, start, end, self.replace, self.report.run_id
                )
                save_state(self.store, self.provider, self.stream.name, state)
            if too_short:
                self.report.warnings.append(too_short)
            self.windows.clear()
            self.rows = 0
        self.written_at = time.monotonic()


def combine_parts(windows: list[list[Part]]) -> list[Part]:
    """The parts of consecutive windows of one stream, source by source, as one list of parts."""
    if len(windows) == 1:
        return windows[0]
    combined = []
    for index, first in enumerate(windows[0]):
        chunks = [parts[index].rows for parts in windows]
        if isinstance(first.rows, Columns):
            rows = Columns.concat(chunks)
        elif hasattr(first.rows, "columns"):
            import pandas as pd

            rows = pd.concat([c for c in chunks if len(c)] or chunks[:1], ignore_index=True)
        else:
            rows = [row for chunk in chunks for row in chunk]
        combined.append(Part(first.source, rows, sum(parts[index].events for parts in windows)))
    return combined


# -- checking keys -------------------------------------------------------------------------------
@dataclass(frozen=True)
class CheckResult:
    provider: str
    exit_code: int
    message: str


def check_keys(
    settings: Settings,
    providers: list[str] | None = None,
    http: HttpOptions | None = None,
    cancel: threading.Event | None = None,
) -> list[CheckResult]:
    """One cheap call per provider proving its key works and may read usage; writes nothing."""
    names = chosen_providers(settings, providers)
    results = []
    for name in names:
        try:
            provider = registry.get(name)
            secret = resolve_key(name, settings)
            with provider.client(secret, settings, http, cancel or threading.Event()) as client:
                seen = provider.check(client)
            results.append(CheckResult(name, 0, f"{name}: ok, key from {secret.source} ({seen})"))
        except SpendtuiError as exc:
            results.append(CheckResult(name, exc.exit_code, redact(exc)))
    return results
