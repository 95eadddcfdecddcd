"""``spendtui sync`` end to end against local servers that speak the vendors' documented shapes."""

from __future__ import annotations

import base64
import os
import signal
import subprocess
import sys
import threading
import traceback
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

import pytest

from spendtui.analytics.status import status as store_status
from spendtui.cli import main
from spendtui.config import ProviderSettings, Settings
from spendtui.money import cents_to_nano, dollars_to_nano
from spendtui.providers.base import DAY_MS, HOUR_MS, Stream, day_ms
from spendtui.providers.http import HttpOptions
from spendtui.store import open_store, rollup
from spendtui.store.facts import RANK_CSV, FactBatch, write_facts
from spendtui.sync import StreamState, SyncLocked, plan, run_sync, sync_lock
from tests.fake_vendors import all_vendors, point_env
from tests.import_helpers import CURSOR_EVENTS, imported

KEY = "sk-admin-SENTINEL-7f3a9c5e1b2d4f60"
NOW = datetime(2026, 10, 7, 10, 0, tzinfo=timezone.utc)
FAST = HttpOptions(timeout_s=0.3, max_attempts=3, backoff_base_s=0.01, backoff_cap_s=0.05)
SEAT = dollars_to_nano("40.00")
ROOT = Path(__file__).resolve().parent.parent


def settings(seat_price: int | None = None) -> Settings:
    fast = dict(requests_per_minute=100_000)
    return Settings(providers={
        "cursor": ProviderSettings(seat_price_nano=seat_price, **fast),
        "anthropic": ProviderSettings(**fast),
        "openai": ProviderSettings(**fast),
    })  # fmt: skip


SINCE = date(2026, 10, 1)  # the fixtures' days; tests about the default 90-day backfill pass since=None


def sync(store, now=NOW, since=SINCE, **kw):
    return run_sync(store, kw.pop("settings", settings()), now=now, since=since, http=FAST, **kw)


@pytest.fixture
def vendors(monkeypatch):
    fakes = all_vendors(KEY)
    point_env(monkeypatch, fakes, KEY)
    yield fakes
    for fake in fakes.values():
        fake.stop()


def day_totals(store, stream: str) -> dict[str, int]:
    rows = store.query("SELECT day, SUM(amount_nano) FROM usage_facts WHERE stream = ? GROUP BY day", (stream,))
    return {day: total for day, total in rows if total}


def state(store, provider, stream):
    row = store.query(
        "SELECT synced_from, synced_through, backfill_done FROM sync_state WHERE provider = ? AND stream = ?",
        (provider, stream),
    )
    return tuple(row[0]) if row else None


ANTHROPIC_DAYS = {"2026-10-01": cents_to_nano("2109.5"), "2026-10-02": cents_to_nano("1527"),
                  "2026-10-03": cents_to_nano("150")}  # fmt: skip
OPENAI_DAYS = {"2026-10-01": dollars_to_nano("10.0875"), "2026-10-02": dollars_to_nano("8.6625"),
               "2026-10-03": dollars_to_nano("1.4225")}  # fmt: skip


def assert_fixture_totals(store):
    assert day_totals(store, "anthropic.cost") == ANTHROPIC_DAYS
    assert day_totals(store, "openai.cost") == OPENAI_DAYS
    # Cursor (cursor.md section 7): the cycle's on-demand and overall spend per member equal the events'.
    for email, on_demand, total in store.query(
        "SELECT email, on_demand_nano, total_nano FROM cursor_spend_snapshots"
    ):  # fmt: skip
        sums = store.query(
            """SELECT COALESCE(SUM(CASE WHEN category = 'overage' THEN amount_nano END), 0),
                      COALESCE(SUM(CASE WHEN category IN ('overage', 'included') THEN amount_nano END), 0)
               FROM usage_facts f JOIN people p ON p.id = f.person_id
               WHERE f.stream = 'cursor.events' AND p.email = ?""",
            (email,),
        )[0]
        assert (sums[0], sums[1]) == (on_demand, total), email
    assert store.scalar("SELECT COUNT(*) FROM usage_facts WHERE stream = 'cursor.events'") == 8


# -- planning ----------------------------------------------------------------------------------------
EVENTS = Stream("cursor.events", day_buckets=False, window_days=1, stop_after_empty=7)
DAYS = Stream("x.cost", day_buckets=True, window_days=31)
END = int(NOW.timestamp() * 1000)


