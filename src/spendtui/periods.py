"""Report periods as cli.md defines them: calendar days in the reporting time zone, inclusive."""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from spendtui.errors import UsageError


class PeriodError(UsageError, ValueError):
    """A period the user wrote that we cannot read."""


@dataclass(frozen=True)
class Period:
    """Days ``start`` .. ``end`` (both inclusive) and how to find the period before it."""

    start: date
    end: date
    kind: str = "range"  # month | year | mtd | ytd | range

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    def each_day(self) -> list[date]:
        return [self.start + timedelta(days=i) for i in range(self.days)]

    def previous(self) -> Period:
        """The period a change is measured against (cli.md, "PERIOD")."""
        if self.kind == "month":
            first = _add_months(self.start, -1)
            return Period(first, _month_end(first), "month")
        if self.kind == "year":
            return Period(date(self.start.year - 1, 1, 1), date(self.start.year - 1, 12, 31), "year")
        if self.kind == "mtd":
            first = _add_months(self.start, -1)
            last_day = min(self.end.day, _month_end(first).day)
            return Period(first, first.replace(day=last_day), "range")
        if self.kind == "ytd":
            year = self.start.year - 1
            return Period(date(year, 1, 1), _same_day_in_year(self.end, year), "range")
        return Period(self.start - timedelta(days=self.days), self.start - timedelta(days=1), "range")

    def label(self) -> str:
        if self.kind == "month":
            return self.start.strftime("%Y-%m")
        if self.kind == "year":
            return str(self.start.year)
        return f"{self.start.isoformat()}..{self.end.isoformat()}"


def _month_end(day: date) -> date:
    return day.replace(day=calendar.monthrange(day.year, day.month)[1])


def _add_months(day: date, months: int) -> date:
    index = day.year * 12 + day.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


def _same_day_in_year(day: date, year: int) -> date:
    last = calendar.monthrange(year, day.month)[1]
    return date(year, day.month, min(day.day, last))


def month_bounds(month: str) -> tuple[date, date]:
    """``"2026-10"`` -> (2026-10-01, 2026-10-31)."""
    first = date.fromisoformat(month + "-01")
    return first, _month_end(first)


def add_months(day: date, months: int) -> date:
    """The first day of the month ``months`` after ``day``'s month."""
    return _add_months(day, months)


def last_months(today: date, count: int) -> list[str]:
    """The ``count`` calendar months ending with today's, oldest first, as ``YYYY-MM``."""
    return [_add_months(today, -i).strftime("%Y-%m") for i in range(count - 1, -1, -1)]


def zone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise PeriodError(f"unknown time zone {name!r} (use an IANA name such as Europe/Berlin)") from None


def today_in(tz: str, now: datetime | None = None) -> date:
    """Today's calendar date in the reporting time zone."""
    moment = now or datetime.now(timezone.utc)
    return moment.astimezone(zone(tz)).date()


def parse_date(text: str, what: str = "date") -> date:
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        raise PeriodError(f"{what} must be YYYY-MM-DD, got {text!r}") from None


_DAYS = re.compile(r"^(\d{1,4})d$")


FIRST_YEAR, LAST_YEAR = 1970, 9998  # instants are epoch milliseconds; a period's previous and next days must exist


def parse_period(text: str | None, today: date, start: str | None = None, end: str | None = None) -> Period:
    """Read ``2026-10``, ``2026``, ``30d``, ``mtd`` (default), ``last-month``, ``ytd`` or from/to."""
    period = _parse_period(text, today, start, end)
    if period.start.year < FIRST_YEAR or period.end.year > LAST_YEAR:
        given = text if text else f"--from {start} --to {end}"
        raise PeriodError(f"a period must lie in the years {FIRST_YEAR} to {LAST_YEAR}, got {given!r}")
    return period


def _parse_period(text: str | None, today: date, start: str | None, end: str | None) -> Period:
    if start or end:
        if text:
            raise PeriodError("give either a PERIOD or --from/--to, not both")
        if not (start and end):
            raise PeriodError("--from and --to go together")
        first, last = parse_date(start, "--from"), parse_date(end, "--to")
        if last < first:
            raise PeriodError(f"--to {last} is before --from {first}")
        return Period(first, last, "range")
    value = (text or "mtd").strip().lower()
    if value == "mtd":
        return Period(today.replace(day=1), today, "mtd")
    if value == "ytd":
        return Period(date(today.year, 1, 1), today, "ytd")
    if value == "last-month":
        first = _add_months(today, -1)
        return Period(first, _month_end(first), "month")
    if value == "this-month":
        return Period(today.replace(day=1), _month_end(today), "month")
    if match := _DAYS.match(value):
        count = int(match.group(1))
        if count < 1:
            raise PeriodError("a day count must be at least 1d")
        return Period(today - timedelta(days=count - 1), today, "range")
    if re.fullmatch(r"\d{4}-\d{2}", value):
        try:
            first = date.fromisoformat(value + "-01")
        except ValueError:
            raise PeriodError(f"no such month: {text!r}") from None
        return Period(first, _month_end(first), "month")
    if re.fullmatch(r"\d{4}", value):
        year = int(value)
        return Period(date(year, 1, 1), date(year, 12, 31), "year")
    raise PeriodError(
        f"unknown period {text!r}: use YYYY-MM, YYYY, 30d, 7d, mtd, last-month, ytd, or --from/--to"
    )


def utc_offsets(tz: str, first: date, last: date) -> list[tuple[int, int]]:
    """(UTC epoch ms from which an offset holds, offset in seconds), covering ``first`` .. ``last``.

    The first entry also holds for everything before it. The rollup turns Cursor's UTC instants into
    local days with this short table (one entry per DST change), so SQLite never calls back into
    Python per row.
    """
    info = zone(tz)

    def offset_at(minute: int) -> int:
        moment = datetime.fromtimestamp(minute * 60, timezone.utc).astimezone(info)
        return int(moment.utcoffset().total_seconds())

    start = int(datetime(first.year, first.month, first.day, tzinfo=timezone.utc).timestamp()) // 60 - 2 * 1440
    finish = int(datetime(last.year, last.month, last.day, tzinfo=timezone.utc).timestamp()) // 60 + 3 * 1440
    changes = [(start * 60_000, offset_at(start))]
    step = 6 * 60  # no zone changes its offset twice within six hours
    minute = start
    while minute < finish:
        following = minute + step
        if offset_at(following) != changes[-1][1]:
            lo, hi = minute, following  # the change happens in (lo, hi]
            while hi - lo > 1:
                mid = (lo + hi) // 2
                if offset_at(mid) == changes[-1][1]:
                    lo = mid
                else:
                    hi = mid
            changes.append((hi * 60_000, offset_at(hi)))
        minute = following
    return changes


def parse_period_option(text: str | None) -> tuple[date, date] | None:
    """``--period FROM..TO`` (inclusive days)."""
    if not text:
        return None
    first, sep, last = text.partition("..")
    try:
        if not sep:
            raise ValueError
        start, end = date.fromisoformat(first.strip()), date.fromisoformat(last.strip())
    except ValueError:
        raise UsageError(f"--period must be FROM..TO with dates YYYY-MM-DD, got {text!r}") from None
    if end < start:
        raise UsageError(f"--period ends ({end}) before it starts ({start})")
    return start, end
