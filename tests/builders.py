"""Tiny builders for hand-made stores: tests state their data literally and compute expectations by hand."""

from __future__ import annotations

from datetime import date, datetime, timezone

from spendtui.money import dollars_to_nano
from spendtui.store import rollup
from spendtui.store.facts import RANK_API, FactBatch, write_facts, write_period_amounts


def ts(text: str) -> int:
    """Epoch ms of an ISO instant such as '2026-10-31T23:30:00Z'."""
    return int(datetime.fromisoformat(text.replace("Z", "+00:00")).astimezone(timezone.utc).timestamp() * 1000)


def cursor_event(when: str, email: str, dollars: str, *, model="auto", category="overage", requests=1, key=None):
    return {
        "key": key or f"{when}|{email}|{model}|{category}",
        "product": "cursor",
        "ts_ms": ts(when),
        "email": email,
        "model": model,
        "kind": {"overage": "Usage-based", "included": "Included in Business"}.get(category, category),
        "category": category,
        "amount_nano": dollars_to_nano(dollars),
        "requests": requests,
    }


def write_cursor(store, events):
    return write_facts(store, FactBatch("cursor", "cursor.events", "cursor.api.events", RANK_API, events))


def day_cost(day: str, account: str, dollars: str, *, model: str, email: str | None = None):
    row = {"key": f"{day}|{account}|{model}|{email}", "product": "api", "day": day, "model": model,
           "category": "api", "amount_nano": dollars_to_nano(dollars)}  # fmt: skip
    if email:
        row["email"] = email
    else:
        row.update(account_kind="workspace", account_id=account)
    return row


def write_day_costs(store, provider: str, rows):
    stream = f"{provider}.cost"
    return write_facts(store, FactBatch(provider, stream, f"{provider}.api.cost", RANK_API, rows, day_buckets=True))


def write_usage(store, provider: str, rows):
    stream = f"{provider}.usage"
    return write_facts(store, FactBatch(provider, stream, f"{provider}.api.usage", RANK_API, rows, day_buckets=True))


def write_spread(store, provider: str, rows):
    return write_period_amounts(store, provider, f"{provider}.period", "test", RANK_API, rows)


def add_team(store, name: str, members: list[tuple[str, str, str | None]]):
    """members: (email, valid_from, valid_to exclusive or None)."""
    from spendtui.store.identity import person_ids

    with store.transaction() as conn:
        conn.execute("INSERT INTO teams(name, created_at) VALUES (?, 'test')", (name,))
        team_id = store.scalar("SELECT id FROM teams WHERE name = ?", (name,))
        ids = person_ids(store, [m[0] for m in members])
        conn.executemany(
            "INSERT INTO memberships(team_id, person_id, valid_from, valid_to) VALUES (?, ?, ?, ?)",
            [(team_id, ids[e], a, b) for e, a, b in members],
        )
    return team_id


def add_seat(store, provider, email, plan, monthly_dollars, active_from, active_to=None, *, today: date):
    from spendtui.store.identity import person_ids

    with store.transaction() as conn:
        pid = person_ids(store, [email])[email]
        conn.execute(
            "INSERT INTO seats(provider, person_id, plan, monthly_fee_nano, active_from, active_to, source) "
            "VALUES (?, ?, ?, ?, ?, ?, 'test')",
            (provider, pid, plan, dollars_to_nano(monthly_dollars), active_from, active_to),
        )
        rollup.refresh(store, [provider], date.fromisoformat(active_from), today)
