"""The app as a whole: empty store, export, refresh on outside writes, palette, demo generation, errors."""

from __future__ import annotations

import ast
import csv
import json
import shlex
from dataclasses import replace
from pathlib import Path

from builders import cursor_event, write_cursor
from conftest import TODAY, report_json, settle

from textual.widgets import Select

from spendtui.money import dollars_to_nano, format_usd
from spendtui.store import open_store
from spendtui.tui.widgets.empty import EMPTY_STORE, EmptyState
from spendtui.tui.widgets.kpi import KpiCard
from spendtui.tui.widgets.table import SpendTable

SRC = Path(__file__).resolve().parents[2] / "src" / "spendtui"


async def test_empty_store_says_what_to_do_next(make_app, tmp_path):
    app = make_app(tmp_path / "new.db")
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        state = app.query_one("#overview-state", EmptyState)
        assert state.display and str(state.render()) == EMPTY_STORE
        assert not app.query_one("#budget-banner").display  # no budget, nothing past it
        assert "spendtui --demo" in EMPTY_STORE and "spendtui import" in EMPTY_STORE
        await pilot.press("8")  # the Sync tab works on an empty store: it is how one connects
        await settle(pilot)
        assert not app.query_one("#sync-state", EmptyState).display
        setup = str(app.query_one("#sync-setup").render())
        assert "SPENDTUI_CURSOR_API_KEY" in setup and "SPENDTUI_OPENAI_ADMIN_KEY" in setup
        assert app.query_one("#sync-history", SpendTable).rows == []
        await pilot.press("7")
        await settle(pilot)
        invoices = app.query_one("#invoices-table", SpendTable)
        assert "press u to upload" in str(invoices.query_one(".table-empty").render())


async def test_a_period_with_nothing_in_it_says_where_the_data_is(make_app, tmp_path):
    with open_store(tmp_path / "old.db", create=True) as store:  # last month's export, opened on month to date
        write_cursor(store, [cursor_event("2026-10-05T10:00:00Z", "a@x.com", "1.00")])
    app = make_app(tmp_path / "old.db")
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        note = str(app.query_one("#overview-person-note").render())
        assert note == "Nothing in this period: the store holds 2026-10-05 → 2026-10-05 (p picks another period)."


async def test_export_writes_the_focused_table_as_shown(demo_db, make_app, tmp_path):
    app = make_app(demo_db)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        models = app.query_one("#overview-models-table", SpendTable)
        models.grid.focus()
        await pilot.press("s", "s", "s")  # sort by the third column (Spend), largest first
        await pilot.press("e")
        await settle(pilot)
        written = sorted(tmp_path.glob("spendtui-overview-overview-models-table-*.csv"))
        assert len(written) == 1
        assert any(str(written[0]) in n.message for n in app._notifications)
        with open(written[0], encoding="utf-8") as handle:
            rows = list(csv.reader(handle))
        assert rows[0] == ["Model", "Provider", "Spend", "Requests", "Share"]
        assert [r[0] for r in rows[1:]] == [r["model"] for r in models.rows]
        spends = [r["spend"] for r in models.rows]
        assert spends == sorted(spends, reverse=True)
        top = next(m for m in report_json(demo_db)["models"] if (m["model"], m["provider"]) == tuple(rows[1][:2]))
        assert rows[1][2] == top["spend"]  # plain dollars, as `spendtui report` writes them


async def test_dashboard_refreshes_when_another_process_writes(demo_db, make_app):
    app = make_app(demo_db, poll_seconds=0.2)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        before = app.query_one("#kpi-total", KpiCard).value
        with open_store(demo_db) as other:  # like a headless `spendtui sync` committing
            write_cursor(other, [cursor_event(f"{TODAY}T10:00:00Z", "alice@acme-robotics.example", "1000.00")])
        for _ in range(50):
            await pilot.pause(0.1)
            await settle(pilot)
            if app.query_one("#kpi-total", KpiCard).value != before:
                break
        after = app.query_one("#kpi-total", KpiCard).value
        assert after != before
        assert "alice@acme-robotics.example" in [e for e, _ in app.info.people]


async def test_refresh_key_reloads_the_visible_tab(demo_db, make_app):
    app = make_app(demo_db)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        generation = app.generation
        await pilot.press("r")
        await settle(pilot)
        assert app.generation > generation and app.loaded["overview"] == app.generation


