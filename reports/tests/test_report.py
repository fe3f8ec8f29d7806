"""The report's figures (reports.selectors.report_build), hand-computed, on both databases."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

import pytest
from django.utils import timezone

from inquiries import stats
from inquiries.models import Call
from inquiries.queue_models import QueueCall, Shift
from inquiries.tests.factories import CallFactory
from knowledgebase.models import Category
from referrals.models import FollowUp
from referrals.tests.factories import ReferralFactory
from reports.selectors import ReportQuery, report_build

pytestmark = pytest.mark.django_db

DAY = date(2026, 11, 2)  # a Monday


def local(day: date, hh: int, mm: int = 0) -> datetime:
    return datetime.combine(day, time(hh, mm), tzinfo=timezone.get_current_timezone())


def queue_call(n: int, at: datetime, *, wait: float = 10, answered: bool = True, agent=None, category=None, **extra):
    return QueueCall.objects.create(
        call_id=f"q{n}",
        offered_at=at,
        answered_at=at + timedelta(seconds=wait) if answered else None,
        ended_at=at + timedelta(seconds=wait + 200),
        status=QueueCall.Status.ENDED if answered else QueueCall.Status.ABANDONED,
        wait_seconds=wait,
        handle_seconds=200 if answered else None,
        agent=agent if answered else None,
        category=category,
        **extra,
    )


@pytest.fixture
def shifts(db):
    Shift.objects.all().delete()
    day = Shift.objects.create(name_ko="주간", name_en="Day", starts=time(8), ends=time(19))
    night = Shift.objects.create(name_ko="야간", name_en="Night", starts=time(19), ends=time(8))
    return day, night


@pytest.fixture
def floor(agent, other_agent, category, shifts):
    """Operating day DAY: three queue calls in the day shift (one abandoned after
    30 s), two in the night shift after midnight (one answered after 40 s); the
    answered ones logged; a 07:59 call of the next morning still DAY's, one at
    08:00 the next day's."""
    transit = Category.objects.get(slug="transit")
    q1 = queue_call(1, local(DAY, 9), wait=5, agent=agent, category=category)
    q2 = queue_call(2, local(DAY, 9, 30), wait=15, agent=other_agent, category=category)
    queue_call(3, local(DAY, 10), wait=30, answered=False, category=category)
    q4 = queue_call(4, local(DAY + timedelta(days=1), 1), wait=40, agent=agent, category=transit)
    queue_call(5, local(DAY + timedelta(days=1), 7, 59), wait=3, answered=False, category=transit)
    q6 = queue_call(6, local(DAY + timedelta(days=1), 8), wait=1, agent=agent, category=transit)
    c1 = CallFactory(agent=agent, category=category, started_at=q1.offered_at, phone_call_id="q1", satisfaction=5)
    CallFactory(agent=other_agent, category=category, started_at=q2.offered_at, phone_call_id="q2", satisfaction=3)
    c4 = CallFactory(
        agent=agent,
        category=transit,
        started_at=q4.offered_at,
        phone_call_id="q4",
        resolution=Call.Resolution.REFERRED,
        language="en",
    )
    CallFactory(agent=agent, category=transit, started_at=q6.offered_at, phone_call_id="q6")
    walk_in = CallFactory(
        agent=other_agent,
        category=category,
        caller=None,
        number_status=Call.NumberStatus.NONE,
        channel=Call.Channel.VISIT,
        started_at=local(DAY, 14),
    )
    referral = ReferralFactory(call=c4)
    FollowUp.objects.create(referral=referral, agent=agent, due_at=local(DAY + timedelta(days=2), 9))
    ReferralFactory(call=c1)
    return {"walk_in": walk_in, "transit": transit}


def by(name: str, **filters) -> dict:
    report = report_build(query=ReportQuery(date_from=DAY, date_to=DAY, by=name, **filters))
    return report


def test_a_day_holds_its_night_shift_until_the_next_operating_day(floor):
    report = by("day")
    assert [row["label"] for row in report.rows] == ["2026-11-02"]
    row = report.rows[0]
    # 07:59 the next morning is still 2 November's; 08:00 is the 3rd's
    assert (row["offered"], row["answered"], row["abandoned"]) == (5, 3, 2)
    # answered within 20 s: q1, q2 (q4 waited 40 s); abandoned after 20 s: q3 (q5 hung up within 20 s)
    assert row["service_level"] == round(2 / (3 + 1), 4)
    assert row["asa_seconds"] == round((5 + 15 + 40) / 3, 1)
    assert row["aht_seconds"] == 200.0
    assert row["logged"] == 4  # q1, q2, q4 and the walk-in; q6 is the 3rd's
    assert row["satisfaction"] == (5 + 3) / 2 * 20
    assert (row["referrals"], row["followups"]) == (2, 1)
    assert report.total == {**row, "key": "", "label": report.total["label"]}


