import subprocess
import sys

import pytest

from spendtui.cli import COMMANDS
from org_helpers import cli

GROUPS = {
    "teams": ["list", "add", "rename", "remove", "add-member", "remove-member", "move-member", "import"],
    "people": ["list", "merge", "map"],
    "seats": ["import", "list"],
    "budget": ["set", "show", "check"],
}


def test_the_org_commands_are_registered_as_cli_md_names_them():
    assert {"teams", "people", "seats", "budget", "backup"} <= set(COMMANDS)


@pytest.mark.parametrize("args", [[g, c] for g, cs in GROUPS.items() for c in cs] + [["backup"]], ids=" ".join)
def test_every_command_has_help(args):
    code, out, _ = cli(*args, "--help")
    assert code == 0 and out.startswith(f"Usage: spendtui {' '.join(args)}")


def test_the_org_modules_import_neither_textual_nor_rich():
    modules = ["spendtui.cli.org", "spendtui.cli.budget", "spendtui.alerts", "spendtui.org",
               "spendtui.analytics.budgets", "spendtui.analytics.seats", "spendtui.store.backup"]  # fmt: skip
    code = f"import sys, {', '.join(modules)}; print(sorted(m for m in sys.modules if m.split('.')[0] in ('textual', 'rich')))"
    assert subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout == "[]\n"
