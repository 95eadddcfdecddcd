"""Import modal: CSV files to import, their format (auto-detected by default), an optional period,
whose an individual export is (a Cursor export with no User column), dry run."""

from __future__ import annotations

import shlex
from pathlib import Path

from textual import on
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.widgets import Button, Checkbox, Input, Label, Select, Static

from spendtui.errors import SpendtuiError
from spendtui.periods import parse_period_option
from spendtui.store.identity import is_email
from spendtui.tui.actions import ImportRequest
from spendtui.tui.screens.base import Dialog


def split_paths(text: str) -> tuple[Path, ...]:
    """Paths as a shell would split them (quotes keep spaces), with ~ expanded."""
    return tuple(Path(p).expanduser() for p in shlex.split(text))


def unreadable_paths(paths: tuple[Path, ...]) -> str | None:
    """What is wrong with paths that are not files (a folder is not 'no such file'), or None."""
    folders = [str(p) for p in paths if p.is_dir()]
    missing = [str(p) for p in paths if not p.exists()]
    others = [str(p) for p in paths if p.exists() and not p.is_dir() and not p.is_file()]
    problems = [f"{what}: {', '.join(found)}" for what, found in
                (("No such file", missing), ("A folder, not a file", folders), ("Not a regular file", others)) if found]  # fmt: skip
    return "; ".join(problems) or None


class ImportScreen(Dialog[ImportRequest | None]):
    def __init__(self, formats: list[str], request: ImportRequest | None = None, error: str | None = None) -> None:
        super().__init__(request, error)
        self.formats = formats

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Static("Import CSV exports", classes="dialog-title")
            yield Label("Files (separate with spaces; quote names with spaces):")
            yield Input(placeholder="~/Downloads/team-usage-events.csv", id="import-paths", compact=True)
            with Horizontal(classes="fields"):
                yield Select([("Detect from header", "auto")] + [(f, f) for f in self.formats], value="auto",
                             allow_blank=False, id="import-format", compact=True)  # fmt: skip
                yield Input(placeholder="Period FROM..TO (undated files)", id="import-period", compact=True,
                            classes="right", tooltip="For files with no dates, e.g. 2026-10-01..2026-10-31")  # fmt: skip
            yield Input(placeholder="Whose export (email), for a file with no User column", id="import-user",
                        compact=True, tooltip="An individual Cursor export names nobody: say whose it is")  # fmt: skip
            yield Checkbox("Dry run (check, write nothing)", id="import-dry-run", compact=True)
            yield Static("", classes="dialog-error")
            with Horizontal(classes="dialog-buttons"):
                yield Button("Import", variant="primary", id="import-go", compact=True)
                yield Button("Cancel", id="import-cancel", compact=True)

    def on_mount(self) -> None:
        self.show_returned()
        self.query_one("#import-paths", Input).focus()

    def refill(self, request: ImportRequest) -> None:
        self.query_one("#import-paths", Input).value = shlex.join(map(str, request.paths))
        self.query_one("#import-format", Select).value = request.fmt
        self.query_one("#import-period", Input).value = request.period or ""
        self.query_one("#import-user", Input).value = request.user or ""
        self.query_one("#import-dry-run", Checkbox).value = request.dry_run

    @on(Button.Pressed, "#import-cancel")
    def _cancel(self) -> None:
        self.dismiss(None)

    @on(Input.Submitted)
    @on(Button.Pressed, "#import-go")
    def _go(self) -> None:
        try:
            paths = split_paths(self.query_one("#import-paths", Input).value)
        except ValueError as error:
            self.fail(f"Cannot read the file list: {error}")
            return
        if not paths:
            self.fail("Name at least one CSV file.")
            return
        if problem := unreadable_paths(paths):
            self.fail(problem)
            return
        period = self.query_one("#import-period", Input).value.strip() or None
        if period:
            try:
                parse_period_option(period)
            except SpendtuiError:
                self.fail("Period must be FROM..TO with dates YYYY-MM-DD, e.g. 2026-10-01..2026-10-31")
                return
        user = self.query_one("#import-user", Input).value.strip() or None
        if user and not is_email(user.lower()):
            self.fail(f"Whose export must be an email address, e.g. alice@example.com (not “{user}”)")
            return
        self.dismiss(ImportRequest(
            paths, str(self.query_one("#import-format", Select).value), period,
            self.query_one("#import-dry-run", Checkbox).value, user,
        ))  # fmt: skip