def test_first_run_backfills_backwards_in_closed_day_aligned_windows():
    (backfill,), replace_from = plan(EVENTS, StreamState(), END, None)
    assert backfill.backfill and backfill.stop_after_empty == 7
    assert backfill.windows[0] == (day_ms("2026-10-07"), END)  # newest first, ending at the last full hour
    assert backfill.windows[1] == (day_ms("2026-10-06"), day_ms("2026-10-07"))
    assert backfill.windows[-1][0] == END - 90 * DAY_MS and replace_from == END - 48 * HOUR_MS
    (since_pass,), _ = plan(DAYS, StreamState(), END, date(2026, 9, 1))
    assert since_pass.stop_after_empty is None
    assert since_pass.windows == [(day_ms("2026-09-07"), END), (day_ms("2026-09-01"), day_ms("2026-09-07"))]


def test_later_runs_reread_48_hours_and_resume_an_unfinished_backfill():
    low = day_ms("2026-09-20")
    upper, resume = plan(EVENTS, StreamState(low, END, False), END + 3 * HOUR_MS, None)[0]
    assert upper.windows[0] == (END - 48 * HOUR_MS, day_ms("2026-10-06")) and upper.windows[-1][1] == END + 3 * HOUR_MS
    assert resume.windows[0] == (day_ms("2026-09-19"), low) and resume.backfill
    passes, replace_from = plan(DAYS, StreamState(low, END, True), END, None)
    assert len(passes) == 1 and passes[0].windows == [(day_ms("2026-10-05"), END)] == [(replace_from, END)]
    passes, _ = plan(DAYS, StreamState(low, END, True), END, date(2026, 8, 1))
    assert passes[1].windows[-1][0] == day_ms("2026-08-01") and passes[1].stop_after_empty is None
    until = day_ms("2026-09-01")  # --since 2026-08-01 --until 2026-08-31: nothing after the 31st
    passes, _ = plan(DAYS, StreamState(low, END, True), until, date(2026, 8, 1))
    assert passes[0].windows == [] and passes[1].windows == [(day_ms("2026-08-01"), until)]


# -- syncing -----------------------------------------------------------------------------------------
def test_first_sync_of_every_provider_matches_the_fixture_totals(store, vendors):
    report = sync(store, since=None)
    assert report.exit_code == 0, [p.error for p in report.providers]
    assert_fixture_totals(store)
    runs = store.query("SELECT provider, trigger, status, events, records, users, error FROM sync_runs ORDER BY id")
    assert [(r[0], r[1], r[2]) for r in runs] == [(p, "manual", "ok") for p in ("cursor", "anthropic", "openai")]
    assert runs[0]["events"] == 8 and runs[0]["users"] == 5 and all(r["records"] > 0 and not r["error"] for r in runs)
    assert state(store, "cursor", "cursor.events") == ("2026-09-28T00:00:00Z", "2026-10-07T10:00:00Z", 1)
    assert state(store, "openai", "openai.usage") == ("2026-07-09T00:00:00Z", "2026-10-07T10:00:00Z", 1)
    labels = dict(store.query("SELECT external_id, label FROM accounts WHERE provider = 'anthropic'"))
    assert labels["default"] == "Default" and labels["wrkspc_01Kd8Xq2VmT7pLr4Nw9ZcB3s"] == "Data Platform"
    # Claude Code estimates of 2026-10-06 stand alone (no billed Anthropic cost that day), marked estimated.
    assert store.scalar(
        "SELECT SUM(amount_nano) FROM roll_org_day WHERE provider = 'anthropic' AND day = '2026-10-06' AND est = 1"
    ) == cents_to_nano(363 + 8 + 49 + 350 + 127)  # fmt: skip


def test_a_second_sync_rereads_only_the_trailing_window_and_changes_nothing(store, vendors):
    sync(store)
    before = store.query("SELECT nk, amount_nano, tok_in FROM usage_facts ORDER BY nk")
    for fake in vendors.values():
        fake.log.clear()
    assert sync(store, now=NOW + timedelta(hours=1), since=None).exit_code == 0
    starts = [c["startDate"] for c in vendors["cursor"].calls("/teams/filtered-usage-events")]
    assert min(starts) == int(NOW.timestamp() * 1000) - 48 * HOUR_MS and len(starts) == 3
    days = {c["starting_at"] for c in vendors["anthropic"].calls("/v1/organizations/usage_report/claude_code")}
    assert days == {"2026-10-05", "2026-10-06", "2026-10-07"}
    assert store.query("SELECT nk, amount_nano, tok_in FROM usage_facts ORDER BY nk") == before


