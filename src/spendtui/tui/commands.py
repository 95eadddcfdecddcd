"""Command palette entries: every action of the dashboard, findable with ctrl+p."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from typing import TYPE_CHECKING

from textual.app import SystemCommand

from spendtui.config import PROVIDER_NAMES, PROVIDERS
from spendtui.tui.filters import PRESETS
from spendtui.tui.tabs import TAB_CLASSES

if TYPE_CHECKING:
    from spendtui.tui.app import SpendApp


def system_commands(app: SpendApp) -> Iterator[SystemCommand]:
    for cls in TAB_CLASSES:
        yield SystemCommand(f"Show {cls.title}", f"Switch to tab {cls.key}", lambda v=cls.view_id: app.action_show_tab(v))
    for value, label in PRESETS:
        if value != "custom":
            yield SystemCommand(f"Period: {label}", f"Show figures for {label.lower()}",
                                lambda v=value: app.set_filters(replace(app.filters, preset=v)))  # fmt: skip
    yield SystemCommand("Period: custom from/to", "Type a first and last day", app.action_custom_period)
    yield SystemCommand("Provider: all", "Figures across every provider",
                        lambda: app.set_filters(replace(app.filters, provider=None)))  # fmt: skip
    for p in PROVIDERS:
        yield SystemCommand(f"Provider: {PROVIDER_NAMES[p]}", f"Only {PROVIDER_NAMES[p]}",
                            lambda v=p: app.set_filters(replace(app.filters, provider=v)))  # fmt: skip
    for team in app.info.teams if app.info else []:
        yield SystemCommand(f"Scope: team {team}", "Only this team's members",
                            lambda t=team: app.set_filters(app.filters.with_scope(team=t)))  # fmt: skip
    yield SystemCommand("Scope: whole org", "Clear the team and person scope",
                        lambda: app.set_filters(app.filters.with_scope()))  # fmt: skip
    yield SystemCommand("Scope: a person…", "Type a name or email (type-ahead)", lambda: app.action_focus_filter("person"))
    yield SystemCommand("Clear all filters", "Month to date, whole org, all providers", app.action_clear_filters)
    yield SystemCommand("Refresh", "Reload the figures from the store", app.action_refresh)
    yield SystemCommand("Export table to CSV", "The table in focus, as shown", app.action_export)
    yield SystemCommand("Report command", "The spendtui report line that prints these figures (c)", app.action_report_command)
    yield SystemCommand("Sort table", "The table in focus by its next column (s; S reverses)", app.action_sort_table)
    if not app.read_only:
        yield SystemCommand("Sync now", "Pull from the vendors' admin APIs", app.action_sync)
        yield SystemCommand("Import CSV", "Import vendor CSV exports", app.action_import_csv)
        yield SystemCommand("Upload invoice", "Parse and keep vendor PDF invoices", app.action_upload_invoice)
        yield SystemCommand("Edit teams", "Teams, members and monthly budgets", app.action_edit_teams)
        for description in app.undo_log.descriptions()[:1]:
            yield SystemCommand("Undo last edit", description, app.action_undo)
    yield SystemCommand("Help", "Every key of the dashboard", app.action_help)
