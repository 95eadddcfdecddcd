"""`spendtui import FILE...` and `spendtui imports list | undo ID` over ``spendtui.importers.run``."""

from __future__ import annotations

import sys
import time
from pathlib import Path

import click

from spendtui.cli.env import Env, global_options, with_env
from spendtui.errors import SpendtuiError, UsageError

BAR_MIN_BYTES = 2_000_000  # smaller files finish before a bar would be worth drawing
BAR_WIDTH = 30


class ProgressPrinter:
    """Progress on stderr: a redrawn bar on a TTY for large files, else one line per step."""

    def __init__(self, env: Env, tty: bool):
        self.env = env
        self.tty = tty
        self.bar_open = False
        self.large: set[str] = set()
        self.last_draw = 0.0

    def __call__(self, event) -> None:
        if self.env.verbosity < 0:
            return
        if event.step == "start":
            if event.total >= BAR_MIN_BYTES:
                self.large.add(event.file)
            self._line(f"{event.file}: {event.detail}")
        elif event.step == "parsed":
            self._line(f"{event.file}: {event.done:,} rows read, {event.total:,} records to write")
        elif event.step in ("read", "write"):
            if self.tty and event.file in self.large:
                self._bar(event)
            elif event.step == "write" and not self.tty and event.done == event.total:
                self._line(f"{event.file}: {event.done:,} records checked against the store")  # (new or not: the summary says)

    def _bar(self, event) -> None:
        now = time.monotonic()
        finished = event.done >= event.total
        if not finished and now - self.last_draw < 0.1:
            return
        self.last_draw = now
        share = event.done / event.total if event.total else 1.0
        filled = int(share * BAR_WIDTH)
        label = "reading" if event.step == "read" else "writing"
        sys.stderr.write(f"\r{event.file}: {label} [{'#' * filled}{'.' * (BAR_WIDTH - filled)}] {share:4.0%}")
        sys.stderr.flush()
        self.bar_open = True

    def _line(self, text: str) -> None:
        self.end_bar()
        click.echo(text, err=True)

    def end_bar(self) -> None:
        if self.bar_open:
            sys.stderr.write("\n")
            self.bar_open = False


def _money(nano: int | None) -> str:
    from spendtui.money import format_usd

    return format_usd(nano)


def _print_plan(result) -> None:
    """Dry run: what the file would write, per stream (stdout: it is the command's answer)."""
    click.echo(f"{result.path.name}: {result.format} ({result.variant}), {result.rows:,} rows")
    for plan in result.plan:
        span = f"{plan.first_day}..{plan.last_day}" if plan.first_day else "-"
        who = [f"{plan.people} people"] if plan.people or not plan.accounts else []
        who += [f"{plan.accounts} accounts"] if plan.accounts else []
        subjects = ", ".join(who)
        included = f" (of it {_money(plan.included_nano)} included usage, not spend)" if plan.included_nano else ""
        click.echo(
            f"  {plan.stream}: {plan.records:,} records, {span} ({plan.days} days), {subjects}, "
            f"amount {_money(plan.amount_nano)}{included}"
        )
    if result.against_store:
        click.echo(f"  against the store: {result.new:,} new, {result.replaced:,} replaced, {result.skipped:,} skipped")
    elif result.skipped:
        click.echo(f"  {result.skipped:,} rows hold nothing and would be skipped")


@click.command("import")
@click.argument("files", nargs=-1, type=click.Path(path_type=Path))
@click.option("--format", "fmt", default="auto", show_default=True, metavar="F",
              help="auto (detect by header) or a format name; see --list-formats.")
@click.option("--period", metavar="FROM..TO",
              help="Period of a file with no dates (claude.ai spend report) when its name does not give it.")
