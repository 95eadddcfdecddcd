"""Edits that can be taken back: every change an org edit makes is recorded with its inverse.

An edit function opens ``editing(store, action, today)``, makes its changes through the
``Recorder`` (``insert`` / ``update`` / ``delete``) and names the provider days whose rollups the
changes affect (``touch``). Everything, rollup refresh included, runs in one transaction, and the
result is an ``Edit``: a description, the recorded row changes and the rollup ranges. ``Edit.undo``
reverts the rows in reverse order and refreshes the same ranges, again atomically.

Undo is optimistic: it only reverts a row that still holds what the edit wrote. If something else
changed that row since (another edit not undone first, a sync), undo refuses with ``UndoConflict``
rather than overwrite it; a row that is simply gone (a sync dropped a fact) is left gone.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from spendtui.errors import SpendtuiError
from spendtui.store import Store

# The key of each table an edit may change (the integer primary key unless named here).
_KEYS = {"person_aliases": "email", "superseded_facts": "rowid", "superseded_periods": "rowid"}
_TABLES = {
    "people", "person_aliases", "teams", "memberships", "accounts", "seats", "budgets", "alerts",
    "usage_facts", "period_amounts", "cursor_spend_snapshots", "superseded_facts", "superseded_periods",
}  # fmt: skip


class UndoConflict(SpendtuiError):
    """The store changed since the edit in a way its undo would overwrite."""


def _key(table: str) -> str:
    if table not in _TABLES:
        raise ValueError(f"org edits do not change table {table!r}")
    return _KEYS.get(table, "id")


def _row(store: Store, table: str, key: Any, columns: str = "*") -> sqlite3.Row | None:
    rows = store.query(f"SELECT {columns} FROM {table} WHERE {_key(table)} = ?", (key,))
    return rows[0] if rows else None


@dataclass(frozen=True)
class _Inserted:
    table: str
    key: Any
    values: tuple[tuple[str, Any], ...]

    def revert(self, store: Store) -> None:
        columns = [c for c, _ in self.values]
        current = _row(store, self.table, self.key, ", ".join(columns))
        if current is None:
            return
        if tuple(current) != tuple(v for _, v in self.values):
            raise UndoConflict(f"{self.table} row {self.key} is no longer as the edit left it")
        try:
            store.conn.execute(f"DELETE FROM {self.table} WHERE {_key(self.table)} = ?", (self.key,))
        except sqlite3.IntegrityError:
            raise UndoConflict(f"{self.table} row {self.key} is used by rows added later") from None


@dataclass(frozen=True)
class _Updated:
    table: str
    columns: tuple[str, ...]
    after: tuple
    rows: tuple[tuple[Any, tuple], ...]  # (key, values before)

    def revert(self, store: Store) -> None:
        key = _key(self.table)
        assignments = ", ".join(f"{c} = ?" for c in self.columns)
        for row_key, before in reversed(self.rows):
            current = _row(store, self.table, row_key, ", ".join(self.columns))
            if current is None:
                continue
            if tuple(current) != self.after:
                raise UndoConflict(f"{self.table} row {row_key} is no longer as the edit left it")
            store.conn.execute(f"UPDATE {self.table} SET {assignments} WHERE {key} = ?", (*before, row_key))


@dataclass(frozen=True)
class _Deleted:
    table: str
    rows: tuple[tuple[tuple[str, Any], ...], ...]

    def revert(self, store: Store) -> None:
        key = _key(self.table)
        for row in self.rows:
            values = dict(row)
            if _row(store, self.table, values[key], key) is not None:
                raise UndoConflict(f"{self.table} row {values[key]} exists again")
            marks = ",".join("?" * len(values))
            try:
                store.conn.execute(f"INSERT INTO {self.table} ({', '.join(values)}) VALUES ({marks})", list(values.values()))
            except sqlite3.IntegrityError as exc:
                raise UndoConflict(f"{self.table} row {values[key]} cannot come back: {exc}") from None


Change = _Inserted | _Updated | _Deleted


@dataclass
class Edit:
    """One edit as the admin made it: what it did, and how to take it back until the app closes."""

    description: str
    changes: tuple[Change, ...] = ()
    refreshes: tuple[tuple[str, date, date], ...] = ()
    details: dict[str, Any] = field(default_factory=dict)
    undone: bool = False

    @property
    def changed(self) -> bool:
        return bool(self.changes)

    def undo(self, store: Store) -> None:
        """Restore every row this edit changed and the rollups it refreshed, all or nothing."""
        if self.undone:
            raise UndoConflict(f"“{self.description}” is already undone")
        store.require_writable(f"undo “{self.description}”")
        try:
            with store.transaction():
                for change in reversed(self.changes):
                    change.revert(store)
                _refresh(store, self.refreshes)
        except UndoConflict as conflict:
            raise UndoConflict(f"cannot undo “{self.description}”: the store changed since ({conflict})") from None
        self.undone = True


class UndoLog:
    """The app's undo stack: last edit first, so each undo meets the store its edit left."""

    def __init__(self) -> None:
        self._edits: list[Edit] = []

    def record(self, edit: Edit) -> Edit:
        if edit.changed:
            self._edits.append(edit)
        return edit

    def __len__(self) -> int:
        return len(self._edits)

    @property
    def last(self) -> Edit | None:
        return self._edits[-1] if self._edits else None

    def descriptions(self) -> list[str]:
        """Newest first, as an undo menu lists them."""
        return [edit.description for edit in reversed(self._edits)]

    def undo(self, store: Store) -> Edit | None:
        """Undo the newest edit. One that conflicts can never be undone, so it leaves the log."""
        if not self._edits:
            return None
        edit = self._edits[-1]
        try:
            edit.undo(store)
        except UndoConflict:
            self._edits.pop()
            raise
        self._edits.pop()
        return edit