async def test_palette_offers_every_action(demo_db, make_app):
    app = make_app(demo_db)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        titles = [c.title for c in app.get_system_commands(app.screen)]
        for wanted in ("Show Overview", "Show Sync", "Period: Last month", "Provider: Cursor", "Scope: team Growth",
                       "Refresh", "Export table to CSV", "Sort table", "Sync now", "Import CSV", "Upload invoice",
                       "Edit teams", "Help"):  # fmt: skip
            assert wanted in titles, wanted
        command = next(c for c in app.get_system_commands(app.screen) if c.title == "Provider: OpenAI")
        command.callback()
        await settle(pilot)
        assert app.filters.provider == "openai"
        assert "OpenAI" in str(app.query_one("#filter-summary").render())


async def test_generate_demo_shows_at_once_then_loads(make_app, tmp_path):
    app = make_app(tmp_path / "demo.db", generate_demo=True, demo_size={"users": 60, "months": 2})
    async with app.run_test(size=(120, 40)) as pilot:
        # no pause: the worker is generating now (a pause waits for the process to go idle)
        assert "Generating the demo org" in str(app.query_one("#overview-state").render())
        await settle(pilot)
        assert not app.query_one("#overview-state").display
        assert app.query_one("#kpi-total", KpiCard).value.startswith("$")
        assert any("Demo org: 60 people" in n.message for n in app._notifications)


async def test_missing_read_only_store_is_an_error_state_not_a_crash(make_app, tmp_path):
    app = make_app(tmp_path / "absent.db", read_only=True)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        state = app.query_one("#overview-state", EmptyState)
        assert "Cannot open the store" in str(state.render()) and "no store at" in str(state.render())


async def test_no_color_and_small_terminal(demo_db, make_app, monkeypatch):
    monkeypatch.setenv("NO_COLOR", "1")
    app = make_app(demo_db)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        assert app.no_color
        assert "-narrow" in app.screen.classes
        daily = app.query_one("#overview-daily")
        assert daily.spec is not None and not daily.spec.is_empty
        assert "█" in str(daily.query_one(".chart-canvas").render())  # series drawn by fill character


def test_nothing_outside_tui_imports_textual():
    offenders = []
    for path in SRC.rglob("*.py"):
        if "tui" in path.relative_to(SRC).parts:
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = [a.name for a in node.names] if isinstance(node, ast.Import) else (
                [node.module or ""] if isinstance(node, ast.ImportFrom) else [])  # fmt: skip
            offenders += [f"{path.name}: {n}" for n in names if n.split(".")[0] in ("textual", "textual_plotext")]
    assert offenders == []


def test_the_ui_writes_no_sql():
    """The UI reads through analytics and writes through headless functions: no SQL, no sqlite3."""
    for path in (SRC / "tui").rglob("*.py"):
        text = path.read_text(encoding="utf-8")
        assert "import sqlite3" not in text, path
        assert ".query(\"SELECT" not in text and ".execute(" not in text, path


async def test_a_big_table_shows_its_first_rows_but_sorts_and_exports_them_all():
    """5,000 people would hold the UI thread for seconds in a DataTable; the grid shows the first
    MAX_SHOWN as sorted, and sorting and export still see every row."""
    from textual.app import App

    from spendtui.tui.widgets.table import MAX_SHOWN, Column

    rows = [{"user": f"u{i:04d}@x.com", "spend": i * 1_000_000_000} for i in range(MAX_SHOWN + 700)]

    class One(App):
        def compose(self):
            yield SpendTable("Users", [Column("user", "User"), Column("spend", "Spend", "money")])

    app = One()
    async with app.run_test(size=(80, 24)) as pilot:
        table = app.query_one(SpendTable)
        table.set_rows(rows)
        table.sort_by("spend", reverse=True)
        await pilot.pause()
        assert table.grid.row_count == MAX_SHOWN
        assert table.cell_text(0, "spend") == "$1,199.00"  # the largest of all rows, not of the first 500
        assert "500 of 1,200" in str(table.query_one(".table-more").render())
        assert len(table.export_rows()[1]) == MAX_SHOWN + 700
        table.set_rows(rows[:10])
        await pilot.pause()
        assert table.grid.row_count == 10 and not table.query_one(".table-more").display