def test_the_vendor_answer_replaces_ours_only_inside_the_trailing_window(store, vendors):
    # A CSV import already holds one day the API answers and one it does not.
    for day in ("2026-10-02", "2026-09-15"):
        write_facts(store, FactBatch("anthropic", "anthropic.cost", "anthropic.csv.cost", RANK_CSV, [
            {"key": f"csv|{day}", "product": "api", "day": day, "account_kind": "workspace", "account_id": "default",
             "category": "api", "amount_nano": dollars_to_nano("21.10")}], day_buckets=True))  # fmt: skip
    vendors["anthropic"].cost["2026-10-08"] = [{"amount": "500", "currency": "USD", "workspace_id": None}]
    sync(store, since=None)
    assert set(day_totals(store, "anthropic.cost")) == {"2026-09-15", *ANTHROPIC_DAYS}  # API won 10-02, 09-15 kept
    sync(store, now=NOW + timedelta(days=2), since=None)
    assert day_totals(store, "anthropic.cost")["2026-10-08"] == cents_to_nano(500)
    # The vendor forgets everything; a new event arrives and 10-08 is revised to nothing.
    vendors["cursor"].events = [{"timestamp": str(int(NOW.timestamp() * 1000) + 2 * DAY_MS + 60_000),
                                 "userEmail": "bob@example.com", "model": "default", "kind": "Usage-based",
                                 "tokenUsage": {"inputTokens": 10, "totalCents": 1}, "chargedCents": 1.5}]  # fmt: skip
    vendors["anthropic"].cost.clear()
    vendors["openai"].costs.clear()
    assert sync(store, now=NOW + timedelta(days=3), since=None).exit_code == 0
    # re-read window [10-07 10:00, 10-10 10:00): 10-08 replaced by the empty answer, older days kept
    assert day_totals(store, "anthropic.cost") == {"2026-09-15": dollars_to_nano("21.10"), **ANTHROPIC_DAYS}
    assert day_totals(store, "openai.cost") == OPENAI_DAYS
    assert store.scalar("SELECT COUNT(*) FROM usage_facts WHERE stream = 'cursor.events'") == 9


def test_a_reread_answer_far_short_of_the_last_one_adds_but_removes_nothing(store, vendors, db_path, tmp_path, capfd):
    now_ms = int(NOW.timestamp() * 1000)
    events = [{"timestamp": str(now_ms - HOUR_MS - i * 60_000), "userEmail": f"dev{i % 5}@example.com",
               "model": "default", "kind": "Usage-based", "tokenUsage": {"inputTokens": 10 + i}, "chargedCents": 2}
              for i in range(30)]  # fmt: skip
    vendors["cursor"].events = list(events)
    sync(store, providers=["cursor"])
    counted = "SELECT COUNT(*), SUM(amount_nano) FROM usage_facts WHERE stream = 'cursor.events'"
    assert store.query(counted)[0][:] == (30, cents_to_nano(60))
    # An outage answers the re-read window with nothing but one new event: it is added, ours stay.
    late = {**events[0], "timestamp": str(now_ms + 30 * 60_000)}
    vendors["cursor"].events = [late]
    run = sync(store, now=NOW + timedelta(hours=1), since=None, providers=["cursor"])
    (cursor,) = run.providers
    assert cursor.status == "ok" and run.exit_code == 0
    assert cursor.warnings == [
        "cursor.events 2026-10-05..2026-10-07: the vendor now answers 1 record where it answered 30 before; its "
        "answer was added and nothing of ours removed (a re-read that short is an outage or a filter, not a restatement)"
    ]
    assert store.query(counted)[0][:] == (31, cents_to_nano(62))
    assert "the vendor now answers 1 record where" in store.scalar("SELECT error FROM sync_runs ORDER BY id DESC LIMIT 1")
    assert any(w.startswith("cursor: the last sync warned: cursor.events") for w in store_status(store, settings()).warnings)
    # A restatement that takes back a few of them is the vendor's to make.
    vendors["cursor"].events = events[3:] + [late]
    assert sync(store, now=NOW + timedelta(hours=2), since=None, providers=["cursor"]).providers[0].warnings == []
    assert not [w for w in store_status(store, settings()).warnings if "warned" in w]  # the next good run clears it
    assert store.query(counted)[0][:] == (28, cents_to_nano(56))
    # The command line says so on stderr, and still exits 0.
    vendors["cursor"].events = []
    capfd.readouterr()
    env = cli_env(vendors, db_path, tmp_path) | {"SPENDTUI_NOW": (NOW + timedelta(hours=3)).isoformat()}
    code, _, err = run_cli(["sync", "-q", "--provider", "cursor"], env, capfd)  # as cron runs it: quiet, but not about this
    assert code == 0 and "spendtui: warning: cursor: cursor.events 2026-10-05..2026-10-07: the vendor now" in err
    assert store.query(counted)[0][:] == (28, cents_to_nano(56))


