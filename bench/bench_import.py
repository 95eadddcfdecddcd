"""Benchmark: import a 1,000,000-row Cursor usage events export and compare it with the bare floor.

    python bench/bench_import.py [--rows 1000000] [--runs 2] [--profile]

Generates ``bench/out/usage-events-bench.csv`` (v4 team header, ~2,000 users over 30 days; kept
between runs), then measures, each in its own process so peak memory (``ru_maxrss``) is its own:

- floor:    pandas ``read_csv`` of the file (``dtype=str``) + one ``executemany`` of its columns into
            a plain SQLite table, in one transaction;
- keyed:    the floor + a unique 16-byte key per row (what idempotency alone costs, nothing else);
- import:   ``spendtui.importers.run.import_files`` into a fresh store;
- reimport: the same rows again into that store, from a copy with one extra blank line (so the sha
            shortcut does not apply and every row goes through the upsert path).

Targets (issue 4): import <= 2x floor, peak memory < 1.5 GB, reimport no slower than import.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import subprocess
import sys
import time
from pathlib import Path

OUT = Path(__file__).resolve().parent / "out"
HEADER = ["Date", "User", "Cloud Agent ID", "Automation ID", "Kind", "Model", "Max Mode", "Input (w/ Cache Write)",
          "Input (w/o Cache Write)", "Cache Read", "Output Tokens", "Total Tokens", "Cost"]  # fmt: skip
# model -> (input $/M, output $/M, writes cache): illustrative prices only
MODELS = {
    "auto": (1.25, 6.0, False), "claude-4.5-sonnet-thinking": (3.0, 15.0, True),
    "claude-opus-5-thinking-high": (5.0, 25.0, True), "gpt-5.2-codex": (1.25, 10.0, False),
    "gemini-3-pro-preview": (2.0, 12.0, False), "gpt-5-mini": (0.25, 2.0, False),
    "claude-4.5-haiku": (1.0, 5.0, True), "grok-code-fast-1": (0.2, 1.5, False),
}  # fmt: skip
MODEL_WEIGHTS = [0.30, 0.22, 0.08, 0.14, 0.06, 0.08, 0.07, 0.05]
KINDS = ["Included", "On-Demand", "Errored, Not Charged", "Aborted, Not Charged", "User API Key", "free"]
KIND_WEIGHTS = [0.58, 0.33, 0.04, 0.01, 0.03, 0.01]


def generate(path: Path, rows: int, users: int = 2000, days: int = 30, seed: int = 4) -> None:
    """A realistic export: newest first, fully quoted, token buckets disjoint, Cost in dollars."""
    import numpy as np
    import pandas as pd

    rng = np.random.default_rng(seed)
    start_ms = 1_788_220_800_000  # 2026-09-01T00:00:00Z
    ts = np.sort(rng.integers(start_ms, start_ms + days * 86_400_000, rows))[::-1]
    activity = rng.pareto(1.5, users) + 0.2  # a few heavy users, many light ones
    user = rng.choice(users, rows, p=activity / activity.sum())
    emails = np.array([f"dev{i:04d}@acme-corp.example" for i in range(users)], dtype=object)
    kind = rng.choice(len(KINDS), rows, p=KIND_WEIGHTS)
    model = rng.choice(len(MODELS), rows, p=MODEL_WEIGHTS)
    names = list(MODELS)
    price_in = np.array([MODELS[m][0] for m in names])[model]
    price_out = np.array([MODELS[m][1] for m in names])[model]
    caches = np.array([MODELS[m][2] for m in names])[model]
    charged = kind < 2  # Included, On-Demand
    counted = charged | (kind == 5)
    uncached = np.where(counted, rng.exponential(9_000, rows), 0).astype(np.int64)
    written = np.where(counted & caches, rng.exponential(16_000, rows), 0).astype(np.int64)
    read = np.where(counted, rng.exponential(140_000, rows), 0).astype(np.int64)
    out = np.where(counted, rng.exponential(3_200, rows), 0).astype(np.int64)
    dollars = (uncached * price_in + written * price_in * 1.25 + read * price_in * 0.1 + out * price_out) / 1e6
    cost = np.where(charged, np.char.mod("%.2f", dollars).astype(object), np.where(kind == 5, "Free", "-"))
    dates = pd.to_datetime(ts, unit="ms", utc=True).strftime("%Y-%m-%dT%H:%M:%S.%f").str[:-3] + "Z"
    agent = np.where(rng.random(rows) < 0.03, [f"bc-{x:016x}" for x in rng.integers(0, 2**62, rows)], "")
    frame = pd.DataFrame(
        {
            "Date": dates,
            "User": emails[user],
            "Cloud Agent ID": agent,
            "Automation ID": "",
            "Kind": np.array(KINDS, dtype=object)[kind],
            "Model": np.array(names, dtype=object)[model],
            "Max Mode": np.where(rng.random(rows) < 0.05, "Yes", "No"),
            "Input (w/ Cache Write)": written,
            "Input (w/o Cache Write)": uncached,
            "Cache Read": read,
            "Output Tokens": out,
            "Total Tokens": written + uncached + read + out,
            "Cost": cost,
        }
    )
    import csv

    frame.to_csv(path, index=False, quoting=csv.QUOTE_ALL, lineterminator="\n")


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux: KiB


def cpu_seconds() -> float:
    """User + system time of this process: steadier than wall time on a machine others share."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def phase_floor(csv_path: Path, db: Path, keyed: bool = False) -> dict:
    """The floor; ``keyed`` adds what idempotency alone demands: a unique 16-byte key per row.

    The keyed floor hashes each row's text into a day-prefixed key (as the store's keys are, with
    the import's page cache) and stores it in a UNIQUE column: no parsing, people, categories,
    other indexes or rollups. What it costs over the floor is what no idempotent import can avoid.
    """
    import sqlite3

    import pandas as pd

    started = time.perf_counter()
    frame = pd.read_csv(csv_path, dtype=str, keep_default_na=False)
    read = time.perf_counter() - started
    columns = [frame[c].tolist() for c in frame.columns]
    conn = sqlite3.connect(db, isolation_level=None)
    conn.execute("PRAGMA journal_mode = WAL")
    conn.execute("PRAGMA synchronous = NORMAL")
    names = [f"c{i}" for i in range(frame.shape[1])]
    if keyed:
        from spendtui.importers.run import WRITE_CACHE_KIB
        from spendtui.store.facts import day_key, natural_key

        conn.execute(f"PRAGMA cache_size = -{WRITE_CACHE_KIB}")
        columns.append([day_key(row[0][:10], natural_key("\x1f".join(row))) for row in zip(*columns)])
        names.append("nk BLOB NOT NULL UNIQUE")
    conn.execute(f"CREATE TABLE floor ({', '.join(names)})")
    conn.execute("BEGIN")
    conn.executemany(f"INSERT INTO floor VALUES ({', '.join('?' * len(columns))})", zip(*columns))
    conn.execute("COMMIT")
    conn.close()
    return {"seconds": time.perf_counter() - started, "read_seconds": read, "rows": len(frame)}


