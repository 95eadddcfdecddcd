"""The demo org is deterministic and feeds every view; status reports freshness and warnings."""

import json
import sqlite3
import subprocess
import sys
from datetime import date, datetime, timezone
from decimal import Decimal

import pytest
from click.testing import CliRunner

from spendtui import demo
from spendtui.analytics import build_view
from spendtui.analytics.query import Query, Scope
from spendtui.analytics.status import status
from spendtui.cli import cli
from spendtui.config import Settings
from spendtui.periods import parse_period
from spendtui.store import open_store

TODAY = date(2026, 11, 25)


@pytest.fixture(scope="module")
def demo_db(tmp_path_factory):
    path = tmp_path_factory.mktemp("demo") / "demo.db"
    with open_store(path) as store:
        demo.generate(store, today=TODAY, seed=7, users=40, months=4)
    return path


def dump(path):
    conn = sqlite3.connect(path)
    tables = ("people", "teams", "memberships", "seats", "usage_facts", "period_amounts", "invoices", "budgets")
    data = {t: conn.execute(f"SELECT * FROM {t} ORDER BY 1").fetchall() for t in tables}
    conn.close()
    for table in ("people", "teams", "invoices", "budgets"):  # bookkeeping timestamps differ run to run
        data[table] = [row[:-1] if table != "people" else row[:3] for row in data[table]]
    return data


def test_demo_is_deterministic_for_a_seed_and_today(demo_db, tmp_path):
    again = tmp_path / "again.db"
    with open_store(again) as store:
        demo.generate(store, today=TODAY, seed=7, users=40, months=4)
    assert dump(demo_db) == dump(again)
    other = tmp_path / "other.db"
    with open_store(other) as store:
        demo.generate(store, today=TODAY, seed=8, users=40, months=4)
    assert dump(other)["usage_facts"] != dump(demo_db)["usage_facts"]


def test_demo_fills_every_view(demo_db):
    with open_store(demo_db, read_only=True) as store:
        q = Query(store, "UTC", TODAY)
        period = parse_period("last-month", TODAY)
        overview = build_view("overview", q, period, Scope()).as_json()
        assert {p["provider"] for p in overview["providers"]} == {"cursor", "anthropic", "openai"}
        assert all(Decimal(overview["categories"][c]) > 0 for c in ("subscription", "overage", "api"))
        assert Decimal(overview["included_usage"]) > 0
        team = build_view("team", q, period, Scope(), Settings()).as_json()
        assert team["annual_budget"]["budget"] and len(team["team_budgets"]) == 6
        assert team["spend_concentration"]["gini"] > 0.2  # a few heavy users
        assert any(row["active_seats"] for row in team["seat_growth"])
        for provider in ("cursor", "anthropic", "openai"):
            tab = build_view(provider, q, period, Scope(), Settings()).as_json()
            assert Decimal(tab["spend"]) > 0 and tab["users"]
        assert store.scalar("SELECT COUNT(*) FROM invoices") > 0
        assert store.scalar("SELECT COUNT(*) FROM sync_runs") > 0


def test_demo_weekday_rhythm(demo_db):
    with open_store(demo_db, read_only=True) as store:
        q = Query(store, "UTC", TODAY)
        days = build_view("overview", q, parse_period("last-month", TODAY), Scope()).as_json()["daily"]
    weekday = [Decimal(d["spend"]) for d in days if date.fromisoformat(d["date"]).weekday() < 5]
    weekend = [Decimal(d["spend"]) for d in days if date.fromisoformat(d["date"]).weekday() >= 5]
    assert sum(weekday) / len(weekday) > Decimal("1.5") * sum(weekend) / len(weekend)


def test_demo_refuses_a_store_with_data_without_force(demo_db, tmp_path):
    copy = tmp_path / "copy.db"
    copy.write_bytes(demo_db.read_bytes())
    runner = CliRunner()
    result = runner.invoke(cli, ["demo", "--db", str(copy), "--users", "10", "--months", "1", "--today", "2026-11-25"])
    assert result.exit_code == 2 and "--force" in result.output
    result = runner.invoke(cli, ["demo", "--db", str(copy), "--users", "10", "--months", "1", "--today", "2026-11-25", "--force"])
    assert result.exit_code == 0, result.output
    with open_store(copy) as store:
        assert store.scalar("SELECT COUNT(*) FROM people") == 10


