"""Analytics: every figure of metrics.md as pure functions over the store's rollups (no Textual)."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from spendtui.config import Settings
    from spendtui.analytics.query import Query, Scope
    from spendtui.periods import Period

# The dashboard tabs whose figures `build_view` computes (and `spendtui report --view` prints).
REPORT_VIEWS = ("overview", "team", "cursor", "anthropic", "openai")


def build_view(view: str, query: Query, period: Period, scope: Scope, settings: Settings | None = None):
    """The figures of one dashboard tab; each result has as_json(), tables() and headline()."""
    if view == "overview":
        from spendtui.analytics.overview import overview

        return overview(query, period, scope)
    if view == "team":
        from spendtui.analytics.team import team_context

        return team_context(query, period, scope, settings.seat_prices() if settings else None)
    if view in ("cursor", "anthropic", "openai"):
        from spendtui.analytics.providers import provider_tab

        return provider_tab(query, period, scope, view, settings)
    raise ValueError(f"unknown view {view!r}")
