"""Fixtures for the dashboard tests: one deterministic demo store per session, apps built on it, and a
way to wait for the app's workers (never for wall-clock time)."""

from __future__ import annotations

import json
import shutil
import sys
from datetime import date, datetime, timezone
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # tests/builders.py

from spendtui import demo  # noqa: E402
from spendtui.config import Settings  # noqa: E402
from spendtui.store import open_store  # noqa: E402

TODAY = date(2026, 11, 25)
NOW = datetime(2026, 11, 25, 9, 0, tzinfo=timezone.utc)
DEMO = {"seed": 42, "users": 60, "months": 4}


@pytest.fixture(scope="session")
def demo_master(tmp_path_factory) -> Path:
    """The demo org, generated once per session (about 2 s)."""
    path = tmp_path_factory.mktemp("demo") / "demo.db"
    with open_store(path) as store:
        demo.generate(store, today=TODAY, **DEMO)
    return path


@pytest.fixture
def demo_db(demo_master, tmp_path, monkeypatch) -> Path:
    """A private copy of the demo store, opened as ``demo.db`` from the test's own directory.

    The relative path keeps the store path shown on screen the same in every run (snapshots).
    """
    shutil.copy(demo_master, tmp_path / "demo.db")
    monkeypatch.chdir(tmp_path)
    return Path("demo.db")


@pytest.fixture
def make_app():
    from spendtui.tui.app import build_app

    def make(db_path: Path, **options):
        options.setdefault("settings", Settings())
        options.setdefault("today", TODAY)
        options.setdefault("now", NOW)
        return build_app(db_path=db_path, **options)

    return make


async def settle(pilot) -> None:
    """Until every worker but the store watcher is done and its messages are handled."""
    await pilot.pause()
    await pilot.app.settle()
    await pilot.pause()


async def settle_until(pilot, done, what: str, seconds: float = 60) -> None:
    """Settle until ``done()`` holds: after a key that starts a worker, idleness alone can be seen
    before the worker has even started on a loaded machine."""
    import time

    deadline = time.monotonic() + seconds
    while True:
        await settle(pilot)
        if done():
            return
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        await pilot.pause(0.05)


def no_blink(app) -> None:
    for widget in app.screen.query("Input"):
        widget.cursor_blink = False


def report_json(db, *args) -> dict:
    """What `spendtui report --format json ARGS` prints for the store on the tests' today."""
    from click.testing import CliRunner

    from spendtui.cli import cli

    result = CliRunner().invoke(cli, ["report", "--db", str(db), "--format", "json", *args],
                                env={"SPENDTUI_TODAY": TODAY.isoformat()})  # fmt: skip
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)
