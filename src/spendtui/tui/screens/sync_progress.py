"""A sync in progress: a bar and a line per provider, cancellable, then the summary.

The sync runs in a thread worker through ``actions.run_sync`` (the engine of `spendtui sync`, with
its own connection and lock); progress comes back with ``call_from_thread``. Cancel sets the event
the engine checks between windows, so what was fetched so far stays written.

Each provider ends with a status word ("done", "failed", "configuration error", "cancelled") and,
when it did not succeed, its error below in full; a provider that failed before any window leaves
no bar behind (a full bar there would claim work that never happened).
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

from spendtui.analytics.status import without_provider
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
        self.outcomes: dict[str, str] = {}  # provider -> its final status (actions.SYNC_OUTCOMES keys)

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Static("Syncing", classes="dialog-title", id="sync-title")
            for provider in self.request.providers:
                with Vertical(classes="sync-provider"):
                    yield Label(f"{PROVIDER_NAMES[provider]}: waiting", id=f"line-{provider}", classes="sync-line")
                    yield ProgressBar(total=None, show_eta=False, id=f"bar-{provider}")
                    yield Static("", id=f"error-{provider}", classes="sync-error", markup=False)
            yield Static("", id="sync-summary", markup=False)
            with Horizontal(classes="dialog-buttons"):
                yield Button("Cancel", id="sync-stop", compact=True)

    def on_mount(self) -> None:
        self.query_one("#sync-summary").display = False
        for error in self.query(".sync-error"):
            error.display = False
        self.run_sync()

    @work(thread=True, exclusive=True, group="sync", exit_on_error=False, description="sync the providers")
    def run_sync(self) -> None:
        try:
            done = actions.run_sync(self.db_path, self.settings, self.request, self._from_thread, self.cancel, self.now)
            text, failed = done.text, False
        except SpendtuiError as error:
            text, failed = str(error), True
        self.app.call_from_thread(self._finish, text, failed)

    def _from_thread(self, progress) -> None:
        self.app.call_from_thread(self._show, progress)

    def _show(self, progress) -> None:
        provider = progress.provider
        line = self.query_one(f"#line-{provider}", Label)
        bar = self.query_one(f"#bar-{provider}", ProgressBar)
        outcome = final_outcome(progress)
        if outcome is None:
            line.update(f"{PROVIDER_NAMES[provider]}: {progress.message}")
            if progress.steps:
                bar.update(total=progress.steps, progress=progress.step)
            return
        status, error = outcome
        self.outcomes[provider] = status
        line.update(f"{PROVIDER_NAMES[provider]}: {actions.SYNC_OUTCOMES[status]}")
        line.set_class(status in ("failed", "config_error"), "-failed")
        if status == "ok":
            if bar.total is None:
                bar.update(total=1, progress=1)
        elif bar.total is None:
            bar.display = False
        if status not in ("ok", "cancelled") and error:  # a cancel is said by the title
            box = self.query_one(f"#error-{provider}", Static)
            box.update(error)
            box.display = True

    def _finish(self, text: str, failed: bool) -> None:
        self.finished = True
        outcomes = self.outcomes
        if self.cancel.is_set():
            title = "Sync cancelled"
        elif failed:
            title = "Sync failed"
        elif any(status != "ok" for status in outcomes.values()):
            title = "Sync done, with failures"
        else:
            title = "Sync done"
        self.query_one("#sync-title", Static).update(title)
        for provider in self.request.providers:
            if provider not in outcomes:  # never reached (cancelled, or the sync could not start)
                self.query_one(f"#line-{provider}", Label).update(f"{PROVIDER_NAMES[provider]}: not run")
                self.query_one(f"#bar-{provider}", ProgressBar).display = False
        # a provider's failure is shown under its own line: the summary keeps the rest
        shown = tuple(f"{PROVIDER_NAMES[p]}: " for p, status in outcomes.items() if status != "ok")
        kept = [line for line in text.splitlines() if not line.startswith(shown)] if shown else text.splitlines()
        summary = self.query_one("#sync-summary", Static)
        summary.update("\n".join(kept))
        summary.display = bool(kept)
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


def final_outcome(progress) -> tuple[str, str] | None:
    """The (status, error) of the engine's last word on a provider; None for a progress or a note."""
    if progress.status is None:
        return None
    return progress.status, without_provider(progress.provider, progress.error)
