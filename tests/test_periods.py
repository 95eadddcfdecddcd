from datetime import date

import pytest

from spendtui.periods import Period, PeriodError, parse_period, today_in, utc_offsets

TODAY = date(2026, 11, 25)


@pytest.mark.parametrize(
    "text, start, end, prev_start, prev_end",
    [
        ("2026-10", date(2026, 10, 1), date(2026, 10, 31), date(2026, 9, 1), date(2026, 9, 30)),
        ("2026-03", date(2026, 3, 1), date(2026, 3, 31), date(2026, 2, 1), date(2026, 2, 28)),
        ("2024-03", date(2024, 3, 1), date(2024, 3, 31), date(2024, 2, 1), date(2024, 2, 29)),
        ("2026-01", date(2026, 1, 1), date(2026, 1, 31), date(2025, 12, 1), date(2025, 12, 31)),
        ("2026", date(2026, 1, 1), date(2026, 12, 31), date(2025, 1, 1), date(2025, 12, 31)),
        ("30d", date(2026, 10, 27), TODAY, date(2026, 9, 27), date(2026, 10, 26)),
        ("7d", date(2026, 11, 19), TODAY, date(2026, 11, 12), date(2026, 11, 18)),
        ("mtd", date(2026, 11, 1), TODAY, date(2026, 10, 1), date(2026, 10, 25)),
        (None, date(2026, 11, 1), TODAY, date(2026, 10, 1), date(2026, 10, 25)),
        ("last-month", date(2026, 10, 1), date(2026, 10, 31), date(2026, 9, 1), date(2026, 9, 30)),
        ("ytd", date(2026, 1, 1), TODAY, date(2025, 1, 1), date(2025, 11, 25)),
    ],
)
def test_periods_and_their_previous(text, start, end, prev_start, prev_end):
    period = parse_period(text, TODAY)
    assert (period.start, period.end) == (start, end)
    previous = period.previous()
    assert (previous.start, previous.end) == (prev_start, prev_end)


def test_from_to_is_inclusive_and_its_previous_has_the_same_length():
    period = parse_period(None, TODAY, "2026-10-10", "2026-10-19")
    assert period.days == 10
    assert (period.previous().start, period.previous().end) == (date(2026, 9, 30), date(2026, 10, 9))


def test_mtd_on_the_31st_compares_with_a_shorter_month():
    period = parse_period("mtd", date(2026, 3, 31))
    assert (period.previous().start, period.previous().end) == (date(2026, 2, 1), date(2026, 2, 28))


def test_ytd_on_leap_day_compares_with_feb_28():
    period = parse_period("ytd", date(2028, 2, 29))
    assert period.previous().end == date(2027, 2, 28)


def test_period_crossing_a_year():
    period = parse_period(None, TODAY, "2025-12-20", "2026-01-10")
    assert period.days == 22
    assert period.previous().end == date(2025, 12, 19)


@pytest.mark.parametrize("bad", ["2026-13", "yesterday", "0d", "26-10"])
def test_bad_periods_are_refused_with_a_message(bad):
    with pytest.raises(PeriodError):
        parse_period(bad, TODAY)


@pytest.mark.parametrize("text, start, end", [("0999", None, None), ("0001", None, None), ("9999", None, None),
                                               (None, "0001-01-01", "0001-01-05")])  # fmt: skip
def test_periods_outside_the_years_instants_can_name_are_refused(text, start, end):
    with pytest.raises(PeriodError, match="must lie in the years 1970 to 9998"):
        parse_period(text, TODAY, start, end)


def test_from_without_to_is_refused():
    with pytest.raises(PeriodError, match="go together"):
        parse_period(None, TODAY, "2026-10-01", None)


def test_today_depends_on_the_time_zone():
    from datetime import datetime, timezone

    moment = datetime(2026, 11, 25, 23, 30, tzinfo=timezone.utc)
    assert today_in("UTC", moment) == date(2026, 11, 25)
    assert today_in("Asia/Tokyo", moment) == date(2026, 11, 26)
    assert today_in("America/Los_Angeles", moment) == date(2026, 11, 25)


def test_offsets_follow_daylight_saving_time():
    offsets = utc_offsets("America/Los_Angeles", date(2026, 1, 1), date(2026, 12, 31))
    assert [o for _, o in offsets] == [-8 * 3600, -7 * 3600, -8 * 3600]
    # 2026-03-08 02:00 PST = 10:00 UTC; 2026-11-01 02:00 PDT = 09:00 UTC
    assert offsets[1][0] == 1772964000000
    assert offsets[2][0] == 1793523600000
    assert utc_offsets("Asia/Tokyo", date(2026, 1, 1), date(2026, 12, 31))[0][1] == 9 * 3600


def test_period_days_list():
    assert Period(date(2026, 2, 27), date(2026, 3, 2)).each_day()[-1] == date(2026, 3, 2)
