"""`spendtui import` and `spendtui imports list|undo` as a user runs them: output, exit codes, progress."""

import io
import json
import subprocess
import sys

import pytest
from import_helpers import CURSOR_EVENTS, DATA, VARIANTS

from spendtui.cli import main
from spendtui.cli.env import Env
from spendtui.cli.importing import ProgressPrinter
from spendtui.importers.run import Progress
from spendtui.store import open_store


@pytest.fixture
def spendtui(capsys, db_path):
    """Run the CLI in-process: (exit code, stdout, stderr)."""

    def invoke(*args):
        try:
            main(["--db", str(db_path), *map(str, args)])
        except SystemExit as done:
            code = done.code
        out, err = capsys.readouterr()
        return code, out, err

    return invoke


def test_import_then_again_then_list_and_undo(spendtui, db_path):
    code, out, err = spendtui("import", CURSOR_EVENTS)
    assert code == 0 and out == ""
    assert "team-usage-events.csv: cursor-events (v4 team)" in err
    assert "imported as #1: 8 rows read, 8 new, 0 replaced, 0 skipped (" in err
    code, _, err = spendtui("import", CURSOR_EVENTS)
    assert code == 0 and "already imported (import #1); nothing written" in err
    code, out, _ = spendtui("imports", "list", "--format", "json")
    (listed,) = json.loads(out)
    assert (listed["id"], listed["format"], listed["rows"], listed["new"], listed["undone_at"]) == (
        1, "cursor-events", 8, 8, None)  # fmt: skip
    assert (listed["period_from"], listed["period_to"]) == ("2026-10-05", "2026-10-06")
    code, _, err = spendtui("imports", "undo", "1")
    assert code == 0 and "import #1 (team-usage-events.csv) undone: 8 records" in err
    with open_store(db_path) as store:
        assert store.scalar("SELECT COUNT(*) FROM usage_facts") == 0
    code, out, _ = spendtui("imports", "list")
    assert "team-usage-events.csv" in out and out.splitlines()[0].split()[:3] == ["id", "file", "format"]
    code, _, err = spendtui("imports", "undo", "7")
    assert code == 1 and "no import #7" in err


def test_a_refused_file_exits_1_naming_line_column_and_value(spendtui, db_path):
    code, _, err = spendtui("import", CURSOR_EVENTS, VARIANTS / "cursor_bad_cost.csv")
    assert code == 1
    assert "spendtui: error: cursor_bad_cost.csv: line 5, column 'Cost': not an amount in dollars: '12.3.4'" in err
    assert "1 of 2 files refused (cursor_bad_cost.csv)" in err
    with open_store(db_path) as store:
        assert store.scalar("SELECT COUNT(*) FROM imports") == 1


def test_a_refused_file_leaves_no_new_store_behind_and_an_existing_one_untouched(spendtui, db_path):
    code, _, err = spendtui("import", VARIANTS / "cursor_bad_cost.csv")
    assert code == 1 and "nothing of them was written" in err
    assert not db_path.exists()  # (a later `spendtui` would open an empty store the user never made)
    assert spendtui("import", CURSOR_EVENTS)[0] == 0
    assert spendtui("import", VARIANTS / "cursor_bad_cost.csv")[0] == 1
    with open_store(db_path) as store:
        assert store.scalar("SELECT COUNT(*) FROM usage_facts") == 8


def test_dry_run_prints_the_plan_and_creates_no_store(spendtui, db_path):
    cost = DATA / "anthropic" / "claude_api_cost_2026_10_01_to_2026_10_04.csv"
    code, out, _ = spendtui("import", "--dry-run", CURSOR_EVENTS, cost)
    assert code == 0
    assert out.splitlines() == [
        "team-usage-events.csv: cursor-events (v4 team), 8 rows",
        "  cursor.events: 8 records, 2026-10-05..2026-10-06 (2 days), 3 people, amount $0.99 "
        "(of it $0.64 included usage, not spend)",
        "claude_api_cost_2026_10_01_to_2026_10_04.csv: anthropic-cost (12 or 14 columns), 24 rows",
        "  anthropic.cost: 24 records, 2026-10-01..2026-10-03 (3 days), 2 accounts, amount $37.87",
    ]
    assert not db_path.exists()