def test_transient_failures_on_every_vendor_are_retried(store, vendors):
    vendors["cursor"].fail("/teams/filtered-usage-events", None, (429, 0), "drop")
    vendors["cursor"].fail("/teams/members", "garbage")
    vendors["anthropic"].fail("/v1/organizations/cost_report", 500, "slow")
    vendors["anthropic"].fail("/v1/organizations/usage_report/claude_code", None, None, 529)
    vendors["openai"].fail("/v1/organization/costs", "drop", "garbage")
    vendors["openai"].fail("/v1/organization/usage/embeddings", (429, 0))
    vendors["anthropic"].bucket_page = vendors["openai"].bucket_page = 2  # the fixtures' page size
    report = sync(store)
    assert report.exit_code == 0, [p.error for p in report.providers]
    assert_fixture_totals(store)


def test_a_failed_provider_keeps_its_windows_the_others_run_and_the_next_run_resumes(store, vendors):
    path = "/v1/organizations/usage_report/claude_code"
    vendors["anthropic"].fail(path, *[None] * 10, 500, 500, 500)  # dies on its 11th day, after retries
    report = sync(store, since=None)
    assert [(p.provider, p.status) for p in report.providers] == [
        ("cursor", "ok"), ("anthropic", "failed"), ("openai", "ok")]  # fmt: skip
    assert report.exit_code == 1 and "failed after 3 attempts: HTTP 500" in report.providers[1].error
    assert store.scalar("SELECT error FROM sync_runs WHERE provider = 'anthropic'").startswith("Anthropic: GET")
    # 10 answers: 10-07, 10-06 (two pages), 10-05 .. 09-29
    assert state(store, "anthropic", "anthropic.claude_code") == ("2026-09-29T00:00:00Z", "2026-10-07T10:00:00Z", 0)
    assert day_totals(store, "anthropic.cost") == ANTHROPIC_DAYS  # the earlier streams are kept
    vendors["anthropic"].log.clear()
    assert sync(store, since=None).exit_code == 0
    called = {c["starting_at"] for c in vendors["anthropic"].calls(path)}
    assert {"2026-10-05", "2026-10-06", "2026-10-07"} <= called  # the re-read window...
    assert not called & {f"2026-{d}" for d in ("09-29", "09-30", "10-01", "10-02", "10-03", "10-04")}
    assert {"2026-09-28", "2026-07-09"} <= called  # ...then the backfill goes on below 09-29
    assert state(store, "anthropic", "anthropic.claude_code") == ("2026-07-09T00:00:00Z", "2026-10-07T10:00:00Z", 1)
    assert_fixture_totals(store)


def test_cancel_stops_between_windows_and_the_next_run_resumes(store, vendors):
    cancel = threading.Event()

    def progress(event):
        if event.stream == "cursor.events" and event.step == 2:
            cancel.set()

    report = sync(store, progress=progress, cancel=cancel)
    assert [(p.provider, p.status) for p in report.providers] == [("cursor", "cancelled")]
    assert report.exit_code == 130
    assert state(store, "cursor", "cursor.events") == ("2026-10-06T00:00:00Z", "2026-10-07T10:00:00Z", 0)
    assert store.scalar("SELECT status FROM sync_runs") == "cancelled"
    assert sync(store).exit_code == 0
    assert_fixture_totals(store)


