"""Time the analytics behind `spendtui report` and every tab on the benchmark store (a script, not a test).

    python bench/build_store.py --db /tmp/bench.db      # once: 5,000 people x 365 days x 3 providers
    python bench/bench_report.py --db /tmp/bench.db

Reports, for a month, a quarter and a year: the in-process time of each view (best of --repeat
runs), the whole `spendtui report` process (start-up included), and peak memory.
"""

from __future__ import annotations

import argparse
import os
import resource
import subprocess
import sys
import time
from datetime import date
from pathlib import Path

from spendtui.analytics import build_view
from spendtui.analytics.query import Query, Scope
from spendtui.config import Settings
from spendtui.periods import parse_period
from spendtui.store import open_store, rollup

VIEWS = ("overview", "team", "cursor", "anthropic", "openai")


def best_of(repeat: int, work) -> tuple[float, float]:
    """Best wall-clock and best CPU seconds over ``repeat`` runs (CPU time barely moves when
    other processes load the machine; wall time is what a user waits on a quiet one)."""
    walls, cpus = [], []
    for _ in range(repeat):
        wall, cpu = time.perf_counter(), time.process_time()
        work()
        walls.append(time.perf_counter() - wall)
        cpus.append(time.process_time() - cpu)
    return min(walls), min(cpus)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", type=Path, required=True)
    parser.add_argument("--today", type=date.fromisoformat, default=date(2026, 11, 25))
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    periods = {"month": "2026-10", "quarter": None, "year": "ytd"}
    with open_store(args.db, read_only=True) as store:
        rollup.configure(store, "UTC", {}, args.today)
        query = Query(store, "UTC", args.today)
        settings = Settings()
        team = store.scalar("SELECT name FROM teams ORDER BY id LIMIT 1")
        print(f"load average at start: {os.getloadavg()[0]:.1f}")
        print(f"{'view':10} {'scope':6} {'month':>13} {'quarter':>13} {'year':>13}   (wall / CPU seconds, best of {args.repeat})")
        for view in VIEWS:
            for scope_name, scope in (("org", Scope()), ("team", Scope(team=team))):
                row = []
                for label, text in periods.items():
                    period = parse_period(None, args.today, "2026-07-01", "2026-09-30") if label == "quarter" else parse_period(text, args.today)
                    row.append(best_of(args.repeat, lambda: build_view(view, query, period, scope, settings).as_json()))
                print(f"{view:10} {scope_name:6} " + " ".join(f"{w:6.3f}/{c:6.3f}" for w, c in row))
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak memory of this process: {peak:,.0f} MiB")
    env = dict(os.environ, SPENDTUI_TODAY=args.today.isoformat())
    for text in ("2026-10", "ytd"):
        command = [sys.executable, "-m", "spendtui", "report", text, "--db", str(args.db), "--format", "json", "--read-only"]
        wall, _ = best_of(args.repeat, lambda: subprocess.run(command, env=env, check=True, capture_output=True))
        print(f"whole process `spendtui report {text} --format json`: {wall:.3f} s wall")


if __name__ == "__main__":
    main()
