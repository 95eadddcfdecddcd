"""Overview tab: the figures on screen are the analytics' (and `spendtui report`'s) for the same filters."""

from __future__ import annotations


from conftest import TODAY, report_json, settle
from textual.widgets import Select

from spendtui.analytics.overview import overview
from spendtui.analytics.query import Query, Scope
from spendtui.analytics.ui_support import group_models
from spendtui.money import dollars_to_nano, format_usd
from spendtui.periods import parse_period
from spendtui.store import open_store
from spendtui.tui.widgets.chart import Chart
from spendtui.tui.widgets.kpi import KpiCard
from spendtui.tui.widgets.table import SpendTable


def expected(db, period="mtd", scope=None):
    scope = scope or Scope()
    with open_store(db) as store:
        return overview(Query(store, "UTC", TODAY), parse_period(period, TODAY), scope)


def card(app, card_id) -> KpiCard:
    return app.query_one(f"#{card_id}", KpiCard)


async def test_overview_shows_the_report_figures(demo_db, make_app):
    app = make_app(demo_db)
    data = report_json(demo_db, "mtd")
    ov = expected(demo_db)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        assert card(app, "kpi-total").value == format_usd(dollars_to_nano(data["total_spend"]))
        assert card(app, "kpi-change").value == f"{data['change_pct']:+.1f}%"
        assert card(app, "kpi-requests").value == f"{data['requests']:,}"
        assert card(app, "kpi-cpr").value == format_usd(dollars_to_nano(data["cost_per_request"]))
        assert card(app, "kpi-top-model").value == data["top_model"]
        models = app.query_one("#overview-models-table", SpendTable)
        assert [r["model"] for r in models.rows] == [m["model"] for m in data["models"]]
        assert models.cell_text(0, "spend") == format_usd(dollars_to_nano(data["models"][0]["spend"]))
        daily = app.query_one("#overview-daily-table", SpendTable)
        assert [r["date"] for r in daily.rows] == [d["date"] for d in data["daily"]]
        assert [daily.cell_text(i, "spend") for i in range(3)] == [
            format_usd(dollars_to_nano(d["spend"])) for d in data["daily"][:3]
        ]
        months = app.query_one("#overview-months-table", SpendTable)
        assert [r["month"] for r in months.rows] == [m["month"] for m in reversed(data["months"])]
        chart = app.query_one("#overview-models", Chart)
        assert chart.spec.labels == [m for m, _ in group_models([(m, s.value) for (_, m), s in ov.current.models.items()])]
        assert len(chart.spec.labels) <= 6
        assert not app.query_one("#overview-person-note").display


async def test_period_change_by_keyboard_updates_every_figure(demo_db, make_app):
    app = make_app(demo_db)
    last_month = report_json(demo_db, "last-month")
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        before = card(app, "kpi-total").value
        await pilot.press("p", "enter", "down", "enter")  # Month to date -> Last month
        await settle(pilot)
        assert app.filters.preset == "last-month"
        assert card(app, "kpi-total").value == format_usd(dollars_to_nano(last_month["total_spend"])) != before
        assert "2026-10-01 → 2026-10-31 (UTC)" in str(app.query_one("#filter-summary").render())
        assert len(app.query_one("#overview-daily-table", SpendTable).rows) == 31


async def test_person_scope_by_type_ahead(demo_db, make_app):
    app = make_app(demo_db)
    spenders = [u["user"] for u in report_json(demo_db, "mtd")["users"] if not u["user"].startswith("unattributed")]
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        texts = [text.lower() for person in app.info.people for text in person if text]  # emails and names
        email = next(e for e in spenders if sum(t.startswith(e[:6]) for t in texts) == 1)  # one person it can be
        data = report_json(demo_db, "mtd", "--user", email)
        await pilot.press("slash", *email[:6])
        await pilot.press("right", "enter")  # accept the suggestion, apply
        await settle(pilot)
        assert app.filters.user == email
        note = app.query_one("#overview-person-note")
        assert note.display and "selected person only" in str(note.render())
        assert card(app, "kpi-total").value == format_usd(dollars_to_nano(data["total_spend"]))
        assert f"person {email}" in str(app.query_one("#filter-summary").render())


async def test_team_and_provider_filters(demo_db, make_app):
    app = make_app(demo_db)
    data = report_json(demo_db, "mtd", "--team", "Platform", "--provider", "cursor")
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        app.query_one("#filter-team", Select).value = "Platform"
        await settle(pilot)
        app.query_one("#filter-provider", Select).value = "cursor"
        await settle(pilot)
        assert (app.filters.team, app.filters.provider) == ("Platform", "cursor")
        assert card(app, "kpi-total").value == format_usd(dollars_to_nano(data["total_spend"]))
        await pilot.press("x")  # clear filters
        await settle(pilot)
        assert card(app, "kpi-total").value == format_usd(dollars_to_nano(report_json(demo_db)["total_spend"]))


async def test_unknown_person_is_refused_without_changing_filters(demo_db, make_app):
    app = make_app(demo_db)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("slash", *"nobody-here", "enter")
        await settle(pilot)
        assert app.filters.user is None
        assert any("No person" in n.message for n in app._notifications)
