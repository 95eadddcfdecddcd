"""The dashboard app: tabs over the analytics, filters, workers, modal actions.

``build_app`` is the factory the CLI and the tests use. The app never queries SQLite itself: each tab
computes its figures through analytics in a thread worker that opens its own Store (SQLite
connections are per thread) and posts the result back as a message.
"""

from __future__ import annotations

import csv
import os
import shlex
import time
from collections.abc import Callable, Iterable
from datetime import date, datetime, timezone
from pathlib import Path
from typing import Any

from textual import on, work
from textual.app import App, ComposeResult, SystemCommand
from textual.binding import Binding
from textual.events import Resize
from textual.screen import Screen
from textual.widgets import Footer, Static, TabbedContent, TabPane, Tabs
from textual.worker import Worker, WorkerState, get_current_worker

from spendtui.alerts import banner_line
from spendtui.analytics import REPORT_VIEWS
from spendtui.config import PROVIDERS, Settings, resolve_db_path
from spendtui.errors import SpendtuiError
from spendtui.importers import FORMAT_NAMES
from spendtui.periods import today_in
from spendtui.tui import actions
from spendtui.tui.commands import system_commands
from spendtui.tui.filters import Filters
from spendtui.tui.messages import (
    ActionDone,
    DetailLoaded,
    FiltersChanged,
    StoreChanged,
    StoreFailed,
    StoreInfo,
    StoreReady,
    ViewFailed,
    ViewLoaded,
)
from spendtui.tui.tabs import TAB_CLASSES
from spendtui.tui.tabs.base import LoadContext, ViewTab
from spendtui.tui.widgets.filter_bar import FilterBar
from spendtui.tui.widgets.table import SpendTable

DEMO_SIZE = {"users": 150, "months": 14}


# The command that lists a tab's rows, for the tabs no `spendtui report` view shows.
LISTING_COMMANDS = {"teams": ["teams", "list"], "invoices": ["invoice", "list"], "sync": ["status"]}


