"""``spendtui backup``: a consistent copy of the store while syncs and the app keep using it.

SQLite's online backup API copies a snapshot of every page, so the copy is consistent even
mid-sync (WAL readers do not block writers). The copy is written next to the target under a
temporary name with mode 0600 (it holds the same spend data), checked, switched to a single-file
journal mode so it travels alone, then renamed into place: PATH never holds a half-written copy.
The kept invoice PDFs are copied into PATH's own folder (``PATH-invoices``).
"""

from __future__ import annotations

import os
import sqlite3
from dataclasses import dataclass
from pathlib import Path

from spendtui.errors import SpendtuiError, UsageError
from spendtui.store import Store
from spendtui.store.schema import copy_kept_pdfs


@dataclass(frozen=True)
class BackupResult:
    path: Path
    size: int


def backup(store: Store, target: Path | str, *, force: bool = False) -> BackupResult:
    """Copy the open store to ``target`` (a file, or a directory to put a same-named file in)."""
    path = Path(target).expanduser()
    if path.is_dir():
        path = path / store.path.name
    if path.exists() and path.resolve() == store.path.resolve():
        raise UsageError(f"{path} is the store itself; back it up somewhere else")
    if path.exists() and not force:
        raise UsageError(f"{path} already exists (pass --force to replace it)")
    if not path.parent.is_dir():
        raise UsageError(f"{path.parent} is not a directory")
    partial = path.with_name(path.name + ".partial")
    partial.unlink(missing_ok=True)
    try:
        os.close(os.open(partial, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600))
        copy = sqlite3.connect(partial, isolation_level=None)
        try:
            store.conn.backup(copy)
            copy_kept_pdfs(copy, store.path.parent, path)  # the copy owns its PDFs (restorable, removable)
            copy.execute("PRAGMA journal_mode = DELETE")
            verdict = copy.execute("PRAGMA quick_check").fetchone()[0]
        finally:
            copy.close()
        if verdict != "ok":
            raise SpendtuiError(f"the copy of {store.path} failed its integrity check: {verdict}")
        os.replace(partial, path)
    except (OSError, sqlite3.Error) as exc:
        partial.unlink(missing_ok=True)
        raise SpendtuiError(f"cannot back up {store.path} to {path}: {exc}") from None
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    return BackupResult(path, path.stat().st_size)
