"""The editing actions the dashboard offers, each one adapter over a headless function.

The modal screens collect a request; the app runs the matching adapter in a thread worker with a
Store opened in that thread: team editing (spendtui.org), CSV import (importers.run), invoice
upload (importers.invoices) and sync (spendtui.sync, with progress and cancel).
No Textual in this module, and no editing logic of its own.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

from spendtui.analytics.status import without_provider
from spendtui.config import PROVIDER_NAMES, Settings
from spendtui.errors import SpendtuiError
from spendtui.periods import parse_period_option
from spendtui.store import Store


@dataclass(frozen=True)
class Done:
    """What an action did, in words; ``edit`` (an org ``Edit``) can be undone until the app closes;
    ``severity`` "warning" when part of it failed."""

    text: str
    edit: Any = None
    severity: str = "information"


@dataclass(frozen=True)
class SyncRequest:
    providers: tuple[str, ...]
    since: date | None = None
    until: date | None = None


@dataclass(frozen=True)
class ImportRequest:
    paths: tuple[Path, ...]
    fmt: str = "auto"
    period: str | None = None  # "FROM..TO" for files with no dates
    dry_run: bool = False
    user: str | None = None  # whose an individual export is (a file with no User column)


@dataclass(frozen=True)
class InvoiceRequest:
    paths: tuple[Path, ...]
    provider: str | None = None  # None: detect from the PDF


@dataclass(frozen=True)
class TeamEdit:
    """One team edit, as `spendtui teams ...` / `spendtui budget set --team` would do it."""

    op: str  # add | rename | remove | add-member | remove-member | budget
    team: str
    today: date  # the app's today (in the reporting zone): the default effective day of an edit
    new_name: str | None = None
    emails: tuple[str, ...] = field(default_factory=tuple)
    since: date | None = None
    monthly_budget: str | None = None  # dollars as typed; parsed by the headless function


TEAM_OPS = {
    "add": "Create team",
    "rename": "Rename team",
    "remove": "Delete team",
    "add-member": "Add members",
    "remove-member": "Remove members",
    "budget": "Set monthly budget",
}


SYNC_OUTCOMES = {"ok": "done", "failed": "failed", "config_error": "configuration error", "cancelled": "cancelled"}


def run_sync(
    db_path: Path,
    settings: Settings,
    request: SyncRequest,
    progress: Callable[[Any], None],
    cancel: threading.Event,
    now: datetime | None = None,
) -> Done:
    """Pull from the vendors like `spendtui sync` (same engine, its own connection and lock)."""
    from spendtui.sync import run_sync as sync

    report = sync(db_path, settings, list(request.providers), request.since, request.until, "manual",
                  progress, cancel, now=now)  # fmt: skip
    lines = []
    for part in report.providers:
        name = PROVIDER_NAMES.get(part.provider, part.provider)
        if part.status == "ok":
            lines.append(f"{name}: {part.records:,} records ({part.events:,} events), {part.users} users")
            lines += [f"{name}: warning: {warning}" for warning in part.warnings]
        else:
            error = without_provider(part.provider, part.error)
            lines.append(f"{name}: {SYNC_OUTCOMES.get(part.status, part.status)}" + (f": {error}" if error else ""))
    if report.providers and all(p.status in ("failed", "config_error") for p in report.providers):
        raise SpendtuiError("\n".join(lines))
    return Done("\n".join(lines) or "Sync cancelled before it started.")


# The importers' messages name `spendtui import`'s options; the import modal has fields for them.
IMPORT_WORDING = (
    ("with --user EMAIL", "in “Whose export (email)”"),
    ("with --period FROM..TO (for example --period ", "in the period field (for example "),
    ("choose one with --format", "choose one in the format list"),
)


def import_wording(text: str) -> str:
    """An importer's message as the import modal's user should read it (fields, not CLI options)."""
    for cli, tui in IMPORT_WORDING:
        text = text.replace(cli, tui)
    return text


def run_import(store: Store, settings: Settings, request: ImportRequest) -> Done:
    """Import CSV exports like `spendtui import`: each file all-or-nothing; a refused file does not stop the others."""
    from spendtui.importers.run import import_files

    summary = import_files(store, list(request.paths), settings, format=request.fmt,
                           period=parse_period_option(request.period), user=request.user,
                           dry_run=request.dry_run)  # fmt: skip
    lines = []
    for result in summary.files:
        name = result.path.name
        if result.status == "failed":
            lines.append(import_wording(f"{result.error}"))
        elif result.status == "already":
            lines.append(f"{name}: already imported (import #{result.previous_id}); nothing written")
        elif result.status == "dry-run":
            counted = (f", {result.new:,} new, {result.replaced:,} replaced, {result.skipped:,} skipped"
                       if result.against_store else "")  # fmt: skip
            lines.append(f"{name}: {result.format}, {result.rows:,} rows would be read{counted} (dry run: nothing written)")
        else:
            lines.append(f"{name}: imported as #{result.import_id}: {result.rows:,} rows, {result.new:,} new, "
                         f"{result.replaced:,} replaced, {result.skipped:,} skipped")  # fmt: skip
    if summary.failed and len(summary.failed) == len(summary.files):
        raise SpendtuiError("\n".join(lines))
    return Done("\n".join(lines), severity="warning" if summary.failed else "information")


def add_invoices(store: Store, settings: Settings, request: InvoiceRequest) -> Done:
    """Parse and store each PDF like `spendtui invoice add`; one unreadable file does not stop the others."""
    from spendtui.importers.invoices import parse_pdf
    from spendtui.store.invoices import InvoiceNotStored, store_invoice

    said, failed = [], []
    for path in request.paths:
        try:
            said.append(store_invoice(store, parse_pdf(path, provider=request.provider)).message)
        except InvoiceNotStored as error:
            failed.append(f"{error.name}: not stored: " + "; ".join(map(invoice_wording, error.reasons())))
        except SpendtuiError as error:
            if error.exit_code != 1:
                raise
            failed.append(str(error))
    if failed and not said:
        raise SpendtuiError("\n".join(failed))
    return Done("\n".join(said + failed), severity="warning" if failed else "information")


def invoice_wording(text: str) -> str:
    """An invoice parser's message as the upload modal's user should read it."""
    return text.replace("pass --provider", "choose it in the Provider list")


def edit_team(store: Store, settings: Settings, edit: TeamEdit) -> Done:
    """One team edit through spendtui.org (the functions `spendtui teams` and `budget set --team` call)."""
    from spendtui import org

    today = edit.today
    if edit.op == "add":
        done = org.create_team(store, edit.team)
    elif edit.op == "rename":
        done = org.rename_team(store, edit.team, edit.new_name or "")
    elif edit.op == "remove":
        done = org.delete_team(store, edit.team)
    elif edit.op == "add-member":
        done = org.add_members(store, edit.team, edit.emails, today=today, since=edit.since)
    elif edit.op == "remove-member":
        done = org.remove_members(store, edit.team, edit.emails, today=today, since=edit.since)
    elif edit.op == "budget":
        done = org.set_team_budget(store, edit.team, edit.monthly_budget or "", today=today)
    else:
        raise ValueError(f"unknown team edit {edit.op!r}")
    if not done.changed:
        return Done(f"Nothing to change: {done.description}")
    return Done(f"{done.description} (ctrl+z undoes it)", done)
