import json
import os
import sqlite3
import stat
from datetime import date

import pytest
from org_helpers import cli, days, query, snapshot, spend

from spendtui import org
from spendtui.analytics.overview import overview
from spendtui.analytics.query import Scope
from spendtui.periods import Period
from spendtui.store import open_store

TODAY = date(2026, 10, 20)


@pytest.fixture
def env(store, db_path, monkeypatch, tmp_path):
    monkeypatch.setenv("SPENDTUI_DB", str(db_path))
    monkeypatch.setenv("SPENDTUI_TODAY", TODAY.isoformat())
    spend(store, "anthropic", "alice@example.com", days("2026-10-01", "2026-10-10"), "10")
    spend(store, "anthropic", ("api_key", "apikey_01"), days("2026-10-01", "2026-10-04"), "1.25")
    spend(store, "openai", "a.smith@example.com", [date(2026, 10, 5)], "2.50")
    org.create_team(store, "Platform")
    org.add_members(store, "Platform", ["alice@example.com"], today=TODAY, since="2026-01-01")
    (tmp_path / "teams.csv").write_text("team,email\nData,bob@example.com\n")
    (tmp_path / "seats.csv").write_text("provider,email,plan,monthly_fee,from,to\ncursor,bob@example.com,b,40,2026-10-01,\n")
    return store


EDITS = [
    ["teams", "add", "Data"],
    ["teams", "rename", "Platform", "Core"],
    ["teams", "remove", "Platform", "--yes"],
    ["teams", "add-member", "Platform", "bob@example.com"],
    ["teams", "remove-member", "Platform", "alice@example.com"],
    ["teams", "move-member", "alice@example.com", "Platform"],
    ["teams", "import", "{tmp}/teams.csv"],
    ["people", "merge", "alice@example.com", "a.smith@example.com"],
    ["people", "map", "bob@example.com", "--provider", "anthropic", "--api-key", "apikey_01"],
    ["seats", "import", "{tmp}/seats.csv"],
    ["budget", "set", "--year", "2026", "100000"],
    ["budget", "set", "--team", "Platform", "--monthly", "5000"],
]


@pytest.mark.parametrize("args", EDITS, ids=lambda a: " ".join(a[:2]))
def test_every_edit_command_is_refused_under_read_only_with_exit_2(env, tmp_path, args):
    before = snapshot(env)
    code, out, err = cli(*[a.format(tmp=tmp_path) for a in args], "--read-only")
    assert code == 2 and "is open read-only (--read-only)" in err and out == ""
    assert snapshot(env) == before


@pytest.mark.parametrize(
    ("args", "code", "message"),
    [
        (["teams", "add", " "], 2, "a team name cannot be empty"),
        (["teams", "add", "platform"], 2, "a team named 'Platform' already exists"),
        (["teams", "add-member", "Platform", "bob"], 2, "'bob' is not an email address"),
        (["teams", "add-member", "Platform", "b@example.com", "--since", "2026-02-30"], 2, "--since must be YYYY-MM-DD"),
        (["teams", "rename", "Nope", "X"], 2, "no team named 'Nope' (teams: Platform)"),
        (["budget", "set", "--year", "2026", "0"], 2, "the annual budget must be more than zero"),
        (["budget", "set", "--year", "26", "100"], 2, "a budget year is written YYYY"),
        (["budget", "set", "--team", "Platform", "--monthly", "ten"], 2, "must be an amount in dollars"),
        (["budget", "set", "--team", "Platform", "--monthly", "-5"], 2, "monthly budget must be more than zero, got '-5'"),
        (["budget", "set", "--team", "Platform"], 2, "missing the AMOUNT"),
        (["budget", "set", "--team", "Platform", "100"], 2, "a team budget is monthly"),
        (["budget", "set", "--year", "2026", "--team", "Platform", "1"], 2, "either --year YYYY AMOUNT or --team"),
        (["people", "map", "bob@example.com", "--provider", "anthropic"], 2, "exactly one of --api-key"),
        (["people", "map", "bob@example.com", "--provider", "cursor", "--project", "p"], 2,
         "a cursor account to map is named by --user, not --project"),
        (["people", "merge", "alice@example.com", "nobody@example.com"], 2, "no person with email 'nobody@example.com'"),
        (["teams", "import", "{tmp}/missing.csv"], 2, "missing.csv: no such file"),
        (["teams", "import", "{tmp}/bad.csv"], 1, "bad.csv: line 3, column 'email': email 'x' is not an email address"),
    ],
)  # fmt: skip
def test_validation_messages_and_exit_codes(env, tmp_path, args, code, message):
    (tmp_path / "bad.csv").write_text("team,email\nData,ok@example.com\nData,x\n")
    before = snapshot(env)
    result = cli(*[a.format(tmp=tmp_path) for a in args])
    assert result[0] == code and message in result[2]
    assert snapshot(env) == before


def test_removing_a_team_asks_for_yes_when_not_interactive(env):
    code, _, err = cli("teams", "remove", "Platform")
    assert code == 2 and "with 1 membership(s) and 0 budget(s)" in err and "pass --yes" in err
    assert [t.name for t in org.list_teams(env, TODAY)] == ["Platform"]
    assert cli("teams", "remove", "Platform", "--yes")[0] == 0
    assert org.list_teams(env, TODAY) == []