def test_period_option_and_its_errors(spendtui):
    report = VARIANTS / "claude_ai_spend_report.csv"
    code, _, err = spendtui("import", report)
    assert code == 1 and "--period FROM..TO" in err
    code, _, err = spendtui("import", report, "--period", "2026-11-01")
    assert code == 2 and "--period must be FROM..TO" in err
    code, _, err = spendtui("import", report, "--period", "2026-11-01..2026-11-30")
    assert code == 0 and "imported as #1: 3 rows read as 2 records, 2 new" in err  # two channel rows make one
    code, _, err = spendtui("import", CURSOR_EVENTS, "--period", "2026-11-01..2026-11-30")
    assert code == 0 and "--period is for files with no dates" in err


def test_format_option(spendtui):
    code, out, _ = spendtui("import", "--list-formats")
    assert code == 0
    names = [line.split()[0] for line in out.splitlines() if line and not line.startswith(" ")]
    assert names == ["cursor-events", "cursor-analytics", "cursor-spend", "anthropic-cost", "anthropic-tokens",
                     "claude-ai-spend", "openai-cost", "openai-usage"]  # fmt: skip
    assert '"Date","User","Cloud Agent ID"' in out
    code, _, err = spendtui("import", "--format", "anthropic-cost", CURSOR_EVENTS)
    assert code == 1 and "not a anthropic-cost file: it has no column usage_date_utc" in err
    code, _, err = spendtui("import", "--format", "nope", CURSOR_EVENTS)
    assert code == 2 and "unknown format 'nope'" in err
    code, _, err = spendtui("import", "--format", "cursor-events", CURSOR_EVENTS)
    assert code == 0


def test_unknown_csv_names_the_closest_format(spendtui, tmp_path):
    odd = tmp_path / "odd.csv"
    odd.write_text("Date,User,Model,Cost\n2026-10-01,a@example.com,auto,0.1\n")
    code, _, err = spendtui("import", odd)
    assert code == 1 and "odd.csv: not a CSV export spendtui knows" in err and "closest is cursor-events" in err


def test_read_only_refuses_and_missing_file_fails(spendtui, tmp_path, db_path):
    code, _, err = spendtui("import", tmp_path / "missing.csv")
    assert code == 1 and "missing.csv: no such file" in err
    open_store(db_path).close()
    code, _, err = spendtui("--read-only", "import", CURSOR_EVENTS)
    assert code == 2


def test_progress_without_a_tty_is_a_line_per_step(spendtui):
    _, _, err = spendtui("import", CURSOR_EVENTS)
    lines = err.splitlines()
    assert lines[:3] == [
        "team-usage-events.csv: cursor-events (v4 team)",
        "team-usage-events.csv: 8 rows read, 8 records to write",
        "team-usage-events.csv: 8 records checked against the store",
    ]
    assert len(lines) == 4 and lines[3].startswith("team-usage-events.csv: imported as #1:")
    assert "\r" not in err


def test_progress_bar_on_a_tty_for_a_large_file(monkeypatch):
    stream = io.StringIO()
    monkeypatch.setattr(sys, "stderr", stream)
    printer = ProgressPrinter(Env(), tty=True)
    printer(Progress("big.csv", "start", 0, 50_000_000, "cursor-events (v4 team)"))
    printer(Progress("big.csv", "read", 25_000_000, 50_000_000))
    printer(Progress("big.csv", "read", 50_000_000, 50_000_000))
    printer.end_bar()
    lines = stream.getvalue()
    assert "\rbig.csv: reading [###############...............]  50%" in lines
    assert lines.endswith("\rbig.csv: reading [##############################] 100%\n")


def test_import_runs_as_a_module_without_textual_or_rich(db_path):
    code = (
        "import sys\n"
        "from spendtui.cli import main\n"
        "try:\n"
        f"    main(['import', '-q', '--db', {str(db_path)!r}, {str(CURSOR_EVENTS)!r}])\n"
        "except SystemExit as done:\n"
        "    assert done.code == 0, done.code\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] in ('textual', 'rich')))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"
    done = subprocess.run(
        [sys.executable, "-m", "spendtui", "import", "--db", str(db_path), str(VARIANTS / "cursor_bad_date.csv")],
        capture_output=True, text=True,
    )  # fmt: skip
    assert done.returncode == 1
    assert "cursor_bad_date.csv: line 3, column 'Date'" in done.stderr
