"""Small pure helpers the dashboard needs and the other analytics modules do not (yet) offer.

No Textual here: these are plain functions over the store and over numbers, tested on their own.
"""

from __future__ import annotations

from datetime import datetime, timezone
from decimal import ROUND_HALF_UP, Decimal

from spendtui.money import NANO_PER_DOLLAR
from spendtui.store import Store

OTHER = "Other"


def compact_usd(nano: int) -> str:
    """A short dollar label for chart axes: $0, $7.50, $950, $1.5k, $12k, $1.2M (rounded half-up)."""
    dollars = Decimal(nano) / NANO_PER_DOLLAR
    sign, dollars = ("-" if dollars < 0 else ""), abs(dollars)
    for size, suffix in ((Decimal(1_000_000), "M"), (Decimal(1_000), "k")):
        if dollars >= size:
            return f"{sign}${_short(dollars / size)}{suffix}"
    if Decimal(0) < dollars < Decimal("9.995"):
        return f"{sign}${dollars.quantize(Decimal('0.01'), ROUND_HALF_UP)}"
    return f"{sign}${dollars.quantize(Decimal(1), ROUND_HALF_UP)}"


def _short(value: Decimal) -> str:
    """One decimal below 10 (1.5, not 1.50; 2, not 2.0), whole numbers above."""
    if value < 10:
        text = str(value.quantize(Decimal("0.1"), ROUND_HALF_UP))
        return text[:-2] if text.endswith(".0") else text
    return str(value.quantize(Decimal(1), ROUND_HALF_UP))


def nice_ticks(top: int, count: int = 4) -> list[int]:
    """Round axis ticks from 0 up to at least ``top`` (any integer unit: nano-dollars, people)."""
    if top <= 0:
        return [0]
    raw = -(-top // count)  # ceil
    magnitude = 10 ** (len(str(raw)) - 1)
    step = next(m * magnitude for m in (1, 2, 5, 10) if m * magnitude >= raw)
    return [step * i for i in range(0, -(-top // step) + 1)]


def group_models(values: list[tuple[str, int]], top: int = 5, min_share_pct: int = 1) -> list[tuple[str, int]]:
    """Metrics.md model breakdown: the top ``top`` models plus "Other"; a model under 1% goes to Other."""
    total = sum(v for _, v in values)
    ranked = sorted(values, key=lambda kv: (-kv[1], kv[0]))
    kept: list[tuple[str, int]] = []
    other = 0
    for label, value in ranked:
        big_enough = total > 0 and value * 100 >= total * min_share_pct
        if len(kept) < top and big_enough and value > 0:
            kept.append((label, value))
        else:
            other += value
    if other:
        kept.append((OTHER, other))
    return kept


def people_choices(store: Store) -> list[tuple[str, str | None]]:
    """(email, name) of every person, for the person filter's type-ahead."""
    return [(row[0], row[1]) for row in store.query("SELECT email, name FROM people ORDER BY email")]


def relative_age(stamp: str | None, now: datetime) -> str | None:
    """'12 min ago', '3 h ago', '2 days ago' for an ISO timestamp (UTC when it names no zone)."""
    if not stamp:
        return None
    moment = datetime.fromisoformat(stamp)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    seconds = int((now - moment).total_seconds())
    if seconds < 0:
        return "in the future"
    if seconds < 90:
        return "just now"
    if seconds < 90 * 60:
        return f"{seconds // 60} min ago"
    if seconds < 48 * 3600:
        return f"{seconds // 3600} h ago"
    return f"{seconds // 86400} days ago"


def short_stamp(stamp: str | None) -> str | None:
    """'2026-11-25T07:05:00+00:00' -> '2026-11-25 07:05' (sync history times are UTC)."""
    return stamp[:16].replace("T", " ") if stamp else None
