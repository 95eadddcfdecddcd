"""Finding the team or person an edit names, with messages that say what exists instead."""

from __future__ import annotations

import sqlite3

from spendtui.errors import UsageError
from spendtui.org.edit import Recorder
from spendtui.org.validate import email as valid_email
from spendtui.store import Store, utc_now


def find_team(store: Store, name: str) -> sqlite3.Row:
    """The team called ``name`` (any case)."""
    wanted = " ".join((name or "").split())
    rows = store.query("SELECT * FROM teams WHERE name = ? COLLATE NOCASE", (wanted,))
    if not rows:
        rows = [r for r in store.query("SELECT * FROM teams") if r["name"].casefold() == wanted.casefold()]
    if not rows:
        known = ", ".join(r[0] for r in store.query("SELECT name FROM teams ORDER BY name COLLATE NOCASE")) or "none yet"
        raise UsageError(f"no team named {name!r} (teams: {known})")
    return rows[0]


def team_taken(store: Store, name: str, except_id: int | None = None) -> str | None:
    """The existing team whose name equals ``name`` ignoring case (Unicode-aware), if any."""
    for team_id, existing in store.query("SELECT id, name FROM teams"):
        if team_id != except_id and existing.casefold() == name.casefold():
            return existing
    return None


def find_person(store: Store, address: str) -> int | None:
    """The person with this email or alias, if known."""
    wanted = valid_email(address)
    return store.scalar(
        "SELECT id FROM people WHERE email = ? UNION ALL SELECT person_id FROM person_aliases WHERE email = ?",
        (wanted, wanted),
    )


def require_person(store: Store, address: str) -> int:
    person = find_person(store, address)
    if person is None:
        raise UsageError(f"no person with email {address!r} (see `spendtui people list`)")
    return person


def person_for(recorder: Recorder, address: str) -> int:
    """The person with this email, created (undoably) when the admin names someone new."""
    person = find_person(recorder.store, address)
    if person is None:
        person = recorder.insert("people", email=valid_email(address), created_at=utc_now())
    return person