def test_roster_seats_open_and_close_and_accrue_only_with_a_seat_price(store, vendors):
    sync(store, settings=settings(SEAT))
    seats = store.query("""SELECT p.email, s.plan, s.monthly_fee_nano, s.active_from, s.active_to
                           FROM seats s JOIN people p ON p.id = s.person_id ORDER BY p.email""")  # fmt: skip
    assert [tuple(s) for s in seats] == [
        (f"{name}@example.com", "cursor-team", None, "2026-10-07", None) for name in ("alice", "bob", "carol", "dave")
    ]  # erin was already removed: never seen holding a seat
    today = date(2026, 10, 7)
    accrued = "SELECT SUM(amount_nano) FROM roll_day WHERE provider = 'cursor' AND category = 'subscription' AND day=?"
    rollup.configure(store, "UTC", {}, today)
    assert store.scalar(accrued, ("2026-10-07",)) is None  # no seat_price: a roster alone is no spend
    rollup.configure(store, "UTC", {"cursor": SEAT}, today)
    assert store.scalar(accrued, ("2026-10-07",)) == 4 * (SEAT // 31)
    vendors["cursor"].members["teamMembers"][3].update(role="removed", isRemoved=True)
    sync(store, now=NOW + timedelta(days=1), settings=settings(SEAT))
    assert store.scalar("SELECT active_to FROM seats WHERE person_id = "
                        "(SELECT id FROM people WHERE email = 'dave@example.com')") == "2026-10-08"  # fmt: skip


def test_the_spend_snapshot_keeps_one_per_cycle_per_day(store, vendors):
    sync(store)
    sync(store, now=NOW + timedelta(hours=1))
    assert store.scalar("SELECT COUNT(*) FROM cursor_spend_snapshots") == 4
    sync(store, now=NOW + timedelta(days=1))
    assert store.scalar("SELECT COUNT(DISTINCT fetched_at) FROM cursor_spend_snapshots") == 2


def test_since_backfills_history_the_first_run_stopped_short_of(store, vendors):
    report = sync(store, providers=["cursor"], since=None)
    # the fixtures' events lie on 10-05 and 10-06; the 7 days before them are empty
    assert report.providers[0].notes == [
        "cursor.events: nothing from 2026-09-28 to 2026-10-04, so the backfill stops there "
        "(for older records: spendtui sync --provider cursor --since YYYY-MM-DD)"]  # fmt: skip
    old = {"timestamp": str(day_ms("2026-08-01") + 3_600_000), "userEmail": "carol@example.com", "model": "m",
           "kind": "Usage-based", "chargedCents": 10}  # fmt: skip
    vendors["cursor"].events.append(old)
    assert sync(store, providers=["cursor"], since=date(2026, 7, 15)).exit_code == 0
    assert store.scalar("SELECT COUNT(*) FROM usage_facts WHERE stream = 'cursor.events'") == 9
    assert state(store, "cursor", "cursor.events")[0] == "2026-07-15T00:00:00Z"


def test_a_since_backfill_that_fails_is_carried_on_by_the_next_plain_sync(store, vendors):
    path = "/v1/organizations/usage_report/claude_code"
    assert sync(store, providers=["anthropic"], since=None).exit_code == 0  # the default 90 days
    assert state(store, "anthropic", "anthropic.claude_code")[0] == "2026-07-09T00:00:00Z"
    vendors["anthropic"].fail(path, *[None] * 10, 500, 500, 500)
    assert sync(store, providers=["anthropic"], since=date(2026, 5, 1)).exit_code == 1
    low = state(store, "anthropic", "anthropic.claude_code")[0]
    assert "2026-05-01" < low < "2026-07-09"
    vendors["anthropic"].log.clear()
    assert sync(store, providers=["anthropic"], since=None).exit_code == 0  # as cron runs it, with no --since
    assert "2026-05-01" in {c["starting_at"] for c in vendors["anthropic"].calls(path)}
    assert state(store, "anthropic", "anthropic.claude_code") == ("2026-05-01T00:00:00Z", "2026-10-07T10:00:00Z", 1)
    assert store.scalar("SELECT backfill_from FROM sync_state WHERE stream = 'anthropic.claude_code'") is None


def test_a_second_sync_on_the_same_store_exits_at_once_naming_the_holder(store, vendors, db_path):
    with sync_lock(db_path):
        with pytest.raises(SyncLocked, match=f"PID {os.getpid()}") as caught:
            sync(store)
    assert caught.value.exit_code == 1
    holder = subprocess.Popen(
        [sys.executable, "-c", "import sys, time; from spendtui.sync import sync_lock\n"
         "with sync_lock(sys.argv[1]):\n print('locked', flush=True); time.sleep(60)", str(db_path)],
        stdout=subprocess.PIPE, text=True,
    )  # fmt: skip
    assert holder.stdout.readline().strip() == "locked"
    with pytest.raises(SyncLocked, match=f"PID {holder.pid}"):
        sync(store)
    holder.kill()  # SIGKILL: no cleanup runs, yet the kernel drops the lock
    holder.wait()
    assert sync(store).exit_code == 0


def test_the_sync_lock_is_as_shared_as_the_store_and_a_lock_it_cannot_open_is_a_clear_error(store, db_path):
    from spendtui.errors import SpendtuiError
    from spendtui.sync import lock_path

    db_path.chmod(0o660)  # a store a group syncs in turn (cli.md)
    umask = os.umask(0o022)  # systemd's default
    try:
        with sync_lock(db_path):
            assert lock_path(db_path).stat().st_mode & 0o777 == 0o660
    finally:
        os.umask(umask)
    lock_path(db_path).unlink()
    lock_path(db_path).mkdir()  # (root opens any file: a directory stands in for one this user may not write)
    with pytest.raises(SpendtuiError, match=r"^cannot open the sync lock .*: whoever syncs .* must be able to write"):
        with sync_lock(db_path):
            pass


# -- the command -------------------------------------------------------------------------------------
def cli_env(vendors, db_path, tmp_path) -> dict:
    config = tmp_path / "config.toml"
    config.write_text("".join(f"[providers.{p}]\nrequests_per_minute = 100000\n" for p in vendors))
    env = {k: v for k, v in os.environ.items() if not k.startswith("SPENDTUI_")}
    env.update(SPENDTUI_CONFIG=str(config), SPENDTUI_DB=str(db_path), SPENDTUI_NOW=NOW.isoformat(),
               PYTHONPATH=str(ROOT / "src"))  # fmt: skip
    for name, value in os.environ.items():
        if name.startswith(("SPENDTUI_CURSOR", "SPENDTUI_ANTHROPIC", "SPENDTUI_OPENAI")):
            env[name] = value
    return env


def run_cli(args, env, capfd) -> tuple[int, str, str]:
    from spendtui.providers import http

    saved = dict(os.environ)
    http.DEFAULT_OPTIONS = FAST
    os.environ.clear()
    os.environ.update(env)
    try:
        with pytest.raises(SystemExit) as done:
            main(args)
    finally:
        os.environ.clear()
        os.environ.update(saved)
        http.DEFAULT_OPTIONS = HttpOptions()
    out, err = capfd.readouterr()
    return done.value.code, out, err


def test_check_verifies_each_key_and_writes_nothing(vendors, db_path, tmp_path, capfd):
    env = cli_env(vendors, db_path, tmp_path)
    code, out, err = run_cli(["sync", "--check"], env, capfd)
    assert code == 0, err
    assert "cursor: ok" in out and "5 members" in out and "organization Example Org" in out
    vendors["openai"].fail("/v1/organization/costs", 403)
    code, out, err = run_cli(["sync", "--check", "-p", "openai"], env, capfd)
    assert code == 2 and "api.usage.read" in err and "SPENDTUI_OPENAI_ADMIN_KEY" in err
    assert not db_path.exists()


def test_cli_sync_prints_a_line_per_window_and_a_summary(vendors, db_path, tmp_path, capfd):
    code, out, err = run_cli(["sync", "-p", "openai", "--since", "2026-10-01"], cli_env(vendors, db_path, tmp_path),
                             capfd)  # fmt: skip
    assert code == 0, err
    assert "openai: [1/1] openai.cost 2026-10-01..2026-10-07: 17 records" in err
    assert out.startswith("openai\tok\t0 events\t24 records")
    code, out, err = run_cli(["sync", "--until", "2026-01-01", "--since", "2026-02-01"], cli_env(vendors, db_path,
                             tmp_path), capfd)  # fmt: skip
    assert code == 2 and "after --until" in err


def test_a_quiet_sync_that_went_well_says_nothing_on_stderr(vendors, db_path, tmp_path, capfd):
    code, out, err = run_cli(["sync", "-q", "-p", "openai", "--since", "2026-10-01"], cli_env(vendors, db_path, tmp_path),
                             capfd)  # fmt: skip
    assert (code, err) == (0, "") and out.startswith("openai\tok")


def test_the_key_appears_nowhere(vendors, db_path, tmp_path, capfd):
    vendors["cursor"].fail("/teams/members", 401)  # the error body echoes the key it got
    vendors["anthropic"].fail("/v1/organizations/users", 500, 500, 500)  # so do these
    vendors["openai"].fail("/v1/organization/costs", 500, 502)
    code, out, err = run_cli(["sync", "-v", "--since", "2026-10-01"], cli_env(vendors, db_path, tmp_path), capfd)
    assert code == 2 and "HTTP 401" in err and "HTTP 500" in err
    basic = base64.b64encode(f"{KEY}:".encode()).decode().rstrip("=")
    texts = [out, err]
    with open_store(db_path) as store:
        texts += [str(tuple(r)) for r in store.query("SELECT * FROM sync_runs")]
        assert store.scalar("SELECT COUNT(*) FROM sync_runs WHERE error IS NOT NULL") == 2
    blobs = [p.read_bytes() for p in db_path.parent.glob(db_path.name + "*")]
    # the exceptions themselves, with their tracebacks, on the 401 and the 500 paths
    from spendtui.providers import get
    from spendtui.providers.secrets import Secret

    for name, status in (("cursor", 401), ("openai", 500)):
        vendors[name].fail("/teams/members" if name == "cursor" else "/v1/organization/users", status, status, status)
        provider = get(name)
        client = provider.client(Secret(KEY, "test"), settings(), FAST, threading.Event())
        try:
            client.get("/teams/members" if name == "cursor" else "/organization/users", shape=lambda b: True)
        except Exception as exc:  # noqa: BLE001 - the text of whatever is raised must be clean
            texts += [str(exc), repr(exc), "".join(traceback.format_exception(exc))]
        else:
            pytest.fail(f"{name} did not fail")
        finally:
            client.close()
    for text in texts:
        assert KEY not in text and "SENTINEL" not in text and basic not in text
    for blob in blobs:
        assert KEY.encode() not in blob and b"SENTINEL" not in blob and basic.encode() not in blob


def subprocess_sync(args, env) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "spendtui", "sync", *args], env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)  # fmt: skip


