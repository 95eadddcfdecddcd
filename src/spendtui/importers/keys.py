"""Natural keys shared by importers and provider sync, so a CSV row and an API record of the same
thing collapse into one fact (the API's rank then wins)."""

from __future__ import annotations


def normalize_cursor_model(model: str) -> str:
    """Cursor's Auto model is ``default`` in the API and ``auto`` in the CSV export: store ``auto``."""
    name = model.strip().lower()
    return "auto" if name == "default" else name


def cursor_event_key(
    ts_ms: int,
    email: str,
    model: str,
    tok_in: int,
    tok_cache_write: int,
    tok_cache_read: int,
    tok_out: int,
    occurrence: int,
) -> str:
    """Cursor usage events carry no id: the instant, user, model and token counts nearly identify one.

    ``occurrence`` (0, 1, ...) keeps genuine duplicates apart within one batch.
    """
    return (
        f"{ts_ms}|{email.strip().lower()}|{normalize_cursor_model(model)}|"
        f"{tok_in}|{tok_cache_write}|{tok_cache_read}|{tok_out}|{occurrence}"
    )
