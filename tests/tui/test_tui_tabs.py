"""Tabs 2-8 against the analytics they read, on the demo store with fixed seed and today."""

from __future__ import annotations

from conftest import NOW, TODAY, settle, settle_until
from textual.containers import Vertical
from textual.widgets import Input, Select

from spendtui.analytics.providers import provider_tab
from spendtui.analytics.query import Query, Scope
from spendtui.analytics.reconcile import reconcile
from spendtui.analytics.status import status
from spendtui.analytics.team import team_context
from spendtui.analytics.teams import spend_by_team, team_members
from spendtui.config import PROVIDER_NAMES, Settings
from spendtui.money import format_usd
from spendtui.periods import parse_period
from spendtui.store import open_store
from spendtui.store.invoices import list_invoices
from spendtui.tui.widgets.kpi import KpiCard
from spendtui.tui.widgets.table import SpendTable

MTD = parse_period("mtd", TODAY)


def query(db):
    return Query(open_store(db), "UTC", TODAY)


def table(app, table_id) -> SpendTable:
    return app.query_one(f"#{table_id}", SpendTable)


async def test_team_tab(demo_db, make_app):
    q = query(demo_db)
    tc = team_context(q, MTD, Scope())
    app = make_app(demo_db)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("2")
        await settle(pilot)
        assert app.query_one("#team-users", KpiCard).value == f"{tc.unique_users:,}"
        assert app.query_one("#team-projected", KpiCard).value == format_usd(tc.projection.projected)
        assert app.query_one("#team-avg", KpiCard).value == format_usd(tc.avg_cost_per_user)
        users = table(app, "team-users-table")
        assert [r["user"] for r in users.rows] == [u.user for u in tc.users]
        assert users.cell_text(0, "spend") == format_usd(tc.users[0].spend)
        budgets = table(app, "team-budgets")
        assert [r["team"] for r in budgets.rows] == [b.team for b in tc.team_budgets]
        assert "of $" in app.query_one("#team-burn", KpiCard).value  # the demo sets an annual budget
        # a team filter narrows the budgets table to that team and every figure to its members
        app.query_one("#filter-team", Select).value = "Mobile"
        await settle(pilot)
        mobile = team_context(q, MTD, Scope(team="Mobile"))
        assert [r["team"] for r in table(app, "team-budgets").rows] == ["Mobile"]
        assert app.query_one("#team-users", KpiCard).value == f"{mobile.unique_users:,}"
        assert app.query_one("#team-burn", KpiCard).value == "org only"  # not "no annual budget": there is one


HALF_CENT = 5_000_000  # nano-dollars


async def test_provider_tabs_search_and_person_detail(demo_db, make_app):
    q = query(demo_db)
    app = make_app(demo_db)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        for key, provider in (("3", "cursor"), ("4", "anthropic"), ("5", "openai")):
            await pilot.press(key)
            await settle(pilot)
            tab = provider_tab(q, MTD, Scope(), provider, Settings())
            assert app.query_one(f"#{provider}-spend", KpiCard).value == format_usd(tab.spend)
            users = table(app, f"{provider}-users")
            assert [r["user"] for r in users.rows] == [u.user for u in tab.users]
            # the money columns shown add up to Spend, to the half cent each is rounded to (seat fees
            # included; included usage is not spend)
            shown = [c.key for c in users.columns if c.kind == "money" and c.key not in ("spend", "included",
                                                                                        "cost_per_request")]
            assert "subscription" in shown
            for row in users.rows:
                assert abs(row["spend"] - sum(row[key] for key in shown)) <= len(shown) * HALF_CENT, row
            models = table(app, f"{provider}-model-table")
            assert [r["model"] for r in models.rows] == [m["model"] for m in tab.models()]
            assert table(app, f"{provider}-history").rows  # the demo has a day of hourly syncs
            source = str(app.query_one(f"#{provider}-source-text").render())
            assert "API not connected" in source and f"SPENDTUI_{provider.upper()}_" in source
        # search the OpenAI users, then look at one person's detail
        person = next(r for r in table(app, "openai-users").rows if "@" in r["user"])
        app.query_one("#openai-search", Input).value = person["user"]
        await settle(pilot)
        assert [r["user"] for r in table(app, "openai-users").rows] == [person["user"]]
        table(app, "openai-users").grid.focus()
        table(app, "openai-users").grid.move_cursor(row=0)
        await settle(pilot)
        detail = str(app.query_one("#openai-detail-text").render())
        assert person["user"] in detail
        split = table(app, "openai-detail-providers").rows
        whole = sum(r["spend"] for r in split)
        from spendtui.analytics.overview import overview

        assert whole == overview(q, MTD, Scope(user=person["user"])).total_spend


