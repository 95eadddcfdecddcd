"""Modal screens: opened by key, usable by keyboard, Escape cancels, requests reach their adapter."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from pathlib import Path
from threading import Event

import pytest

from conftest import TODAY, settle, settle_until
from textual.widgets import Checkbox, Input, Select

from spendtui.config import ProviderSettings, Settings
from spendtui.store import open_store
from spendtui.tui import actions
from spendtui.tui.screens.help import HELP_FILE, HelpScreen
from spendtui.tui.screens.import_file import ImportScreen
from spendtui.tui.screens.invoice_upload import InvoiceUploadScreen
from spendtui.tui.screens.sync import SyncScreen
from spendtui.tui.screens.sync_progress import SyncProgressScreen
from tests.fake_vendors import FakeCursor, point_env
from spendtui.tui.screens.team_editor import TeamEditorScreen


def messages(app) -> list[str]:
    return [n.message for n in app._notifications]


async def test_each_modal_opens_by_key_and_escape_cancels(demo_db, make_app):
    app = make_app(demo_db)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        for key, screen in (("y", SyncScreen), ("i", ImportScreen), ("u", InvoiceUploadScreen),
                            ("t", TeamEditorScreen), ("question_mark", HelpScreen)):  # fmt: skip
            await pilot.press(key)
            await pilot.pause()
            assert isinstance(app.screen, screen), key
            await pilot.press("escape")
            await pilot.pause()
            assert not isinstance(app.screen, screen), key
        assert not [w for w in app.workers if w.group == "action"]  # nothing ran


KEY = "key_tui_sync_0123456789abcdef"
FAST = Settings(providers={p: ProviderSettings(requests_per_minute=100_000) for p in ("cursor", "anthropic", "openai")})


@pytest.fixture
def cursor_api(monkeypatch):
    fake = FakeCursor(KEY, slow_s=1.0).start()
    point_env(monkeypatch, {"cursor": fake}, KEY)
    yield fake
    fake.stop()


async def start_sync(pilot, since: str) -> None:
    await pilot.press("y")
    await pilot.pause()
    assert isinstance(pilot.app.screen, SyncScreen)
    checked = [c.value for c in pilot.app.screen.query(Checkbox)]
    assert checked == [True, False, False]  # only Cursor has a key: it is chosen
    pilot.app.screen.query_one("#sync-since", Input).value = since
    pilot.app.screen.query_one("#sync-go").press()
    await pilot.pause()


async def test_sync_from_the_dashboard_runs_the_engine_with_progress(db_path, make_app, cursor_api):
    """The same engine as `spendtui sync`: the fixture's events land, the progress screen sums up."""
    app = make_app(db_path, settings=FAST)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await start_sync(pilot, "2026-10-01")
        assert isinstance(app.screen, SyncProgressScreen)
        await settle_until(pilot, lambda: app.screen.finished, "the sync to finish")
        summary = str(app.screen.query_one("#sync-summary").render())
        assert summary.startswith("Cursor:") and "records" in summary
        assert str(app.screen.query_one("#sync-title").render()) == "Sync done"
        await pilot.press("escape")
        await settle(pilot)
        assert not isinstance(app.screen, SyncProgressScreen)
    with open_store(db_path) as store:
        assert store.scalar("SELECT COUNT(*) FROM usage_facts WHERE stream = 'cursor.events'") == 8
        assert store.scalar("SELECT status FROM sync_runs WHERE provider = 'cursor'") == "ok"


def test_the_dashboard_sync_summary_carries_the_runs_warnings(db_path, monkeypatch):
    """An answer too short to replace ours is added and said so in the summary the sync screen shows."""
    now = datetime(2026, 10, 7, 10, 0, tzinfo=timezone.utc)
    stamp = int(now.timestamp() * 1000) - 3_600_000
    fake = FakeCursor(KEY, events=[{"timestamp": str(stamp - i * 60_000), "userEmail": "a@example.com",
                                    "model": "default", "kind": "Usage-based", "chargedCents": 1}
                                   for i in range(25)]).start()  # fmt: skip
    point_env(monkeypatch, {"cursor": fake}, KEY)
    try:
        request = actions.SyncRequest(("cursor",), since=now.date() - timedelta(days=2))
        assert "warning" not in actions.run_sync(db_path, FAST, request, print, Event(), now=now).text
        fake.events = []
        done = actions.run_sync(db_path, FAST, request, print, Event(), now=now + timedelta(hours=1))
    finally:
        fake.stop()
    assert "\nCursor: warning: cursor.events 2026-10-" in done.text
    assert "the vendor now answers 0 records where it answered 25 before" in done.text