class Recorder:
    """Writes rows for an edit and keeps what it takes to revert them."""

    def __init__(self, store: Store, today: date | None):
        self.store = store
        self.today = today
        self.changes: list[Change] = []
        self._ranges: dict[str, tuple[date, date]] = {}
        self.description = ""
        self.details: dict[str, Any] = {}
        self.edit: Edit | None = None

    def describe(self, description: str, **details: Any) -> None:
        """Name the edit as an undo menu shows it; ``details`` carry what callers print."""
        self.description = description
        self.details = details

    def insert(self, table: str, **values: Any) -> Any:
        cursor = self.store.conn.execute(
            f"INSERT INTO {table} ({', '.join(values)}) VALUES ({','.join('?' * len(values))})", list(values.values())
        )
        key = values[_key(table)] if _key(table) in values else cursor.lastrowid
        self.changes.append(_Inserted(table, key, tuple(values.items())))
        return key

    def update(self, table: str, where: str, params: Any = (), **values: Any) -> int:
        key = _key(table)
        columns = tuple(values)
        after = tuple(values.values())
        rows = [
            (row[0], tuple(row)[1:])
            for row in self.store.query(f"SELECT {key}, {', '.join(columns)} FROM {table} WHERE {where}", params)
        ]
        rows = [(k, before) for k, before in rows if before != after]
        if not rows:
            return 0
        assignments = ", ".join(f"{c} = ?" for c in columns)
        self.store.conn.executemany(
            f"UPDATE {table} SET {assignments} WHERE {key} = ?", [(*after, k) for k, _ in rows]
        )
        self.changes.append(_Updated(table, columns, after, tuple(rows)))
        return len(rows)

    def delete(self, table: str, where: str, params: Any = ()) -> int:
        rows = self.store.query(f"SELECT * FROM {table} WHERE {where}", params)
        if not rows:
            return 0
        key = _key(table)
        self.store.conn.executemany(f"DELETE FROM {table} WHERE {key} = ?", [(row[key],) for row in rows])
        self.changes.append(_Deleted(table, tuple(tuple(zip(row.keys(), tuple(row))) for row in rows)))
        return len(rows)

    def touch(self, provider: str, first: date, last: date) -> None:
        """The rollups of ``provider`` on days first..last depend on what this edit changes."""
        if provider in self._ranges:
            a, b = self._ranges[provider]
            first, last = min(a, first), max(b, last)
        self._ranges[provider] = (first, last)

    def touch_subject_data(self, where: str, params: dict[str, Any]) -> None:
        """Touch the days of the usage facts and period amounts matching ``where`` (named params).

        ``where`` may use the columns both tables share (person_id, account_id, provider). A
        fact's vendor day may fall on the day before or after in the reporting time zone.
        """
        for provider, first, last in self.store.query(
            f"""SELECT provider, MIN(day), MAX(day) FROM usage_facts WHERE {where} GROUP BY provider
                UNION ALL
                SELECT provider, MIN(period_from), MAX(period_to) FROM period_amounts WHERE {where}
                GROUP BY provider""",
            params,
        ):
            self.touch(provider, date.fromisoformat(first) - timedelta(days=1), date.fromisoformat(last) + timedelta(days=1))

    def touch_seat(self, provider: str, active_from: str, active_to: str | None) -> None:
        """A seat accrues from its start through its end, or through the rollups' horizon when open."""
        through = self.store.meta("rollup.through")
        horizon = date.fromisoformat(through) if through else (self.today or date.today())
        last = date.fromisoformat(active_to) if active_to else horizon
        self.touch(provider, date.fromisoformat(active_from), max(last, date.fromisoformat(active_from)))

    def refresh(self) -> tuple[tuple[str, date, date], ...]:
        ranges = tuple((p, a, b) for p, (a, b) in sorted(self._ranges.items()))
        _refresh(self.store, ranges)
        return ranges


def _refresh(store: Store, ranges: tuple[tuple[str, date, date], ...]) -> None:
    from spendtui.store import rollup

    for provider, first, last in ranges:
        rollup.refresh(store, [provider], first, last)


@contextmanager
def editing(store: Store, action: str, today: date | None = None) -> Iterator[Recorder]:
    """Run an edit's writes and the rollup refresh they need in one transaction.

    ``action`` completes "cannot ..." in the read-only refusal. The body names its edit with
    ``recorder.describe(...)``; afterwards ``recorder.edit`` is the committed ``Edit``.
    """
    store.require_writable(action)
    with store.transaction():
        recorder = Recorder(store, today)
        yield recorder
        refreshed = recorder.refresh()
    recorder.edit = Edit(recorder.description, tuple(recorder.changes), refreshed, recorder.details)