def typed(text: str) -> list[str]:
    return ["space" if ch == " " else ch for ch in text]


async def test_s_sorts_the_tab_s_table_straight_after_switching_to_it(demo_db, make_app):
    app = make_app(demo_db)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("p", "escape", "3")  # the focus was last in the period filter
        await settle(pilot)
        users = app.query_one("#cursor-users", SpendTable)
        await pilot.press("s")
        assert users.sort_column == "person"
        await pilot.press("S")
        assert users.sort_column == "person" and users.sort_reverse


async def test_enter_and_escape_hand_the_keys_back_from_a_filter_input(demo_db, make_app):
    """In a text input every key is text; applying with Enter, or Escape, gives the shortcuts back."""
    from datetime import date

    from textual.widgets import Input, Select

    from spendtui.tui.filters import Filters

    app = make_app(demo_db)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        email, name = next((e, n) for e, n in app.info.people if n)
        await pilot.press("slash", *typed(name))
        shown = {b.description for _, b, _, _ in app.screen.active_bindings.values() if b.show}
        assert {"Apply", "Back to the tab"} <= shown  # the footer is not empty while typing
        await pilot.press("enter")
        await settle(pilot)
        assert app.filters.user == email
        assert not isinstance(app.focused, Input)
        await pilot.press("3")
        await settle(pilot)
        assert app.active_view == "cursor"
        person = app.query_one("#filter-person", Input)
        assert person.value == email
        await pilot.press("slash", "q", "u", "escape")  # typed, not applied: put back
        assert person.value == email and not isinstance(app.focused, Input)
        await pilot.press("x")
        await settle(pilot)
        assert app.filters == Filters()
        app.query_one("#filter-period", Select).value = "custom"
        await pilot.pause()
        assert app.focused is app.query_one("#filter-from", Input)
        await pilot.press(*"2026-10-01", "enter", *"2026-10-31", "enter")
        await settle(pilot)
        assert app.filters.preset == "custom"
        assert (app.filters.start, app.filters.end) == (date(2026, 10, 1), date(2026, 10, 31))
        assert not isinstance(app.focused, Input)
        await pilot.press("u")  # a shortcut again (the upload dialog), not a letter after the date
        await pilot.pause()
        assert app.query_one("#filter-to", Input).value == "2026-10-31"
        assert type(app.screen).__name__ == "InvoiceUploadScreen"
        await pilot.press("escape", "x")
        await settle(pilot)
        app.query_one("#filter-period", Select).value = "custom"
        await pilot.pause()
        await pilot.press("escape")  # Custom… without dates, left: the period in force is shown again
        await pilot.pause()
        assert app.query_one("#filter-period", Select).value == app.filters.preset == "mtd"
        assert not app.query_one("#filter-custom").display


async def test_the_filter_bar_fits_80_columns_with_custom_dates(demo_db, make_app):
    from textual.widgets import Select

    app = make_app(demo_db)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        for width in (80, 110):
            await pilot.resize_terminal(width, 24)
            app.query_one("#filter-period", Select).value = "custom"
            await pilot.pause()
            for row in ("#filter-controls", "#filter-custom"):
                controls = [w for w in app.query(f"{row} > *") if w.display]
                right = 0
                for widget in controls:
                    assert widget.region.x >= right and widget.region.right <= width, (width, widget)
                    right = widget.region.right
            assert app.query_one("#filter-provider").region.width >= len("All providers  ▼")
            assert app.query_one("#filter-to").region.width > len("YYYY-MM-DD")
            app.query_one("#filter-period", Select).value = "mtd"
            await settle(pilot)


def shown_text(widget) -> str:
    """What a widget shows, its lines joined with spaces."""
    from textual.geometry import Region

    lines = widget.render_lines(Region(0, 0, widget.size.width, widget.size.height))
    return " ".join(" ".join(line.text.split()) for line in lines).strip()


async def test_kpi_labels_and_notes_are_shown_whole(demo_db, make_app):
    """Anthropic's longer labels and notes wrap instead of ending in an ellipsis, at both sizes."""
    for size in ((200, 60), (80, 24)):
        app = make_app(demo_db)
        async with app.run_test(size=size) as pilot:
            await settle(pilot)
            await pilot.press("4")
            await settle(pilot)
            cards = list(app.query_one("#anthropic-body").query(KpiCard))
            assert any(card._label == "Claude Code (estimated)" for card in cards)
            for card in cards:
                for part, text in ((".kpi-label", card._label), (".kpi-note", card.note)):
                    assert shown_text(card.query_one(part)) == " ".join(text.split()), (size, text)
            heights = {card.region.height for card in cards if card.region.y == cards[0].region.y}
            assert len(heights) == 1  # a row of cards is even


