"""The floor's 'today' is the operating day (OPERATING_DAY_STARTS, 08:00): the wallboard,
an agent's figures and the daily API at 07:59, 08:00 and midnight, on SQLite and on
PostgreSQL (the suite runs on both); a night shift's figures cross midnight."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

SEOUL = ZoneInfo("Asia/Seoul")
pytestmark = pytest.mark.django_db


def seoul(day: int, hour: int, minute: int = 0, second: int = 0) -> datetime:
    return datetime(2026, 12, day, hour, minute, second, tzinfo=SEOUL)


# --- the wallboard, an agent's figures and the daily API ----------------------------------
NIGHT_OFFERS = [  # (call id, offered at, answered by the agent)
    ("n1", (2, 19, 30), True),
    ("n2", (2, 23, 59, 30), True),
    ("n3", (3, 0, 0, 0), True),
    ("n4", (3, 7, 59, 0), False),  # abandoned in the night's last minute
    ("d1", (3, 8, 0, 0), True),  # the next operating day's first call
]


@pytest.fixture
def night_shift(reference_data):
    from datetime import time

    from floor.roster_services import shift_ensure

    return shift_ensure(name_ko="야간", name_en="Night", starts=time(19, 0), ends=time(8, 0))


@pytest.fixture
def night_floor(agent, night_shift):
    """The queue's calls of a night (NIGHT_OFFERS), and the agent rostered on the night of 2 December."""
    from floor.models import QueueCall, ShiftAssignment

    ShiftAssignment.objects.create(agent=agent, shift=night_shift, day=seoul(2, 0).date())
    for call_id, when, answered in NIGHT_OFFERS:
        offered = seoul(*when)
        QueueCall.objects.create(
            call_id=call_id,
            caller_number="01012345678",
            offered_at=offered,
            status="ended" if answered else "abandoned",
            answered_at=offered + timedelta(seconds=5) if answered else None,
            ended_at=offered + timedelta(seconds=40),
            agent=agent if answered else None,
            wait_seconds=5 if answered else 30,
            talk_seconds=30 if answered else None,
            handle_seconds=35 if answered else None,
        )


@pytest.mark.parametrize(
    "now, offered, answered, abandoned",
    [
        (seoul(2, 23, 59, 59), 4, 3, 1),  # the night's calls so far count, and those logged ahead too
        (seoul(3, 0, 0, 30), 4, 3, 1),  # midnight: nothing starts again
        (seoul(3, 7, 59, 59), 4, 3, 1),  # the night's last second: the whole night
        (seoul(3, 8, 0, 0), 1, 1, 0),  # 08:00: the new operating day
    ],
)
def test_the_wallboards_today_is_the_operating_day(night_floor, now, offered, answered, abandoned):
    from floor import stats

    figures = stats.wallboard_stats(now=now)
    assert (figures["offered_today"], figures["answered_today"], figures["abandoned_today"]) == (
        offered,
        answered,
        abandoned,
    )


def test_the_night_shifts_figures_cross_midnight(night_floor, night_shift):
    from floor import stats

    # given: 00:30 on 3 December, in the night shift of 2 December (19:00-08:00)
    figures = stats.wallboard_stats(now=seoul(3, 0, 30))
    shift = figures["shift"]
    # then: one shift, from 19:00 the day before; its calls on both dates
    assert shift["name_en"] == "Night"
    assert shift["starts"] == seoul(2, 19, 0)
    assert shift["ends"] == seoul(3, 8, 0)
    assert (shift["offered"], shift["answered"]) == (3, 3)  # n1, n2, n3: until now
    assert shift["rostered"] == 1
    # and at 07:59 the shift holds the whole night
    late = stats.wallboard_stats(now=seoul(3, 7, 59, 59))["shift"]
    assert (late["offered"], late["answered"], late["abandoned"]) == (4, 3, 1)


def test_an_agents_figures_today_cross_midnight(night_floor, agent):
    from floor import stats

    assert stats.agent_figures(agent=agent, now=seoul(3, 0, 30))["answered_today"] == 3
    assert stats.agent_figures(agent=agent, now=seoul(3, 8, 0, 1))["answered_today"] == 1


@pytest.mark.parametrize(
    "now, day",
    [(seoul(3, 7, 59), "2026-12-02"), (seoul(3, 8, 0), "2026-12-03"), (seoul(3, 0, 0), "2026-12-02")],
)
def test_the_daily_api_without_a_date_is_the_operating_day(night_floor, api_as, supervisor, local_clock, now, day):
    local_clock.set(now, tick=False)
    answer = api_as(supervisor).get("/api/wallboard/daily/")
    assert answer.status_code == 200
    assert answer.json()["date"] == day


def test_the_daily_apis_date_is_the_operating_day(night_floor, api_as, supervisor, night_shift, local_clock):
    local_clock.set(seoul(3, 12, 0), tick=False)
    report = api_as(supervisor).get("/api/wallboard/daily/", {"date": "2026-12-02"}).json()
    # the day: 08:00 on 2 December to 08:00 on the 3rd, the night included
    assert (report["day"]["offered"], report["day"]["answered"], report["day"]["abandoned"]) == (4, 3, 1)
    assert sum(report["day"]["calls_per_hour"]) == 4
    night = next(shift for shift in report["shifts"] if shift["name"] in ("야간", "Night"))
    assert (night["offered"], night["answered"]) == (4, 3)
    assert night["starts"].startswith("2026-12-02T19:00")
    nextday = api_as(supervisor).get("/api/wallboard/daily/", {"date": "2026-12-03"}).json()
    assert nextday["day"]["offered"] == 1


def test_signing_in_after_midnight_finds_last_nights_roster(agent, night_shift, local_clock):
    from datetime import time

    from floor import services as floor_services
    from floor.models import ShiftAssignment
    from floor.roster_services import shift_ensure

    # given: rostered on the night of 2 December and the day of the 3rd; signing in late, at 00:30
    ShiftAssignment.objects.create(agent=agent, shift=night_shift, day=seoul(2, 0).date())
    day_shift = shift_ensure(name_ko="주간", name_en="Day", starts=time(8, 0), ends=time(19, 0))
    ShiftAssignment.objects.create(agent=agent, shift=day_shift, day=seoul(3, 0).date())
    local_clock.set(seoul(3, 0, 30), tick=False)
    # when
    session = floor_services.shift_sign_in(agent=agent)
    # then: the night that is running, not the day shift rostered on the 3rd
    assert session.shift == night_shift
    assert session.signed_in_at == seoul(3, 0, 30)