def test_the_dashboard_dry_run_counts_against_the_store(store):
    from tests.import_helpers import CURSOR_EVENTS

    request = actions.ImportRequest((CURSOR_EVENTS,), "auto", None, True)
    first = actions.run_import(store, Settings(), request).text
    assert first == ("team-usage-events.csv: cursor-events, 8 rows would be read, 8 new, 0 replaced, 0 skipped "
                     "(dry run: nothing written)")  # fmt: skip
    assert store.scalar("SELECT COUNT(*) FROM usage_facts") == 0


async def test_a_dashboard_sync_can_be_cancelled(db_path, make_app, cursor_api):
    cursor_api.fail("/teams/members", "held")
    app = make_app(db_path, settings=FAST)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await start_sync(pilot, "2026-10-01")
        await pilot.press("escape")  # while the first answer is still on its way
        cursor_api.released.set()
        await settle_until(pilot, lambda: app.screen.finished, "the cancelled sync to stop")
        assert str(app.screen.query_one("#sync-title").render()) == "Sync cancelled"
        assert not app.screen.query_one("#error-cursor").display  # a cancel is no error to explain
    with open_store(db_path) as store:
        assert store.scalar("SELECT status FROM sync_runs WHERE provider = 'cursor'") == "cancelled"


async def test_sync_modal_validates_before_closing(demo_db, make_app):
    app = make_app(demo_db)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("y")
        await pilot.pause()
        app.screen.query_one("#sync-go").press()
        await pilot.pause()
        assert isinstance(app.screen, SyncScreen)  # no key set here: that is what it says
        assert "No provider has a key yet: set SPENDTUI_CURSOR_API_KEY" in str(app.screen.query_one(".dialog-error").render())
        app.screen.query_one("#sync-anthropic", Checkbox).value = True
        app.screen.query_one("#sync-since", Input).value = "2026-13-01"
        app.screen.query_one("#sync-go").press()
        await pilot.pause()
        assert "YYYY-MM-DD" in str(app.screen.query_one(".dialog-error").render())


async def test_import_modal_checks_files_and_calls_the_adapter(demo_db, make_app, monkeypatch, tmp_path):
    calls = []

    def fake_import(store, settings, request):
        calls.append(request)
        return actions.Done(f"imported {len(request.paths)} file")

    monkeypatch.setattr(actions, "run_import", fake_import)
    export = tmp_path / "team usage.csv"
    export.write_text("Date,User,Kind\n", encoding="utf-8")
    app = make_app(demo_db)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("i", *"missing.csv", "enter")
        await pilot.pause()
        assert isinstance(app.screen, ImportScreen)
        assert "No such file" in str(app.screen.query_one(".dialog-error").render())
        app.screen.query_one("#import-paths", Input).value = str(tmp_path)
        await pilot.press("enter")
        await pilot.pause()
        assert str(app.screen.query_one(".dialog-error").render()) == f"A folder, not a file: {tmp_path}"
        app.screen.query_one("#import-paths", Input).value = f'"{export}"'
        await pilot.press("enter")
        await settle(pilot)
        assert not isinstance(app.screen, ImportScreen)
        assert calls == [actions.ImportRequest((export,), "auto", None, False)]
        assert "imported 1 file" in messages(app)


async def open_team_editor(pilot) -> TeamEditorScreen:
    await settle(pilot)
    await pilot.press("t")
    await pilot.pause()
    assert isinstance(pilot.app.screen, TeamEditorScreen)
    return pilot.app.screen


async def test_team_editor_adds_members_through_spendtui_org(demo_db, make_app):
    app = make_app(demo_db)
    async with app.run_test(size=(120, 40)) as pilot:
        editor = await open_team_editor(pilot)
        assert str(editor.query_one("#team-op", Select).value) == "add-member"
        editor.query_one("#team-name", Select).value = "Growth"
        editor.query_one("#team-emails", Input).value = "not-an-email"
        editor.query_one("#team-go").press()
        await pilot.pause()
        assert "Not an email" in str(editor.query_one(".dialog-error").render())
        editor.query_one("#team-emails", Input).value = "new.hire@acme-robotics.example"
        editor.query_one("#team-emails", Input).focus()
        await pilot.press("enter")
        await settle(pilot)
        assert not isinstance(app.screen, TeamEditorScreen)
        assert membership(demo_db) == TODAY.isoformat()
        assert "Undo last edit" in [c.title for c in app.get_system_commands(app.screen)]
        await pilot.press("ctrl+z")
        await settle(pilot)
        assert membership(demo_db) is None
        assert any(m.startswith("Undone: ") for m in messages(app))
        await pilot.press("ctrl+z")
        assert any("Nothing to undo" in m for m in messages(app))


