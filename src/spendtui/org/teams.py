"""Teams and effective-dated membership.

A membership says a person belongs to a team on days ``valid_from <= d < valid_to``. Adding or
removing a member takes effect from a day (default today) and never rewrites the days before it,
so moving someone today leaves last quarter's team totals as they were. A person may belong to
several teams at once; each counts their spend on the days they belong.

Deleting a team removes it from history: its memberships, its monthly budgets, its alert records
and any vendor account mapped to it go with it, in one undoable edit. Spend stays in the org's
totals and in every other team's; no report can show a team that no longer exists. To keep a
team's past but stop it counting, remove its members instead (that closes their memberships).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from spendtui.analytics.budgets import team_budget
from spendtui.errors import UsageError
from spendtui.org.edit import Edit, Recorder, editing
from spendtui.org.lookup import find_team, person_for, require_person, team_taken
from spendtui.org.validate import cell, day, read_csv, team_name
from spendtui.org.validate import email as valid_email
from spendtui.store import Store, utc_now


def create_team(store: Store, name: str) -> Edit:
    name = team_name(name)
    with editing(store, f"create team {name!r}") as rec:
        _create(rec, name)
        rec.describe(f"Create team {name}", team=name)
    return rec.edit


def _create(rec: Recorder, name: str) -> int:
    existing = team_taken(rec.store, name)
    if existing:
        raise UsageError(f"a team named {existing!r} already exists")
    return rec.insert("teams", name=name, created_at=utc_now())


def rename_team(store: Store, old: str, new: str) -> Edit:
    new = team_name(new, "new team name")
    team = find_team(store, old)
    existing = team_taken(store, new, except_id=team["id"])
    if existing:
        raise UsageError(f"a team named {existing!r} already exists")
    with editing(store, f"rename team {team['name']!r}") as rec:
        rec.update("teams", "id = ?", (team["id"],), name=new)
        # Alert records are keyed by the name the webhook shows; keep them with the team.
        rec.update("alerts", "entity = ?", (f"team:{team['name']}",), entity=f"team:{new}")
        rec.describe(f"Rename team {team['name']} to {new}", team=new, old=team["name"])
    return rec.edit


def delete_team(store: Store, name: str) -> Edit:
    """Remove a team and everything that only means something with it (see the module docstring)."""
    team = find_team(store, name)
    with editing(store, f"delete team {team['name']!r}") as rec:
        members = rec.delete("memberships", "team_id = ?", (team["id"],))
        budgets = rec.delete("budgets", "team_id = ?", (team["id"],))
        accounts = rec.update("accounts", "team_id = ?", (team["id"],), team_id=None)
        rec.delete("alerts", "entity = ?", (f"team:{team['name']}",))
        rec.delete("teams", "id = ?", (team["id"],))
        rec.describe(
            f"Delete team {team['name']}", team=team["name"], memberships=members, budgets=budgets, accounts=accounts
        )
    return rec.edit


def team_usage(store: Store, name: str) -> dict[str, int]:
    """What deleting a team would take with it (the CLI asks before it does)."""
    team = find_team(store, name)
    counts = {}
    for label, sql in (
        ("memberships", "SELECT COUNT(*) FROM memberships WHERE team_id = ?"),
        ("budgets", "SELECT COUNT(*) FROM budgets WHERE team_id = ?"),
        ("accounts", "SELECT COUNT(*) FROM accounts WHERE team_id = ?"),
    ):
        counts[label] = store.scalar(sql, (team["id"],))
    return counts


def _join(rec: Recorder, team_id: int, person_id: int, since: date) -> bool:
    """Make the person a member from ``since`` on, merging with adjacent or later memberships."""
    start = since.isoformat()
    rows = rec.store.query(
        "SELECT id, valid_from, valid_to FROM memberships WHERE team_id = ? AND person_id = ? ORDER BY valid_from, id",
        (team_id, person_id),
    )
    covering = [r for r in rows if r["valid_from"] <= start and (r["valid_to"] is None or r["valid_to"] >= start)]
    if any(r["valid_to"] is None for r in covering):
        return False
    rec.delete("memberships", "team_id = ? AND person_id = ? AND valid_from > ?", (team_id, person_id, start))
    if covering:
        rec.update("memberships", "id = ?", (covering[0]["id"],), valid_to=None)
    else:
        rec.insert("memberships", team_id=team_id, person_id=person_id, valid_from=start, valid_to=None)
    return True


def _leave(rec: Recorder, team_id: int, person_id: int, since: date) -> bool:
    """End the person's membership at ``since`` (their last day in the team is the day before)."""
    start = since.isoformat()
    where = "team_id = ? AND person_id = ? AND (valid_to IS NULL OR valid_to > ?)"
    params = (team_id, person_id, start)
    rows = rec.store.query(f"SELECT id, valid_from FROM memberships WHERE {where}", params)
    if not rows:
        return False
    rec.delete("memberships", f"{where} AND valid_from >= ?", (*params, start))
    rec.update("memberships", f"{where} AND valid_from < ?", (*params, start), valid_to=start)
    return True


