"""The split the code is organised by: the dashboard reads figures through analytics and never
speaks SQL; analytics and the headless code never import Textual."""

import re
import subprocess
import sys
from pathlib import Path

SRC = Path(__file__).resolve().parent.parent / "src" / "spendtui"
# SQL text, a query through the store, or its connection (Textual's own self.query() is a DOM query)
SQL = re.compile(
    r"\bSELECT\s|\bINSERT\s+INTO\b|\bUPDATE\s+\w+\s+SET\b|\bDELETE\s+FROM\b"
    r"|\bstore\.(execute|executemany|query|tuples|scalar)\(|\.conn\b"
)


def sources(folder: Path):
    return [(path, path.read_text()) for path in sorted(folder.rglob("*.py"))]


def test_the_dashboard_speaks_no_sql():
    offenders = [
        f"{path.relative_to(SRC)}:{number}: {line.strip()}"
        for path, text in sources(SRC / "tui")
        for number, line in enumerate(text.splitlines(), 1)
        if SQL.search(line)
    ]
    assert offenders == []


def test_only_the_dashboard_imports_textual():
    outside = [path for path, text in sources(SRC) if "tui" not in path.parts and re.search(r"^\s*(from|import) textual", text, re.M)]
    assert outside == []


def test_opening_the_import_dialog_loads_no_pandas():
    """Pressing i in the dashboard must not stall its event loop on pandas' import (~0.8 s)."""
    code = (
        "import sys\n"
        "from spendtui.tui.screens.import_file import ImportScreen\n"
        "from spendtui.importers import FORMAT_NAMES\n"
        "ImportScreen(list(FORMAT_NAMES))\n"
        "print('pandas' in sys.modules)\n"
    )
    assert subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout == "False\n"