def membership(db) -> str | None:
    with open_store(db) as store:
        return store.scalar(
            """SELECT m.valid_from FROM memberships m JOIN people p ON p.id = m.person_id JOIN teams t ON t.id = m.team_id
               WHERE p.email = 'new.hire@acme-robotics.example' AND t.name = 'Growth'"""
        )


async def test_invoice_upload_refuses_a_non_pdf(demo_db, make_app, tmp_path):
    text = tmp_path / "invoice.txt"
    text.write_text("not a pdf", encoding="utf-8")
    app = make_app(demo_db)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("u")
        await pilot.pause()
        app.screen.query_one("#invoice-paths", Input).value = str(text)
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, InvoiceUploadScreen)
        assert "Not a PDF" in str(app.screen.query_one(".dialog-error").render())
        damaged = tmp_path / "Invoice 0012.pdf"
        damaged.write_bytes(b"%PDF-1.7\n1 0 obj")  # a download cut short
        app.screen.query_one("#invoice-paths", Input).value = f'"{damaged}"'
        app.screen.query_one("#invoice-provider", Select).value = "cursor"
        await pilot.press("enter")
        # refused while reading: the dialog comes back as it was sent, saying why
        await settle_until(pilot, lambda: isinstance(app.screen, InvoiceUploadScreen) and app.screen.error, "refusal")
        assert "damaged PDF" in str(app.screen.query_one(".dialog-error").render())
        assert app.screen.query_one("#invoice-paths", Input).value == f"'{damaged}'"
        assert app.screen.query_one("#invoice-provider", Select).value == "cursor"


def test_an_upload_where_some_files_fail_warns_in_the_modal_s_words(store):
    pdfs = Path(__file__).resolve().parent.parent / "data" / "invoices"
    request = actions.InvoiceRequest((pdfs / "openai-business.pdf", pdfs / "unknown-layout.pdf", pdfs / "image-only.pdf"))
    done = actions.add_invoices(store, Settings(), request)
    assert done.severity == "warning"
    stored, unknown, scan = done.text.splitlines()
    assert "stored openai invoice" in stored
    assert "choose it in the Provider list" in unknown and "--provider" not in unknown
    assert scan == ("image-only.pdf: not stored: the PDF has no text layer (a scan or a picture): "
                    "download the invoice from the vendor's billing portal as a PDF")  # fmt: skip


async def test_read_only_refuses_every_edit_with_a_banner(demo_db, make_app):
    app = make_app(demo_db, read_only=True)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        banner = app.query_one("#banner")
        assert banner.display and "READ-ONLY" in str(banner.render())
        for key in ("y", "i", "u", "t"):
            await pilot.press(key)
            await pilot.pause()
            assert app.screen is app.screen_stack[0], key
        assert sum("read-only" in m for m in messages(app)) == 4
        await pilot.press("8")
        await settle(pilot)
        assert app.query_one("#sync-now").disabled
        assert "Sync now" not in [c.title for c in app.get_system_commands(app.screen)]


async def test_help_lists_every_key_binding(demo_db, make_app):
    app = make_app(demo_db)
    text = HELP_FILE.read_text(encoding="utf-8")
    names = {"question_mark": "?", "slash": "/"}
    for binding in app.BINDINGS:
        assert f"`{names.get(binding.key, binding.key)}`" in text, binding.key
    from spendtui.tui.widgets.table import SortableDataTable

    for binding in SortableDataTable.BINDINGS:
        assert f"`{binding.key}`" in text


async def test_import_modal_imports_a_vendor_export_for_real(demo_db, make_app):
    """Through importers.run: the Cursor events export lands and the dashboard reloads."""
    export = Path(__file__).resolve().parents[1] / "data" / "cursor" / "team-usage-events.csv"
    app = make_app(demo_db)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        generation = app.generation
        await pilot.press("i")
        await pilot.pause()
        assert "auto" in [str(v) for _, v in app.screen.query_one("#import-format", Select)._options]
        app.screen.query_one("#import-paths", Input).value = str(export)
        await pilot.press("enter")
        await settle_until(pilot, lambda: app.generation > generation, "the figures to reload after the import")
        assert any("team-usage-events.csv: imported as #" in m for m in messages(app))
    with open_store(demo_db) as store:
        assert store.scalar("SELECT COUNT(*) FROM imports") == 1


