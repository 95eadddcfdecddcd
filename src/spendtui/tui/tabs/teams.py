"""Tab 6, Teams: every team across providers with its members; the filters pick provider and team."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from textual import on
from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.widgets import Button, Static

from spendtui.analytics.query import Query
from spendtui.analytics.teams import MemberRow, TeamRow, spend_by_team, team_members
from spendtui.config import PROVIDER_NAMES, PROVIDERS
from spendtui.tui.tabs.base import LoadContext, ViewTab
from spendtui.tui.widgets.table import Column, SpendTable


@dataclass
class TeamsData:
    teams: list[TeamRow]
    members_of: str | None
    members: list[MemberRow]


class TeamsTab(ViewTab):
    view_id = "teams"
    title = "Teams"
    key = "6"
    highlighted: str | None = None  # the team under the cursor: a reload (after an edit) stays on it

    def compose_body(self) -> ComposeResult:
        yield Static("", id="teams-note", classes="scope-note", markup=False)
        with Horizontal(classes="buttons"):
            yield Button("Edit teams (t)", id="teams-edit", compact=True)
        yield SpendTable("Teams", [
            Column("team", "Team"), Column("members", "Members", "int"), Column("spend", "Spend", "money"),
            Column("requests", "Requests", "int"),
            *[Column(p, PROVIDER_NAMES[p], "money") for p in PROVIDERS],
        ], empty="No teams yet: press t to create one (or `spendtui teams add NAME`).", id="teams-table")  # fmt: skip
        yield SpendTable("Members", [
            Column("email", "Person"), Column("name", "Name"), Column("since", "Since"), Column("until", "Until"),
            Column("seats", "Seats"), Column("spend", "Spend", "money"),
        ], empty="Highlight a team to see its members.", id="teams-members")  # fmt: skip

    def compute(self, q: Query, ctx: LoadContext) -> TeamsData:
        rows = spend_by_team(q, ctx.period, ctx.filters.provider)
        names = [r.name for r in rows]
        chosen = ctx.filters.team or (self.highlighted if self.highlighted in names else None) or next(iter(names), None)
        members = team_members(q, chosen, ctx.period, ctx.filters.provider) if chosen else []
        return TeamsData(rows, chosen, members)

    def show(self, data: TeamsData, ctx: LoadContext) -> None:
        self.show_body()
        provider = ctx.filters.provider
        note = [f"Spend of each team's members on the days they belonged to it, and of the keys, workspaces and projects mapped to it · {ctx.filters.describe(ctx.today, ctx.settings.timezone)}"]
        if ctx.filters.user:
            note.append("(the person filter does not apply to this tab)")
        self.query_one("#teams-note", Static).update(" ".join(note))
        self.query_one("#teams-edit", Button).disabled = ctx.read_only
        self.query_one("#teams-table", SpendTable).set_rows([
            {"team": t.name, "members": t.members, "spend": t.sums.spend, "requests": t.sums.requests,
             **{p: (t.by_provider.get(p, 0) if provider in (None, p) else None) for p in PROVIDERS}}
            for t in data.teams
        ])  # fmt: skip
        if data.members_of:  # the cursor (whose row the members follow): the filtered team, else the last one
            self.query_one("#teams-table", SpendTable).move_to("team", data.members_of)
        self.show_detail(data.members_of or "", data.members)

    def show_detail(self, key: str, data: Any) -> None:
        table = self.query_one("#teams-members", SpendTable)
        if isinstance(data, Exception):
            table.set_rows([], empty=str(data))
            return
        title = f"Members of {key} (spend while a member)" if key else "Members"
        table.title = title
        table.query_one(".table-title", Static).update(title)
        table.set_rows([
            {"email": m.email, "name": m.name, "since": m.since, "until": m.until,
             "seats": [PROVIDER_NAMES.get(s, s) for s in m.seats], "spend": m.spend}
            for m in data
        ], empty=f"{key} had no members in this period." if key else None)  # fmt: skip

    @on(SpendTable.RowHighlighted, "#teams-table")
    def _team_highlighted(self, event: SpendTable.RowHighlighted) -> None:
        team = self.highlighted = event.row["team"]
        self.app.load_detail(self.view_id, team, lambda q, ctx: team_members(q, team, ctx.period, ctx.filters.provider))

    @on(Button.Pressed, "#teams-edit")
    def _edit(self) -> None:
        self.app.action_edit_teams()