def test_team_and_people_listings(env):
    assert cli("budget", "set", "--team", "platform", "5000", "--monthly")[0] == 0
    code, out, _ = cli("teams", "list", "--format", "json")
    assert json.loads(out) == [{"name": "Platform", "members": ["alice@example.com"], "monthly_budget": "5000.00"}]
    code, out, _ = cli("teams", "list")
    assert out.splitlines()[2].split() == ["Platform", "1", "$5,000.00", "alice@example.com"]
    cli("people", "merge", "alice@example.com", "a.smith@example.com")
    [alice] = json.loads(cli("people", "list", "--format", "json")[1])
    assert alice["aliases"] == ["a.smith@example.com"] and alice["teams"] == ["Platform"]


def test_map_and_merge_from_the_cli_move_spend_out_of_unattributed(env):
    def users():
        return {u["user"]: u["spend"] for u in overview(query(env, "2026-10-20"), period, Scope()).as_json()["users"]}

    period = Period(date(2026, 10, 1), date(2026, 10, 31), "month")
    assert users() == {"alice@example.com": "100.00", "a.smith@example.com": "2.50",
                       "unattributed:anthropic:apikey_01": "5.00"}  # fmt: skip
    code, _, err = cli("people", "map", "a.smith@example.com", "--provider", "anthropic", "--api-key", "apikey_01")
    assert code == 0 and "Map anthropic api_key apikey_01 to a.smith@example.com" in err
    assert users() == {"alice@example.com": "100.00", "a.smith@example.com": "7.50"}
    assert cli("people", "merge", "alice@example.com", "a.smith@example.com")[0] == 0
    assert users() == {"alice@example.com": "107.50"}


def test_backup_is_a_consistent_openable_private_copy(env, db_path, tmp_path):
    # A write in progress on another connection must not reach the copy.
    writer = sqlite3.connect(db_path, isolation_level=None)
    writer.execute("BEGIN IMMEDIATE")
    writer.execute("INSERT INTO teams(name, created_at) VALUES ('Uncommitted', 'now')")
    code, _, err = cli("backup", str(tmp_path / "copy.db"), "--read-only")
    writer.execute("ROLLBACK")
    writer.close()
    assert code == 0 and "backed up" in err
    copy_path = tmp_path / "copy.db"
    assert stat.S_IMODE(os.stat(copy_path).st_mode) == 0o600
    assert not (tmp_path / "copy.db-wal").exists() and not (tmp_path / "copy.db.partial").exists()
    with open_store(copy_path, read_only=True) as copy:
        assert copy.scalar("PRAGMA integrity_check") == "ok"
        assert copy.scalar("PRAGMA journal_mode") == "delete"
        assert snapshot(copy) == snapshot(env)
    code, _, err = cli("backup", str(copy_path))
    assert code == 2 and "already exists (pass --force" in err
    assert cli("backup", str(copy_path), "--force")[0] == 0
    backups = tmp_path / "backups"
    backups.mkdir()
    assert cli("backup", str(backups))[0] == 0 and (backups / "spend.db").exists()


def test_backup_refuses_to_overwrite_the_store_itself(env, db_path):
    for target in (db_path, db_path.parent):  # a directory means a same-named file inside it
        code, _, err = cli("backup", str(target), "--force")
        assert code == 2 and "is the store itself" in err


@pytest.fixture
def locked(env, db_path, monkeypatch):
    """Another process holds the store's write lock (a sync, an import); waits are short here."""
    monkeypatch.setattr("spendtui.store.BUSY_TIMEOUT_MS", 200)
    env.close()
    holder = sqlite3.connect(db_path, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")
    yield
    holder.execute("ROLLBACK")
    holder.close()


def test_an_edit_on_a_store_another_process_writes_fails_with_a_message(locked):
    code, _, err = cli("teams", "add", "Data")
    assert code == 1
    assert err == "spendtui: error: the store is busy: another process (a sync, an import) is writing it; try again when it is done\n"


def test_a_report_on_a_busy_store_shows_its_last_figures_and_says_so(locked, monkeypatch):
    monkeypatch.setenv("SPENDTUI_TODAY", "2026-10-21")  # a new day: the rollups would accrue one more day
    code, out, err = cli("report", "2026-10", "--format", "json")
    assert code == 0, err
    assert json.loads(out)["total_spend"] == "107.50"  # 10 days x 10.00 + 4 x 1.25 + 2.50
    assert "the store is busy (another process is writing it): its figures are those of its last update" in err


def test_verbose_says_which_store_and_config_and_how_long_the_rollups_took(env, db_path):
    code, _, err = cli("-v", "report", "2026-10")
    assert code == 0
    lines = err.splitlines()
    assert lines[0] == f"spendtui: store {db_path}"
    assert lines[1].startswith("spendtui: config ") and lines[1].endswith("(absent: defaults); time zone UTC")
    assert lines[2].startswith("spendtui: rollups checked for 2026-10-20 in ")
    assert cli("report", "2026-10")[2] == ""  # without -v: nothing
