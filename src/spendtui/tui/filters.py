"""The dashboard's filters as one immutable value: what every tab computes its figures for.

Plain Python (no Textual) so the same value can be handed to a thread worker and compared cheaply.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date

from spendtui.analytics.query import Scope
from spendtui.config import PROVIDER_NAMES
from spendtui.periods import Period, parse_period

# (value, label) of the period presets; "year" is the calendar year of today, "custom" uses from/to.
PRESETS = (
    ("mtd", "Month to date"),
    ("last-month", "Last month"),
    ("30d", "Last 30 days"),
    ("7d", "Last 7 days"),
    ("ytd", "Year to date"),
    ("year", "This year"),
    ("custom", "Custom…"),
)


@dataclass(frozen=True)
class Filters:
    preset: str = "mtd"
    start: date | None = None  # custom period only
    end: date | None = None
    team: str | None = None
    user: str | None = None
    provider: str | None = None

    def period(self, today: date) -> Period:
        if self.preset == "custom":
            if self.start and self.end:
                return parse_period(None, today, self.start.isoformat(), self.end.isoformat())
            return parse_period("mtd", today)
        if self.preset == "year":
            return parse_period(str(today.year), today)
        return parse_period(self.preset, today)

    @property
    def scope(self) -> Scope:
        return Scope(provider=self.provider, team=self.team, user=self.user)

    def with_scope(self, *, team: str | None = None, user: str | None = None) -> Filters:
        """A team and a person exclude each other (as in `spendtui report`)."""
        return replace(self, team=team, user=None if team else user)

    def scope_label(self) -> str:
        if self.user:
            return f"person {self.user}"
        if self.team:
            return f"team {self.team}"
        return "whole org"

    def describe(self, today: date, timezone: str) -> str:
        """One line naming every active filter and the reporting time zone."""
        period = self.period(today)
        preset = dict(PRESETS).get(self.preset, self.preset)
        span = f"{period.start.isoformat()} → {period.end.isoformat()}"
        provider = PROVIDER_NAMES.get(self.provider, "all providers") if self.provider else "all providers"
        return f"{preset} {span} ({timezone}) · {self.scope_label()} · {provider}"

    def report_args(self, today: date, view: str) -> list[str]:
        """The `spendtui report` arguments that give the figures of ``view`` under these filters: the
        period as its preset names it (so "vs previous" compares the same days, and a saved line
        moves on with the calendar), dates only for a custom one; no provider on a provider's view."""
        if self.preset == "custom":
            period = self.period(today)
            args = ["--from", period.start.isoformat(), "--to", period.end.isoformat()]
        else:
            args = [str(today.year) if self.preset == "year" else self.preset]
        if self.provider and view not in PROVIDER_NAMES:
            args += ["--provider", self.provider]
        if self.team:
            args += ["--team", self.team]
        if self.user:
            args += ["--user", self.user]
        return args