def _emails(emails: Iterable[str]) -> list[str]:
    cleaned = list(dict.fromkeys(valid_email(e) for e in emails))
    if not cleaned:
        raise UsageError("name at least one member email")
    return cleaned


def add_members(store: Store, team: str, emails: Iterable[str], *, today: date, since: date | str | None = None) -> Edit:
    """Add people (created when new) to a team from ``since`` (default today) on."""
    addresses = _emails(emails)
    start = day(since, "--since") if since else today
    row = find_team(store, team)
    with editing(store, f"add members to team {row['name']!r}", today) as rec:
        added = [a for a in addresses if _join(rec, row["id"], person_for(rec, a), start)]
        rec.describe(f"Add {', '.join(addresses)} to {row['name']} from {start}", team=row["name"], added=added,
                     unchanged=[a for a in addresses if a not in added], since=start)  # fmt: skip
    return rec.edit


def remove_members(
    store: Store, team: str, emails: Iterable[str], *, today: date, since: date | str | None = None
) -> Edit:
    """Take people out of a team from ``since`` (default today): that day no longer counts for it."""
    addresses = _emails(emails)
    start = day(since, "--since") if since else today
    row = find_team(store, team)
    people = {a: require_person(store, a) for a in addresses}
    with editing(store, f"remove members from team {row['name']!r}", today) as rec:
        for address, person in people.items():
            if not _leave(rec, row["id"], person, start):
                raise UsageError(f"{address} is not a member of {row['name']} on or after {start}")
        rec.describe(f"Remove {', '.join(addresses)} from {row['name']} from {start}", team=row["name"], since=start)
    return rec.edit


def move_member(
    store: Store, address: str, team: str, *, today: date, since: date | str | None = None
) -> Edit:
    """Move a person to ``team`` from ``since``: they leave every other team they belong to then."""
    address = valid_email(address)
    start = day(since, "--since") if since else today
    target = find_team(store, team)
    with editing(store, f"move {address} to team {target['name']!r}", today) as rec:
        person = person_for(rec, address)
        left = [
            name
            for team_id, name in rec.store.query(
                """SELECT DISTINCT t.id, t.name FROM memberships m JOIN teams t ON t.id = m.team_id
                   WHERE m.person_id = ? AND t.id != ? AND (m.valid_to IS NULL OR m.valid_to > ?)
                   ORDER BY t.name""",
                (person, target["id"], start.isoformat()),
            )
            if _leave(rec, team_id, person, start)
        ]
        _join(rec, target["id"], person, start)
        rec.describe(f"Move {address} to {target['name']} from {start}", team=target["name"], left=left, since=start)
    return rec.edit


def import_memberships(store: Store, path: Path | str, *, today: date) -> Edit:
    """Add the memberships of a ``team,email[,since]`` CSV, creating teams it names; all or nothing.

    A row adds a membership from ``since`` (default today); the import never ends one.
    """
    path = Path(path)
    rows = read_csv(path, ("team", "email"), ("since",))
    parsed = []
    for row in rows:
        name = cell(row, path, "team", team_name)
        address = cell(row, path, "email", valid_email)
        start = cell(row, path, "since", day, "since") if row.values["since"] else today
        parsed.append((name, address, start))
    with editing(store, f"import memberships from {path}", today) as rec:
        teams: dict[str, int] = {}
        created, added = [], 0
        for name, address, start in parsed:
            key = name.casefold()
            if key not in teams:
                existing = team_taken(store, name)
                teams[key] = find_team(store, existing)["id"] if existing else _create(rec, name)
                if not existing:
                    created.append(name)
            added += _join(rec, teams[key], person_for(rec, address), start)
        rec.describe(f"Import memberships from {path.name}", rows=len(parsed), added=added, teams_created=created)
    return rec.edit


@dataclass(frozen=True)
class TeamInfo:
    name: str
    members: list[str]
    monthly_budget: int | None

    def as_json(self) -> dict:
        from spendtui.money import format_plain

        return {"name": self.name, "members": self.members, "monthly_budget": format_plain(self.monthly_budget)}


def list_teams(store: Store, today: date) -> list[TeamInfo]:
    """Every team with its members on ``today`` and the monthly budget holding this month."""
    result = []
    for team_id, name in store.query("SELECT id, name FROM teams ORDER BY name COLLATE NOCASE"):
        members = [
            row[0]
            for row in store.query(
                """SELECT DISTINCT p.email FROM memberships m JOIN people p ON p.id = m.person_id
                   WHERE m.team_id = ? AND m.valid_from <= ? AND (m.valid_to IS NULL OR m.valid_to > ?)
                   ORDER BY p.email""",
                (team_id, today.isoformat(), today.isoformat()),
            )
        ]
        budget = team_budget(store, team_id, today.strftime("%Y-%m"))
        result.append(TeamInfo(name, members, budget.amount if budget else None))
    return result
