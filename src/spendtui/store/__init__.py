"""The store: one SQLite file (WAL), opened with plain sqlite3 so reading never pays for pandas.

Writers that want sqlite-utils' helpers get a ``Database`` over the same connection from
``Store.db``; that import is deferred because it loads pandas (about 0.9 s here).
"""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime, timezone
from pathlib import Path
from typing import TYPE_CHECKING, Any

from spendtui.errors import SpendtuiError, UsageError
from spendtui.store.schema import MIGRATIONS, SCHEMA_VERSION

if TYPE_CHECKING:
    import sqlite_utils

BUSY_TIMEOUT_MS = 10_000


class StoreError(SpendtuiError):
    """The store cannot be opened or used as asked."""


class ReadOnlyError(UsageError):
    """An edit was asked of a store opened read-only."""


def utc_now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


class Store:
    """An open store. Use one per thread; ``transaction()`` makes a write all-or-nothing."""

    def __init__(self, path: Path, conn: sqlite3.Connection, read_only: bool, read_only_reason: str | None):
        self.path = path
        self.conn = conn
        self.read_only = read_only
        self.read_only_reason = read_only_reason
        self._db: sqlite_utils.Database | None = None
        self._depth = 0
        self.pending_refresh: dict | None = None  # set by rollup.batched()

    @property
    def db(self) -> sqlite_utils.Database:
        if self._db is None:
            import sqlite_utils

            self._db = sqlite_utils.Database(self.conn)
        return self._db

    def close(self) -> None:
        self.conn.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def require_writable(self, action: str = "edit the store") -> None:
        if self.read_only:
            why = f" ({self.read_only_reason})" if self.read_only_reason else ""
            raise ReadOnlyError(f"cannot {action}: the store {self.path} is open read-only{why}")

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """All writes inside commit together or not at all; nesting uses savepoints."""
        self.require_writable()
        name = f"sp{self._depth}"
        if self._depth == 0:
            self.conn.execute("BEGIN IMMEDIATE")
        else:
            self.conn.execute(f"SAVEPOINT {name}")
        self._depth += 1
        try:
            yield self.conn
        except BaseException:
            self._depth -= 1
            if self._depth == 0:
                self.conn.execute("ROLLBACK")
            else:
                self.conn.execute(f"ROLLBACK TO {name}")
                self.conn.execute(f"RELEASE {name}")
            raise
        else:
            self._depth -= 1
            self.conn.execute("COMMIT" if self._depth == 0 else f"RELEASE {name}")

    def query(self, sql: str, params: Any = ()) -> list[sqlite3.Row]:
        return self.conn.execute(sql, params).fetchall()

    def tuples(self, sql: str, params: Any = ()) -> list[tuple]:
        """Rows as plain tuples: half the cost of sqlite3.Row when reading tens of thousands."""
        cursor = self.conn.cursor()
        cursor.row_factory = None
        return cursor.execute(sql, params).fetchall()

    def scalar(self, sql: str, params: Any = ()) -> Any:
        row = self.conn.execute(sql, params).fetchone()
        return None if row is None else row[0]

    def meta(self, key: str) -> str | None:
        return self.scalar("SELECT value FROM meta WHERE key = ?", (key,))

    def set_meta(self, key: str, value: str | None) -> None:
        self.conn.execute(
            "INSERT INTO meta(key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value",
            (key, value),
        )

    def data_version(self) -> int:
        """Changes whenever another connection commits: a cheap way for the app to notice a sync."""
        return self.scalar("PRAGMA data_version")

    def is_empty(self) -> bool:
        return not any(
            self.scalar(f"SELECT EXISTS (SELECT 1 FROM {table})")
            for table in ("people", "usage_facts", "period_amounts", "invoices", "teams")
        )


def _create_private(path: Path) -> None:
    """Create the file with mode 0600 before SQLite opens it (umask cannot widen it)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600)
    os.close(fd)


def upgrade_notice(path: Path, old: int, new: int) -> str:
    return f"upgrading the store {path} from schema {old} to {new}: once, and a large store takes a minute"


def open_store(
    path: Path, *, read_only: bool = False, create: bool = True, on_upgrade: Callable[[int, int], None] | None = None
) -> Store:
    """Open (creating, upgrading) the store at ``path``.

    A store written by a newer spendtui is refused. A store the user cannot write opens
    read-only with the reason kept for the app's banner. ``on_upgrade(old, new)`` hears that a
    store holding data is about to be migrated (rewriting every fact takes ~40 s for 5 M of them).
    """
    path = Path(path)
    reason = "--read-only" if read_only else None
    if not path.exists():
        if read_only or not create:
            raise StoreError(f"no store at {path} (`spendtui sync` or `spendtui import FILE` creates it; "
                             "`spendtui --demo` shows a demo org)")
        _create_private(path)
    elif not read_only and not os.access(path, os.W_OK):
        read_only, reason = True, "you cannot write this file"
    elif not read_only and not os.access(path.parent, os.W_OK):
        read_only, reason = True, "you cannot write its directory"

    try:
        if read_only:
            conn = sqlite3.connect(
                f"{path.resolve().as_uri()}?mode=ro",
                uri=True,
                timeout=BUSY_TIMEOUT_MS / 1000,
                isolation_level=None,
                check_same_thread=False,
            )
        else:
            conn = sqlite3.connect(
                path, timeout=BUSY_TIMEOUT_MS / 1000, isolation_level=None, check_same_thread=False
            )
        conn.row_factory = sqlite3.Row
        conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        conn.execute("PRAGMA foreign_keys = ON")
        # Rollup rebuilds group millions of rows: a 64 MiB page cache and in-memory sorting keep that
        # off the disk (measured: 35% faster than SQLite's 2 MiB default on the benchmark store).
        conn.execute("PRAGMA cache_size = -65536")
        conn.execute("PRAGMA temp_store = MEMORY")
        version = conn.execute("PRAGMA user_version").fetchone()[0]
    except sqlite3.DatabaseError as exc:
        raise StoreError(f"{path} is not a spendtui store: {exc}") from None

    if version > SCHEMA_VERSION:
        conn.close()
        raise StoreError(
            f"{path} was written by a newer spendtui (schema {version}; this one knows {SCHEMA_VERSION}). "
            "Upgrade spendtui to open it."
        )
    if not read_only:
        conn.execute("PRAGMA journal_mode = WAL")
        conn.execute("PRAGMA synchronous = NORMAL")
    store = Store(path, conn, read_only, reason)
    if version < SCHEMA_VERSION:
        if read_only:
            conn.close()
            raise StoreError(
                f"{path} uses schema {version} and needs an upgrade to {SCHEMA_VERSION}; "
                "open it once without --read-only, as a user who can write it"
            )
        if on_upgrade and version > 0:
            on_upgrade(version, SCHEMA_VERSION)
        migrate(store)
    return store


def migrate(store: Store, target: int = SCHEMA_VERSION) -> None:
    """Apply each missing migration in its own transaction, recording the version with it."""
    current = store.scalar("PRAGMA user_version")
    for number in range(current + 1, target + 1):
        with store.transaction() as conn:
            MIGRATIONS[number - 1](conn)
            conn.execute(f"PRAGMA user_version = {number}")
