"""Team editor modal: create, rename or delete a team, add or remove members, set its monthly budget.

One form, one operation at a time (like `spendtui teams ...` / `spendtui budget set --team`): the
operation decides which fields it reads, and the form says which one is missing.
"""

from __future__ import annotations

import re
from datetime import date

from textual import on
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.widgets import Button, Input, Label, Select, Static

from spendtui.errors import UsageError
from spendtui.org.validate import positive_amount
from spendtui.periods import PeriodError, parse_date
from spendtui.store.identity import is_email, normalize_email
from spendtui.tui.actions import TEAM_OPS, TeamEdit
from spendtui.tui.screens.base import Dialog

NEEDS = {  # which fields an operation reads
    "add": ("name",),
    "rename": ("team", "name"),
    "remove": ("team",),
    "add-member": ("team", "emails", "since"),
    "remove-member": ("team", "emails", "since"),
    "budget": ("team", "amount"),
}


class TeamEditorScreen(Dialog[TeamEdit | None]):
    def __init__(self, teams: list[str], team: str | None, today: date) -> None:
        super().__init__()
        self.teams = teams
        self.team = team
        self.today = today

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Static("Edit teams", classes="dialog-title")
            with Horizontal(classes="fields"):
                yield Select([(label, op) for op, label in TEAM_OPS.items()], value="add-member", allow_blank=False,
                             id="team-op", compact=True)  # fmt: skip
                yield Select([(t, t) for t in self.teams], prompt="Team…", id="team-name", classes="right",
                             value=self.team if self.team in self.teams else Select.NULL, compact=True)  # fmt: skip
            yield Label("New team name (create / rename):", classes="field-name")
            yield Input(placeholder="e.g. Platform", id="team-new-name", compact=True, classes="field-name")
            yield Label("Members (emails, separated by spaces or commas):", classes="field-emails")
            yield Input(placeholder="alice@example.com bob@example.com", id="team-emails", compact=True,
                        classes="field-emails")  # fmt: skip
            yield Label("Effective from (membership is dated; default today):", classes="field-since")
            yield Input(value=self.today.isoformat(), id="team-since", compact=True, classes="field-since")
            yield Label("Monthly budget in USD:", classes="field-amount")
            yield Input(placeholder="5000.00", id="team-amount", compact=True, classes="field-amount")
            yield Static("", classes="dialog-error")
            with Horizontal(classes="dialog-buttons"):
                yield Button("Apply", variant="primary", id="team-go", compact=True)
                yield Button("Cancel", id="team-cancel", compact=True)

    def on_mount(self) -> None:
        self.query_one(".dialog-error").display = False
        self._show_fields()
        self.query_one("#team-op", Select).focus()

    @property
    def op(self) -> str:
        return str(self.query_one("#team-op", Select).value)

    @on(Select.Changed, "#team-op")
    def _show_fields(self) -> None:
        needs = NEEDS[self.op]
        for field in ("name", "emails", "since", "amount"):
            for widget in self.query(f".field-{field}"):
                widget.display = field in needs
        self.query_one("#team-name", Select).display = "team" in needs

    @on(Button.Pressed, "#team-cancel")
    def _cancel(self) -> None:
        self.dismiss(None)

    @on(Input.Submitted)
    @on(Button.Pressed, "#team-go")
    def _go(self) -> None:
        op, needs = self.op, NEEDS[self.op]
        team_value = self.query_one("#team-name", Select).value
        team = None if team_value is Select.NULL else str(team_value)
        name = self.query_one("#team-new-name", Input).value.strip() or None
        if "team" in needs and not team:
            self.fail("Pick a team.")
            return
        if "name" in needs and not name:
            self.fail("Type the team's new name.")
            return
        emails: tuple[str, ...] = ()
        if "emails" in needs:
            raw = [e for e in re.split(r"[\s,;]+", self.query_one("#team-emails", Input).value) if e]
            bad = [e for e in raw if not is_email(e)]
            if not raw or bad:
                self.fail(f"Not an email: {', '.join(bad)}" if bad else "Type at least one email.")
                return
            emails = tuple(normalize_email(e) for e in raw)
        since = None
        if "since" in needs:
            try:
                since = parse_date(self.query_one("#team-since", Input).value, "effective from")
            except PeriodError as error:
                self.fail(str(error))
                return
        amount = None
        if "amount" in needs:
            amount = self.query_one("#team-amount", Input).value.strip()
            try:
                positive_amount(amount, "the monthly budget")
            except UsageError as error:
                self.fail(str(error)[:1].upper() + str(error)[1:])
                return
        self.dismiss(TeamEdit(op, team if op != "add" else name, self.today, new_name=name if op == "rename" else None,
                              emails=emails, since=since, monthly_budget=amount))  # fmt: skip
