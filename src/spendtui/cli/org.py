"""`spendtui teams | people | seats | backup`: the admin's edits from the command line.

Each command calls one function of ``spendtui.org`` (the TUI calls the same ones), says what it
did on stderr, and prints listings on stdout (``--format json`` for machines).
"""

from __future__ import annotations

import json
import sys

import click

from spendtui.cli.env import global_options, with_env
from spendtui.errors import UsageError
from spendtui.money import format_usd

FORMAT = click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table", show_default=True,
                      help="table for people, json for machines.")  # fmt: skip
SINCE = click.option("--since", metavar="DATE",
                     help="The day the change takes effect (YYYY-MM-DD, default today); days before it are untouched.")  # fmt: skip


def render_table(headers: list[str], rows: list[list[str]], right: frozenset[int] = frozenset()) -> str:
    """Plain aligned columns (no Rich: the headless commands stay light)."""
    widths = [max(len(str(c)) for c in column) for column in zip(headers, *rows)]

    def line(cells: list) -> str:
        return "  ".join(
            str(c).rjust(w) if i in right else str(c).ljust(w) for i, (c, w) in enumerate(zip(cells, widths))
        ).rstrip()

    return "\n".join([line(headers), line(["-" * w for w in widths])] + [line(r) for r in rows])


def emit_json(value) -> None:
    click.echo(json.dumps(value, indent=2, ensure_ascii=False))


def report_edit(env, edit, nothing: str = "nothing to change") -> None:
    env.info(edit.description if edit.changed else nothing)


# -- teams ---------------------------------------------------------------------------------------
@click.group()
@global_options
def teams() -> None:
    """Teams and who belongs to them (effective-dated: history before a change is kept)."""


@teams.command("list")
@FORMAT
@global_options
@with_env
def teams_list(env, fmt: str) -> None:
    """Teams with their members today and this month's budget."""
    from spendtui.org import list_teams

    rows = list_teams(env.open_store(), env.today)
    if fmt == "json":
        emit_json([t.as_json() for t in rows])
    else:
        click.echo(render_table(["TEAM", "MEMBERS", "MONTHLY BUDGET", "PEOPLE"],
                                [[t.name, len(t.members), format_usd(t.monthly_budget), ", ".join(t.members)]
                                 for t in rows], right=frozenset({1, 2})))  # fmt: skip


@teams.command("add")
@click.argument("name")
@global_options
@with_env
def teams_add(env, name: str) -> None:
    """Create a team."""
    from spendtui.org import create_team

    report_edit(env, create_team(env.open_store(create=True, writable=True), name))


@teams.command("rename")
@click.argument("old")
@click.argument("new")
@global_options
@with_env
def teams_rename(env, old: str, new: str) -> None:
    """Rename a team (its members, budgets and history stay with it)."""
    from spendtui.org import rename_team

    report_edit(env, rename_team(env.open_store(writable=True), old, new))


@teams.command("remove")
@click.argument("name")
@click.option("--yes", is_flag=True, help="Do not ask: delete the team with its memberships and budgets.")
@global_options
@with_env
def teams_remove(env, name: str, yes: bool) -> None:
    """Delete a team with its memberships and budgets (spend stays in the org's totals).

    To keep a team's history, remove its members instead.
    """
    from spendtui.org import delete_team, team_usage

    store = env.open_store(writable=True)
    if not yes:
        counts = team_usage(store, name)
        what = f"team {name!r} with {counts['memberships']} membership(s) and {counts['budgets']} budget(s)"
        if not sys.stdin.isatty():
            raise UsageError(f"deleting {what} cannot be undone from the command line: pass --yes to confirm")
        click.confirm(f"Delete {what}?", abort=True, err=True)
    report_edit(env, delete_team(store, name))


@teams.command("add-member")
@click.argument("team")
@click.argument("emails", nargs=-1, required=True, metavar="EMAIL...")
@SINCE
@global_options
@with_env
def teams_add_member(env, team: str, emails: tuple[str, ...], since: str | None) -> None:
    """Add people to a team from --since on (people new to the store are created)."""
    from spendtui.org import add_members

    edit = add_members(env.open_store(writable=True), team, emails, today=env.today, since=since)
    report_edit(env, edit, f"nothing to change: already members of {edit.details['team']} on {edit.details['since']}")


@teams.command("remove-member")
@click.argument("team")
@click.argument("emails", nargs=-1, required=True, metavar="EMAIL...")
@SINCE
@global_options
@with_env
def teams_remove_member(env, team: str, emails: tuple[str, ...], since: str | None) -> None:
    """Take people out of a team from --since on (that day no longer counts for the team)."""
    from spendtui.org import remove_members

    report_edit(env, remove_members(env.open_store(writable=True), team, emails, today=env.today, since=since))


@teams.command("move-member")
@click.argument("email")
@click.argument("team")
@SINCE
@global_options
@with_env
def teams_move_member(env, email: str, team: str, since: str | None) -> None:
    """Move a person to TEAM from --since on: they leave the teams they were in then."""
    from spendtui.org import move_member

    report_edit(env, move_member(env.open_store(writable=True), email, team, today=env.today, since=since))


