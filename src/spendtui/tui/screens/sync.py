"""Sync modal: which providers to pull now, and optionally which days (as `spendtui sync` takes them)."""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.widgets import Button, Checkbox, Input, Label, Static

from spendtui.config import PROVIDER_NAMES, PROVIDERS
from spendtui.periods import PeriodError, parse_date
from spendtui.tui.actions import SyncRequest
from spendtui.tui.screens.base import Dialog


class SyncScreen(Dialog[SyncRequest | None]):
    def __init__(self, configured: list[str], chosen: list[str]) -> None:
        super().__init__()
        self.configured = configured
        self.chosen = chosen

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Static("Sync now", classes="dialog-title")
            yield Label("Pull from the vendors' admin APIs (like `spendtui sync`):")
            for p in PROVIDERS:
                note = "" if p in self.configured else " (no key configured)"
                yield Checkbox(f"{PROVIDER_NAMES[p]}{note}", value=p in self.chosen, id=f"sync-{p}", compact=True)
            with Horizontal(classes="fields"):
                yield Input(placeholder="since YYYY-MM-DD (optional)", id="sync-since", compact=True)
                yield Input(placeholder="until YYYY-MM-DD (optional)", id="sync-until", compact=True, classes="right")
            yield Static("", classes="dialog-error")
            with Horizontal(classes="dialog-buttons"):
                yield Button("Sync", variant="primary", id="sync-go", compact=True)
                yield Button("Cancel", id="sync-cancel", compact=True)

    def on_mount(self) -> None:
        self.query_one(".dialog-error").display = False
        self.query_one(f"#sync-{PROVIDERS[0]}", Checkbox).focus()

    @on(Button.Pressed, "#sync-cancel")
    def _cancel(self) -> None:
        self.dismiss(None)

    @on(Input.Submitted)
    @on(Button.Pressed, "#sync-go")
    def _go(self) -> None:
        providers = tuple(p for p in PROVIDERS if self.query_one(f"#sync-{p}", Checkbox).value)
        if not providers:
            self.fail("Pick at least one provider." if self.configured else
                      "No provider has a key yet: set SPENDTUI_CURSOR_API_KEY (or the Anthropic / OpenAI one, or a "
                      "key_file in the config) and open this again; the Sync tab (8) shows how.")  # fmt: skip
            return
        try:
            since = self._date("#sync-since", "since")
            until = self._date("#sync-until", "until")
        except PeriodError as error:
            self.fail(str(error))
            return
        if since and until and until < since:
            self.fail(f"until {until} is before since {since}")
            return
        self.dismiss(SyncRequest(providers, since, until))

    def _date(self, selector: str, what: str):
        text = self.query_one(selector, Input).value.strip()
        return parse_date(text, what) if text else None
