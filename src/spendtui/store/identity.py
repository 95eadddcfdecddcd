"""People and vendor accounts: find or create them in bulk, by email or by vendor id."""

from __future__ import annotations

from collections.abc import Iterable

from spendtui.store import Store, utc_now


def normalize_email(email: str) -> str:
    return email.strip().lower()


def is_email(value: str) -> bool:
    local, at, domain = value.partition("@")
    return bool(at and local and "." in domain and " " not in value and not domain.startswith("."))


def person_ids(store: Store, emails: Iterable[str], names: dict[str, str] | None = None) -> dict[str, int]:
    """Map each email (normalised) to its person, creating people that are new."""
    wanted = {normalize_email(e) for e in emails if e and e.strip()}
    if not wanted:
        return {}
    found: dict[str, int] = {}
    rows = list(wanted)
    for start in range(0, len(rows), 500):
        chunk = rows[start : start + 500]
        marks = ",".join("?" * len(chunk))
        for row in store.query(f"SELECT email, id FROM people WHERE email IN ({marks})", chunk):
            found[row[0]] = row[1]
        for row in store.query(f"SELECT email, person_id FROM person_aliases WHERE email IN ({marks})", chunk):
            found[row[0]] = row[1]
    missing = sorted(wanted - found.keys())
    if missing:
        now = utc_now()
        names = names or {}
        store.conn.executemany(
            "INSERT INTO people(email, name, created_at) VALUES (?, ?, ?)",
            [(e, names.get(e) or None, now) for e in missing],
        )
        for start in range(0, len(missing), 500):
            chunk = missing[start : start + 500]
            marks = ",".join("?" * len(chunk))
            for row in store.query(f"SELECT email, id FROM people WHERE email IN ({marks})", chunk):
                found[row[0]] = row[1]
    return found


def account_ids(
    store: Store, provider: str, accounts: Iterable[tuple[str, str, str | None]]
) -> dict[tuple[str, str], int]:
    """Map (kind, external_id) to accounts.id for one provider, creating new accounts.

    ``accounts`` yields (kind, external_id, label); a known account keeps its label unless it had none.
    """
    wanted: dict[tuple[str, str], str | None] = {}
    for kind, external_id, label in accounts:
        if label or (kind, external_id) not in wanted:
            wanted[(kind, external_id)] = label
    if not wanted:
        return {}
    named = _known_by_label(store, provider, wanted)
    wanted = {key: label for key, label in wanted.items() if key not in named}
    now = utc_now()
    store.conn.executemany(
        """INSERT INTO accounts(provider, kind, external_id, label, first_seen, last_seen)
           VALUES (?, ?, ?, ?, ?, ?)
           ON CONFLICT(provider, kind, external_id) DO UPDATE SET
             label = COALESCE(accounts.label, excluded.label), last_seen = excluded.last_seen""",
        [(provider, k, x, label, now, now) for (k, x), label in wanted.items()],
    )
    return named | {
        (row[0], row[1]): row[2]
        for row in store.query("SELECT kind, external_id, id FROM accounts WHERE provider = ?", (provider,))
        if (row[0], row[1]) in wanted
    }


def _known_by_label(store: Store, provider: str, wanted: dict[tuple[str, str], str | None]) -> dict[tuple[str, str], int]:
    """API keys a source names only by their name (its id is its label: Anthropic's token CSV) that
    are known under their id (from the API or the cost export): the same key, one account. A name
    that has an account of its own already keeps using it."""
    names = {external for (kind, external), label in wanted.items() if kind == "api_key" and external == label}
    found = {name: named_account(store, provider, "api_key", name) for name in names}
    return {("api_key", name): ids[1] for name, ids in found.items() if ids[0] is None and ids[1] is not None}


def named_account(store: Store, provider: str, kind: str, name: str) -> tuple[int | None, int | None]:
    """(the account whose id is ``name``, the one account with another id whose label it is): a key
    an export names only by its name and the key the API lists by id under that name are one key."""
    by_id, by_label = None, []
    for account_id, external in store.query(
        "SELECT id, external_id FROM accounts WHERE provider = ? AND kind = ? AND (external_id = ? OR label = ?)",
        (provider, kind, name, name),
    ):
        if external == name:
            by_id = account_id
        else:
            by_label.append(account_id)
    return by_id, (by_label[0] if len(by_label) == 1 else None)