def test_every_runs_until_sigterm_and_stops_cleanly(vendors, db_path, tmp_path):
    service = subprocess_sync(["--every", "1h", "-p", "openai", "--since", "2026-10-01"],
                              cli_env(vendors, db_path, tmp_path))  # fmt: skip
    watchdog = threading.Timer(60, service.kill)  # a hung service fails the test instead of hanging it
    watchdog.start()
    try:
        assert service.stdout.readline().startswith("openai\tok")
        service.send_signal(signal.SIGTERM)
        assert service.wait(timeout=10) == 0
    finally:
        watchdog.cancel()
        service.kill()
    with open_store(db_path) as store:
        assert [tuple(r) for r in store.query("SELECT trigger, status FROM sync_runs")] == [("scheduled", "ok")]


def signalled_mid_run(vendors, db_path, tmp_path, stop: signal.Signals) -> int:
    """Run a one-off sync in a process and send it ``stop`` somewhere in the middle of Anthropic's
    windows (slowed down so it is still there); its exit code."""
    vendors["anthropic"].slow_s = 0.5
    vendors["anthropic"].fail("/v1/organizations/usage_report/claude_code", *[None] * 3, "slow", "slow")
    process = subprocess_sync(["--since", "2026-10-01"], cli_env(vendors, db_path, tmp_path))
    watchdog = threading.Timer(60, process.kill)  # never hang the suite
    watchdog.start()
    for line in process.stderr:
        if "anthropic.claude_code" in line:
            process.send_signal(stop)
            break
    code = process.wait()
    watchdog.cancel()
    return code


