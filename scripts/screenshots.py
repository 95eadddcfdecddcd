"""Screenshots of every tab and modal of the dashboard on the demo org, as SVG and PNG.

    python scripts/screenshots.py [--out screenshots] [--db PATH] [--only NAME...]

Builds a demo store (seed 42, today 2026-11-25) unless --db names one, drives the app headless with
Textual's Pilot, saves SVGs, and converts them to PNG with rsvg-convert (apt-get install librsvg2-bin).
"""

from __future__ import annotations

import argparse
import asyncio
import shutil
import subprocess
import sys
import tempfile
from datetime import date, datetime, timezone
from pathlib import Path

from spendtui import demo
from spendtui.config import Settings
from spendtui.store import open_store
from spendtui.tui.app import build_app

TODAY = date(2026, 11, 25)
NOW = datetime(2026, 11, 25, 9, 0, tzinfo=timezone.utc)

# name, terminal size, keys to press after the first tab has loaded
SHOTS = [
    ("overview", (120, 40), []),
    ("overview-80x24", (80, 24), []),
    ("overview-200x60", (200, 60), []),
    ("team", (120, 40), ["2"]),
    ("cursor", (120, 40), ["3"]),
    ("anthropic", (120, 40), ["4"]),
    ("openai", (120, 40), ["5"]),
    ("teams", (120, 40), ["6"]),
    ("invoices", (120, 40), ["7"]),
    ("sync", (120, 40), ["8"]),
    ("modal-help", (120, 40), ["question_mark"]),
    ("modal-sync", (120, 40), ["y"]),
    ("modal-import", (120, 40), ["i"]),
    ("modal-invoice", (120, 40), ["u"]),
    ("modal-teams", (120, 40), ["6", "t"]),
]


def make_store(path: Path) -> None:
    with open_store(path) as store:
        demo.generate(store, today=TODAY, seed=42, users=150, months=14)


async def shoot(db: Path, out: Path, name: str, size: tuple[int, int], keys: list[str]) -> Path:
    app = build_app(db_path=db, settings=Settings(), today=TODAY, now=NOW)
    async with app.run_test(size=size) as pilot:
        await settle(pilot)
        for key in keys:
            await pilot.press(key)
            await settle(pilot)
        for widget in app.screen.query("Input"):
            widget.cursor_blink = False
        await pilot.pause(0.3)
        return Path(app.save_screenshot(f"{name}.svg", path=str(out)))


async def settle(pilot) -> None:
    await pilot.pause()
    await pilot.app.settle()
    await pilot.pause(0.2)


def to_png(svg: Path) -> None:
    if not shutil.which("rsvg-convert"):
        print("rsvg-convert not found (apt-get install librsvg2-bin): SVG only", file=sys.stderr)
        return
    subprocess.run(["rsvg-convert", "--format=png", "-o", str(svg.with_suffix(".png")), str(svg)], check=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=Path("screenshots"))
    parser.add_argument("--db", type=Path)
    parser.add_argument("--only", nargs="*")
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    db = args.db
    if db is None:
        db = Path(tempfile.mkdtemp(prefix="spendtui-shots-")) / "demo.db"
        make_store(db)
    for name, size, keys in SHOTS:
        if args.only and name not in args.only:
            continue
        svg = asyncio.run(shoot(db, args.out.resolve(), name, size, keys))
        to_png(svg)
        print(svg.with_suffix(".png"))


if __name__ == "__main__":
    main()
