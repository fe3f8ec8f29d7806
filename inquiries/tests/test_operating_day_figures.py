"""'Today' is the operating day (OPERATING_DAY_STARTS, 08:00): the boundary at 07:59,
08:00 and midnight, on SQLite and on PostgreSQL (the suite runs on both)."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from inquiries import selectors
from inquiries.tests.factories import CallFactory

SEOUL = ZoneInfo("Asia/Seoul")
pytestmark = pytest.mark.django_db


def seoul(day: int, hour: int, minute: int = 0, second: int = 0) -> datetime:
    return datetime(2026, 12, day, hour, minute, second, tzinfo=SEOUL)


@pytest.fixture
def night_calls(agent, category):
    """An agent's night: calls at 19:30 and 23:59 on 2 December, 00:00 and 07:59 on the 3rd,
    then one at 08:00 on the 3rd (the next operating day)."""
    times = [seoul(2, 19, 30), seoul(2, 23, 59, 59), seoul(3, 0, 0), seoul(3, 7, 59, 59), seoul(3, 8, 0)]
    return [
        CallFactory(agent=agent, category=category, started_at=at, ended_at=at + timedelta(minutes=3)) for at in times
    ]


@pytest.mark.parametrize(
    "now, expected",
    [
        (seoul(2, 23, 59, 59), [0, 1, 2, 3]),  # before midnight
        (seoul(3, 0, 0, 30), [0, 1, 2, 3]),  # after midnight the list does not start again
        (seoul(3, 7, 59, 59), [0, 1, 2, 3]),  # the night shift's last minute: the whole night
        (seoul(3, 8, 0), [4]),  # 08:00: a new operating day
        (seoul(2, 7, 59, 59), []),  # the night before (1 December's operating day)
    ],
)
def test_my_calls_today_are_the_operating_days(agent, night_calls, now, expected):
    listed = list(selectors.calls_today(agent=agent, now=now))
    assert sorted(night_calls.index(call) for call in listed) == expected


def test_the_console_lists_the_night_after_midnight(agent, night_calls, local_clock, client):
    # given: 00:30 on 3 December, in the night shift
    local_clock.set(seoul(3, 0, 30), tick=False)
    client.force_login(agent)
    # when
    page = client.get("/console/")
    # then: the calls from before midnight are still "today", newest first; 08:00's is tomorrow's
    assert list(page.context["calls_today"]) == night_calls[3::-1]
    assert 'id="today-count">4<' in page.content.decode()
