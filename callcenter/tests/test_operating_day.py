"""The operating day: from OPERATING_DAY_STARTS (08:00) to 08:00 the next day, so a
night shift (19:00-08:00) lies inside one day; and the test clock the boundaries are tried with."""

import time
from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from callcenter.workdays import operating_day, operating_day_window

SEOUL = ZoneInfo("Asia/Seoul")


@pytest.mark.parametrize(
    "at, day",
    [
        (datetime(2026, 12, 3, 7, 59, 59), date(2026, 12, 2)),  # the night shift's last minute
        (datetime(2026, 12, 3, 8, 0), date(2026, 12, 3)),  # the day begins
        (datetime(2026, 12, 2, 23, 59, 59), date(2026, 12, 2)),
        (datetime(2026, 12, 3, 0, 0), date(2026, 12, 2)),  # midnight changes nothing
        (datetime(2026, 12, 3, 19, 0), date(2026, 12, 3)),
    ],
)
def test_the_operating_day_begins_at_eight(at, day):
    assert operating_day(at.replace(tzinfo=SEOUL)) == day


def test_a_time_counts_in_seoul_time():
    # 2026-12-02 23:30 UTC is 08:30 on 3 December in Seoul
    assert operating_day(datetime(2026, 12, 2, 23, 30, tzinfo=ZoneInfo("UTC"))) == date(2026, 12, 3)
    assert operating_day(datetime(2026, 12, 2, 22, 30, tzinfo=ZoneInfo("UTC"))) == date(2026, 12, 2)


def test_the_window_runs_from_eight_to_eight():
    start, end = operating_day_window(date(2026, 12, 2))
    assert (start, end) == (datetime(2026, 12, 2, 8, 0, tzinfo=SEOUL), datetime(2026, 12, 3, 8, 0, tzinfo=SEOUL))


def test_the_start_is_a_setting(settings):
    settings.OPERATING_DAY_STARTS = "06:30"
    assert operating_day(datetime(2026, 12, 3, 6, 29, tzinfo=SEOUL)) == date(2026, 12, 2)
    assert operating_day(datetime(2026, 12, 3, 6, 30, tzinfo=SEOUL)) == date(2026, 12, 3)
    assert operating_day_window(date(2026, 12, 3))[0] == datetime(2026, 12, 3, 6, 30, tzinfo=SEOUL)


def test_without_a_time_it_is_now(local_clock):
    local_clock.set(datetime(2026, 12, 3, 7, 59, tzinfo=SEOUL), tick=False)
    assert operating_day() == date(2026, 12, 2)
    local_clock.set(datetime(2026, 12, 3, 8, 0, tzinfo=SEOUL), tick=False)
    assert operating_day() == date(2026, 12, 3)


def test_the_test_clock_moves_every_now(local_clock):
    # given
    at = datetime(2027, 2, 6, 23, 59, 30, tzinfo=SEOUL)
    # when
    local_clock.set(at, tick=False)
    # then: timezone.now(), localtime(), localdate() and isinstance checks all follow
    assert timezone.now() == at
    assert timezone.localtime().hour == 23
    assert timezone.localdate() == date(2027, 2, 6)
    assert timezone.is_aware(timezone.now())
    local_clock.set(at, tick=True)
    assert timezone.now() >= at
    local_clock.reset()
    assert abs(timezone.now().timestamp() - time.time()) < 60  # the real time again


@pytest.mark.django_db
def test_a_model_default_follows_the_test_clock(local_clock, make_user):
    from floor.models import ShiftSession

    at = datetime(2026, 12, 3, 0, 0, 5, tzinfo=SEOUL)
    local_clock.set(at, tick=False)
    session = ShiftSession.objects.create(agent=make_user())
    session.refresh_from_db()
    assert session.signed_in_at == at
