"""People: listing them, merging two identities of one human, and mapping vendor accounts.

Merging keeps the first email's person and moves everything of the other onto it (facts, period
amounts, seats, memberships, accounts, Cursor spend snapshots, aliases); the other email becomes an
alias, so later imports and syncs of it land on the kept person. A seat both held with the same
provider, plan and start is one seat: the kept person's row stays.

Mapping points a vendor account (API key, workspace, project, vendor user) at a person or a team.
An account mapped to a person is that person's spend (and counts for their teams); one mapped to a
team counts for the team on every day and stays unattributed to people. Mapping to one clears the
other. The account row is created when no data named it yet, so a key can be mapped in advance.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from spendtui.config import PROVIDERS
from spendtui.errors import UsageError
from spendtui.money import format_plain
from spendtui.org.edit import Edit, Recorder, editing
from spendtui.org.lookup import find_team, person_for, require_person
from spendtui.org.validate import email as valid_email
from spendtui.store import Store
from spendtui.store.identity import named_account

# Account kinds as facts name them (FactBatch rows' ``account_kind``), per provider, with the CLI
# option that names each in `people map`.
ACCOUNT_KINDS = {
    "anthropic": ("api_key", "workspace", "user"),
    "openai": ("project", "user", "api_key"),
    "cursor": ("user",),
}
KIND_OPTIONS = {"api_key": "--api-key", "workspace": "--workspace", "project": "--project", "user": "--user"}


@dataclass(frozen=True)
class PersonInfo:
    id: int
    email: str
    name: str | None
    aliases: list[str] = field(default_factory=list)
    teams: list[str] = field(default_factory=list)
    seats: list[tuple[str, str, int | None]] = field(default_factory=list)  # provider, plan, fee
    accounts: list[tuple[str, str, str]] = field(default_factory=list)  # provider, kind, external id

    def as_json(self) -> dict:
        return {
            "email": self.email,
            "name": self.name,
            "aliases": self.aliases,
            "teams": self.teams,
            "seats": [{"provider": p, "plan": plan, "monthly_fee": format_plain(fee)} for p, plan, fee in self.seats],
            "accounts": [{"provider": p, "kind": k, "id": x} for p, k, x in self.accounts],
        }


def list_people(store: Store, today: date) -> list[PersonInfo]:
    """Every person by email, with aliases, teams and seats on ``today``, and mapped accounts."""
    now = today.isoformat()

    def grouped(sql: str, params=()) -> dict[int, list]:
        result: dict[int, list] = {}
        for row in store.query(sql, params):
            result.setdefault(row[0], []).append(tuple(row)[1:] if len(row) > 2 else row[1])
        return result

    aliases = grouped("SELECT person_id, email FROM person_aliases ORDER BY email")
    teams = grouped(
        """SELECT DISTINCT m.person_id, t.name FROM memberships m JOIN teams t ON t.id = m.team_id
           WHERE m.valid_from <= ? AND (m.valid_to IS NULL OR m.valid_to > ?) ORDER BY t.name""",
        (now, now),
    )
    seats = grouped(
        """SELECT person_id, provider, plan, monthly_fee_nano FROM seats
           WHERE active_from <= ? AND (active_to IS NULL OR active_to >= ?) ORDER BY provider, plan""",
        (now, now),
    )
    accounts = grouped(
        "SELECT person_id, provider, kind, external_id FROM accounts WHERE person_id IS NOT NULL "
        "ORDER BY provider, kind, external_id"
    )
    return [
        PersonInfo(pid, email, name, aliases.get(pid, []), teams.get(pid, []), seats.get(pid, []), accounts.get(pid, []))
        for pid, email, name in store.query("SELECT id, email, name FROM people ORDER BY email")
    ]


def merge_people(store: Store, address: str, other: str, *, today: date) -> Edit:
    """Make ``other`` an alias of ``address``: one person, all of both's spend and history."""
    keep_email, other_email = valid_email(address), valid_email(other)
    keep, gone = require_person(store, keep_email), require_person(store, other_email)
    if keep == gone:
        raise UsageError(f"{keep_email} and {other_email} are already the same person")
    kept = store.query("SELECT email, name FROM people WHERE id = ?", (keep,))[0]
    with editing(store, f"merge {other_email} into {keep_email}", today) as rec:
        _touch_attribution(rec, gone)
        rec.update("usage_facts", "person_id = ?", (gone,), person_id=keep)
        rec.update("period_amounts", "person_id = ?", (gone,), person_id=keep)
        # (what an import superseded comes back on its undo: it must name the person who stays)
        rec.update("superseded_facts", "person_id = ?", (gone,), person_id=keep)
        rec.update("superseded_periods", "person_id = ?", (gone,), person_id=keep)
        rec.update("cursor_spend_snapshots", "person_id = ?", (gone,), person_id=keep)
        rec.update("accounts", "person_id = ?", (gone,), person_id=keep)
        rec.update("memberships", "person_id = ?", (gone,), person_id=keep)
        for seat in store.query("SELECT * FROM seats WHERE person_id = ?", (gone,)):
            rec.touch_seat(seat["provider"], seat["active_from"], seat["active_to"])
        rec.delete(
            "seats",
            """person_id = ? AND EXISTS (SELECT 1 FROM seats k WHERE k.person_id = ? AND k.provider = seats.provider
                                         AND k.plan = seats.plan AND k.active_from = seats.active_from)""",
            (gone, keep),
        )
        rec.update("seats", "person_id = ?", (gone,), person_id=keep)
        rec.update("person_aliases", "person_id = ?", (gone,), person_id=keep)
        gone_row = store.query("SELECT email, name FROM people WHERE id = ?", (gone,))[0]
        rec.delete("people", "id = ?", (gone,))
        rec.insert("person_aliases", email=gone_row["email"], person_id=keep)
        if not kept["name"] and gone_row["name"]:
            rec.update("people", "id = ?", (keep,), name=gone_row["name"])
        rec.describe(f"Merge {gone_row['email']} into {kept['email']}", person=kept["email"], alias=gone_row["email"])
    return rec.edit


