"""``spendtui sync``: pull from the vendors' admin APIs, once, every interval, or just check the keys.

Progress goes to stderr (one line per window without a TTY, one rewritten line with one); the
summary per provider goes to stdout. SIGTERM and SIGINT stop a sync cleanly between windows.
"""

from __future__ import annotations

import os
import re
import signal
import threading
import time
from datetime import datetime, timezone

import click

from spendtui.cli.env import Env, global_options, with_env
from spendtui.config import PROVIDERS
from spendtui.errors import UsageError
from spendtui.periods import parse_date

_DURATION = re.compile(r"(\d+)([smhd])")
_UNIT_S = {"s": 1, "m": 60, "h": 3600, "d": 86400}
MIN_INTERVAL_S = 60
MAX_INTERVAL_S = 366 * 86400  # (a wait of longer overflows threading's timeout)


def parse_duration(text: str) -> int:
    """``1h``, ``30m``, ``1h30m``, ``1d`` -> seconds (at least a minute)."""
    value = text.strip().lower()
    parts = _DURATION.findall(value)
    if not parts or "".join(n + u for n, u in parts) != value:
        raise UsageError(f"--every: {text!r} is not a duration such as 1h, 30m or 1h30m")
    seconds = sum(int(n) * _UNIT_S[u] for n, u in parts)
    if seconds < MIN_INTERVAL_S:
        raise UsageError(f"--every: {text!r} is shorter than a minute")
    if seconds > MAX_INTERVAL_S:
        raise UsageError(f"--every: {text!r} is longer than a year (a service that never syncs)")
    return seconds


def _now() -> datetime | None:
    """``SPENDTUI_NOW`` pins the sync's clock (reproducible runs and tests), like SPENDTUI_TODAY."""
    pinned = os.environ.get("SPENDTUI_NOW")
    if not pinned:
        return None
    try:
        when = datetime.fromisoformat(pinned.strip().replace("Z", "+00:00"))
    except ValueError:
        raise UsageError(f"SPENDTUI_NOW: {pinned!r} is not an ISO-8601 instant") from None
    return when if when.tzinfo else when.replace(tzinfo=timezone.utc)


class _ProgressPrinter:
    """Progress lines on stderr: a line per event without a TTY, one line kept rewritten with one."""

    def __init__(self, env: Env):
        self.env = env
        self.tty = env.stderr_is_tty()

    def __call__(self, event) -> None:
        if self.env.verbosity < 0:
            return
        counter = f"[{event.step}/{event.steps}] " if event.steps else ""
        line = f"{event.provider}: {counter}{event.message}"
        if not self.tty:
            click.echo(line, err=True)
            return
        try:
            width = max(20, os.get_terminal_size(2).columns - 1)
        except OSError:
            width = 200
        # window lines overwrite each other; notes and a provider's result stay on screen
        click.echo("\r\033[2K" + line[:width], err=True, nl=event.stream is None)


def _install_stop_handlers(cancel: threading.Event) -> dict:
    """SIGTERM / SIGINT ask the sync to stop between windows; a second SIGINT interrupts at once."""

    def stop(signum, frame):
        if cancel.is_set() and signum == signal.SIGINT:
            raise KeyboardInterrupt
        cancel.set()

    previous = {}
    if threading.current_thread() is threading.main_thread():
        for signum in (signal.SIGTERM, signal.SIGINT):
            previous[signum] = signal.signal(signum, stop)
    return previous


def _exit(code: int) -> None:
    """Leave with this exit code (``ctx.exit`` would only be returned by click in non-standalone mode)."""
    raise SystemExit(code)


def _summary(env: Env, report) -> None:
    for p in report.providers:
        click.echo(
            f"{p.provider}\t{p.status}\t{p.events} events\t{p.records} records\t{p.users} users\t"
            f"{p.duration_ms / 1000:.1f}s"
        )
        env.debug(f"spendtui: {p.provider}: {p.windows} windows, {p.requests} requests, {p.http_s:.1f} s waiting "
                  f"for the vendor, {p.wait_s:.1f} s paced or backing off")  # fmt: skip
        if p.error:
            click.echo(f"spendtui: error: {p.error}", err=True)
        for warning in p.warnings:
            click.echo(f"spendtui: warning: {p.provider}: {warning}", err=True)
        for note in p.notes:
            env.info(f"spendtui: {p.provider}: {note}")


@click.command("sync")
@click.option(
    "--provider",
    "-p",
    "providers",
    multiple=True,
    type=click.Choice(PROVIDERS),
    help="Sync only this provider (repeatable). Default: every provider with a key.",
)
@click.option("--since", metavar="DATE", help="Backfill from this UTC date (inclusive).")
@click.option("--until", metavar="DATE", help="Fetch through this UTC date, 23:59:59.999Z (default: now).")
@click.option("--every", metavar="DURATION", help="Run forever, one sync per interval (1h, 30m); for a service.")
@click.option("--check", is_flag=True, help="Verify each key and its permissions with one cheap call; write nothing.")
@global_options
@with_env
def sync(env: Env, providers: tuple[str, ...], since: str | None, until: str | None, every: str | None,
         check: bool) -> None:  # fmt: skip
    """Pull usage and spend from the vendors' admin APIs into the store.

    Keys come from SPENDTUI_CURSOR_API_KEY, SPENDTUI_ANTHROPIC_ADMIN_KEY, SPENDTUI_OPENAI_ADMIN_KEY, or
    key_file / key_command in the config; never from the command line. Exit 1 when a provider failed
    after its retries (its earlier windows are kept), 2 when a key is missing or refused.

    The first sync backfills 90 days (Cursor stops earlier at 7 empty days); later ones re-read the
    last 48 hours. SPENDTUI_NOW=2026-10-07T10:00:00Z pins the clock for reproducible runs.
    """
    from spendtui import sync as engine

    settings = env.settings
    chosen = list(providers) or None
    if check:
        results = engine.check_keys(settings, chosen)
        for result in results:
            if result.exit_code:
                click.echo(f"spendtui: error: {result.message}", err=True)
            else:
                click.echo(result.message)
        _exit(max((r.exit_code for r in results), key=lambda c: (c == 2, c)))
    first = parse_date(since, "--since") if since else None
    last = parse_date(until, "--until") if until else None
    if first and last and first > last:
        raise UsageError(f"--since {first} is after --until {last}")
    interval = parse_duration(every) if every else None
    if interval and last:
        raise UsageError("--until cannot be combined with --every (a service syncs up to now)")
    engine.chosen_providers(settings, chosen)  # no key at all: exit 2 before touching the store
    store = env.open_store(create=True, writable=True)
    cancel = threading.Event()
    previous = _install_stop_handlers(cancel)
    printer = _ProgressPrinter(env)
    try:
        if interval is None:
            report = engine.run_sync(store, settings, chosen, first, last, "manual", printer, cancel, now=_now())
            _summary(env, report)
            _exit(report.exit_code)
        while not cancel.is_set():
            started = time.monotonic()
            try:
                report = engine.run_sync(store, settings, chosen, first, None, "scheduled", printer, cancel, now=_now())
                _summary(env, report)
            except engine.SyncLocked as exc:
                env.warn(f"{exc}; next try in {every}")
            first = None  # the store keeps where --since was headed: later runs carry an unfinished backfill on
            if cancel.wait(max(0.0, interval - (time.monotonic() - started))):
                break
        env.info("spendtui: sync service stopped")
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)
