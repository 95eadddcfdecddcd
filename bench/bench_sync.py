"""Benchmark of ``spendtui sync`` on our side: a year of data for a large org from zero-latency fakes.

The fake vendors (tests/fake_vendors.py) run in a child process, so their JSON encoding does not
compete with the sync for the interpreter. Each phase syncs in a process of its own, and the
headline is records per CPU-second of that process: our own work with the server excluded (and
steadier than wall time on a shared machine). The per-provider lines add wall time minus the time
spent waiting for the server (``http_s``). Peak memory is the sync process's max RSS.

``--split`` adds two reference phases: fetch, parse and normalise with no write at all, and the
keyed floor (the same, writing each record under its unique day-prefixed key in the same
transactions, with nothing else): what any sync that keeps every event idempotently must spend.

    python bench/bench_sync.py                      # 2,000 Cursor users, one year
    python bench/bench_sync.py --users 200 --days 30 --profile --split
"""

from __future__ import annotations

import argparse
import cProfile
import hashlib
import multiprocessing
import os
import pstats
import resource
import sys
import tempfile
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT / "src"), str(ROOT)]

from spendtui.config import BASE_URL_ENV, KEY_ENV, PROVIDERS, ProviderSettings, Settings  # noqa: E402
from spendtui.providers.http import HttpOptions  # noqa: E402

KEY = "sk-admin-BENCH-0000000000000000"
NOW = datetime(2026, 10, 7, 10, 0, tzinfo=timezone.utc)
DAY_MS = 86_400_000
MODELS = ("claude-4.5-sonnet-thinking", "gpt-5.2-codex", "default", "claude-opus-5-thinking-high")
KINDS = ("Included in Business", "Included in Business", "Usage-based", "User API Key", "Errored, Not Charged")


def _rand(*parts) -> int:
    return int.from_bytes(hashlib.blake2b(repr(parts).encode(), digest_size=8).digest(), "big")


def cursor_events(users: int, per_user_day: int):
    """Events of a window, generated on demand (a year of them would not fit a test server's memory)."""
    emails = [f"user{u:05d}@example.com" for u in range(users)]

    def events(start: int, end: int) -> list[dict]:
        out = []
        day = start - start % DAY_MS
        while day <= end:
            for u, email in enumerate(emails):
                for k in range(per_user_day):
                    r = _rand(day, u, k)
                    ts = day + r % DAY_MS
                    if not start <= ts <= end:
                        continue
                    kind = KINDS[r % len(KINDS)]
                    tin, out_t, read = r % 40_000, r % 5_000, r % 300_000
                    cents = round(tin * 1.25e-4 + out_t * 6e-4 + read * 2.5e-5, 5)
                    fee = round((tin + out_t + read) * 2.5e-5, 5)
                    charged = 0 if kind.endswith("Charged") or kind == "User API Key" else round(cents + fee, 5)
                    out.append({
                        "timestamp": str(ts), "model": MODELS[r % len(MODELS)], "kind": kind, "maxMode": r % 17 == 0,
                        "requestsCosts": 1.0, "isTokenBasedCall": True,
                        "tokenUsage": {"inputTokens": tin, "outputTokens": out_t, "cacheWriteTokens": 0,
                                       "cacheReadTokens": read, "totalCents": cents, "discountPercentOff": 0},
                        "userEmail": email, "cursorTokenFee": fee, "chargedCents": charged, "isChargeable": True,
                        "isHeadless": r % 11 == 0,
                    })  # fmt: skip
            day += DAY_MS
        out.sort(key=lambda e: -int(e["timestamp"]))
        return out

    return events, emails


