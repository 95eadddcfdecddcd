"""The frame every modal shares: a titled dialog, Escape to cancel, a field-error line."""

from __future__ import annotations

from typing import TypeVar

from textual.binding import Binding
from textual.screen import ModalScreen
from textual.widgets import Static

T = TypeVar("T")


class Dialog(ModalScreen[T]):
    """``request`` and ``error``: the form as the user sent it and why its work failed, shown again
    so that a file refused while reading is fixed in place, not typed anew."""

    BINDINGS = [Binding("escape", "cancel", "Cancel")]

    def __init__(self, request: T | None = None, error: str | None = None) -> None:
        super().__init__()
        self.request = request
        self.error = error

    def show_returned(self) -> None:
        """On mount: the form as it was sent and why it failed, when the dialog comes back with them."""
        self.query_one(".dialog-error").display = False
        if self.request is not None:
            self.refill(self.request)
        if self.error:
            self.fail(self.error)

    def refill(self, request: T) -> None:
        """Put a request's values back into the form's fields (dialogs that come back override it)."""

    def action_cancel(self) -> None:
        self.dismiss(None)

    def fail(self, text: str) -> None:
        """Say what is wrong with the form (the dialog stays open)."""
        error = self.query_one(".dialog-error", Static)
        error.update(text)
        error.display = True