def test_the_figures_are_the_wallboards(floor):
    start, end = local(DAY, 8), local(DAY + timedelta(days=1), 8)
    row = by("day").total
    assert {key: row[key] for key in stats.queue_figures(start, end)} == stats.queue_figures(start, end)
    assert row["satisfaction"] == stats.satisfaction(start, end)


def test_two_days_and_the_boundary_at_eight(floor):
    report = report_build(query=ReportQuery(date_from=DAY, date_to=DAY + timedelta(days=1), by="day"))
    assert [(row["label"], row["offered"], row["logged"]) for row in report.rows] == [
        ("2026-11-02", 5, 4),
        ("2026-11-03", 1, 1),
    ]
    assert report.total["offered"] == 6


def test_by_shift_the_night_crosses_midnight(floor, shifts):
    day_shift, night_shift = shifts
    rows = {row["key"]: row for row in by("shift").rows}
    assert rows[day_shift.pk]["offered"] == 3
    assert rows[night_shift.pk]["offered"] == 2
    assert rows[night_shift.pk]["logged"] == 1
    assert rows[day_shift.pk]["logged"] == 3  # with the walk-in at 14:00
    night = by("day", shift=night_shift).total
    assert (night["offered"], night["answered"], night["referrals"]) == (2, 1, 1)


def test_by_hour_in_operating_day_order(floor):
    rows = by("hour").rows
    assert [row["key"] for row in rows][:2] == [8, 9] and rows[-1]["key"] == 7 and len(rows) == 24
    hours = {row["key"]: row["offered"] for row in rows}
    assert (hours[9], hours[10], hours[1], hours[7], hours[8]) == (2, 1, 1, 1, 0)


def test_by_agent_abandoned_calls_have_no_agent(floor, agent, other_agent):
    rows = {row["key"]: row for row in by("agent").rows}
    assert rows[agent.pk]["answered"] == 2 and rows[agent.pk]["logged"] == 2
    assert rows[other_agent.pk]["answered"] == 1 and rows[other_agent.pk]["logged"] == 2
    assert rows[None]["abandoned"] == 2 and rows[None]["logged"] == 0
    assert by("day", agent=agent).total["referrals"] == 2


def test_by_category_and_channel_and_language(floor, category):
    rows = {row["key"]: row for row in by("category").rows}
    assert rows[category.pk]["offered"] == 3 and rows[floor["transit"].pk]["offered"] == 2
    channels = {row["key"]: row for row in by("channel").rows}
    assert channels["phone"]["offered"] == 5 and channels["phone"]["logged"] == 3
    assert channels["visit"]["offered"] == 0 and channels["visit"]["logged"] == 1
    visits = by("day", channel="visit").total
    assert (visits["offered"], visits["logged"], visits["service_level"]) == (0, 1, None)
    languages = {row["key"]: row["logged"] for row in by("language").rows}
    assert languages == {"ko": 3, "en": 1}


def test_by_resolution_joins_the_logged_call(floor):
    rows = {row["key"]: row for row in by("resolution").rows}
    assert rows["referred"]["answered"] == 1 and rows["referred"]["referrals"] == 1
    assert rows["answered"]["answered"] == 2 and rows["answered"]["logged"] == 3
    assert rows[None]["abandoned"] == 2  # never logged
    referred = by("day", resolution="referred").total
    assert (referred["offered"], referred["logged"], referred["followups"]) == (1, 1, 1)


def test_an_empty_range_has_every_day_and_no_figures(db):
    report = report_build(query=ReportQuery(date_from=DAY, date_to=DAY + timedelta(days=2)))
    assert len(report.rows) == 3
    assert report.total["offered"] == 0 and report.total["service_level"] is None
    assert report.total["satisfaction"] is None and report.total["asa_seconds"] is None


def test_the_operating_day_starts_where_the_setting_says(floor, settings):
    settings.OPERATING_DAY_STARTS = "00:00"  # calendar days
    report = report_build(query=ReportQuery(date_from=DAY, date_to=DAY + timedelta(days=1)))
    assert [(row["label"], row["offered"]) for row in report.rows] == [("2026-11-02", 3), ("2026-11-03", 3)]
    hours = [row["key"] for row in report_build(query=ReportQuery(date_from=DAY, date_to=DAY, by="hour")).rows]
    assert hours[:2] == [0, 1]
