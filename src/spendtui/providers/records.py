"""What a provider's directory calls produce, written the same way for every vendor.

Facts go through ``store.facts``; this module holds the two other kinds of record a sync writes:
vendor accounts (users, workspaces, projects, API keys, with the names the vendor gives them) and
seats from a vendor's member roster.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta

from spendtui.store import Store, utc_now
from spendtui.store.identity import normalize_email, person_ids


@dataclass(frozen=True)
class Account:
    """A vendor-side identity; ``email`` links it to a person unless an admin mapped it already."""

    kind: str
    external_id: str
    label: str | None = None
    email: str | None = None
    status: str | None = None
    attrs: dict | None = None


def write_accounts(store: Store, provider: str, accounts: Iterable[Account]) -> int:
    """Upsert accounts with the vendor's current names and status; returns how many were given.

    A label the vendor sends replaces ours (workspaces get renamed); a person an admin mapped by
    hand is kept.
    """
    accounts = list(accounts)
    if not accounts:
        return 0
    now = utc_now()
    with store.transaction() as conn:
        names = {normalize_email(a.email): a.label for a in accounts if a.email and a.kind == "user"}
        people = person_ids(store, [a.email for a in accounts if a.email], names)
        conn.executemany(
            """INSERT INTO accounts(provider, kind, external_id, label, email, person_id, status, first_seen,
                                    last_seen, attrs)
               VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
               ON CONFLICT(provider, kind, external_id) DO UPDATE SET
                 label = COALESCE(excluded.label, accounts.label),
                 email = COALESCE(excluded.email, accounts.email),
                 person_id = COALESCE(accounts.person_id, excluded.person_id),
                 status = COALESCE(excluded.status, accounts.status),
                 attrs = COALESCE(excluded.attrs, accounts.attrs),
                 last_seen = excluded.last_seen""",
            [
                (
                    provider,
                    a.kind,
                    a.external_id,
                    a.label or None,
                    normalize_email(a.email) if a.email else None,
                    people.get(normalize_email(a.email)) if a.email else None,
                    a.status,
                    now,
                    now,
                    json.dumps(a.attrs, sort_keys=True) if a.attrs else None,
                )
                for a in accounts
            ],
        )
    return len(accounts)


def write_roster_seats(
    store: Store, provider: str, plan: str, roster: Iterable[tuple[str, bool]], today: date, source: str
) -> tuple[int, int]:
    """Open a seat for each active member not holding one, close the seats of removed members.

    A roster seat has no fee of its own (NULL = the provider's configured ``seat_price``), so it
    accrues only when a price is configured. It starts on the first day the member is seen and ends
    (inclusive) on the day they are first seen removed. A member who already holds an open seat of
    this provider from another source (``seats import``) gets no second one. Returns (opened, closed).
    """
    roster = [(normalize_email(email), active) for email, active in roster if email]
    if not roster:
        return 0, 0
    day = today.isoformat()
    with store.transaction() as conn:
        known: dict[str, int | None] = dict(person_ids(store, [email for email, active in roster if active]))
        for email in [e for e, active in roster if not active]:
            row = conn.execute(
                "SELECT id FROM people WHERE email = ? UNION SELECT person_id FROM person_aliases WHERE email = ?",
                (email, email),
            ).fetchone()
            known[email] = row[0] if row else None
        open_seats = {
            row[0]
            for row in conn.execute(
                "SELECT person_id FROM seats WHERE provider = ? AND (active_to IS NULL OR active_to >= ?)",
                (provider, day),
            )
        }
        opened = closed = 0
        for email, active in roster:
            person = known.get(email)
            if person is None:
                continue
            if active and person not in open_seats:
                conn.execute(
                    """INSERT INTO seats(provider, person_id, plan, monthly_fee_nano, active_from, active_to, source)
                       VALUES (?, ?, ?, NULL, ?, NULL, ?)
                       ON CONFLICT(provider, person_id, plan, active_from) DO UPDATE SET active_to = NULL""",
                    (provider, person, plan, day, source),
                )
                open_seats.add(person)
                opened += 1
            elif not active:
                closed += conn.execute(
                    """UPDATE seats SET active_to = ? WHERE provider = ? AND person_id = ? AND plan = ?
                       AND source = ? AND active_to IS NULL""",
                    (day, provider, person, plan, source),
                ).rowcount
        if opened or closed:
            from spendtui.store import rollup

            through = store.meta("rollup.through")
            last = max(today, date.fromisoformat(through)) if through else today
            rollup.refresh(store, [provider], today - timedelta(days=1), last)
    return opened, closed