@teams.command("import")
@click.argument("file", type=click.Path(dir_okay=False))
@global_options
@with_env
def teams_import(env, file: str) -> None:
    """Add memberships from a CSV with columns team,email[,since] (all rows or none).

    Teams it names are created; since defaults to today; an import never ends a membership.
    """
    from spendtui.org import import_memberships

    edit = import_memberships(env.open_store(create=True, writable=True), file, today=env.today)
    created = edit.details["teams_created"]
    env.info(f"{file}: {edit.details['rows']} row(s), {edit.details['added']} membership(s) added"
             + (f", teams created: {', '.join(created)}" if created else ""))  # fmt: skip


# -- people --------------------------------------------------------------------------------------
@click.group()
@global_options
def people() -> None:
    """People (one per email across vendors): list, merge identities, map vendor accounts."""


@people.command("list")
@FORMAT
@global_options
@with_env
def people_list(env, fmt: str) -> None:
    """Everyone the store knows, with aliases, teams, seats and mapped accounts."""
    from spendtui.org import list_people

    rows = list_people(env.open_store(), env.today)
    if fmt == "json":
        emit_json([p.as_json() for p in rows])
        return
    click.echo(render_table(
        ["EMAIL", "NAME", "TEAMS", "SEATS", "ALIASES", "ACCOUNTS"],
        [[p.email, p.name or "", ", ".join(p.teams), ", ".join(f"{s[0]}:{s[1]}" for s in p.seats),
          ", ".join(p.aliases), ", ".join(f"{a[0]}:{a[1]}:{a[2]}" for a in p.accounts)] for p in rows],
    ))  # fmt: skip


@people.command("merge")
@click.argument("email")
@click.argument("other_email")
@global_options
@with_env
def people_merge(env, email: str, other_email: str) -> None:
    """Make OTHER_EMAIL an alias of EMAIL: one person with both's spend, seats and teams."""
    from spendtui.org import merge_people

    store = env.open_store(writable=True)
    env.query(store)  # rollups in line with the settings before the merge refreshes them
    report_edit(env, merge_people(store, email, other_email, today=env.today))


@people.command("map")
@click.argument("email_or_team")
@click.option("--provider", required=True, type=click.Choice(["cursor", "anthropic", "openai"]))
@click.option("--api-key", "api_key", metavar="ID", help="An Anthropic or OpenAI API key id.")
@click.option("--workspace", metavar="ID", help="An Anthropic workspace id.")
@click.option("--project", metavar="ID", help="An OpenAI project id.")
@click.option("--user", "user", metavar="ID", help="A vendor user id (Cursor, OpenAI, Anthropic).")
@global_options
@with_env
def people_map(env, email_or_team: str, provider: str, **ids: str | None) -> None:
    """Attribute a vendor account's spend to a person (an email) or a team (a name).

    Until it is mapped, that spend is "unattributed:<provider>:<id>".
    """
    from spendtui.org import map_account

    given = {kind: value for kind, value in ids.items() if value is not None}
    if len(given) != 1:
        raise UsageError("name the account with exactly one of --api-key, --workspace, --project, --user")
    [(kind, external_id)] = given.items()
    target = {"person": email_or_team} if "@" in email_or_team else {"team": email_or_team}
    store = env.open_store(writable=True)
    env.query(store)
    report_edit(env, map_account(store, provider, kind, external_id, today=env.today, **target),
                "nothing to change: the account is already mapped so")  # fmt: skip


# -- seats ---------------------------------------------------------------------------------------
@click.group()
@global_options
def seats() -> None:
    """Seat holders no vendor API lists (their fees are subscription spend)."""


@seats.command("import")
@click.argument("file", type=click.Path(dir_okay=False))
@global_options
@with_env
def seats_import(env, file: str) -> None:
    """Store seats from a CSV with columns provider,email,plan,monthly_fee,from,to (all rows or none).

    An empty monthly_fee means the provider's configured seat_price; an empty `to` means still held.
    A seat with the same provider, email, plan and from replaces the stored one.
    """
    from spendtui.org import import_seats

    store = env.open_store(create=True, writable=True)
    env.query(store)
    edit = import_seats(store, file, today=env.today)
    env.info(f"{file}: {edit.details['seats']} seat(s), {edit.details['new']} new, {edit.details['replaced']} replaced")


@seats.command("list")
@FORMAT
@global_options
@with_env
def seats_list(env, fmt: str) -> None:
    """Seats held today, with their monthly cost (fee, else the configured seat_price)."""
    from spendtui.analytics.seats import seats_held

    held = [seat for _, seat in seats_held(env.query(env.open_store()), env.settings.seat_prices())]
    if fmt == "json":
        emit_json([{"user": s.email, **s.as_json()} for s in held])
        return
    click.echo(render_table(["USER", "PROVIDER", "PLAN", "MONTHLY COST", "SINCE"],
                            [[s.email, s.provider, s.plan, format_usd(s.monthly_cost), s.held_since] for s in held],
                            right=frozenset({3})))  # fmt: skip


# -- backup --------------------------------------------------------------------------------------
@click.command()
@click.argument("path", type=click.Path())
@click.option("--force", is_flag=True, help="Replace PATH if it exists.")
@global_options
@with_env
def backup(env, path: str, force: bool) -> None:
    """Write a consistent copy of the store to PATH (SQLite online backup; safe during a sync)."""
    from spendtui.store.backup import backup as run_backup

    result = run_backup(env.open_store(), path, force=force)
    env.info(f"backed up {env.db_path} to {result.path} ({result.size:,} bytes)")