def test_demo_with_an_impossible_date_creates_no_store(tmp_path):
    result = CliRunner().invoke(cli, ["demo", "--db", str(tmp_path / "new.db"), "--today", "2026-02-30"])
    assert result.exit_code == 2 and "--today must be YYYY-MM-DD" in result.output
    assert not (tmp_path / "new.db").exists()


def test_demo_totals_add_up_exactly_across_slices(demo_db):
    with open_store(demo_db, read_only=True) as store:
        q = Query(store, "UTC", TODAY)
        result = build_view("overview", q, parse_period(None, TODAY, "2026-08-01", "2026-11-25"), Scope())
        total = result.total_spend
        assert total == sum(s.spend for s in result.current.providers.values())
        assert total == sum(s.spend for s in result.current.subjects.values())
        assert total == sum(d.spend for d in result.days.values())
        facts = store.scalar(
            "SELECT SUM(amount_nano) FROM usage_facts WHERE category IN ('overage', 'api') AND estimated = 0 "
            "AND day BETWEEN '2026-08-01' AND '2026-11-25'"
        )
        usage = sum(s.usage_spend for s in result.current.providers.values())
        # Only Cursor instants can cross a day edge; in UTC they do not, so usage equals the facts plus spreads.
        spread = sum(d.spread for d in result.days.values())
        assert usage == facts + spread


def test_status_warns_about_stale_and_aging_data(demo_db):
    with open_store(demo_db, read_only=True) as store:
        fresh = status(store, Settings(), now=datetime(2026, 11, 25, 9, tzinfo=timezone.utc))
        assert not [w for w in fresh.warnings if "stale" in w]
        assert any("last sync failed" in w for w in fresh.warnings) is False
        late = status(store, Settings(), now=datetime(2026, 12, 20, 9, tzinfo=timezone.utc))
        assert any(w.startswith("cursor: stale data") for w in late.warnings)
        assert any("keeps about 30 days" in w for w in late.warnings)
        lost = status(store, Settings(), now=datetime(2027, 1, 20, 9, tzinfo=timezone.utc))
        assert not any("keeps about 30 days" in w for w in lost.warnings)
        assert any("is past the vendor's 30-day window: no sync can fetch it now; import the vendor's CSV export"
                   in w for w in lost.warnings)  # fmt: skip
        assert {p.provider: p.records > 0 for p in late.providers} == {"cursor": True, "anthropic": True, "openai": True}


