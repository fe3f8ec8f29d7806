"""The roster's services: one cell, a copied week, a filled range; overlaps refused, all or nothing."""

from datetime import date, time, timedelta

import pytest
from django.utils import translation

from callcenter.errors import ApplicationError
from callcenter.permissions import Role
from floor import roster_services
from floor.models import ShiftAssignment
from floor.roster_selectors import roster_week, week_start

pytestmark = pytest.mark.django_db


@pytest.fixture
def day_shift(reference_data):
    return roster_services.shift_ensure(name_ko="주간", name_en="Day", starts=time(8, 0), ends=time(19, 0))


@pytest.fixture
def night_shift(reference_data):
    return roster_services.shift_ensure(name_ko="야간", name_en="Night", starts=time(19, 0), ends=time(8, 0))


@pytest.fixture
def early_shift(reference_data):
    return roster_services.shift_ensure(name_ko="조조", name_en="Early", starts=time(7, 0), ends=time(16, 0))


@pytest.fixture
def monday():
    from callcenter.workdays import operating_day

    return week_start(day=operating_day()) + timedelta(days=7)  # next week's Monday


def cells(agent):
    return {entry.day: entry.shift.name_en for entry in ShiftAssignment.objects.filter(agent=agent)}


def test_a_cell_holds_one_shift(agent, day_shift, night_shift, monday):
    roster_services.roster_cell_set(agent=agent, day=monday, shift=day_shift)
    roster_services.roster_cell_set(agent=agent, day=monday, shift=night_shift)
    assert cells(agent) == {monday: "Night"}
    roster_services.roster_cell_set(agent=agent, day=monday, shift=None)
    assert cells(agent) == {}


def test_a_night_then_a_day_shift_touch_but_do_not_overlap(agent, day_shift, night_shift, monday):
    roster_services.roster_cell_set(agent=agent, day=monday, shift=night_shift)  # until Tuesday 08:00
    roster_services.roster_cell_set(agent=agent, day=monday + timedelta(days=1), shift=day_shift)  # from 08:00
    assert cells(agent) == {monday: "Night", monday + timedelta(days=1): "Day"}


def test_two_overlapping_shifts_are_refused(agent, night_shift, early_shift, monday):
    # given: Monday night, 19:00 to Tuesday 08:00
    roster_services.roster_cell_set(agent=agent, day=monday, shift=night_shift)
    # when: Tuesday's early shift from 07:00
    with pytest.raises(ApplicationError) as refused, translation.override("en"):
        roster_services.roster_cell_set(agent=agent, day=monday + timedelta(days=1), shift=early_shift)
    # then
    assert refused.value.code == "roster_overlap"
    assert "overlaps" in refused.value.message
    assert cells(agent) == {monday: "Night"}
    # and the other way round: an early shift, then the night before it
    roster_services.roster_cell_set(agent=agent, day=monday, shift=None)
    roster_services.roster_cell_set(agent=agent, day=monday + timedelta(days=1), shift=early_shift)
    with pytest.raises(ApplicationError):
        roster_services.roster_cell_set(agent=agent, day=monday, shift=night_shift)


def test_only_active_agents_are_rostered(supervisor, make_user, day_shift, monday):
    with pytest.raises(ApplicationError) as refused:
        roster_services.roster_cell_set(agent=supervisor, day=monday, shift=day_shift)
    assert refused.value.code == "roster_invalid"
    gone = make_user(Role.AGENT, is_active=False)
    with pytest.raises(ApplicationError):
        roster_services.roster_cell_set(agent=gone, day=monday, shift=day_shift)
    assert not ShiftAssignment.objects.exists()


def test_a_day_far_away_or_an_old_shift_is_refused(agent, day_shift, monday):
    with pytest.raises(ApplicationError):
        roster_services.roster_cell_set(agent=agent, day=date(1, 1, 1), shift=day_shift)
    with pytest.raises(ApplicationError):
        roster_services.roster_cell_set(agent=agent, day=monday + timedelta(days=500), shift=day_shift)
    day_shift.is_active = False
    day_shift.save(update_fields=["is_active"])
    with pytest.raises(ApplicationError):
        roster_services.roster_cell_set(agent=agent, day=monday, shift=day_shift)
    assert not ShiftAssignment.objects.exists()