async def test_provider_tab_shows_a_connected_key(demo_db, make_app, monkeypatch):
    monkeypatch.setenv("SPENDTUI_CURSOR_API_KEY", "key_test")
    app = make_app(demo_db)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("3")
        await settle(pilot)
        source = str(app.query_one("#cursor-source-text").render())
        assert "API connected" in source and "To connect" not in source


async def test_teams_tab_with_provider_filter_and_members(demo_db, make_app):
    q = query(demo_db)
    app = make_app(demo_db)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("6")
        await settle(pilot)
        expected = spend_by_team(q, MTD)
        rows = table(app, "teams-table").rows
        assert [(r["team"], r["spend"]) for r in rows] == [(t.name, t.sums.spend) for t in expected]
        first = expected[0].name
        assert [r["email"] for r in table(app, "teams-members").rows] == [m.email for m in team_members(q, first, MTD)]
        app.query_one("#filter-provider", Select).value = "anthropic"
        await settle(pilot)
        by_anthropic = {t.name: t.sums.spend for t in spend_by_team(q, MTD, "anthropic")}
        assert {r["team"]: r["spend"] for r in table(app, "teams-table").rows} == by_anthropic
        assert all(r["cursor"] is None for r in table(app, "teams-table").rows)
        # highlighting another team shows its members
        teams = table(app, "teams-table")
        teams.grid.focus()
        await pilot.press("down")
        await settle(pilot)
        second = teams.rows[1]["team"]
        assert f"Members of {second}" in str(table(app, "teams-members").query_one(".table-title").render())
        assert {r["email"] for r in table(app, "teams-members").rows} == {
            m.email for m in team_members(q, second, MTD, "anthropic")
        }


async def test_invoices_tab(demo_db, make_app):
    q = query(demo_db)
    invoices = list_invoices(q.store)
    months = reconcile(q, {})
    app = make_app(demo_db)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("7")
        await settle(pilot)
        rows = table(app, "invoices-table").rows
        assert [r["invoice"] for r in rows] == [i.invoice_number for i in reversed(invoices)]
        assert table(app, "invoices-table").cell_text(0, "amount") == format_usd(invoices[-1].total_nano)
        assert len(table(app, "invoices-billing").rows) == len(months)


async def test_sync_tab(demo_db, make_app):
    q = query(demo_db)
    report = status(q.store, Settings(), NOW)
    app = make_app(demo_db)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("8")
        await settle(pilot)
        providers = table(app, "sync-providers").rows
        assert [r["records"] for r in providers] == [p.records for p in report.providers]
        assert {r["last_sync"] for r in providers} == {"1 h ago"}  # demo syncs end at 08:05, now is 09:00
        warnings = str(app.query_one("#sync-warnings").render())
        assert ("No warnings" in warnings) == (not report.warnings)
        history = table(app, "sync-history").rows
        assert len(history) == 60 and history[0]["started"].startswith("2026-11-25 ")
        assert any(r["status"] == "failed" for r in history)  # the demo's cursor sync 9 hours ago


def _section_tables(app, provider) -> dict[str, SpendTable]:
    return {t.id: t for t in app.query(f"#{provider}-sections SpendTable").results(SpendTable)}


def _sections_fit(app, provider) -> bool:
    holder = app.query_one(f"#{provider}-sections")
    tables = _section_tables(app, provider).values()
    return holder.size.height == sum(t.outer_size.height + t.styles.margin.top for t in tables)


