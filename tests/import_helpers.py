"""Helpers for the import tests: run an import, read sums back in dollars."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

from spendtui.config import Settings
from spendtui.importers.run import FileResult, import_files
from spendtui.money import nano_to_decimal

DATA = Path(__file__).resolve().parent / "data"
VARIANTS = DATA / "import_variants"
CURSOR_EVENTS = DATA / "cursor" / "team-usage-events.csv"


def run(store, *paths, settings=None, **options) -> list[FileResult]:
    summary = import_files(store, [Path(p) for p in paths], settings or Settings(), **options)
    return summary.files


def imported(store, path, **options) -> FileResult:
    (result,) = run(store, path, **options)
    assert result.status == "imported", result.error
    return result


def dollars(store, sql: str, params=()) -> Decimal | None:
    """The exact dollar value of a SUM(amount_nano) query."""
    nano = store.scalar(sql, params)
    return None if nano is None else nano_to_decimal(nano)


def table_counts(store) -> dict[str, int]:
    names = [r[0] for r in store.query("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")]
    return {name: store.scalar(f"SELECT COUNT(*) FROM {name}") for name in names}


def rows(store, sql: str, params=()) -> list[tuple]:
    return [tuple(r) for r in store.query(sql, params)]
