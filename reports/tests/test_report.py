"""The report's figures (reports.selectors.report_build), hand-computed, on both databases."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from floor import stats
from reports.selectors import ReportQuery, report_build
from reports.tests.data import DAY, local

pytestmark = pytest.mark.django_db


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
    assert [(row["label"], row["offered"], row["logged"], row["referrals"]) for row in report.rows] == [
        ("2026-11-02", 5, 4, 2),
        ("2026-11-03", 1, 1, 1),  # a referral made that day from a call of the day before
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


def test_sqlite_reads_local_days_natively_only_with_one_utc_offset(settings):
    from reports.selectors import _native_offset

    query = ReportQuery(date_from=DAY, date_to=DAY)
    assert _native_offset(query, "sqlite") == 9 * 3600  # Asia/Seoul: +09:00 all year
    assert _native_offset(query, "postgresql") is None  # AT TIME ZONE does it natively
    with timezone.override("Europe/Berlin"):  # daylight saving: Django's own conversion
        assert _native_offset(query, "sqlite") is None
