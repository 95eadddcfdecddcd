"""Import modal: CSV files to import, their format (auto-detected by default), an optional period, dry run."""

from __future__ import annotations

import shlex
from pathlib import Path

from textual import on
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.widgets import Button, Checkbox, Input, Label, Select, Static

from spendtui.tui.actions import ImportRequest
from spendtui.tui.screens.base import Dialog


def split_paths(text: str) -> tuple[Path, ...]:
    """Paths as a shell would split them (quotes keep spaces), with ~ expanded."""
    return tuple(Path(p).expanduser() for p in shlex.split(text))


class ImportScreen(Dialog[ImportRequest | None]):
    def __init__(self, formats: list[str]) -> None:
        super().__init__()
        self.formats = formats

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Static("Import CSV exports", classes="dialog-title")
            yield Label("Files (separate with spaces; quote names with spaces):")
            yield Input(placeholder="~/Downloads/team-usage-events.csv", id="import-paths", compact=True)
            with Horizontal(classes="fields"):
                yield Select([("Detect from header", "auto")] + [(f, f) for f in self.formats], value="auto",
                             allow_blank=False, id="import-format", compact=True)  # fmt: skip
                yield Input(placeholder="period FROM..TO (files with no dates)", id="import-period", compact=True,
                            classes="right")
            yield Checkbox("Dry run (check, write nothing)", id="import-dry-run", compact=True)
            yield Static("", classes="dialog-error")
            with Horizontal(classes="dialog-buttons"):
                yield Button("Import", variant="primary", id="import-go", compact=True)
                yield Button("Cancel", id="import-cancel", compact=True)

    def on_mount(self) -> None:
        self.query_one(".dialog-error").display = False
        self.query_one("#import-paths", Input).focus()

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
        missing = [str(p) for p in paths if not p.is_file()]
        if missing:
            self.fail(f"No such file: {', '.join(missing)}")
            return
        period = self.query_one("#import-period", Input).value.strip() or None
        if period and ".." not in period:
            self.fail("Period must be FROM..TO, e.g. 2026-10-01..2026-10-31")
            return
        self.dismiss(ImportRequest(
            paths, str(self.query_one("#import-format", Select).value), period,
            self.query_one("#import-dry-run", Checkbox).value,
        ))  # fmt: skip