def _touch_attribution(rec: Recorder, person: int) -> None:
    """Touch the days of everything whose rollup subject is this person (directly or via an account)."""
    rec.touch_subject_data(
        "person_id = :p OR (person_id IS NULL AND account_id IN (SELECT id FROM accounts WHERE person_id = :p))",
        {"p": person},
    )


def map_account(
    store: Store,
    provider: str,
    kind: str,
    external_id: str,
    *,
    person: str | None = None,
    team: str | None = None,
    today: date,
) -> Edit:
    """Attribute a vendor account's spend to a person (by email) or a team (by name)."""
    if (person is None) == (team is None):
        raise UsageError("map an account to exactly one of a person or a team")
    if provider not in PROVIDERS:
        raise UsageError(f"unknown provider {provider!r} (expected one of {', '.join(PROVIDERS)})")
    if kind not in ACCOUNT_KINDS[provider]:
        options = ", ".join(KIND_OPTIONS[k] for k in ACCOUNT_KINDS[provider])
        raise UsageError(f"a {provider} account to map is named by {options}, not {KIND_OPTIONS.get(kind, kind)}")
    external_id = (external_id or "").strip()
    if not external_id:
        raise UsageError(f"the {KIND_OPTIONS[kind]} id cannot be empty")
    team_row = find_team(store, team) if team is not None else None
    target = team_row["name"] if team_row else valid_email(person)
    with editing(store, f"map a {provider} {kind} to {target}", today) as rec:
        by_id, by_label = named_account(store, provider, kind, external_id)  # the name the Console shows, too
        if by_id is None and by_label is None:
            by_id = rec.insert("accounts", provider=provider, kind=kind, external_id=external_id)
        accounts = [a for a in (by_id, by_label) if a is not None]
        person_id = person_for(rec, target) if team_row is None else None
        team_id = team_row["id"] if team_row else None
        where = "id = ? AND (person_id IS NOT ? OR team_id IS NOT ?)"
        for account in accounts:
            if store.scalar(f"SELECT COUNT(*) FROM accounts WHERE {where}", (account, person_id, team_id)):
                rec.touch_subject_data("person_id IS NULL AND account_id = :a", {"a": account})
                rec.update("accounts", "id = ?", (account,), person_id=person_id, team_id=team_id)
        rec.describe(f"Map {provider} {kind} {external_id} to {target}", account=f"{provider}:{kind}:{external_id}",
                     target=target)  # fmt: skip
    return rec.edit

