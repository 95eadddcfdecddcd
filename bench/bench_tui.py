"""Dashboard timings on a big store: first paint from launch, and the repaint after a filter change.

    python bench/bench_tui.py --db /tmp/bench.db            # a store from bench/build_store.py
    python bench/bench_tui.py --build bench/out/bench.db    # build one first (5,000 people x 365 days)

Runs the real app headless (Textual's test driver) at 120x40, opening the store read-only so a
shared benchmark store is never written. "first frame" is the dashboard's chrome with its loading
state; "first data" is the Overview painted with figures. Each filter change is timed from the
change to the Overview painted again. Targets: first paint < 1.5 s, filter change < 300 ms.
"""

from __future__ import annotations

import time

STARTED = time.perf_counter()  # before Textual and the app are imported: launch cost counts

import argparse  # noqa: E402
import asyncio  # noqa: E402
import statistics  # noqa: E402
import subprocess  # noqa: E402
import sys  # noqa: E402
from dataclasses import replace  # noqa: E402
from datetime import date  # noqa: E402
from pathlib import Path  # noqa: E402

CHANGES = [
    ("period: last month", lambda f: replace(f, preset="last-month")),
    ("period: last 30 days", lambda f: replace(f, preset="30d")),
    ("period: last 7 days", lambda f: replace(f, preset="7d")),
    ("provider: Cursor", lambda f: replace(f, provider="cursor")),
    ("provider: all", lambda f: replace(f, provider=None)),
    ("period: month to date", lambda f: replace(f, preset="mtd")),
]


async def measure(db: Path, today: date) -> dict:
    from spendtui.config import Settings
    from spendtui.tui.app import build_app

    app = build_app(db_path=db, settings=Settings(), read_only=True, today=today)
    results: dict = {}
    async with app.run_test(size=(120, 40)) as pilot:
        await app.settle()
        await pilot.pause()
        results["first frame"] = app.timings["first_frame"] - STARTED
        results["first data"] = app.timings["painted:overview"] - STARTED
        results["overview query"] = app.timings["shown:overview"] - app.timings["load_started"]
        for name, change in CHANGES:
            app.timings.pop("painted:overview", None)
            began = time.perf_counter()
            app.set_filters(change(app.filters))
            await app.settle()
            await pilot.pause()
            results[f"change {name}"] = app.timings["painted:overview"] - began
        for key, tab in (("2", "team"), ("3", "cursor"), ("6", "teams")):
            began = time.perf_counter()
            await pilot.press(key)
            await app.settle()
            await pilot.pause()
            results[f"open tab {tab}"] = app.timings[f"painted:{tab}"] - began
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description="Dashboard first paint and filter-change timings.")
    parser.add_argument("--db", type=Path, help="An existing store (opened read-only).")
    parser.add_argument("--build", type=Path, help="Build a store here first with bench/build_store.py.")
    parser.add_argument("--today", default="2026-11-25")
    args = parser.parse_args()
    db = args.db
    if args.build:
        subprocess.run([sys.executable, str(Path(__file__).with_name("build_store.py")), "--db", str(args.build),
                        "--today", args.today], check=True)  # fmt: skip
        db = args.build
    if db is None:
        parser.error("give --db STORE or --build PATH")
    results = asyncio.run(measure(db, date.fromisoformat(args.today)))
    width = max(map(len, results))
    for name, seconds in results.items():
        print(f"{name:<{width}}  {seconds * 1000:8.0f} ms")
    changes = [v for k, v in results.items() if k.startswith("change ")]
    print(f"{'filter change median':<{width}}  {statistics.median(changes) * 1000:8.0f} ms")


if __name__ == "__main__":
    main()