def test_a_sync_killed_mid_run_leaves_a_consistent_store_and_the_next_run_completes(vendors, db_path, tmp_path):
    assert signalled_mid_run(vendors, db_path, tmp_path, signal.SIGKILL) == -signal.SIGKILL
    with open_store(db_path) as store:
        assert store.scalar("PRAGMA integrity_check") == "ok"
        assert store.scalar("SELECT status FROM sync_runs WHERE provider = 'anthropic'") == "running"
        assert sync(store).exit_code == 0
        assert store.scalar("SELECT status FROM sync_runs WHERE provider = 'anthropic' ORDER BY id LIMIT 1") == (
            "interrupted")  # fmt: skip
        assert_fixture_totals(store)


@pytest.mark.parametrize("stop", [signal.SIGTERM, signal.SIGINT])
def test_a_one_off_sync_stopped_exits_130_keeps_what_it_wrote_and_the_next_run_completes(vendors, db_path, tmp_path,
                                                                                         stop):
    assert signalled_mid_run(vendors, db_path, tmp_path, stop) == 130
    with open_store(db_path) as store:
        assert store.scalar("SELECT status FROM sync_runs WHERE provider = 'anthropic'") == "cancelled"
        assert store.scalar("SELECT COUNT(*) FROM usage_facts WHERE provider = 'cursor'") > 0  # done before the stop
        assert sync(store).exit_code == 0
        assert_fixture_totals(store)


