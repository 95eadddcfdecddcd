"""Analytics: every figure of metrics.md as pure functions over the store's rollups (no Textual)."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from spendtui.analytics.query import Query, Scope
    from spendtui.periods import Period


def build_view(view: str, query: Query, period: Period, scope: Scope):
    """The figures of one dashboard tab; each result has as_json(), tables() and headline()."""
    if view == "overview":
        from spendtui.analytics.overview import overview

        return overview(query, period, scope)
    raise ValueError(f"unknown view {view!r}")