@click.option("--user", metavar="EMAIL", help="Whose an individual Cursor export is (it has no User column).")
@click.option("--dry-run", is_flag=True, help="Check the files and print what would be written; write nothing.")
@click.option("--list-formats", is_flag=True, help="Print the format names with their header signatures.")
@global_options
@with_env
def import_command(env: Env, files: tuple[Path, ...], fmt: str, period: str | None, user: str | None,
                   dry_run: bool, list_formats: bool) -> None:  # fmt: skip
    """Import vendor CSV exports (Cursor, Anthropic, OpenAI); each file is all-or-nothing.

    Formats are recognised by their header (--list-formats shows them): Cursor usage events in every
    header version, the Cursor analytics export, spend per user (email,period,spend: period YYYY-MM
    for a calendar month or YYYY-MM-DD for a billing cycle starting that day, spend in dollars),
    Anthropic Console cost and token exports, the claude.ai spend report, and OpenAI cost and usage
    exports. A file already imported is skipped; `spendtui imports undo ID` takes an import back.
    """
    from spendtui.importers import detect

    if list_formats:
        click.echo(detect.describe())
        return
    if not files:
        raise UsageError("give one or more CSV files to import (or --list-formats)")
    from spendtui.importers.run import import_files
    from spendtui.periods import parse_period_option
    from spendtui.store.identity import is_email

    if user and not is_email(user.strip().lower()):
        raise UsageError(f"--user must be an email address, got {user!r}")
    span = parse_period_option(period)
    new_store = not env.db_path.exists()
    if dry_run:
        store = None if new_store else env.open_store(create=False)
    else:
        store = env.open_store(create=True, writable=True)
    printer = ProgressPrinter(env, env.stderr_is_tty())
    started = time.perf_counter()

    def report(result) -> None:
        printer.end_bar()
        for note in result.notes:
            env.warn(f"{result.path.name}: {note}")
        if result.status == "already":
            env.info(f"{result.path.name}: already imported (import #{result.previous_id}); nothing written")
        elif result.status == "failed":
            click.echo(f"spendtui: error: {result.error}", err=True)
        elif result.status == "dry-run":
            _print_plan(result)
        else:
            # new / replaced / skipped count records, which a format may make more or fewer of than rows
            records = sum(plan.records for plan in result.plan)
            read = f"{result.rows:,} rows read" + (f" as {records:,} records" if records != result.rows else "")
            env.info(
                f"{result.path.name}: imported as #{result.import_id}: {read}, {result.new:,} new, "
                f"{result.replaced:,} replaced, {result.skipped:,} skipped ({result.seconds:.1f} s)"
            )

    summary = import_files(
        store, list(files), env.settings, format=fmt, period=span, user=user, dry_run=dry_run, progress=printer,
        on_file=report,
    )  # fmt: skip
    if len(summary.files) > 1 and not dry_run:
        totals = [sum(getattr(r, name) for r in summary.files) for name in ("rows", "new", "replaced", "skipped")]
        env.info(
            f"{len(summary.files)} files: {totals[0]:,} rows read, {totals[1]:,} new, {totals[2]:,} replaced, "
            f"{totals[3]:,} skipped ({time.perf_counter() - started:.1f} s)"
        )
    if summary.failed:
        if new_store and store is not None and len(summary.failed) == len(summary.files):
            env.close()  # a store this command created for nothing: no empty file left behind to open by mistake
            for suffix in ("", "-wal", "-shm"):
                Path(f"{env.db_path}{suffix}").unlink(missing_ok=True)
        names = ", ".join(r.path.name for r in summary.failed)
        raise SpendtuiError(f"{len(summary.failed)} of {len(summary.files)} files refused ({names}); "
                            "nothing of them was written")  # fmt: skip


@click.group("imports")
@global_options
def imports() -> None:
    """What was imported, and taking an import back."""


@imports.command("list")
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table", show_default=True)
@global_options
@with_env
def list_command(env: Env, fmt: str) -> None:
    """Every import: file, format, rows, new, replaced, skipped, period, when, and whether it was undone."""
    from spendtui.cli.output import emit_json, table
    from spendtui.importers.run import list_imports

    rows = list_imports(env.open_store(create=False))
    if fmt == "json":
        emit_json(rows)
        return
    if not rows:
        click.echo("(no imports)")
        return
    headers = ["id", "file", "format", "rows", "new", "replaced", "skipped", "period", "imported", "undone"]
    click.echo(
        table(
            [
                [r["id"], r["file_name"], r["format"], r["rows"], r["new"], r["replaced"], r["skipped"],
                 f"{r['period_from']}..{r['period_to']}" if r["period_from"] else None, r["imported_at"],
                 r["undone_at"]]
                for r in rows
            ],
            headers,
        )
    )  # fmt: skip


@imports.command("undo")
@click.argument("import_id", type=int)
@global_options
@with_env
def undo_command(env: Env, import_id: int) -> None:
    """Delete what import IMPORT_ID wrote and refresh the figures of its days."""
    from spendtui.importers.run import undo_import

    result = undo_import(env.open_store(create=False, writable=True), import_id)
    if result.already_undone_at:
        env.info(f"import #{import_id} ({result.file_name}) was already undone at {result.already_undone_at}")
        return
    env.info(
        f"import #{import_id} ({result.file_name}) undone: {result.facts:,} records and "
        f"{result.period_amounts:,} period amounts removed"
        + (f", {result.restored:,} records it had replaced put back" if result.restored else "")
    )
    if result.later:
        others = ", ".join(f"#{i}" for i in result.later)
        env.warn(
            f"later import(s) {others} cover some of the same days; records they held unchanged from #{import_id} "
            f"went with it: to bring them back, undo {others} and import those files again"
        )