def test_status_cli_json(demo_db):
    result = CliRunner().invoke(cli, ["status", "--db", str(demo_db), "--format", "json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["store"]["schema_version"] >= 1 and data["sources"]


def test_status_check_exits_4_only_while_a_warning_stands(db_path):
    from builders import cursor_event, write_cursor

    with open_store(db_path):
        pass
    command = [sys.executable, "-m", "spendtui", "status", "--db", str(db_path), "--check"]
    finished = subprocess.run(command, capture_output=True, text=True)  # a store nothing ever filled
    assert finished.returncode == 4 and "the store holds no usage yet and no provider has a key" in finished.stdout
    with open_store(db_path) as store:
        write_cursor(store, [cursor_event("2026-11-02T10:00:00Z", "a@x.com", "1.00")])
    finished = subprocess.run(command, capture_output=True, text=True)
    assert finished.returncode == 4 and "seat price not configured" in finished.stdout
    config = db_path.parent / "config.toml"
    config.write_text('[providers.cursor]\nseat_price = "40.00"\n')
    assert subprocess.run([*command, "--config", str(config)], capture_output=True).returncode == 0


def test_seat_price_not_configured_is_a_warning(store):
    from builders import cursor_event, write_cursor

    write_cursor(store, [cursor_event("2026-11-02T10:00:00Z", "a@x.com", "1.00")])
    assert any("seat price not configured" in w for w in status(store, Settings()).warnings)


def test_seat_price_not_configured_stands_while_synced_roster_seats_have_no_fee(store):
    from builders import cursor_event, write_cursor

    write_cursor(store, [cursor_event("2026-11-02T10:00:00Z", "a@x.com", "1.00")])
    with store.transaction() as conn:  # what a Cursor sync writes for a member: a seat, no fee
        conn.execute("INSERT INTO seats (provider, person_id, plan, active_from, source) "
                     "SELECT 'cursor', id, 'member', '2026-10-01', 'cursor.api.members' FROM people")  # fmt: skip
    assert any("seat price not configured" in w for w in status(store, Settings()).warnings)
    with store.transaction() as conn:
        conn.execute("UPDATE seats SET monthly_fee_nano = 40000000000")
    assert not any("seat price not configured" in w for w in status(store, Settings()).warnings)


@pytest.mark.parametrize(
    ("last", "warning"),
    [
        ("failed", "openai: the last sync failed: GET /v1/organization/costs answered 500"),
        ("config_error", "openai: the last sync was refused (a configuration error): GET /v1/organization/costs answered 500"),
        ("interrupted", "openai: the last sync was interrupted (its process ended mid-run; the next sync resumes)"),
        ("cancelled", None),
    ],
)  # fmt: skip
def test_a_last_sync_that_did_not_end_ok_is_a_warning_with_its_error(store, last, warning):
    """Monitoring runs `status --check`: a revoked key or a killed sync must show there, not a day later as staleness."""
    with store.transaction() as conn:
        conn.execute("INSERT INTO sync_runs (provider, trigger, started_at, status) VALUES ('openai', 'scheduled', "
                     "'2026-11-25T08:00:00Z', 'ok')")  # fmt: skip
        error = None if last == "interrupted" else "openai: GET /v1/organization/costs answered 500"
        conn.execute("INSERT INTO sync_runs (provider, trigger, started_at, status, error) VALUES ('openai', "
                     "'scheduled', '2026-11-25T09:00:00Z', ?, ?)", (last, error))  # fmt: skip
    found = [w for w in status(store, Settings(), now=datetime(2026, 11, 25, 9, 5, tzinfo=timezone.utc)).warnings
             if w.startswith("openai")]  # fmt: skip
    assert found == ([warning] if warning else [])


@pytest.mark.parametrize("text", ["2026-10", "30d", "7d", "ytd", "last-month", "2026-07-01..2026-09-30"])
def test_the_overview_tab_totals_from_the_org_rollup_match_the_per_person_sums(demo_db, text):
    """The Overview tab reads the small org-day rollup; it must agree with the per-person rows
    the report and the Team tab read, for the org, a team and a provider."""
    from spendtui.analytics.totals import scope_totals, totals

    with open_store(demo_db, read_only=True) as store:
        q = Query(store, "UTC", TODAY)
        team = store.scalar("SELECT name FROM teams ORDER BY id LIMIT 1")
        period = parse_period(None, TODAY, *text.split("..")) if ".." in text else parse_period(text, TODAY)
        for scope in (Scope(), Scope(team=team), Scope(provider="cursor")):
            fast, full = scope_totals(q, period, scope), totals(q, period, scope)
            assert fast.all == full.all and fast.providers == full.providers and fast.models == full.models
            assert fast.top_model == full.top_model and full.all.spend > 0



def model_grain_totals(q, period, scope):
    """totals() the way it was before roll_subject: a fold of the model-grain rollup rows."""
    from spendtui.analytics.totals import fold

    columns = "subject, provider, model, category, est, amount_nano, requests"
    source, params = q.subject_rows(period, scope, columns.split(", "))
    return fold(q.store.tuples(f"SELECT {columns} FROM ({source}) WHERE est IN (0, 1)", params))


@pytest.mark.parametrize("text", ["2026-10", "ytd", "2026-07-01..2026-09-30", "last-month", "2026-08"])
def test_the_per_person_summary_gives_the_figures_of_the_model_grain_rows(demo_db, text):
    """roll_subject (no product or model grain, top models precomputed) must give the org's totals,
    each team's and each person's spend exactly as folding the model-grain rollup rows does."""
    from spendtui.analytics.teams import spend_by_team
    from spendtui.analytics.totals import spend_by_subject, totals

    with open_store(demo_db, read_only=True) as store:
        q = Query(store, "UTC", TODAY)
        period = parse_period(None, TODAY, *text.split("..")) if ".." in text else parse_period(text, TODAY)
        assert q.single_unit(period)
        for scope in (Scope(), Scope(provider="cursor"), Scope(provider="anthropic"), Scope(provider="openai")):
            full, fast = model_grain_totals(q, period, scope), totals(q, period, scope)
            assert fast.subjects == full.subjects and fast.all == full.all and full.all.spend > 0
            assert fast.providers == full.providers and fast.models == full.models
        people = model_grain_totals(q, period, Scope()).subjects
        assert spend_by_subject(q, period, Scope()) == {s: v.spend for s, v in people.items() if v.spend}
        for row in spend_by_team(q, period):
            assert row.sums == model_grain_totals(q, period, Scope(team=row.name)).all


@pytest.mark.parametrize(
    ("now", "warning"),
    [
        ("2026-11-24T12:00:00", "cursor: the vendor keeps about 30 days: sync by 2026-11-30 or usage after 2026-10-31 "
                                "ages out (the API no longer returns days before 2026-10-25)"),
        ("2026-11-30T12:00:00", "cursor: the vendor keeps about 30 days: sync by 2026-11-30 or usage after 2026-10-31 "
                                "ages out (the API no longer returns days before 2026-10-31)"),
        ("2026-12-01T12:00:00", "cursor: usage of 2026-10-31..2026-10-31 is past the vendor's 30-day window: no sync "
                                "can fetch it now; import the vendor's CSV export for it"),
    ],
)  # fmt: skip
def test_the_vendor_window_warning_at_its_edges(store, now, warning):
    """Usage of the last good sync's day stays fetchable until the window's first day passes it."""
    with store.transaction() as conn:
        conn.execute("INSERT INTO sync_runs (provider, trigger, started_at, status) "
                     "VALUES ('cursor', 'scheduled', '2026-10-31T07:00:00Z', 'ok')")  # fmt: skip
    moment = datetime.fromisoformat(now).replace(tzinfo=timezone.utc)
    found = [w for w in status(store, Settings(), now=moment).warnings if "window" in w or "keeps about" in w]
    assert found == [warning]


def test_status_warns_when_the_configured_key_file_is_missing(store, tmp_path, monkeypatch):
    from spendtui.config import load_settings

    monkeypatch.delenv("SPENDTUI_ANTHROPIC_ADMIN_KEY", raising=False)
    key = tmp_path / "anthropic.key"
    config = tmp_path / "config.toml"
    config.write_text(f'[providers.anthropic]\nkey_file = "{key}"\n')
    settings = load_settings(config)
    assert f"anthropic: key_file {key} does not exist: the next sync will fail" in status(store, settings).warnings
    key.write_text("sk-ant-admin01-x\n")
    assert not any("key_file" in w for w in status(store, settings).warnings)
    monkeypatch.setenv("SPENDTUI_ANTHROPIC_ADMIN_KEY", "sk-ant-admin01-y")  # the environment wins: the file is unused
    key.unlink()
    assert not any("key_file" in w for w in status(store, settings).warnings)


@pytest.mark.parametrize("view", ["overview", "team", "cursor", "anthropic", "openai"])
def test_every_table_has_the_columns_it_declares(demo_db, view):
    with open_store(demo_db, read_only=True) as store:
        result = build_view(view, Query(store, "UTC", TODAY), parse_period("last-month", TODAY), Scope())
        tables = result.tables()
    assert set(tables) <= set(result.TABLE_COLUMNS)
    for name, rows in tables.items():
        declared = result.TABLE_COLUMNS[name]
        assert rows or declared, name
        if declared is not None:
            assert [list(row) for row in rows] == [list(declared)] * len(rows), name


def test_an_empty_table_still_writes_its_csv_header(demo_db):
    args = ["--read-only", "report", "2019-01", "--db", str(demo_db), "--format", "csv"]
    result = CliRunner().invoke(cli, [*args, "--view", "openai", "--table", "cost_by_line_item"])
    assert (result.exit_code, result.stdout) == (0, "line_item,project,spend\n")
    result = CliRunner().invoke(cli, [*args, "--table", "users"])
    assert result.stdout == "user,providers,spend,previous_spend,change_pct,requests,cost_per_request,top_model\n"


def test_the_demo_holds_the_rollups_a_rebuild_computes(demo_db, tmp_path):
    """What the demo writes (seats, their invoices, spread amounts) adds up as a rebuild would: a
    switch of time zone, which rebuilds, must not move its figures."""
    from spendtui.store import rollup

    copy = tmp_path / "copy.db"
    copy.write_bytes(demo_db.read_bytes())
    with open_store(copy) as store:
        def rows():
            return {t: sorted(map(tuple, store.query(f"SELECT * FROM {t}"))) for t in rollup.ROLLUP_TABLES}

        built = rows()
        rollup.rebuild_all(store)
        assert rows() == built
