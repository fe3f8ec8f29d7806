"""Working days in Korea: Monday to Friday, except public holidays.

Korea's public holidays come from the `holidays` package (pinned in
requirements.txt): the lunar ones (Seollal and Chuseok, three days each, which
move every year), the fixed ones (Christmas, Hangul Day, ...) and the substitute
holidays the law adds when one falls on a weekend or on another holiday. One
question for every deadline and roster that counts working days:
`is_working_day(day)`.
"""

from __future__ import annotations

from datetime import date, datetime
from functools import lru_cache

import holidays
from django.utils import timezone


@lru_cache(maxsize=64)
def _public_holidays(year: int) -> holidays.HolidayBase:
    # One calendar per year, built once per process: the law's holidays for a
    # year do not change while the server runs (a package upgrade brings new ones).
    return holidays.country_holidays("KR", years=year)


def public_holiday_name(day: date) -> str | None:
    """The name of the public holiday on `day` (in English), or None."""
    return _public_holidays(day.year).get(day)


def is_working_day(day: date | datetime) -> bool:
    """Monday to Friday and not a Korean public holiday (substitute holidays included).

    A datetime is taken in Seoul time (a deadline at 23:30 UTC is the next day here).
    """
    if isinstance(day, datetime):
        day = timezone.localtime(day).date() if timezone.is_aware(day) else day.date()
    return day.weekday() < 5 and public_holiday_name(day) is None
