"""Build the benchmark store: 5,000 people x 365 days x 3 providers of usage (a script, not a test).

Every person has a Cursor seat and one usage fact per provider per day, so the store holds about
5.5 million facts plus their rollups: the worst case the analytics layer is designed for.

    python bench/build_store.py --db /tmp/bench.db [--people 5000] [--days 365] [--today 2026-11-25]
"""

from __future__ import annotations

import argparse
import resource
import time
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

import numpy as np
import pandas as pd

from spendtui.money import dollars_to_nano
from spendtui.store import open_store, rollup
from spendtui.store.facts import RANK_API, FactBatch, write_facts

MODELS = {
    "cursor": ["auto", "claude-opus-5-thinking-high", "gpt-5.2-codex", "composer-1", "gemini-3-pro"],
    "anthropic": ["claude-sonnet-5", "claude-opus-5", "claude-haiku-4-5"],
    "openai": ["gpt-5.2-2026-06-01", "gpt-5-mini-2025-08-07"],
}


def build(db: Path, people: int, days: int, today: date, seed: int = 1) -> None:
    rng = np.random.default_rng(seed)
    emails = np.array([f"person{i:05d}@bench.example" for i in range(people)])
    teams = [f"Team {i:02d}" for i in range(25)]
    first = today - timedelta(days=days - 1)
    started = time.perf_counter()
    with open_store(db) as store:
        rollup.configure(store, "UTC", {}, today)
        with store.transaction() as conn, rollup.batched(store):
            now = datetime.now(timezone.utc).isoformat()
            conn.executemany("INSERT INTO people(email, created_at) VALUES (?, ?)", [(e, now) for e in emails])
            conn.executemany("INSERT INTO teams(name, created_at) VALUES (?, ?)", [(t, now) for t in teams])
            conn.execute(
                """INSERT INTO memberships(team_id, person_id, valid_from)
                   SELECT 1 + (id % 25), id, ? FROM people""",
                (first.isoformat(),),
            )
            conn.execute(
                """INSERT INTO seats(provider, person_id, plan, monthly_fee_nano, active_from, source)
                   SELECT 'cursor', id, 'cursor-teams', ?, ?, 'bench' FROM people""",
                (dollars_to_nano("40"), first.isoformat()),
            )
            for offset in range(0, days, 30):
                chunk_days = [first + timedelta(days=d) for d in range(offset, min(days, offset + 30))]
                for provider in ("cursor", "anthropic", "openai"):
                    write_facts(store, _batch(provider, chunk_days, emails, rng))
                print(f"  {chunk_days[-1]}: {time.perf_counter() - started:.0f} s", flush=True)
            print("  rolling up ...", flush=True)
        facts = store.scalar("SELECT COUNT(*) FROM usage_facts")
        roll = store.scalar("SELECT COUNT(*) FROM roll_day")
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    size = db.stat().st_size / 1_048_576
    print(f"built {db}: {facts:,} facts, {roll:,} daily rollup rows, {size:,.0f} MiB, "
          f"{time.perf_counter() - started:.0f} s, peak memory {peak:,.0f} MiB")  # fmt: skip


def _batch(provider: str, days: list[date], emails: np.ndarray, rng) -> FactBatch:
    n_people, n_days = len(emails), len(days)
    person = np.tile(np.arange(n_people), n_days)
    day_index = np.repeat(np.arange(n_days), n_people)
    day_text = np.array([d.isoformat() for d in days])[day_index]
    weekday = np.array([d.weekday() < 5 for d in days])[day_index]
    cents = np.where(weekday, rng.gamma(2.0, 150, person.size), rng.gamma(1.0, 40, person.size)).astype(np.int64)
    models = MODELS[provider]
    model = np.array(models)[rng.integers(0, len(models), person.size)]
    frame = pd.DataFrame({
        "key": pd.Series(emails[person]) + "|" + day_text,
        "product": "cursor" if provider == "cursor" else "api",
        "day": day_text,
        "email": emails[person],
        "model": model,
        "amount_nano": cents * 10_000_000,
        "tok_in": cents * 300,
        "tok_out": cents * 40,
    })  # fmt: skip
    if provider == "cursor":
        midnight = np.array([int(datetime(d.year, d.month, d.day, tzinfo=timezone.utc).timestamp() * 1000) for d in days])
        frame["ts_ms"] = midnight[day_index] + rng.integers(7, 20, person.size) * 3_600_000
        frame["category"] = np.where(rng.random(person.size) < 0.3, "included", "overage")
        frame["requests"] = np.maximum(1, cents // 4)
        frame = frame.drop(columns=["day"])
        return FactBatch("cursor", "cursor.events", "bench", RANK_API, frame)
    frame["category"] = "api"
    if provider == "openai":
        frame["requests"] = np.maximum(1, cents // 2)
    return FactBatch(provider, f"{provider}.cost", "bench", RANK_API, frame, day_buckets=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", type=Path, required=True)
    parser.add_argument("--people", type=int, default=5000)
    parser.add_argument("--days", type=int, default=365)
    parser.add_argument("--today", type=date.fromisoformat, default=date(2026, 11, 25))
    args = parser.parse_args()
    if args.db.exists():
        raise SystemExit(f"{args.db} exists; remove it first")
    build(args.db, args.people, args.days, args.today)


if __name__ == "__main__":
    main()
