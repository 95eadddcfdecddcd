"""The frame every modal shares: a titled dialog, Escape to cancel, a field-error line."""

from __future__ import annotations

from typing import TypeVar

from textual.binding import Binding
from textual.screen import ModalScreen
from textual.widgets import Static

T = TypeVar("T")


class Dialog(ModalScreen[T]):
    BINDINGS = [Binding("escape", "cancel", "Cancel")]

    def action_cancel(self) -> None:
        self.dismiss(None)

    def fail(self, text: str) -> None:
        """Say what is wrong with the form (the dialog stays open)."""
        error = self.query_one(".dialog-error", Static)
        error.update(text)
        error.display = True