async def test_import_modal_says_whose_an_individual_export_is(demo_db, make_app):
    """A Cursor export with no User column: the modal's "Whose export" field, not the CLI's --user."""
    export = Path(__file__).resolve().parents[1] / "data" / "import_variants" / "cursor_v3_individual.csv"
    app = make_app(demo_db)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("i")
        await pilot.pause()
        for field in app.screen.query(Input):  # every hint is readable at 80 columns
            assert len(field.placeholder) < field.content_size.width, field.placeholder
        app.screen.query_one("#import-paths", Input).value = str(export)
        await pilot.press("enter")
        # The refusal brings the dialog back with the file still named in it, the reason shown.
        await settle_until(pilot, lambda: isinstance(app.screen, ImportScreen) and app.screen.error, "the refusal")
        refusal = str(app.screen.query_one(".dialog-error").render())
        assert "has no User column" in refusal and "Whose export" in refusal and "--user" not in refusal
        assert app.screen.query_one("#import-paths", Input).value == str(export)
        app.screen.query_one("#import-user", Input).value = "Maya"
        app.screen.query_one("#import-go").press()
        await pilot.pause()
        assert "must be an email address" in str(app.screen.query_one(".dialog-error").render())
        app.screen.query_one("#import-user", Input).value = " Maya.Solo@Example.com "
        generation = app.generation
        app.screen.query_one("#import-go").press()
        await settle_until(pilot, lambda: app.generation > generation, "the figures to reload after the import")
        assert any("cursor_v3_individual.csv: imported as #" in m for m in messages(app))
    with open_store(demo_db) as store:
        owners = store.tuples("SELECT DISTINCT p.email FROM usage_facts f JOIN people p ON p.id = f.person_id "
                              "WHERE f.import_id IS NOT NULL")  # fmt: skip
    assert owners == [("maya.solo@example.com",)]


async def test_a_failed_provider_says_so_once_and_keeps_no_full_bar(db_path, make_app):
    """No key for Cursor: one line naming it with a status word, the whole reason wrapped below, no 100% bar."""
    from textual.widgets import ProgressBar

    app = make_app(db_path, settings=FAST)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("y")
        await pilot.pause()
        app.screen.query_one("#sync-cursor", Checkbox).value = True
        app.screen.query_one("#sync-go").press()
        await settle_until(pilot, lambda: isinstance(app.screen, SyncProgressScreen) and app.screen.finished,
                           "the sync to fail")  # fmt: skip
        screen = app.screen
        assert str(screen.query_one("#sync-title").render()) == "Sync failed"
        assert str(screen.query_one("#line-cursor").render()) == "Cursor: configuration error"
        error = screen.query_one("#error-cursor")
        assert error.display and error.size.height >= 2
        text = " ".join(str(error.render()).split())
        assert text.startswith("no key configured: set SPENDTUI_CURSOR_API_KEY")
        assert text.endswith("[providers.cursor] in the config")
        assert not screen.query_one("#bar-cursor", ProgressBar).display
        assert not screen.query_one("#sync-summary").display  # it would only say the same again


async def test_team_editor_sets_a_budget_written_as_people_write_dollars(demo_db, make_app):
    app = make_app(demo_db)
    async with app.run_test(size=(120, 40)) as pilot:
        editor = await open_team_editor(pilot)
        editor.query_one("#team-op", Select).value = "budget"
        editor.query_one("#team-name", Select).value = "Growth"
        await pilot.pause()
        editor.query_one("#team-amount", Input).value = "five grand"
        editor.query_one("#team-go").press()
        await pilot.pause()
        assert str(editor.query_one(".dialog-error").render()).startswith("The monthly budget must be an amount")
        editor.query_one("#team-amount", Input).value = "$5,000.50"
        editor.query_one("#team-go").press()
        await settle(pilot)
        assert not isinstance(app.screen, TeamEditorScreen)
    with open_store(demo_db) as store:
        assert store.scalar(
            "SELECT amount_nano FROM budgets b JOIN teams t ON t.id = b.team_id WHERE t.name = 'Growth' "
            "AND b.effective_from = ?", (TODAY.strftime("%Y-%m"),)
        ) == 5_000_500_000_000
