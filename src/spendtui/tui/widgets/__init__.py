"""Reusable widgets: one KPI card, one table, one chart wrapper, the filter bar, the empty state."""