def serve(conn, users: int, per_user_day: int, days: int) -> None:
    """Child process: build the fakes with a year of data and keep serving until the parent ends."""
    from tests.fake_vendors import FakeAnthropic, FakeCursor, FakeOpenAI

    events, emails = cursor_events(users, per_user_day)
    first = NOW.date() - timedelta(days=days)
    all_days = [(first + timedelta(days=i)).isoformat() for i in range(days + 1)]
    daily = []
    for d in all_days:
        ms = int(datetime.fromisoformat(d).replace(tzinfo=timezone.utc).timestamp() * 1000)
        for u, email in enumerate(emails):
            r = _rand(d, u)
            daily.append({"date": ms, "day": d, "userId": f"user_{u}", "email": email, "isActive": True,
                          "usageBasedReqs": r % 3, "subscriptionIncludedReqs": r % 5, "apiKeyReqs": r % 2,
                          "chatRequests": 1, "agentRequests": 2, "mostUsedModel": MODELS[r % 4]})  # fmt: skip
    members = {"teamMembers": [{"name": f"User {u}", "email": e, "id": f"user_{u}", "role": "member",
                                "isRemoved": False} for u, e in enumerate(emails)]}  # fmt: skip
    spend = {"teamMemberSpend": [{"email": e, "spendCents": 100, "overallSpendCents": 250} for e in emails],
             "subscriptionCycleStart": int(NOW.timestamp() * 1000) - 5 * DAY_MS}  # fmt: skip
    workspaces = [None] + [f"wrkspc_{i:02d}" for i in range(9)]
    token_types = ("input", "output", "cache_read", "cache_write")
    cost = {d: [{"amount": f"{_rand(d, w, t) % 100000 / 1000:.6f}", "currency": "USD", "workspace_id": w,
                 "description": f"Claude Sonnet 5 Usage - {t}", "model": "claude-sonnet-5", "token_type": t,
                 "cost_type": "tokens"}
                for w in workspaces for t in token_types] for d in all_days}  # fmt: skip
    usage = {d: [{"model": m, "workspace_id": w, "api_key_id": f"apikey_{k}", "uncached_input_tokens": 1000,
                  "cache_read_input_tokens": 5000, "output_tokens": 300,
                  "cache_creation": {"ephemeral_5m_input_tokens": 10, "ephemeral_1h_input_tokens": 0}}
                 for w in workspaces for m in ("claude-sonnet-5", "claude-haiku-4-5", "claude-opus-5")
                 for k in range(5)]
             for d in all_days}  # fmt: skip
    claude_code = [{"date": f"{d}T00:00:00Z", "actor": {"type": "user_actor", "email_address": emails[u]},
                    "customer_type": "subscription", "model_breakdown": [
                        {"model": "claude-sonnet-5", "tokens": {"input": 100, "output": 50, "cache_read": 900,
                                                                "cache_creation": 20},
                         "estimated_cost": {"amount": _rand(d, u) % 500, "currency": "USD"}}]}
                   for d in all_days for u in range(min(100, users))]  # fmt: skip
    projects = [f"proj_{i:02d}" for i in range(20)]
    costs = {d: [{"amount": {"value": _rand(d, p, li) % 10_000 / 1000, "currency": "usd"},
                         "line_item": f"gpt-5, {li}", "project_id": p}
                        for p in projects for li in ("input", "output", "cached input")] for d in all_days}  # fmt: skip
    completions = {d: [{"input_tokens": 9000, "input_cached_tokens": 4000, "output_tokens": 700,
                        "num_model_requests": 12, "model": m, "project_id": projects[u % 20], "user_id": f"user-{u}"}
                       for u in range(100) for m in ("gpt-5", "gpt-5-mini", "o4")] for d in all_days}  # fmt: skip
    embeddings = {d: [{"input_tokens": 50_000, "num_model_requests": 3, "model": "text-embedding-3-small",
                       "project_id": p} for p in projects] for d in all_days}  # fmt: skip
    fakes = {
        "cursor": FakeCursor(KEY, events=events, members=members, spend=spend, daily=daily),
        "anthropic": FakeAnthropic(KEY, cost=cost, usage=usage, claude_code=claude_code, api_keys=[]),
        "openai": FakeOpenAI(KEY, costs=costs, completions=completions, embeddings=embeddings),
    }
    for fake in fakes.values():
        fake.start()
    conn.send({name: fake.url for name, fake in fakes.items()})
    conn.recv()  # block until the parent is done


PHASES = {
    # label -> (providers, Cursor streams, writer: "store", "keyed" (the keyed floor) or None)
    "cursor events": (["cursor"], ("cursor.events",), "store"),
    "cursor events, fetch+parse+normalise only": (["cursor"], ("cursor.events",), None),
    "cursor events, keyed floor": (["cursor"], ("cursor.events",), "keyed"),
    "cursor daily + anthropic + openai": (None, ("cursor.daily",), "store"),
}


