"""Working days: Monday to Friday, except Korea's public holidays (the `holidays` package)."""

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest

from callcenter.workdays import is_working_day, public_holiday_name

SEOUL = ZoneInfo("Asia/Seoul")


@pytest.mark.parametrize(
    "day",
    [
        date(2026, 2, 16),  # the day before Seollal (a Monday)
        date(2026, 2, 17),  # Seollal
        date(2026, 2, 18),  # the day after Seollal
        date(2027, 2, 9),  # substitute holiday: Seollal 2027 falls on a Sunday
        date(2026, 9, 24),  # the day before Chuseok
        date(2026, 9, 25),  # Chuseok (a Friday)
        date(2025, 10, 8),  # substitute holiday: Chuseok 2025 (5-7 October) began on a Sunday
        date(2026, 12, 25),  # Christmas
        date(2027, 12, 27),  # substitute holiday: Christmas 2027 falls on a Saturday
        date(2026, 10, 9),  # Hangul Day
        date(2026, 3, 2),  # substitute holiday for Independence Movement Day (a Sunday)
    ],
)
def test_public_holidays_are_not_working_days(day):
    assert public_holiday_name(day)
    assert not is_working_day(day)


@pytest.mark.parametrize(
    "day, working",
    [
        (date(2026, 2, 13), True),  # the Friday before Seollal 2026
        (date(2026, 2, 19), True),  # the Thursday after it
        (date(2026, 12, 24), True),  # Christmas Eve is a working day
        (date(2026, 11, 28), False),  # a Saturday
        (date(2026, 11, 29), False),  # a Sunday
        (date(2026, 12, 1), True),  # an ordinary Tuesday
    ],
)
def test_weekdays_and_weekends(day, working):
    assert is_working_day(day) is working


def test_a_datetime_counts_in_seoul_time():
    # 2026-12-24 16:00 UTC is already Christmas in Seoul
    assert not is_working_day(datetime(2026, 12, 24, 16, 0, tzinfo=ZoneInfo("UTC")))
    assert is_working_day(datetime(2026, 12, 24, 14, 0, tzinfo=ZoneInfo("UTC")))
    assert not is_working_day(datetime(2026, 12, 25, 9, 0, tzinfo=SEOUL))
