"""The editing actions the dashboard offers, each one adapter over a headless function.

The modal screens collect a request; the app runs the matching adapter in a thread worker with a
Store opened in that thread. The headless functions live on other branches (importers, sync,
invoices, org); until they are merged each adapter raises ``NotAvailable`` and the app says so.
Wiring one is a one-line change here: call the headless function and return its summary.
No Textual in this module, and no editing logic of its own.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from spendtui.config import Settings
from spendtui.errors import SpendtuiError
from spendtui.store import Store


class NotAvailable(SpendtuiError):
    """The headless function behind an action is not part of this build."""


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


@dataclass(frozen=True)
class InvoiceRequest:
    paths: tuple[Path, ...]
    provider: str | None = None  # None: detect from the PDF


@dataclass(frozen=True)
class TeamEdit:
    """One team edit, as `spendtui teams ...` / `spendtui budget set --team` would do it."""

    op: str  # add | rename | remove | add-member | remove-member | budget
    team: str
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


def _missing(what: str, branch: str, command: str) -> NotAvailable:
    return NotAvailable(
        f"{what} is not available in this build (it arrives with the `{branch}` work); "
        f"meanwhile run `{command}` in a shell — the dashboard picks up the new data by itself."
    )


def import_formats() -> list[str]:
    """The CSV formats the import modal offers besides auto-detection."""
    return []


def run_sync(store: Store, settings: Settings, request: SyncRequest) -> str:
    """Pull from the vendors' admin APIs; wire to the sync branch's run_sync(store, settings, providers, since, until)."""
    raise _missing("Sync from the dashboard", "sync", "spendtui sync")


def run_import(store: Store, settings: Settings, request: ImportRequest) -> str:
    """Import CSV exports; wire to the importers branch's import_files(store, paths, fmt, period, dry_run)."""
    raise _missing("CSV import from the dashboard", "importers", "spendtui import FILE.csv")


def add_invoices(store: Store, settings: Settings, request: InvoiceRequest) -> str:
    """Parse and store PDF invoices; wire to the invoices branch's add_invoices(store, paths, provider)."""
    raise _missing("Invoice upload from the dashboard", "invoices", "spendtui invoice add FILE.pdf")


def edit_team(store: Store, settings: Settings, edit: TeamEdit) -> str:
    """Create, rename, delete a team, change members or its budget; wire to the org branch's team functions."""
    raise _missing("Team editing from the dashboard", "org", "spendtui teams ...")
