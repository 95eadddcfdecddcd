"""``spendtui backup``: a consistent copy of the store while syncs and the app keep using it.

SQLite's online backup API copies a snapshot of every page, so the copy is consistent even
mid-sync (WAL readers do not block writers). The copy is written next to the target under a
temporary name with mode 0600 (it holds the same spend data), checked, switched to a single-file
journal mode so it travels alone, then renamed into place: PATH never holds a half-written copy.
The kept invoice PDFs are copied into PATH's own folder (``PATH-invoices``).
"""

from __future__ import annotations

import os
import shutil
import sqlite3
from dataclasses import dataclass
from pathlib import Path

from spendtui.errors import SpendtuiError, UsageError
from spendtui.store import Store
from spendtui.store.schema import invoice_folder_name


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
            _copy_kept_pdfs(store, copy, path)
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


def _copy_kept_pdfs(store: Store, copy: sqlite3.Connection, path: Path) -> None:
    """The invoice PDFs the store keeps go with the copy, into a folder of its own (a restored
    backup has them; removing an invoice from the copy cannot delete the store's PDF)."""
    folder = invoice_folder_name(path)
    for invoice_id, file in copy.execute("SELECT id, file FROM invoices WHERE file IS NOT NULL").fetchall():
        source = store.path.parent / file
        if not source.is_file():
            continue  # already missing from the store: the copy says the same
        target = path.parent / folder / source.name
        target.parent.mkdir(mode=0o700, exist_ok=True)
        shutil.copyfile(source, target)
        os.chmod(target, 0o600)
        copy.execute("UPDATE invoices SET file = ? WHERE id = ?", (f"{folder}/{source.name}", invoice_id))