async def test_footer_keeps_help_and_quit_at_80_columns(demo_db, make_app):
    from textual.widgets._footer import FooterKey

    app = make_app(demo_db)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("4")
        await settle(pilot)
        app.query_one("#anthropic-model-table", SpendTable).grid.focus()  # a table adds "s Sort"
        await settle(pilot)
        keys = list(app.screen.query(FooterKey))
        palette = next(k for k in keys if k.has_class("-command-palette"))
        for wanted in ("Help", "Quit", "Sort", "Tabs"):
            key = next(k for k in keys if k.description == wanted)
            assert key.region.right <= palette.region.x, wanted


async def test_the_app_starts_with_the_focus_on_the_tab_not_the_period_filter(demo_db, make_app):
    app = make_app(demo_db)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        assert not any(node.id == "filter-period" for node in [app.focused, *app.focused.ancestors])
        await pilot.press("down")  # on the period filter this opened its menu
        await settle(pilot)
        assert not app.query_one("#filter-period", Select).expanded


async def test_the_report_command_prints_the_figures_the_tab_shows(demo_db, make_app, monkeypatch):
    from click.testing import CliRunner

    from spendtui.cli import cli

    app = make_app(demo_db)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("3")
        team = app.info.teams[0]
        app.set_filters(replace(app.filters.with_scope(team=team), provider="anthropic"))  # another tab's provider
        await settle(pilot)
        shown = app.query_one("#cursor-spend", KpiCard).value
        was = app.query_one("#cursor-change", KpiCard).note
        await pilot.press("c")
        command = app.report_command()
        assert [n.message for n in app._notifications] == [command]
        await pilot.press("8", "c")
        assert [n.message for n in app._notifications] == [f"spendtui status --db {demo_db.resolve()}"]
    assert shlex.split(command) == ["spendtui", "report", "mtd", "--team", team, "--view", "cursor",
                                    "--db", str(demo_db.resolve())]  # fmt: skip
    monkeypatch.setenv("SPENDTUI_TODAY", TODAY.isoformat())
    result = CliRunner().invoke(cli, [*shlex.split(command)[1:], "--format", "json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert format_usd(dollars_to_nano(data["spend"])) == shown.lstrip("~")
    assert was == f"was {format_usd(dollars_to_nano(data['previous_spend']))}"  # the same previous period


async def test_budgets_past_their_thresholds_head_the_dashboard(demo_db, make_app):
    app = make_app(demo_db)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        line = app.query_one("#budget-banner")
        narrow = str(line.render())
        assert line.display and line.size.height == 1 and len(narrow) <= 78
        assert narrow.startswith("Over budget (tab 2): ") and narrow.endswith(" more")
        await pilot.resize_terminal(200, 40)
        await settle(pilot)
        wide = str(line.render())
        assert len(wide) > len(narrow) and wide.startswith(narrow.rsplit(", ", 1)[0])


def test_every_tab_has_a_headless_command():
    from spendtui.analytics import REPORT_VIEWS
    from spendtui.tui.app import LISTING_COMMANDS
    from spendtui.tui.tabs import TAB_CLASSES

    assert sorted(cls.view_id for cls in TAB_CLASSES) == sorted([*REPORT_VIEWS, *LISTING_COMMANDS])


async def test_a_notice_that_expires_as_the_app_closes_paints_nothing(demo_db, make_app):
    app = make_app(demo_db)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        app.notify("Closing", timeout=0)
    app._repaint_after_notice()  # its repaint timer, firing with no screen left (a crash in CI once)


async def test_page_down_from_the_tab_strip_pages_the_tab(demo_db, make_app):
    from textual.widgets import Tabs

    app = make_app(demo_db)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("2")
        await settle(pilot)
        assert isinstance(app.focused, Tabs)
        body = app.tab("team").body
        await pilot.press("pagedown")
        await pilot.pause()
        assert body.scroll_y > 0
        await pilot.press("pageup")
        await pilot.pause()
        assert body.scroll_y == 0