async def test_provider_sections_survive_reloads_and_show_their_rows(demo_db, make_app):
    """Reloading a provider tab (r, a period change, another process writing the store) updates its
    section tables in place: remounting them raced the removal and crashed with DuplicateIds."""
    q = query(demo_db)
    app = make_app(demo_db)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        for key, provider in (("4", "anthropic"), ("5", "openai")):
            await pilot.press(key)
            await settle(pilot)
            first = _section_tables(app, provider)
            await pilot.press("r", "r")
            await settle(pilot)
            app.query_one("#filter-period", Select).value = "last-month"
            await settle(pilot)
            app.query_one("#filter-period", Select).value = "mtd"
            await settle(pilot)
            await pilot.pause()
            tables = _section_tables(app, provider)
            assert tables == first  # the same widgets, updated
            tab = provider_tab(q, MTD, Scope(), provider, Settings())
            assert len(tables) == len(tab.sections)
            for name, rows in tab.sections.items():
                table = tables[f"{provider}-section-{name.replace('_', '-')}"]
                assert len(table.rows) == len(rows) > 0
                assert "_est" not in [c.key for c in table.columns]  # a mark, not a column
                # each table as tall as its rows (up to the grid's cap), the page scrolls
                assert table.grid.size.height >= min(len(rows), 15), (name, table.grid.size)
            # as tall as its tables (the layout can lag a refresh behind on a loaded machine)
            await settle_until(pilot, lambda p=provider: _sections_fit(app, p), "the sections to take their height")


async def test_person_detail_takes_only_the_rows_it_needs(demo_db, make_app):
    app = make_app(demo_db)
    async with app.run_test(size=(200, 60)) as pilot:
        await settle(pilot)
        await pilot.press("3")
        await settle(pilot)
        table(app, "cursor-users").grid.focus()
        await settle(pilot)
        detail = app.query_one("#cursor-detail")
        person = detail.query_one(Vertical)  # its title, text and provider split
        stacked = sum(c.outer_size.height + c.styles.margin.top for c in person.children if c.display)
        assert person.size.height == stacked
        assert detail.size.height <= max(stacked, table(app, "cursor-detail-models").outer_size.height + 1) < 20


async def test_provider_model_chart_is_titled_by_what_it_plots(demo_db, make_app):
    from spendtui.tui.widgets.chart import Chart

    app = make_app(demo_db)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("3")
        await settle(pilot)
        chart = app.query_one("#cursor-models", Chart)
        assert list(chart.spec.series) == ["usage value"]
        assert chart.title == "Model usage value (top 5 + Other)"


def _hbar_lengths(text: str) -> dict[str, int]:
    """Label -> length of the bar on the label's row, from a horizontal bar chart's text."""
    import re

    lengths = {}
    for line in text.splitlines():
        match = re.match(r"\s*(\S.*?)┤(.*?)│?$", line)
        if match and not match.group(1).startswith("$"):
            lengths[match.group(1)] = len(match.group(2).rstrip(" │"))
    return lengths


def _assert_own_bars(lengths: dict[str, int], labels: list[str], values: list[int]) -> None:
    shown = [label if len(label) <= 22 else label[:21] + "…" for label in labels]
    assert list(lengths) == shown
    scale = max(lengths.values()) / max(values)
    for label, value in zip(shown, values, strict=True):
        assert abs(lengths[label] - value * scale) <= 1.5, (label, value, lengths)


async def test_horizontal_bars_sit_beside_their_own_labels(demo_db, make_app):
    """At 80x24 the Cursor model chart had 7 rows for 6 bars: 451 and 210 drew the same length."""
    from spendtui.tui.widgets.chart import Chart, ChartCanvas

    for size in ((80, 24), (120, 40), (200, 60)):
        app = make_app(demo_db)
        async with app.run_test(size=size) as pilot:
            await settle(pilot)
            await pilot.press("3")
            await settle(pilot)
            chart = app.query_one("#cursor-models", Chart)
            text = chart.query_one(ChartCanvas).content.plain
            _assert_own_bars(_hbar_lengths(text), chart.spec.labels, chart.spec.series["usage value"])


