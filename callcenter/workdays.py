"""Working days in Korea, and the centre's operating day.

Working days: Monday to Friday, except public holidays.

Korea's public holidays come from the `holidays` package (pinned in
requirements.txt): the lunar ones (Seollal and Chuseok, three days each, which
move every year), the fixed ones (Christmas, Hangul Day, ...) and the substitute
holidays the law adds when one falls on a weekend or on another holiday. One
question for every deadline and roster that counts working days:
`is_working_day(day)`.

The operating day: the centre answers day and night, and its day begins at
OPERATING_DAY_STARTS (08:00), not at midnight, so a night shift (19:00-08:00)
is inside one operating day. "Today" on the console, the wallboard and the
daily figures is `operating_day()`; its hours are `operating_day_window(day)`.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from functools import lru_cache

import holidays
from django.conf import settings
from django.utils import timezone


@lru_cache(maxsize=64)
def _public_holidays(year: int) -> holidays.HolidayBase:
    # One calendar per year, built once per process: the law's holidays for a
    # year do not change while the server runs (a package upgrade brings new ones).
    return holidays.country_holidays("KR", years=year)


def public_holiday_name(day: date) -> str | None:
    """The name of the public holiday on `day` (in English), or None."""
    return _public_holidays(day.year).get(day)


@lru_cache(maxsize=64)
def _public_holidays_in(year: int, language: str) -> holidays.HolidayBase:
    return holidays.country_holidays("KR", years=year, language=language)


def public_holiday_label(day: date) -> str | None:
    """The holiday's name in the request's language (설날, Korean New Year), or None."""
    from django.utils.translation import get_language

    language = "en_US" if (get_language() or "ko").startswith("en") else "ko"
    return _public_holidays_in(day.year, language).get(day)


def is_working_day(day: date | datetime) -> bool:
    """Monday to Friday and not a Korean public holiday (substitute holidays included).

    A datetime is taken in Seoul time (a deadline at 23:30 UTC is the next day here).
    """
    if isinstance(day, datetime):
        day = timezone.localtime(day).date() if timezone.is_aware(day) else day.date()
    return day.weekday() < 5 and public_holiday_name(day) is None


def operating_day_starts() -> time:
    """When the centre's operating day begins (OPERATING_DAY_STARTS, "08:00")."""
    hours, minutes = str(getattr(settings, "OPERATING_DAY_STARTS", "08:00")).split(":")
    return time(int(hours), int(minutes))


def operating_day(at: datetime | None = None) -> date:
    """The operating day `at` (now) belongs to: the calendar date it began on.
    With 08:00, 07:59 on 3 December is still the operating day of 2 December."""
    local = timezone.localtime(at) if at is not None else timezone.localtime()
    begins = operating_day_starts()
    day = local.date()
    return day - timedelta(days=1) if local.time() < begins else day


def operating_day_window(day: date) -> tuple[datetime, datetime]:
    """Start and end (exclusive) of operating day `day`, aware, in local time:
    08:00 that day to 08:00 the next."""
    tz = timezone.get_current_timezone()
    start = datetime.combine(day, operating_day_starts(), tzinfo=tz)
    return start, datetime.combine(day + timedelta(days=1), operating_day_starts(), tzinfo=tz)
