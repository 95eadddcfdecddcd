"""The admin's editing work on people, teams, seats and budgets: one function per edit.

The CLI and the TUI both call these. Each validates its input (``UsageError`` with a message that
says what is wrong), refuses a read-only store (``ReadOnlyError``, exit 2), writes in one
transaction together with the rollup refresh it needs, and returns an ``Edit`` whose ``undo``
takes it back; the TUI keeps them in an ``UndoLog`` until it closes.
"""

from spendtui.org.budgets import set_annual_budget, set_team_budget
from spendtui.org.edit import Edit, UndoConflict, UndoLog
from spendtui.org.people import ACCOUNT_KINDS, PersonInfo, list_people, map_account, merge_people
from spendtui.org.seats import SeatRow, import_seats, put_seats
from spendtui.org.teams import (
    TeamInfo,
    add_members,
    create_team,
    delete_team,
    import_memberships,
    list_teams,
    move_member,
    remove_members,
    rename_team,
    team_usage,
)
from spendtui.org.validate import InputFileError

__all__ = [
    "ACCOUNT_KINDS", "Edit", "InputFileError", "PersonInfo", "SeatRow", "TeamInfo", "UndoConflict", "UndoLog",
    "add_members", "create_team", "delete_team", "import_memberships", "import_seats", "list_people",
    "list_teams", "map_account", "merge_people", "move_member", "put_seats", "remove_members", "rename_team",
    "set_annual_budget", "set_team_budget", "team_usage",
]  # fmt: skip