def test_horizontal_bars_fit_any_height():
    """Every bar count in every height: each label beside its own bar, the smallest bars summed
    into Other when there are fewer rows than bars."""
    from rich.text import Text

    from spendtui.tui.widgets.chart import ChartCanvas, ChartSpec

    class Canvas(ChartCanvas):
        def _theme(self) -> str:
            return "clear"

    canvas = Canvas.__new__(Canvas)
    values = [451, 210, 180, 150, 90, 60, 40, 20]
    for count in range(1, 9):
        labels = [f"model-{i}" for i in range(count)]
        for height in range(5, 24):
            for width in (40, 76, 120):
                spec = ChartSpec("hbar", labels, {"usage value": [v * 10**9 for v in values[:count]]})
                text = Text.from_ansi(canvas._build(spec, width, height, True)).plain
                assert len(text.splitlines()) <= height
                rows = height - 3
                shown, amounts = labels, values[:count]
                if count > rows:
                    shown, amounts = labels[: rows - 1] + ["Other"], amounts[: rows - 1] + [sum(amounts[rows - 1 :])]
                _assert_own_bars(_hbar_lengths(text), shown, amounts)


async def test_account_rows_show_their_own_detail(demo_db, make_app):
    """An API key, project or workspace (a subject < 0) in the Users table shows its own figures,
    not "No spend." and "No model usage."."""
    q = query(demo_db)
    app = make_app(demo_db)
    async with app.run_test(size=(200, 60)) as pilot:
        await settle(pilot)
        for key, provider in (("4", "anthropic"), ("5", "openai")):
            await pilot.press(key)
            await settle(pilot)
            tab = provider_tab(q, MTD, Scope(), provider, Settings())
            users = table(app, f"{provider}-users")
            index, account = next((i, u) for i, u in enumerate(tab.users) if u.subject < 0)
            users.grid.focus()
            users.grid.move_cursor(row=index + 1)
            await settle(pilot)
            users.grid.move_cursor(row=index)
            await settle(pilot)
            detail = str(app.query_one(f"#{provider}-detail-text").render())
            assert account.user in detail and f"Spend {format_usd(account.spend)}" in detail
            split = table(app, f"{provider}-detail-providers").rows
            assert [(r["provider"], r["spend"]) for r in split] == [(PROVIDER_NAMES[provider], account.spend)]
            models = table(app, f"{provider}-detail-models").rows
            expected = tab.current.subjects[account.subject].value
            assert models and sum(r["value"] for r in models) == expected


async def test_teams_tab_shows_the_members_of_the_filtered_team(demo_db, make_app):
    q = query(demo_db)
    last = spend_by_team(q, MTD)[-1].name  # not the team the table's first row (and cursor) holds
    app = make_app(demo_db)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        app.query_one("#filter-team", Select).value = last
        await settle(pilot)
        await pilot.press("6")
        await settle(pilot)
        members = table(app, "teams-members")
        assert f"Members of {last}" in str(members.query_one(".table-title").render())
        assert [r["email"] for r in members.rows] == [m.email for m in team_members(q, last, MTD)]


async def test_the_teams_tab_stays_on_the_team_just_edited(demo_db, make_app):
    from spendtui.tui.screens.team_editor import TeamEditorScreen

    last = spend_by_team(query(demo_db), MTD)[-1].name  # not the first row, where the cursor starts
    app = make_app(demo_db)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("6")
        await settle(pilot)
        teams = table(app, "teams-table")
        teams.move_to("team", last)
        await settle(pilot)
        await pilot.press("t")
        await pilot.pause()
        editor = app.screen
        assert isinstance(editor, TeamEditorScreen)
        assert editor.query_one("#team-name", Select).value == last  # the team under the cursor, preselected
        editor.query_one("#team-op", Select).value = "rename"
        editor.query_one("#team-new-name", Input).value = "Renamed Team"
        editor.query_one("#team-go").press()
        await settle(pilot)
        assert teams.grid.cursor_row == [r["team"] for r in teams.rows].index("Renamed Team")
        assert "Members of Renamed Team" in str(table(app, "teams-members").query_one(".table-title").render())