def phase_import(csv_path: Path, db: Path, profile: bool) -> dict:
    from spendtui.config import Settings
    from spendtui.importers.run import import_files
    from spendtui.store import open_store

    store = open_store(db)
    profiler = None
    if profile:
        import cProfile

        profiler = cProfile.Profile()
        profiler.enable()
    started = time.perf_counter()
    (result,) = import_files(store, [csv_path], Settings()).files
    seconds = time.perf_counter() - started
    if profiler:
        import pstats

        profiler.disable()
        pstats.Stats(profiler, stream=sys.stderr).sort_stats("cumulative").print_stats(35)
    store.close()
    if result.status != "imported":
        raise SystemExit(f"import failed: {result.status} {result.error}")
    return {"seconds": seconds, "rows": result.rows, "new": result.new, "replaced": result.replaced,
            "skipped": result.skipped}  # fmt: skip


def child(args) -> None:
    """One measured phase, in this fresh process; prints its numbers as JSON."""
    csv_path, db = Path(args.csv), Path(args.db)
    import pandas  # noqa: F401  (imported before the clock starts, as the floor's would be)

    from spendtui.importers import run  # noqa: F401

    started_cpu = cpu_seconds()
    if args.phase in ("floor", "keyed"):
        numbers = phase_floor(csv_path, db, keyed=args.phase == "keyed")
    else:
        numbers = phase_import(csv_path, db, args.profile)
    numbers["peak_mb"] = peak_mb()
    numbers["cpu"] = cpu_seconds() - started_cpu
    print(json.dumps(numbers))


