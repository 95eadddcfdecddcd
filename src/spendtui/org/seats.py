"""Seats no vendor API lists (``seats import``): who holds which plan, for which monthly fee, when.

A seat is keyed by (provider, person, plan, from). Importing a seat with a known key replaces that
row's fee and end, whatever wrote it; other seats are never removed by an import. An empty fee
means the provider's configured ``seat_price``. Fees accrue over calendar months (billing day 1),
as metrics.md says when no billing period is known. The rollups of the seats' days are refreshed
in the same transaction, so subscription spend shows at once.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from spendtui.config import PROVIDERS
from spendtui.errors import UsageError
from spendtui.org.edit import Edit, editing
from spendtui.org.lookup import person_for
from spendtui.org.validate import cell, day, positive_amount, read_csv
from spendtui.org.validate import email as valid_email

SOURCE = "import"


@dataclass(frozen=True)
class SeatRow:
    provider: str
    email: str
    plan: str
    monthly_fee: int | None  # nano-dollars; None: the provider's configured seat price
    active_from: date
    active_to: date | None  # inclusive; None: still held

    @property
    def key(self) -> tuple[str, str, str, date]:
        return (self.provider, self.email, self.plan, self.active_from)


def provider_name(value: str) -> str:
    name = (value or "").strip().lower()
    if name not in PROVIDERS:
        raise UsageError(f"provider must be one of {', '.join(PROVIDERS)}, got {value!r}")
    return name


def plan_name(value: str) -> str:
    plan = " ".join((value or "").split())
    if not plan:
        raise UsageError("a plan cannot be empty (e.g. business, team-premium)")
    return plan


def optional_fee(value: str) -> int | None:
    return positive_amount(value, "monthly_fee") if (value or "").strip() else None


def seat_end(value: str, active_from: date) -> date | None:
    if not (value or "").strip():
        return None
    end = day(value, "to")
    if end < active_from:
        raise UsageError(f"to {end} is before from {active_from}")
    return end


def put_seats(store, seats: Iterable[SeatRow], *, today: date, description: str | None = None) -> Edit:
    """Insert or replace seats by (provider, person, plan, from), and refresh their rollups."""
    seats = list(seats)
    if not seats:
        raise UsageError("no seats to store")
    with editing(store, "store seats", today) as rec:
        new = replaced = 0
        for seat in seats:
            person = person_for(rec, seat.email)
            start, end = seat.active_from.isoformat(), seat.active_to.isoformat() if seat.active_to else None
            existing = store.query(
                "SELECT * FROM seats WHERE provider = ? AND person_id = ? AND plan = ? AND active_from = ?",
                (seat.provider, person, seat.plan, start),
            )
            rec.touch_seat(seat.provider, start, end)
            if existing:
                rec.touch_seat(seat.provider, start, existing[0]["active_to"])
                replaced += bool(
                    rec.update("seats", "id = ?", (existing[0]["id"],), monthly_fee_nano=seat.monthly_fee,
                               active_to=end, source=SOURCE)  # fmt: skip
                )
            else:
                rec.insert("seats", provider=seat.provider, person_id=person, plan=seat.plan,
                           monthly_fee_nano=seat.monthly_fee, active_from=start, active_to=end, billing_day=1,
                           source=SOURCE)  # fmt: skip
                new += 1
        rec.describe(description or f"Store {len(seats)} seat(s)", seats=len(seats), new=new, replaced=replaced)
    return rec.edit


def import_seats(store, path: Path | str, *, today: date) -> Edit:
    """Store the seats of a ``provider,email,plan,monthly_fee,from,to`` CSV, all or nothing."""
    path = Path(path)
    seats: dict[tuple, tuple[int, SeatRow]] = {}
    for row in read_csv(path, ("provider", "email", "plan", "monthly_fee", "from"), ("to",)):
        start = cell(row, path, "from", day, "from")
        seat = SeatRow(
            provider=cell(row, path, "provider", provider_name),
            email=cell(row, path, "email", valid_email),
            plan=cell(row, path, "plan", plan_name),
            monthly_fee=cell(row, path, "monthly_fee", optional_fee),
            active_from=start,
            active_to=cell(row, path, "to", seat_end, start),
        )
        if seat.key in seats:
            raise row.fail(path, "from", f"the same seat (provider, email, plan, from) is on line {seats[seat.key][0]}")
        seats[seat.key] = (row.line, seat)
    if not seats:
        raise UsageError(f"{path}: no seats in the file")
    return put_seats(store, [s for _, s in seats.values()], today=today, description=f"Import seats from {path.name}")
