"""Idle seats and people with seats at several vendors (metrics.md "Idle seats · multi-vendor seats").

A seat counts when it is held today. Its monthly cost is its own fee, else the provider's
configured ``seat_price``, else unknown (None). Usage is any rollup row of the seat's provider
and person other than the seat fee itself, billed or estimated (an estimate still shows use).

A seat is idle when its holder used that provider on none of the last 30 days (today included).
Two cases are not called idle because the data cannot tell: a seat held for less than the whole
window, and a provider with no usage data at all in the window (nothing synced or imported yet).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import timedelta

from spendtui.analytics.query import Query, Scope
from spendtui.money import format_plain

IDLE_DAYS = 30


@dataclass(frozen=True)
class Seat:
    email: str
    provider: str
    plan: str
    monthly_cost: int | None
    held_since: str

    def as_json(self) -> dict:
        return {"provider": self.provider, "plan": self.plan, "monthly_cost": format_plain(self.monthly_cost),
                "held_since": self.held_since}  # fmt: skip


@dataclass(frozen=True)
class IdleSeat:
    seat: Seat
    last_used: str | None  # the last day with usage of that provider, if ever

    def as_json(self) -> dict:
        return {"user": self.seat.email, **self.seat.as_json(), "last_used": self.last_used}


@dataclass(frozen=True)
class MultiVendorSeats:
    email: str
    seats: tuple[Seat, ...]

    @property
    def providers(self) -> list[str]:
        return sorted({s.provider for s in self.seats})

    @property
    def monthly_cost(self) -> int | None:
        """The seats' known monthly costs together; None when none is known."""
        known = [s.monthly_cost for s in self.seats if s.monthly_cost is not None]
        return sum(known) if known else None

    def as_json(self) -> dict:
        return {"user": self.email, "providers": self.providers, "monthly_cost": format_plain(self.monthly_cost),
                "seats": [s.as_json() for s in self.seats]}  # fmt: skip


def seats_held(q: Query, seat_prices: dict[str, int], scope: Scope = Scope()) -> list[tuple[int, Seat]]:
    """(person id, seat) for every seat held today by the scope's people (and provider, if set);
    read once per Query (the Team tab asks for idle and for multi-vendor seats)."""
    key = ("seats_held", tuple(sorted(seat_prices.items())), scope)
    return q.cached(key, lambda: _seats_held(q, seat_prices, scope))


def _seats_held(q: Query, seat_prices: dict[str, int], scope: Scope) -> list[tuple[int, Seat]]:
    today = q.today.isoformat()
    segments = q.segments(Scope(team=scope.team, user=scope.user), q.today, q.today)
    people = None if segments is None else {s for s, _, _ in segments if s > 0}
    rows = q.store.query(
        """SELECT s.person_id, p.email, s.provider, s.plan, s.monthly_fee_nano, s.active_from
           FROM seats s JOIN people p ON p.id = s.person_id
           WHERE s.active_from <= ? AND (s.active_to IS NULL OR s.active_to >= ?)
           ORDER BY p.email, s.provider, s.plan""",
        (today, today),
    )
    return [
        (row[0], Seat(row[1], row[2], row[3], row[4] if row[4] is not None else seat_prices.get(row[2]), row[5]))
        for row in rows
        if (people is None or row[0] in people) and (scope.provider is None or row[2] == scope.provider)
    ]


def idle_seats(q: Query, seat_prices: dict[str, int], scope: Scope = Scope(), days: int = IDLE_DAYS) -> list[IdleSeat]:
    """Seats whose holder did not use that provider in the last ``days`` days, costliest first."""
    first = (q.today - timedelta(days=days - 1)).isoformat()
    today = q.today.isoformat()
    observed = {
        row[0]
        for row in q.store.query(
            "SELECT DISTINCT provider FROM roll_org_day WHERE day BETWEEN ? AND ? AND category != 'subscription'",
            (first, today),
        )
    }
    candidates = [(person, seat) for person, seat in seats_held(q, seat_prices, scope)
                  if seat.held_since <= first and seat.provider in observed]  # fmt: skip
    # One statement for every seat: a query per seat cost more in Python than in SQLite.
    last_days = q.store.query(
        """SELECT (SELECT MAX(day) FROM roll_day r WHERE r.subject = json_extract(s.value, '$[0]')
                   AND r.provider = json_extract(s.value, '$[1]') AND r.category != 'subscription' AND r.day <= ?)
           FROM json_each(?) s ORDER BY s.key""",
        (today, json.dumps([(person, seat.provider) for person, seat in candidates])),
    )
    idle = []
    for (_, seat), (last_used,) in zip(candidates, last_days):
        if last_used is None or last_used < first:
            idle.append(IdleSeat(seat, last_used))
    idle.sort(key=lambda i: (-(i.seat.monthly_cost or 0), i.seat.email, i.seat.provider))
    return idle


def multi_vendor_seats(q: Query, seat_prices: dict[str, int], scope: Scope = Scope()) -> list[MultiVendorSeats]:
    """People holding seats at two or more providers today, costliest first (a provider filter is ignored)."""
    by_person: dict[str, list[Seat]] = {}
    for _, seat in seats_held(q, seat_prices, Scope(team=scope.team, user=scope.user)):
        by_person.setdefault(seat.email, []).append(seat)
    result = [MultiVendorSeats(email, tuple(seats)) for email, seats in by_person.items()
              if len({s.provider for s in seats}) >= 2]  # fmt: skip
    result.sort(key=lambda m: (-(m.monthly_cost or 0), m.email))
    return result
