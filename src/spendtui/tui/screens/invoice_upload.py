"""Invoice upload modal: vendor PDF invoices or receipts to parse and keep (like `spendtui invoice add`)."""

from __future__ import annotations

import shlex

from textual import on
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.widgets import Button, Input, Label, Select, Static

from spendtui.config import PROVIDER_NAMES, PROVIDERS
from spendtui.tui.actions import InvoiceRequest
from spendtui.tui.screens.base import Dialog
from spendtui.tui.screens.import_file import split_paths, unreadable_paths


class InvoiceUploadScreen(Dialog[InvoiceRequest | None]):
    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Static("Upload invoices", classes="dialog-title")
            yield Label("PDF files (separate with spaces; quote names with spaces):")
            yield Input(placeholder="~/Downloads/Invoice-QH4VX7TB-0009.pdf", id="invoice-paths", compact=True)
            yield Select([(PROVIDER_NAMES[p], p) for p in PROVIDERS], prompt="Provider: detect from the PDF",
                         id="invoice-provider", compact=True)  # fmt: skip
            yield Static("", classes="dialog-error")
            with Horizontal(classes="dialog-buttons"):
                yield Button("Upload", variant="primary", id="invoice-go", compact=True)
                yield Button("Cancel", id="invoice-cancel", compact=True)

    def on_mount(self) -> None:
        self.show_returned()
        self.query_one("#invoice-paths", Input).focus()

    def refill(self, request: InvoiceRequest) -> None:
        self.query_one("#invoice-paths", Input).value = shlex.join(map(str, request.paths))
        if request.provider:
            self.query_one("#invoice-provider", Select).value = request.provider

    @on(Button.Pressed, "#invoice-cancel")
    def _cancel(self) -> None:
        self.dismiss(None)

    @on(Input.Submitted)
    @on(Button.Pressed, "#invoice-go")
    def _go(self) -> None:
        try:
            paths = split_paths(self.query_one("#invoice-paths", Input).value)
        except ValueError as error:
            self.fail(f"Cannot read the file list: {error}")
            return
        if not paths:
            self.fail("Name at least one PDF file.")
            return
        if problem := unreadable_paths(paths):
            self.fail(problem)
            return
        not_pdf = [p.name for p in paths if p.suffix.lower() != ".pdf"]
        if not_pdf:
            self.fail(f"Not a PDF: {', '.join(not_pdf)}")
            return
        provider = self.query_one("#invoice-provider", Select).value
        self.dismiss(InvoiceRequest(paths, None if provider is Select.NULL else str(provider)))