def run_phase(phase: str, csv_path: Path, db: Path, profile: bool = False) -> dict:
    command = [sys.executable, __file__, "--phase", phase, "--csv", str(csv_path), "--db", str(db)]
    if profile:
        command.append("--profile")
    done = subprocess.run(command, capture_output=True, text=True)
    if profile or done.returncode:
        sys.stderr.write(done.stderr)
    done.check_returncode()
    return json.loads(done.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=1, help="repeat the measurements (the machine is shared)")
    parser.add_argument("--profile", action="store_true", help="cProfile the first import")
    parser.add_argument("--phase", help=argparse.SUPPRESS)
    parser.add_argument("--csv", help=argparse.SUPPRESS)
    parser.add_argument("--db", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.phase:
        child(args)
        return

    OUT.mkdir(parents=True, exist_ok=True)
    csv_path = OUT / ("usage-events-bench.csv" if args.rows == 1_000_000 else f"usage-events-bench-{args.rows}.csv")
    if not csv_path.exists():
        started = time.perf_counter()
        generate(csv_path, args.rows)
        print(f"generated {csv_path} ({csv_path.stat().st_size / 1e6:.0f} MB) in {time.perf_counter() - started:.1f} s")
    copy = OUT / "usage-events-bench-copy.csv"
    shutil.copyfile(csv_path, copy)
    with open(copy, "ab") as handle:
        handle.write(b"\n")  # a different sha256, the same rows

    for run in range(1, args.runs + 1):
        for name in ("floor.db", "keyed.db", "store.db"):
            for suffix in ("", "-wal", "-shm"):
                Path(f"{OUT / name}{suffix}").unlink(missing_ok=True)
        floor = run_phase("floor", csv_path, OUT / "floor.db")
        keyed = run_phase("keyed", csv_path, OUT / "keyed.db")
        first = run_phase("import", csv_path, OUT / "store.db", profile=args.profile and run == 1)
        again = run_phase("import", copy, OUT / "store.db")
        print(f"run {run}: {args.rows:,} rows, load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
        print(f"  floor     {floor['seconds']:6.1f} s wall {floor['cpu']:6.1f} s cpu  peak {floor['peak_mb']:5.0f} MB"
              f"  (read_csv {floor['read_seconds']:.1f} s)")  # fmt: skip
        print(f"  keyed     {keyed['seconds']:6.1f} s wall {keyed['cpu']:6.1f} s cpu  peak {keyed['peak_mb']:5.0f} MB"
              f"  = {keyed['seconds'] / floor['seconds']:.2f}x floor wall: the floor + a unique key per row")  # fmt: skip
        print(f"  import    {first['seconds']:6.1f} s wall {first['cpu']:6.1f} s cpu  peak {first['peak_mb']:5.0f} MB"
              f"  = {first['seconds'] / floor['seconds']:.2f}x floor wall, {first['cpu'] / floor['cpu']:.2f}x cpu;"
              f"  new {first['new']:,}")  # fmt: skip
        print(f"  reimport  {again['seconds']:6.1f} s wall {again['cpu']:6.1f} s cpu  peak {again['peak_mb']:5.0f} MB"
              f"  = {again['seconds'] / first['seconds']:.2f}x import wall, {again['cpu'] / first['cpu']:.2f}x cpu;"
              f"  new {again['new']:,} replaced {again['replaced']:,} skipped {again['skipped']:,}")  # fmt: skip


if __name__ == "__main__":
    main()