def keyed_floor(store, provider, stream, parts, start, end, replace, run_id) -> None:
    """The least an idempotent sync can write: each record's columns as normalised, under a unique
    day-prefixed key, in the same transactions. No people, stage, upsert, other index or rollup."""
    from spendtui.store.facts import _natural_keys

    for part in parts:
        rows = part.rows
        keys = _natural_keys(f"{provider}|{stream.name}|", rows["key"], rows["day"])
        names = [name for name in rows.columns if name != "key"]
        store.conn.execute(f"CREATE TABLE IF NOT EXISTS floor (nk BLOB NOT NULL UNIQUE, {', '.join(names)})")
        store.conn.executemany(
            f"INSERT INTO floor VALUES ({', '.join('?' * (len(names) + 1))})", zip(keys, *(rows[n] for n in names))
        )


def phase(conn, store_path: str, label: str, days: int, profile: bool) -> None:
    """Child process: one sync phase; sends back the report, its CPU seconds and the peak RSS."""
    from spendtui import sync as engine
    from spendtui.providers import cursor
    from spendtui.store import open_store

    providers, streams, writer = PHASES[label]
    cursor.PROVIDER.streams = tuple(s for s in (cursor.EVENTS, cursor.DAILY) if s.name in streams)
    if writer is None:
        engine.write_window = lambda *args, **kwargs: None  # our side without the shared fact writer
    elif writer == "keyed":
        engine.write_window = keyed_floor
    settings = Settings(providers={p: ProviderSettings(requests_per_minute=10**9) for p in PROVIDERS})
    since = NOW.date() - timedelta(days=days)
    profiler = cProfile.Profile(time.process_time_ns, 1e-9) if profile else None
    with open_store(Path(store_path)) as store:
        started = time.process_time()
        if profiler:
            profiler.enable()
        report = engine.run_sync(store, settings, providers, since, now=NOW, http=HttpOptions())
        if profiler:
            profiler.disable()
            stats = pstats.Stats(profiler)
            stats.sort_stats("tottime").print_stats(25)
            stats.sort_stats("cumulative").print_stats(40)
        cpu = time.process_time() - started
    conn.send((report, cpu, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024))


def run(args) -> None:
    parent, child = multiprocessing.Pipe()
    server = multiprocessing.Process(target=serve, args=(child, args.users, args.events, args.days), daemon=True)
    server.start()
    urls = parent.recv()
    for name, url in urls.items():
        os.environ[KEY_ENV[name]] = KEY
        os.environ[BASE_URL_ENV[name]] = url + ("/v1" if name == "openai" else "")
    labels = [label for label in PHASES if (args.split or PHASES[label][2] == "store") and args.only in label]
    print(f"spendtui sync benchmark: {args.users} Cursor users, {args.days} days, ~{args.events} events per user-day")
    with tempfile.TemporaryDirectory() as tmp:
        for label in labels:
            store_path = Path(tmp) / ("bench.db" if PHASES[label][2] == "store" else f"{PHASES[label][2]}.db")
            receive, send = multiprocessing.Pipe()
            profile = args.profile and label == labels[0]
            worker = multiprocessing.Process(target=phase, args=(send, str(store_path), label, args.days, profile))
            worker.start()
            report, cpu, peak = receive.recv()
            worker.join()
            records = sum(p.records for p in report.providers)
            print(f"  {label}: {records:,d} records in {cpu:.1f} CPU-s of the sync process -> "
                  f"{records / cpu:,.0f} records per CPU-second; peak RSS {peak:,.0f} MiB")
            for p in report.providers:
                ours = max(1e-9, p.duration_ms / 1000 - p.http_s - p.wait_s)
                print(f"    {p.provider:9s} {p.status:6s} {p.records:>9,d} records {p.requests:>6,d} requests  "
                      f"wall {p.duration_ms / 1000:6.1f}s  waiting {p.http_s:6.1f}s  ours {ours:6.1f}s -> "
                      f"{p.records / ours:>7,.0f} records/s of our wall time")  # fmt: skip
        size = sum(p.stat().st_size for p in Path(tmp).iterdir() if p.name.startswith("bench.db"))
    print(f"  store on disk: {size / 2**20:,.0f} MiB")
    parent.send("done")
    server.join(timeout=5)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--users", type=int, default=2000)
    parser.add_argument("--days", type=int, default=365)
    parser.add_argument("--events", type=int, default=3, help="events per user per day")
    parser.add_argument("--profile", action="store_true", help="profile the first phase (CPU time)")
    parser.add_argument("--split", action="store_true",
                        help="also time our side without the fact writer, and with the keyed floor's instead")
    parser.add_argument("--only", default="", metavar="TEXT", help="run only the phases whose label contains TEXT")
    multiprocessing.set_start_method("fork")
    run(parser.parse_args())