def test_until_is_the_last_day_synced(store, vendors):
    assert sync(store, until=date(2026, 10, 1)).exit_code == 0
    assert day_totals(store, "anthropic.cost") == {"2026-10-01": ANTHROPIC_DAYS["2026-10-01"]}
    assert day_totals(store, "openai.cost") == {"2026-10-01": OPENAI_DAYS["2026-10-01"]}


def test_every_takes_durations_of_a_minute_to_a_year():
    from spendtui.cli.sync import parse_duration
    from spendtui.errors import UsageError

    assert [parse_duration(t) for t in ("1h", "30m", "1h30m", "1d", "90s", "366d")] == [
        3600, 1800, 5400, 86400, 90, 366 * 86400]  # fmt: skip
    for bad in ("1x", "h", "10s", "1h 30m", "367d", "99999999999d"):
        with pytest.raises(UsageError):
            parse_duration(bad)


def test_a_store_another_process_keeps_writing_fails_the_sync_with_a_message_not_a_traceback(
    vendors, db_path, monkeypatch
):
    """A scheduled sync waits for an import's write; past the wait it says why, and resumes next time."""
    import sqlite3

    from spendtui import sync as engine

    monkeypatch.setattr(engine, "SYNC_BUSY_TIMEOUT_MS", 50)
    open_store(db_path).close()
    other = sqlite3.connect(db_path, isolation_level=None)
    other.execute("BEGIN IMMEDIATE")
    try:
        with pytest.raises(SyncLocked, match=r"^the store is busy \(database is locked\): another process has been"):
            sync(db_path)
    finally:
        other.execute("ROLLBACK")

    original = engine._Session._stream

    def writer_arrives(self, run, provider, stream, report, span):  # the import starts mid-sync
        if provider.name == "anthropic":
            other.execute("BEGIN IMMEDIATE")
        original(self, run, provider, stream, report, span)

    monkeypatch.setattr(engine._Session, "_stream", writer_arrives)
    try:
        reports = sync(db_path, progress=lambda event: None).providers
    finally:
        other.execute("ROLLBACK")
        other.close()
    assert [(r.provider, r.status) for r in reports] == [("cursor", "ok"), ("anthropic", "failed"), ("openai", "failed")]
    assert reports[1].error.startswith("anthropic: the store could not be written (database is locked): another")
    monkeypatch.setattr(engine._Session, "_stream", original)
    with open_store(db_path) as store:
        assert sync(store).exit_code == 0
        assert_fixture_totals(store)


def test_the_export_of_synced_events_adds_nothing(store, vendors):
    """The CSV row and the API event it came from get one natural key (their two normalisers build it
    apart), so importing the team's export of the synced events counts none of them twice."""
    assert sync(store, providers=["cursor"]).exit_code == 0
    events = "SELECT COUNT(*), SUM(amount_nano) FROM usage_facts WHERE stream = 'cursor.events'"
    synced = tuple(store.query(events)[0])
    result = imported(store, CURSOR_EVENTS)
    assert (result.rows, result.new, result.replaced, result.skipped) == (8, 0, 0, 8)
    assert tuple(store.query(events)[0]) == synced and synced[0] == 8