def test_copy_last_week_replaces_the_week(agent, other_agent, day_shift, night_shift, monday):
    # given: last week agent works days Mon-Fri, the other agent nights on Saturday
    last = monday - timedelta(days=7)
    roster_services.roster_range_fill(agents=[agent], first=last, last=last + timedelta(days=4), shift=day_shift)
    roster_services.roster_cell_set(agent=other_agent, day=last + timedelta(days=5), shift=night_shift)
    # and this week something the copy must replace
    roster_services.roster_cell_set(agent=agent, day=monday + timedelta(days=6), shift=night_shift)
    # when
    written = roster_services.roster_week_copy(source=last, target=monday)
    # then
    assert written == 6
    assert cells(agent) == {
        **{last + timedelta(days=n): "Day" for n in range(5)},
        **{monday + timedelta(days=n): "Day" for n in range(5)},
    }
    assert cells(other_agent) == {last + timedelta(days=5): "Night", monday + timedelta(days=5): "Night"}


def test_a_copy_that_would_overlap_changes_nothing(agent, day_shift, night_shift, early_shift, monday):
    # given: last week ends with a Sunday night; next week's Monday... this week's Monday starts early
    last = monday - timedelta(days=7)
    roster_services.roster_cell_set(agent=agent, day=last + timedelta(days=6), shift=night_shift)  # Sunday night
    roster_services.roster_cell_set(agent=agent, day=monday + timedelta(days=7), shift=early_shift)  # Monday after
    roster_services.roster_cell_set(agent=agent, day=monday, shift=day_shift)
    before = cells(agent)
    # when: the copy puts Sunday night right before an early Monday
    with pytest.raises(ApplicationError) as refused:
        roster_services.roster_week_copy(source=last, target=monday)
    # then: all or nothing
    assert refused.value.code == "roster_overlap"
    assert cells(agent) == before


def test_fill_a_range_on_working_days_skips_seollal(agent, day_shift, local_clock):
    # given: Seollal 2027 is Saturday-Monday 6-8 February, with Tuesday 9 its substitute holiday
    from datetime import datetime
    from zoneinfo import ZoneInfo

    local_clock.set(datetime(2027, 1, 20, 10, 0, tzinfo=ZoneInfo("Asia/Seoul")), tick=False)
    # when
    roster_services.roster_range_fill(
        agents=[agent], first=date(2027, 2, 5), last=date(2027, 2, 12), shift=day_shift, working_days_only=True
    )
    # then: Friday 5, then Wednesday 10 to Friday 12
    assert sorted(cells(agent)) == [date(2027, 2, 5), date(2027, 2, 10), date(2027, 2, 11), date(2027, 2, 12)]


def test_fill_refuses_a_backward_or_too_long_range(agent, day_shift, monday):
    with pytest.raises(ApplicationError):
        roster_services.roster_range_fill(
            agents=[agent], first=monday, last=monday - timedelta(days=1), shift=day_shift
        )
    with pytest.raises(ApplicationError):
        roster_services.roster_range_fill(
            agents=[agent], first=monday, last=monday + timedelta(days=200), shift=day_shift
        )
    with pytest.raises(ApplicationError):
        roster_services.roster_range_fill(agents=[], first=monday, last=monday, shift=day_shift)
    assert not ShiftAssignment.objects.exists()


def test_the_week_shows_holidays_and_who_is_signed_in(agent, day_shift, local_clock):
    from datetime import datetime
    from zoneinfo import ZoneInfo

    from floor import services as floor_services

    # given: Chuseok week 2026 (Thursday 24 - Saturday 26 September), the agent signed in
    local_clock.set(datetime(2026, 9, 22, 9, 0, tzinfo=ZoneInfo("Asia/Seoul")), tick=False)
    floor_services.shift_sign_in(agent=agent)
    # when
    week = roster_week(start=date(2026, 9, 23))
    # then
    assert week["start"] == date(2026, 9, 21)
    holidays = {day["date"]: day["holiday"] for day in week["days"] if day["holiday"]}
    assert set(holidays) == {date(2026, 9, 24), date(2026, 9, 25), date(2026, 9, 26)}
    assert [day["today"] for day in week["days"]] == [False, True, False, False, False, False, False]
    row = next(row for row in week["rows"] if row["username"] == agent.username)
    assert row["signed_in"] and row["state"] == "available"
    assert week["signed_in"] == 1
