"""Natural keys and vocabulary shared by the Cursor CSV importer and the Cursor API sync.

A Cursor event has no id (cursor.md 3.4, 6.1). The CSV row and the API event it came from must get
the same natural key, or the store would count the event twice. ``cursor_event_key`` defines it;
the two hot loops (``importers.cursor.parse_events``, ``providers.cursor.normalise_events``) inline
it as an f-string, and a test syncs events and then imports their export to hold all three equal.
"""

from __future__ import annotations

from collections.abc import Iterable

from spendtui.store.identity import normalize_email

# Kinds (API and CSV spellings, compared lower-case) -> (category, counts as a request).
_CURSOR_KINDS = {
    "on-demand": ("overage", True),
    "usage-based": ("overage", True),
    "included": ("included", True),
    "errored, not charged": ("none", False),
    "aborted, not charged": ("none", False),
    "user api key": ("none", True),
    "free": ("none", True),
}


def normalize_cursor_model(model: str | None) -> str:
    """Cursor's Auto is ``default`` in the API and ``auto`` in the export; we store ``auto``."""
    name = (model or "").strip().lower()
    return "auto" if name == "default" else name


def cursor_event_prefix(
    ts_ms: int, email: str, model: str, tok_in: int, tok_cache_write: int, tok_cache_read: int, tok_out: int
) -> str:
    """The key of an event without its occurrence index (see ``cursor_event_key``)."""
    return (
        f"{ts_ms}|{normalize_email(email)}|{normalize_cursor_model(model)}|"
        f"{tok_in}|{tok_cache_write}|{tok_cache_read}|{tok_out}"
    )


def cursor_event_key(
    ts_ms: int,
    email: str,
    model: str,
    tok_in: int,
    tok_cache_write: int,
    tok_cache_read: int,
    tok_out: int,
    occurrence: int = 0,
) -> str:
    """The natural key of one Cursor usage event, the same from the CSV export and from the API.

    Tokens are the four disjoint buckets: ``tok_in`` uncached input (API ``inputTokens``, CSV
    ``Input (w/o Cache Write)``), ``tok_cache_write`` (``cacheWriteTokens``, CSV ``Input (w/ Cache
    Write)``), cache read, output. ``occurrence`` is 0, 1, 2... among events of one file or one API
    answer with the same prefix, so two genuinely identical events stay two.
    """
    return f"{cursor_event_prefix(ts_ms, email, model, tok_in, tok_cache_write, tok_cache_read, tok_out)}|{occurrence}"


def with_occurrence(prefixes: Iterable[str]) -> list[str]:
    """Append ``|n`` to each prefix: n counts earlier equal prefixes in the sequence (0 for the first)."""
    seen: dict[str, int] = {}
    keys = []
    for prefix in prefixes:
        n = seen.get(prefix, 0)
        seen[prefix] = n + 1
        keys.append(f"{prefix}|{n}")
    return keys


def cursor_kind_class(kind: str | None) -> tuple[str, int] | None:
    """(category, requests) of a Cursor event kind either spelling names, whatever its amount; None
    for a kind we do not know, whose class depends on whether it carries a cost."""
    name = (kind or "").strip().lower()
    known = _CURSOR_KINDS.get(name) or (("included", True) if name.startswith("included in ") else None)
    return (known[0], int(known[1])) if known else None


def cursor_category(kind: str | None, amount_nano: int | None) -> tuple[str, int]:
    """(category, requests) of a Cursor event by its kind (metrics.md "Category", "Requests").

    Unknown kinds are kept as they are: spend (``overage``) when they carry a cost, else ``none``.
    """
    return cursor_kind_class(kind) or ("overage" if amount_nano else "none", 1)

