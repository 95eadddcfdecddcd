"""The help screen: every key, rendered from tui/help.md."""

from __future__ import annotations

from pathlib import Path

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.widgets import Markdown

from spendtui.tui.screens.base import Dialog

HELP_FILE = Path(__file__).resolve().parent.parent / "help.md"


class HelpScreen(Dialog[None]):
    BINDINGS = [Binding("escape,q,question_mark", "cancel", "Close")]

    def compose(self) -> ComposeResult:
        with VerticalScroll(classes="dialog help"):
            yield Markdown(HELP_FILE.read_text(encoding="utf-8"))
