"""`spendtui status`: what the store holds and whether anything needs attention."""

from __future__ import annotations

import click

from spendtui.cli.env import Env, global_options, with_env
from spendtui.cli.output import dict_table, emit_json, key_values

EXIT_WARNING = 4


@click.command()
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table", show_default=True)
@click.option("--check", is_flag=True, help=f"Exit {EXIT_WARNING} when a warning stands (for monitoring).")
@global_options
@with_env
def status(env: Env, fmt: str, check: bool) -> None:
    """Store path and size, rows per source, data range and last good sync per provider, warnings."""
    from spendtui.analytics.status import status as build

    store = env.open_store()
    report = build(store, env.settings)
    if fmt == "json":
        emit_json(report.as_json())
    else:
        size = f"{report.size_bytes / 1_048_576:.1f} MiB"
        ro = " (read-only)" if report.read_only else ""
        parts = [key_values([("Store", f"{report.path}{ro}"), ("Size", size), ("Schema", report.schema_version)])]
        parts.append(dict_table(report.sources, title="Rows per source"))
        # in the JSON only (the warning and the error are listed below)
        listed_elsewhere = ("last_sync_at", "last_sync_warning", "last_sync_error", "priced_seats")
        parts.append(dict_table(
            [{k: v for k, v in p.as_json().items() if k not in listed_elsewhere} for p in report.providers],
            title="Providers",
        ))  # fmt: skip
        parts.append("Warnings\n" + ("\n".join(f"- {w}" for w in report.warnings) or "(none)"))
        click.echo("\n\n".join(parts))
    if check and report.warnings:
        raise SystemExit(EXIT_WARNING)
