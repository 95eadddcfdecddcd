"""A sync in progress: a bar and a line per provider, cancellable, then the summary.

The sync runs in a thread worker through ``actions.run_sync`` (the engine of `spendtui sync`, with
its own connection and lock); progress comes back with ``call_from_thread``. Cancel sets the event
the engine checks between windows, so what was fetched so far stays written.
"""

from __future__ import annotations

import threading
from datetime import datetime
from pathlib import Path

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Label, ProgressBar, Static

from spendtui.config import PROVIDER_NAMES, Settings
from spendtui.errors import SpendtuiError
from spendtui.tui import actions


class SyncProgressScreen(ModalScreen[bool]):
    """Dismisses with True when the sync may have written data (the app then reloads)."""

    BINDINGS = [Binding("escape", "stop", "Cancel / close")]

    def __init__(self, request: actions.SyncRequest, db_path: Path, settings: Settings, now: datetime | None):
        super().__init__()
        self.request = request
        self.db_path = db_path
        self.settings = settings
        self.now = now
        self.cancel = threading.Event()
        self.finished = False

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Static("Syncing", classes="dialog-title", id="sync-title")
            for provider in self.request.providers:
                yield Label(f"{PROVIDER_NAMES[provider]}: waiting", id=f"line-{provider}")
                yield ProgressBar(total=None, show_eta=False, id=f"bar-{provider}")
            yield Static("", id="sync-summary")
            with Horizontal(classes="dialog-buttons"):
                yield Button("Cancel", id="sync-stop", compact=True)

    def on_mount(self) -> None:
        self.query_one("#sync-summary").display = False
        self.run_sync()

    @work(thread=True, exclusive=True, group="sync", exit_on_error=False, description="sync the providers")
    def run_sync(self) -> None:
        try:
            done = actions.run_sync(
                self.db_path, self.settings, self.request, self._from_thread, self.cancel, self.now
            )
            text, failed = done.text, False
        except SpendtuiError as error:
            text, failed = str(error), True
        self.app.call_from_thread(self._finish, text, failed)

    def _from_thread(self, progress) -> None:
        self.app.call_from_thread(self._show, progress)

    def _show(self, progress) -> None:
        line = self.query_one(f"#line-{progress.provider}", Label)
        line.update(f"{PROVIDER_NAMES[progress.provider]}: {progress.message}")
        bar = self.query_one(f"#bar-{progress.provider}", ProgressBar)
        if progress.steps:
            bar.update(total=progress.steps, progress=progress.step)

    def _finish(self, text: str, failed: bool) -> None:
        self.finished = True
        title = "Sync cancelled" if self.cancel.is_set() else ("Sync failed" if failed else "Sync done")
        self.query_one("#sync-title", Static).update(title)
        for bar in self.query(ProgressBar):
            if bar.total is None:
                bar.update(total=1, progress=1)
        summary = self.query_one("#sync-summary", Static)
        summary.update(text)
        summary.display = True
        button = self.query_one("#sync-stop", Button)
        button.label = "Close"
        button.focus()

    @on(Button.Pressed, "#sync-stop")
    def action_stop(self) -> None:
        if self.finished:
            self.dismiss(True)
        elif not self.cancel.is_set():
            self.cancel.set()
            self.query_one("#sync-title", Static).update("Cancelling after the current window...")
