"""What a tab shows instead of figures: loading, an empty store (with what to do next), or an error."""

from __future__ import annotations

from textual.widgets import Static

EMPTY_STORE = (
    "No spend data in this store yet.\n\n"
    "• Connect an API: set SPENDTUI_CURSOR_API_KEY, SPENDTUI_ANTHROPIC_ADMIN_KEY or SPENDTUI_OPENAI_ADMIN_KEY "
    "(or key_file in config.toml), then press y to sync (or run `spendtui sync`).\n"
    "• Import a CSV export: press i (or run `spendtui import FILE.csv`).\n"
    "• Just looking? Run `spendtui --demo` for a generated demo org."
)


class EmptyState(Static):
    """A centred note; ``kind`` (loading/empty/error) picks its style."""

    DEFAULT_CSS = """
    EmptyState { padding: 1 2; color: $text-muted; height: auto; }
    EmptyState.-error { color: $error; }
    """

    def __init__(self, text: str = "Loading…", *, id: str | None = None) -> None:
        super().__init__(text, id=id, markup=False)

    def say(self, text: str, kind: str = "empty") -> None:
        self.update(text)
        self.set_class(kind == "error", "-error")
