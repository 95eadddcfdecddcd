"""SVG snapshots of every tab at 120x40 and the Overview at 80x24, on the fixed demo store.

Plain ``def`` tests (snap_compare runs its own event loop); each waits for the app's workers and
turns the cursor blink off before the picture is taken. Update with ``pytest --snapshot-update``
after looking at the report.
"""

from __future__ import annotations

import pytest
from conftest import no_blink, settle


async def layout_settled(pilot, app, tries: int = 40) -> None:
    """Wait until no scrolling region changes size between two pauses: tables updated in place can
    grow a refresh after the workers are done, and a picture taken then shows a scrollbar between
    two positions (seen on a loaded machine)."""

    def sizes():
        return [(w.id, w.virtual_size, w.size) for w in app.screen.query("*") if w.is_scrollable]

    before = sizes()
    for _ in range(tries):
        await pilot.pause(0.05)
        now = sizes()
        if now == before:
            return
        before = now


def shot(snap_compare, app, size, keys=()):
    async def run_before(pilot):
        await settle(pilot)
        for key in keys:
            await pilot.press(key)
            await settle(pilot)
        no_blink(app)
        await pilot.pause()
        await layout_settled(pilot, app)

    return snap_compare(app, terminal_size=size, run_before=run_before)


@pytest.mark.parametrize(
    ("name", "keys"),
    [("overview", ()), ("team", ("2",)), ("cursor", ("3",)), ("anthropic", ("4",)), ("openai", ("5",)),
     ("teams", ("6",)), ("invoices", ("7",)), ("sync", ("8",))],
)  # fmt: skip
def test_tab(snap_compare, demo_db, make_app, name, keys):
    """Each tab filled from the demo org: KPI cards, charts, tables; nothing says Loading."""
    assert shot(snap_compare, make_app(demo_db), (120, 40), keys)


def test_overview_small_terminal(snap_compare, demo_db, make_app):
    """80x24: cards wrap three to a row, the filter bar and summary stay on screen."""
    assert shot(snap_compare, make_app(demo_db), (80, 24))


def test_sync_modal(snap_compare, demo_db, make_app):
    """The sync dialog over the Overview: three providers unticked (no keys), dates, buttons."""
    assert shot(snap_compare, make_app(demo_db), (120, 40), ("y",))