class SpendApp(App):
    """Keyboard-driven spend dashboard; see help.md for every key."""

    TITLE = "spendtui"
    CSS_PATH = "spendtui.tcss"
    HORIZONTAL_BREAKPOINTS = [(0, "-narrow"), (110, "-normal"), (170, "-wide")]
    BINDINGS = [
        *[
            Binding(cls.key, f"show_tab('{cls.view_id}')", "Tabs" if i == 0 else cls.title,
                    key_display="1-8" if i == 0 else None, show=i == 0)  # fmt: skip
            for i, cls in enumerate(TAB_CLASSES)
        ],
        Binding("p", "focus_filter('period')", "Period"),
        Binding("slash", "focus_filter('person')", "Person", show=False),
        Binding("x", "clear_filters", "Clear filters", show=False),
        Binding("r", "refresh", "Refresh"),
        Binding("e", "export", "Export"),
        Binding("c", "report_command", "Report command", show=False),
        # (a focused table or tab body pages itself; these page the tab from the tab strip or a filter)
        Binding("pagedown", "page_tab(1)", "Page down", show=False),
        Binding("pageup", "page_tab(-1)", "Page up", show=False),
        Binding("s", "sort_table", "Sort", show=False),  # (a focused table sorts itself: its own binding)
        Binding("S", "sort_table(True)", "Reverse sort", show=False),
        Binding("y", "sync", "Sync"),
        Binding("i", "import_csv", "Import", show=False),
        Binding("u", "upload_invoice", "Upload invoice", show=False),
        Binding("t", "edit_teams", "Edit teams", show=False),
        Binding("ctrl+z", "undo", "Undo edit", show=False),
        Binding("question_mark", "help", "Help"),
        Binding("q", "quit", "Quit"),
    ]

    def __init__(
        self,
        *,
        db_path: Path,
        settings: Settings,
        read_only: bool = False,
        today: date | None = None,
        generate_demo: bool = False,
        now: datetime | None = None,
        poll_seconds: float = 3.0,
        demo_size: dict | None = None,
    ) -> None:
        super().__init__()
        self.db_path = Path(db_path)
        self.settings = settings
        self.read_only_requested = read_only
        self.today = today or today_in(settings.timezone)
        self.generate_demo = generate_demo
        self.fixed_now = now
        self.poll_seconds = poll_seconds
        self.demo_size = demo_size or DEMO_SIZE
        self.filters = Filters()
        self.info: StoreInfo | None = None
        self.generation = 0
        self.loaded: dict[str, int] = {}  # view id -> generation shown
        # (view id, filters) -> (data, context) computed since the store last changed: going back to
        # a filter or a tab already seen repaints at once instead of querying again
        self.cache: dict[tuple[str, Filters], tuple[Any, LoadContext]] = {}
        self._loading: str | None = None
        self.timings: dict[str, float] = {"started": time.perf_counter()}
        from spendtui.org.edit import UndoLog

        self.undo_log = UndoLog()  # team edits made in this session, newest last

    # -- layout ---------------------------------------------------------------------------------
    def compose(self) -> ComposeResult:
        waiting = "Generating the demo org (this takes a few seconds)…" if self.generate_demo else "Opening the store…"
        yield Static("", id="banner", markup=False)
        yield Static("", id="budget-banner", markup=False)
        yield FilterBar(self.filters, id="filters")
        with TabbedContent(id="tabs"):
            for cls in TAB_CLASSES:
                with TabPane(cls.title, id=cls.view_id):
                    yield cls(waiting=waiting, id=f"tab-{cls.view_id}")
        yield Footer()

    def notify(self, message, *, title="", severity="information", timeout=None, markup=True) -> None:
        """A notice, and a repaint of the screen once it has gone.

        Where a notice lay over a chart, removing it left its text on the terminal (seen in tmux at
        80x24): the compositor's update of the uncovered region did not reach those cells.
        """
        super().notify(message, title=title, severity=severity, timeout=timeout, markup=markup)
        shown = self.NOTIFICATION_TIMEOUT if timeout is None else timeout
        self.set_timer(shown + 0.1, self._repaint_after_notice)

    def _repaint_after_notice(self) -> None:
        if self.screen_stack:  # (an app closing as the notice expires has no screen left to paint)
            self.screen.refresh()

    def on_mount(self) -> None:
        self.query_one("#banner", Static).display = False
        self.query_one("#budget-banner", Static).display = False
        self._fit_footer(self.size.width)
        self._summarise()
        self.prepare_store()
        self.call_after_refresh(lambda: self.timings.setdefault("first_frame", time.perf_counter()))
        # The tab, not the first filter: arrow keys there opened the period menu (p reaches the filters).
        self.call_after_refresh(self.focus_content)

    def on_resize(self, event: Resize) -> None:
        self._fit_footer(event.size.width)
        if self.info:
            self._banner(event.size.width)  # the budget line fits its names to the width

    def _fit_footer(self, width: int) -> None:
        """Below the first breakpoint the footer drops its padding, so Help and Quit stay on screen
        even when a table adds its own keys."""
        self.query_one(Footer).compact = width < self.HORIZONTAL_BREAKPOINTS[1][0]

    @property
    def tabs(self) -> list[ViewTab]:
        return list(self.query(ViewTab))

    def tab(self, view_id: str) -> ViewTab:
        return self.query_one(f"#tab-{view_id}", ViewTab)

    @property
    def active_view(self) -> str:
        return self.query_one(TabbedContent).active or TAB_CLASSES[0].view_id

    @property
    def read_only(self) -> bool:
        return self.read_only_requested or bool(self.info and self.info.read_only)

    def now(self) -> datetime:
        return self.fixed_now or datetime.now(timezone.utc)

    def context(self) -> LoadContext:
        return LoadContext(self.filters, self.settings, self.today, self.now(), self.read_only)

    def open_store(self, *, writable: bool = False):
        """A Store for the calling thread (each worker opens and closes its own)."""
        from spendtui.store import open_store

        store = open_store(self.db_path, read_only=self.read_only_requested and not writable, create=writable)
        if writable:
            store.require_writable()
        return store

    # -- start-up -------------------------------------------------------------------------------
    @work(thread=True, exclusive=True, group="prepare", exit_on_error=False, description="open the store")
    def prepare_store(self) -> None:
        """Open (or create) the store, generate the demo if asked, bring rollups in line with the settings."""
        from spendtui.alerts import active_alerts
        from spendtui.analytics.teams import teams
        from spendtui.analytics.query import Query
        from spendtui.analytics.ui_support import people_choices
        from spendtui.store import open_store, rollup, upgrade_notice

        def upgrading(old: int, new: int) -> None:
            notice = upgrade_notice(self.db_path, old, new)
            self.call_from_thread(self.notify, notice[0].upper() + notice[1:], title="Store", timeout=30)

        try:
            store = open_store(self.db_path, read_only=self.read_only_requested, create=not self.read_only_requested,
                               on_upgrade=upgrading)  # fmt: skip
        except SpendtuiError as error:
            self.post_message(StoreFailed(str(error)))
            return
        try:
            note = None
            if self.generate_demo and store.is_empty():
                from spendtui import demo

                summary = demo.generate(store, today=self.today, timezone=self.settings.timezone,
                                        seat_prices=self.settings.seat_prices(), **self.demo_size)  # fmt: skip
                note = f"Demo org: {summary.people} people, {summary.facts:,} records ({summary.first_day} → {summary.last_day})"
            fresh = rollup.configure(store, self.settings.timezone, self.settings.seat_prices(), self.today, self.settings.fx)
            query = Query(store, self.settings.timezone, self.today)
            info = StoreInfo(
                read_only=store.read_only,
                read_only_reason=store.read_only_reason,
                empty=store.is_empty(),
                people=people_choices(store),
                teams=[name for _, name in teams(query)],
                stale_rollups=not fresh,
                demo_note=note,
                budget_alerts=active_alerts(store, query, self.settings),
            )
        except SpendtuiError as error:
            self.post_message(StoreFailed(str(error)))
            return
        finally:
            store.close()
        self.post_message(StoreReady(info))

    @on(StoreReady)
    def _store_ready(self, message: StoreReady) -> None:
        first = self.info is None
        self.info = message.info
        self.cache.clear()  # the store was (re)read: figures computed before may be stale
        self.query_one(FilterBar).set_choices(message.info.teams, message.info.people)
        self._banner()
        if message.info.demo_note:
            self.notify(message.info.demo_note, title="Demo")
        self.reload()
        if first:
            self.watch_store()

    @on(StoreFailed)
    def _store_failed(self, message: StoreFailed) -> None:
        for tab in self.tabs:
            tab.show_state(f"Cannot open the store.\n\n{message.error}", "error")
        self.notify(message.error, title="Store", severity="error", timeout=10)

    def _banner(self, width: int | None = None) -> None:
        banner = self.query_one("#banner", Static)
        lines = []
        if self.read_only:
            reason = (self.info.read_only_reason if self.info else None) or "--read-only"
            lines.append(f"READ-ONLY ({reason}): sync, import, invoice upload and team editing are disabled.")
        if self.info and self.info.stale_rollups:
            why = "read-only" if self.read_only else "being written by another process"
            lines.append(f"The store is {why}: its figures are those of its last update, not of today's "
                         "settings and date.")  # fmt: skip
        banner.update("\n".join(lines))
        banner.display = bool(lines)
        budgets = self.query_one("#budget-banner", Static)
        width = (width or self.size.width) - 2  # (its padding)
        line = banner_line(self.info.budget_alerts, width) if self.info else None
        budgets.update(line or "")
        budgets.display = bool(line)

    # -- loading --------------------------------------------------------------------------------
    def reload(self) -> None:
        """New filters or new data: every tab is out of date; the visible one loads now, others when shown."""
        self.generation += 1
        self.load_active()

    def load_active(self) -> None:
        if self.info is None:
            return
        tab = self.tab(self.active_view)
        if tab.needs_data and self.info.empty:
            tab.show_empty_store()
            self.loaded[tab.view_id] = self.generation
            return
        if self.loaded.get(tab.view_id) == self.generation:
            return
        cached = self.cache.get((tab.view_id, self.filters))
        if cached is not None:
            self.post_message(ViewLoaded(tab.view_id, self.generation, cached))
            return
        if tab.view_id not in self.loaded:
            tab.show_state("Loading…", "loading")
        self._loading = tab.view_id
        self._summarise(loading=True)
        self.timings["load_started"] = time.perf_counter()
        self.load_view(tab, self.context(), self.generation)

    @work(thread=True, exclusive=True, group="load", exit_on_error=False, description="load a tab")
    def load_view(self, tab: ViewTab, ctx: LoadContext, generation: int) -> None:
        from spendtui.analytics.query import Query

        worker = get_current_worker()
        try:
            with self.open_store() as store:
                data = tab.compute(Query(store, ctx.settings.timezone, ctx.today), ctx)
        except SpendtuiError as error:
            if not worker.is_cancelled:
                self.post_message(ViewFailed(tab.view_id, generation, str(error)))
            return
        if not worker.is_cancelled:
            self.post_message(ViewLoaded(tab.view_id, generation, (data, ctx)))

    @on(ViewLoaded)
    async def _view_loaded(self, message: ViewLoaded) -> None:
        if message.generation != self.generation or not self.is_running:
            return
        data, ctx = message.data
        tab = self.tab(message.view_id)
        await tab.ensure_body()
        if message.generation != self.generation or not self.is_running:
            return
        self.cache[(message.view_id, ctx.filters)] = message.data
        tab.show(data, ctx)
        self.loaded[message.view_id] = message.generation
        self._summarise()
        self.timings[f"shown:{message.view_id}"] = time.perf_counter()
        self.call_after_refresh(self._painted, message.view_id)

    def _painted(self, view_id: str) -> None:
        self.timings[f"painted:{view_id}"] = time.perf_counter()

    @on(ViewFailed)
    def _view_failed(self, message: ViewFailed) -> None:
        if message.generation != self.generation:
            return
        self.tab(message.view_id).show_state(message.error, "error")
        self.loaded[message.view_id] = message.generation
        self._summarise()
        self.notify(message.error, severity="error")

    def load_detail(self, view_id: str, key: str, compute: Callable[[Any], Any]) -> None:
        """A tab's secondary figure (one person, one team), computed like a tab: in a worker."""
        self._load_detail(view_id, key, compute, self.context())

    @work(thread=True, exclusive=True, group="detail", exit_on_error=False, description="load a detail")
    def _load_detail(self, view_id: str, key: str, compute: Callable, ctx: LoadContext) -> None:
        from spendtui.analytics.query import Query

        worker = get_current_worker()
        try:
            with self.open_store() as store:
                data = compute(Query(store, ctx.settings.timezone, ctx.today), ctx)
        except SpendtuiError as error:
            data = error
        if not worker.is_cancelled:
            self.post_message(DetailLoaded(view_id, key, data))

    @on(DetailLoaded)
    def _detail_loaded(self, message: DetailLoaded) -> None:
        tab = self.tab(message.view_id)
        if tab.body is not None:
            tab.show_detail(message.key, message.data)

    @on(Worker.StateChanged)
    def _worker_failed(self, event: Worker.StateChanged) -> None:
        """An unexpected error in a worker becomes a notification (and an error state), never a crash."""
        if event.state != WorkerState.ERROR:
            return
        error = event.worker.error
        text = f"{type(error).__name__}: {error}"
        if event.worker.group == "load" and self._loading:
            self.tab(self._loading).show_state(f"Could not load this tab.\n\n{text}", "error")
            self.loaded[self._loading] = self.generation
            self._summarise()
        self.notify(text, title=f"Failed to {event.worker.description}", severity="error", timeout=10)

    @on(TabbedContent.TabActivated)
    def _tab_activated(self, event: TabbedContent.TabActivated) -> None:
        focused = self.screen.focused
        if focused is not None and self.screen is self.screen_stack[0]:
            tab = next((node for node in focused.ancestors if isinstance(node, ViewTab)), None)
            if tab is not None and tab.view_id != self.active_view:  # it would be lost with the tab just hidden
                self.focus_content()
        self.load_active()

    @on(FiltersChanged)
    def _filters_changed(self, message: FiltersChanged) -> None:
        self.set_filters(message.filters)

    def set_filters(self, filters: Filters) -> None:
        if filters == self.filters:
            return
        self.filters = filters
        self.query_one(FilterBar).set_filters(filters)
        self._summarise()
        self.reload()

    def _summarise(self, loading: bool = False) -> None:
        text = self.filters.describe(self.today, self.settings.timezone)
        busy = loading or (self.info is not None and self.loaded.get(self.active_view) != self.generation)
        self.query_one(FilterBar).set_summary(f"{text}{'   ⟳ loading…' if busy and self.info else ''}")

    async def settle(self) -> None:
        """Wait until the visible tab shows the current data and no worker but the store watcher runs
        (tests and screenshots wait for data, never for wall-clock time)."""
        import asyncio

        def busy() -> list[Worker]:
            return [w for w in self.workers if w.group != "poll" and not w.is_finished]

        for _ in range(400):
            running = busy()
            if running:
                await self.workers.wait_for_complete(running)
                continue
            await asyncio.sleep(0.02)  # let posted messages (and the workers they start) arrive
            shown = self.info is None or self.loaded.get(self.active_view) == self.generation
            if shown and not busy():
                return

    # -- change polling -------------------------------------------------------------------------
    @work(thread=True, exclusive=True, group="poll", exit_on_error=False, description="watch the store")
    def watch_store(self) -> None:
        """Notice commits by other processes (a headless sync) through PRAGMA data_version."""
        worker = get_current_worker()
        with self.open_store() as store:
            seen = store.data_version()
            waited = 0.0
            while not worker.is_cancelled:
                time.sleep(0.1)
                waited += 0.1
                if waited < self.poll_seconds:
                    continue
                waited = 0.0
                version = store.data_version()
                if version != seen:
                    seen = version
                    self.post_message(StoreChanged())

    @on(StoreChanged)
    def _store_changed(self, message: StoreChanged) -> None:
        self.prepare_store()  # re-reads people and teams, then reloads

    # -- actions: navigation and filters --------------------------------------------------------
    def action_show_tab(self, view_id: str) -> None:
        self.query_one(TabbedContent).active = view_id

    def action_focus_filter(self, which: str) -> None:
        target = {"period": "#filter-period", "person": "#filter-person"}[which]
        self.query_one(target).focus()

    @on(FilterBar.Done)
    def focus_content(self) -> None:
        """Give the focus back to the visible tab (its scrolling body, else the tab strip): out of a
        filter input the number and letter keys are shortcuts again."""
        body = self.tab(self.active_view).body
        if body is not None and body.display and body.focusable:
            body.focus(scroll_visible=False)
        else:
            self.query_one(TabbedContent).query_one(Tabs).focus()

    def action_page_tab(self, direction: int) -> None:
        body = self.tab(self.active_view).body
        if body is None or not body.display:
            return
        if direction > 0:
            body.scroll_page_down()
        else:
            body.scroll_page_up()

    def action_custom_period(self) -> None:
        self.query_one("#filter-period").value = "custom"

    def action_clear_filters(self) -> None:
        self.set_filters(Filters())

    def action_refresh(self) -> None:
        self.notify("Refreshing…", timeout=1.5)
        self.prepare_store()

    # -- actions: export ------------------------------------------------------------------------
    def table_in_focus(self) -> SpendTable | None:
        """The table holding the focus, else the first table of the visible tab."""
        focused = self.focused
        if focused is not None:
            for node in (focused, *focused.ancestors):
                if isinstance(node, SpendTable):
                    return node
        tables = [t for t in self.tab(self.active_view).query(SpendTable) if t.display]
        return tables[0] if tables else None

    def action_sort_table(self, reverse: bool = False) -> None:
        """Sort the table in focus, else the tab's first table: no tabbing through seven widgets first."""
        table = self.table_in_focus()
        if table is None:
            self.notify("No table to sort on this tab.", severity="warning")
        elif reverse:
            table.reverse_sort()
        else:
            table.cycle_sort()

    def report_command(self) -> str:
        """The headless command that prints what the active tab shows, as a shell line: `report` with
        the tab's view and the filters, or the command that lists the tab's rows; and the store when it
        is not the default."""
        view = self.active_view
        if view in REPORT_VIEWS:
            args = ["spendtui", "report", *self.filters.report_args(self.today, view), "--view", view]
        else:
            args = ["spendtui", *LISTING_COMMANDS[view]]
        store = self.db_path.resolve()
        if store != resolve_db_path(None).resolve():
            args += ["--db", str(store)]  # absolute: the line is for cron and other directories
        return shlex.join(args)

    def action_report_command(self) -> None:
        command = self.report_command()
        self.copy_to_clipboard(command)  # OSC 52: terminals that allow it, over SSH too (tmux: set-clipboard on)
        self.clear_notifications()  # one line at a time: pressed on tab after tab, they would stack up
        self.notify(command, title="The same figures, headless (copied where the terminal allows)", timeout=15,
                    markup=False)  # fmt: skip

    def action_export(self) -> None:
        table = self.table_in_focus()
        if table is None:
            self.notify("No table to export on this tab.", severity="warning")
            return
        header, rows = table.export_rows()
        period = self.filters.period(self.today)
        slug = "".join(ch if ch.isalnum() else "-" for ch in f"{self.active_view}-{table.id or table.title}").strip("-")
        self.write_csv(f"spendtui-{slug}-{period.start}-{period.end}.csv", header, rows, table.title)

    @work(thread=True, exclusive=True, group="export", exit_on_error=False, description="export a table")
    def write_csv(self, name: str, header: list[str], rows: list[list[str]], title: str) -> None:
        folder = Path.cwd()
        if not os.access(folder, os.W_OK):
            folder = self.db_path.parent
        path = folder / name
        with open(path, "w", newline="", encoding="utf-8") as handle:
            writer = csv.writer(handle, lineterminator="\n")
            writer.writerow(header)
            writer.writerows(rows)
        self.post_message(ActionDone(f"Exported {len(rows)} rows of “{title}” to {path}"))

    # -- actions: editing through modal screens -------------------------------------------------
    def refuse_if_read_only(self, what: str) -> bool:
        if not self.read_only:
            return False
        reason = (self.info.read_only_reason if self.info else None) or "--read-only"
        self.notify(f"Cannot {what}: the store is open read-only ({reason}).", title="Read-only", severity="warning")
        return True

    def action_sync(self, provider: str | None = None) -> None:
        from spendtui.providers.secrets import has_key
        from spendtui.tui.screens.sync import SyncScreen

        if self.refuse_if_read_only("sync"):
            return
        configured = [p for p in PROVIDERS if has_key(p, self.settings)]
        chosen = [provider] if provider else configured
        self.push_screen(SyncScreen(configured, chosen), self._show_sync)

    def _show_sync(self, request: actions.SyncRequest | None) -> None:
        """Run the sync behind a progress screen (per provider, cancellable) and reload after it."""
        from spendtui.tui.screens.sync_progress import SyncProgressScreen

        if request is None:
            return
        screen = SyncProgressScreen(request, self.db_path, self.settings, self.fixed_now)
        self.push_screen(screen, lambda changed: self.prepare_store() if changed else None)

    def action_import_csv(self) -> None:
        from spendtui.tui.screens.import_file import ImportScreen

        if self.refuse_if_read_only("import"):
            return
        formats = list(FORMAT_NAMES)

        def dialog(request: actions.ImportRequest | None = None, error: str | None = None) -> None:
            self.push_screen(ImportScreen(formats, request, error), self._run_request(actions.run_import, "Import", dialog))

        dialog()

    def action_upload_invoice(self) -> None:
        from spendtui.tui.screens.invoice_upload import InvoiceUploadScreen

        if self.refuse_if_read_only("upload invoices"):
            return

        def dialog(request: actions.InvoiceRequest | None = None, error: str | None = None) -> None:
            self.push_screen(InvoiceUploadScreen(request, error),
                             self._run_request(actions.add_invoices, "Invoice upload", dialog))  # fmt: skip

        dialog()

    def action_edit_teams(self) -> None:
        from spendtui.tui.screens.team_editor import TeamEditorScreen

        if self.refuse_if_read_only("edit teams"):
            return
        teams = self.info.teams if self.info else []
        tab = self.tab("teams")
        team = self.filters.team or (tab.highlighted if self.active_view == "teams" else None)
        edit = self._run_request(actions.edit_team, "Team edit")

        def done(request: actions.TeamEdit | None) -> None:
            if request is not None and request.op in ("add", "rename"):
                tab.highlighted = request.new_name or request.team  # the Teams tab follows the team just made
            edit(request)

        self.push_screen(TeamEditorScreen(teams, team, self.today), done)

    def action_help(self) -> None:
        from spendtui.tui.screens.help import HelpScreen

        self.push_screen(HelpScreen())

    def _run_request(self, adapter: Callable, label: str, again: Callable | None = None) -> Callable[[Any], None]:
        """What a dialog's answer starts; ``again(request, error)`` brings the dialog back when the work fails."""

        def done(request: Any) -> None:
            if request is not None:
                self.run_edit(adapter, request, label, again)

        return done

    @work(thread=True, exclusive=True, group="action", exit_on_error=False, description="run an action")
    def run_edit(self, adapter: Callable, request: Any, label: str, again: Callable | None = None) -> None:
        try:
            with self.open_store(writable=True) as store:
                done = adapter(store, self.settings, request)
        except SpendtuiError as error:
            if again is not None:
                self.call_from_thread(again, request, str(error))
            else:
                self.post_message(ActionDone(f"{label} failed: {error}", "error"))
        else:
            self.post_message(ActionDone(done.text, done.severity, changed_store=True, edit=done.edit))

    @on(ActionDone)
    def _action_done(self, message: ActionDone) -> None:
        self.notify(message.text, severity=message.severity, timeout=8 if message.severity == "information" else 20)
        if message.edit is not None:
            self.undo_log.record(message.edit)
        if message.changed_store:
            self.prepare_store()

    def action_undo(self) -> None:
        if self.refuse_if_read_only("undo"):
            return
        if not len(self.undo_log):
            self.notify("Nothing to undo: no team edit in this session.", severity="warning")
            return
        self.undo_last()

    @work(thread=True, exclusive=True, group="action", exit_on_error=False, description="undo an edit")
    def undo_last(self) -> None:
        """Take back the newest edit (the log refuses one the store has moved past, and drops it)."""
        try:
            with self.open_store(writable=True) as store:
                edit = self.undo_log.undo(store)
        except SpendtuiError as error:
            self.post_message(ActionDone(f"Undo failed: {error}", "error"))
            return
        if edit is not None:
            self.post_message(ActionDone(f"Undone: {edit.description}", changed_store=True))

    # -- command palette ------------------------------------------------------------------------
    def get_system_commands(self, screen: Screen) -> Iterable[SystemCommand]:
        yield from super().get_system_commands(screen)
        yield from system_commands(self)


def build_app(
    *,
    db_path: Path,
    settings: Settings | None = None,
    read_only: bool = False,
    today: date | None = None,
    generate_demo: bool = False,
    now: datetime | None = None,
    poll_seconds: float = 3.0,
    demo_size: dict | None = None,
) -> SpendApp:
    """The dashboard on one store: what `spendtui` runs and what the tests drive."""
    return SpendApp(
        db_path=db_path,
        settings=settings or Settings(),
        read_only=read_only,
        today=today,
        generate_demo=generate_demo,
        now=now,
        poll_seconds=poll_seconds,
        demo_size=demo_size,
    )


__all__ = ["SpendApp", "build_app"]
