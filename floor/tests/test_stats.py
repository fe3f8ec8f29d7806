"""The metric definitions (DOMAIN.md §5) on hand-computed cases, and Erlang C."""

from __future__ import annotations

import math
from datetime import timedelta

import pytest
from django.test import override_settings
from django.utils import timezone

from callcenter.permissions import Role
from callcenter.workdays import operating_day
from floor import erlang, stats
from floor.models import AgentStateChange, QueueCall
from floor.tests.fixtures import shift_running_now
from inquiries.models import Call, Caller
from knowledgebase.models import Category

pytestmark = pytest.mark.django_db


# --- Erlang C --------------------------------------------------------------------
def test_erlang_reference_case_from_domain_md():
    """100 calls per 30 min, AHT 180 s, target 80/20 -> 14 agents, SL ≈ 88.8%, P(wait) ≈ 0.174."""
    staffing = erlang.agents_required(calls_per_second=100 / 1800, aht_seconds=180, threshold_seconds=20, target=0.8)
    assert staffing.traffic == pytest.approx(10.0)
    assert staffing.required == 14
    assert staffing.service_level == pytest.approx(0.888, abs=0.001)
    assert staffing.p_wait == pytest.approx(0.174, abs=0.001)
    # one agent fewer misses the target
    assert erlang.service_level(10.0, 13, 180, 20) < 0.8


def test_erlang_edges():
    assert erlang.agents_required(calls_per_second=0, aht_seconds=180, threshold_seconds=20, target=0.8).required == 0
    assert erlang.p_wait(10.0, 10) == 1.0  # as many agents as erlangs: everyone waits
    assert erlang.average_speed_of_answer(10.0, 9, 180) == math.inf
    big = erlang.agents_required(calls_per_second=5, aht_seconds=180, threshold_seconds=20, target=0.8)
    assert 900 < big.required < 950 and 0.8 <= big.service_level < 1  # no overflow at 900 erlangs


# --- queue figures ---------------------------------------------------------------
def _call(base, n, *, wait, answered=True, abandoned=False, handle=None, category=None):
    offered = base + timedelta(minutes=n)
    return QueueCall.objects.create(
        call_id=f"k{n}",
        caller_number="01012345678",
        offered_at=offered,
        status="abandoned" if abandoned else ("ended" if handle else "talking"),
        answered_at=offered + timedelta(seconds=wait) if answered else None,
        ended_at=offered + timedelta(seconds=wait) if abandoned else None,
        wait_seconds=wait,
        handle_seconds=handle,
        category=category,
    )


@override_settings(SERVICE_LEVEL_THRESHOLD_SECONDS=20)
def test_service_level_asa_aht_abandon_rate_by_hand(reference_data):
    base = timezone.now().replace(microsecond=0) - timedelta(hours=1)
    # answered: waits 5, 15, 20 (within T) and 40 (after T); handle 100, 200, 300 (one still talking)
    _call(base, 1, wait=5, handle=100)
    _call(base, 2, wait=15, handle=200)
    _call(base, 3, wait=20, handle=300)
    _call(base, 4, wait=40)
    # abandoned: 10 s (a short abandon, left out of SL) and 30 s (after T, counts against SL)
    _call(base, 5, wait=10, answered=False, abandoned=True)
    _call(base, 6, wait=30, answered=False, abandoned=True)
    # still waiting: offered, in no other figure
    QueueCall.objects.create(call_id="k7", caller_number="01012345678", offered_at=base + timedelta(minutes=7))

    figures = stats.queue_figures(base, base + timedelta(hours=2))

    assert (figures["offered"], figures["answered"], figures["abandoned"]) == (7, 4, 2)
    # SL = answered within T / (answered + abandoned after T) = 3 / (4 + 1)
    assert figures["service_level"] == pytest.approx(0.6)
    # ASA = mean queue time of answered calls = (5 + 15 + 20 + 40) / 4
    assert figures["asa_seconds"] == pytest.approx(20.0)
    # AHT = mean handle time of handled calls = (100 + 200 + 300) / 3
    assert figures["aht_seconds"] == pytest.approx(200.0)
    # abandon rate = abandoned / offered = 2 / 7
    assert figures["abandon_rate"] == pytest.approx(2 / 7, abs=1e-4)


def test_figures_are_empty_not_zero_without_calls(db):
    now = timezone.now()
    figures = stats.queue_figures(now - timedelta(hours=1), now)
    assert figures["offered"] == 0
    assert figures["service_level"] is None and figures["asa_seconds"] is None and figures["abandon_rate"] is None


def test_window_leaves_out_other_days(reference_data):
    base = timezone.now().replace(microsecond=0)
    _call(base - timedelta(days=3), 0, wait=50)
    figures = stats.queue_figures(base - timedelta(hours=1), base + timedelta(hours=1))
    assert figures["offered"] == 0


def test_occupancy_by_hand(make_user):
    """Occupancy = (on call + after-call work) / (available + ringing + on call + after-call work); breaks out."""
    agent = make_user(Role.AGENT)
    start = timezone.now().replace(microsecond=0) - timedelta(hours=2)

    def interval(state, begin, minutes):
        AgentStateChange.objects.create(
            agent=agent,
            from_state="offline",
            to_state=state,
            at=start + timedelta(minutes=begin),
            ended_at=start + timedelta(minutes=begin + minutes),
            source="phone_system",
        )

    interval("available", 0, 10)
    interval("on_call", 10, 30)
    interval("after_call_work", 40, 10)
    interval("break", 50, 15)  # not staffed: in neither part
    interval("ringing", 65, 5)
    interval("available", 70, 5)
    # busy 40 min of staffed 10 + 30 + 10 + 5 + 5 = 60 min
    assert stats.occupancy(start, start + timedelta(minutes=75)) == pytest.approx(40 / 60, abs=1e-4)
    # clipped to the window: [start+10, start+45] -> on call 30, ACW 5, of 35 staffed
    assert stats.occupancy(start + timedelta(minutes=10), start + timedelta(minutes=45)) == pytest.approx(1.0)


def test_open_interval_counts_until_now(make_user):
    agent = make_user(Role.AGENT)
    now = timezone.now()
    AgentStateChange.objects.create(
        agent=agent, from_state="available", to_state="on_call", at=now - timedelta(minutes=6), source="phone_system"
    )
    AgentStateChange.objects.create(
        agent=agent,
        from_state="offline",
        to_state="available",
        at=now - timedelta(minutes=10),
        ended_at=now - timedelta(minutes=6),
        source="phone_system",
    )
    assert stats.occupancy(now - timedelta(minutes=10), now) == pytest.approx(0.6, abs=1e-3)


def test_satisfaction_is_the_average_on_a_100_scale(make_user, category):
    agent = make_user(Role.AGENT)
    caller = Caller.objects.create(number="01012345678")
    now = timezone.now()
    for rating in (5, 4, 4, None):
        Call.objects.create(caller=caller, agent=agent, category=category, summary="x", satisfaction=rating)
    # (5 + 4 + 4) / 3 = 4.333 -> 86.7
    assert stats.satisfaction(now - timedelta(hours=1), now + timedelta(hours=1)) == pytest.approx(86.7)


def test_calls_per_hour_and_category_and_surge(reference_data):
    # yesterday at 14:00: the calm calls 16 minutes back are inside the operating day
    # whenever the suite runs (at 08:05 the real clock's day began 5 minutes ago)
    now = (timezone.localtime() - timedelta(days=1)).replace(hour=14, minute=0, second=0, microsecond=0)
    water = Category.objects.get(slug="water")
    events = Category.objects.get(slug="events")
    # a calm day so far: 60 water and 60 events calls, more than 15 minutes ago
    for n in range(60):
        for category in (water, events):
            QueueCall.objects.create(
                call_id=f"old-{category.slug}-{n}",
                caller_number="01012345678",
                offered_at=now - timedelta(minutes=16, seconds=n),
                category=category,
            )
    # the last 15 minutes: events floods (12) while water runs as usual (2)
    for n in range(12):
        QueueCall.objects.create(
            call_id=f"ev-{n}", caller_number="01012345678", offered_at=now - timedelta(minutes=n), category=events
        )
    for n in range(2):
        QueueCall.objects.create(
            call_id=f"wa-{n}", caller_number="01012345678", offered_at=now - timedelta(minutes=n), category=water
        )
    day_start, _ = stats.day_window(operating_day(now))  # 08:00 to 08:00, not the calendar date
    by_category, surges = stats.categories(now, max(day_start, now - timedelta(hours=2)))
    counts = {c["slug"]: (c["today"], c["last_15_minutes"], c["surge"]) for c in by_category}
    assert counts["events"] == (72, 12, True)
    assert counts["water"] == (62, 2, False)
    assert [s["slug"] for s in surges] == ["events"]

    hours = stats.calls_per_hour(now - timedelta(hours=2), now + timedelta(seconds=1))
    expected = [0] * 24
    for offered_at in QueueCall.objects.values_list("offered_at", flat=True):
        expected[timezone.localtime(offered_at).hour] += 1
    assert hours == expected and sum(hours) == 134


def test_wallboard_stats_has_every_documented_key(reference_data):
    snapshot = stats.wallboard_stats()
    for key in [
        "calls_waiting",
        "longest_wait_seconds",
        "agents",
        "offered_today",
        "answered_today",
        "abandoned_today",
        "service_level",
        "asa_seconds",
        "aht_seconds",
        "abandon_rate",
        "occupancy",
        "satisfaction",
        "calls_by_category",
        "surges",
        "erlang",
    ]:
        assert key in snapshot
    assert set(snapshot["erlang"]) >= {"required", "staffed"}
    assert set(snapshot["agents"]) == {"offline", "available", "ringing", "on_call", "after_call_work", "break"}


def test_targets_missed_turn_tiles_red(reference_data):
    snapshot = stats.wallboard_stats()
    snapshot.update(service_level=0.5, abandon_rate=0.2, asa_seconds=5)
    missed = stats.missed_targets(snapshot)
    assert "service_level" in missed and "abandon_rate" in missed and "asa_seconds" not in missed


@override_settings(SERVICE_LEVEL_THRESHOLD_SECONDS=20)
def test_one_refresh_agrees_with_each_figure_alone(reference_data, make_user):
    """wallboard_stats reads the day, the shift, the arrivals, the categories and
    the hours in two combined queries: they must give what each figure's own
    query gives, on the hand-computed calls above."""
    from floor.models import Shift

    now = timezone.now().replace(microsecond=0)
    day_start, day_end = stats.day_window(operating_day(now))  # 08:00 to 08:00, not the calendar date
    base = max(now - timedelta(minutes=40), day_start)
    water = Category.objects.get(slug="water")
    _call(base, 1, wait=5, handle=100, category=water)
    _call(base, 2, wait=15, handle=200)
    _call(base, 3, wait=20, handle=300, category=water)
    _call(base, 4, wait=40)
    _call(base, 5, wait=10, answered=False, abandoned=True)
    _call(base, 6, wait=30, answered=False, abandoned=True, category=water)
    QueueCall.objects.create(call_id="k7", caller_number="01012345678", offered_at=base + timedelta(minutes=7))
    _call(now - timedelta(days=1), 0, wait=50)  # yesterday: in no figure of today
    Shift.objects.update(is_active=False)
    local = timezone.localtime(now)
    starts = (local - timedelta(minutes=36)).time().replace(second=0)
    ends = (local + timedelta(hours=1)).time().replace(second=0)
    Shift.objects.create(name_ko="점검", starts=starts, ends=ends, is_active=True)

    snapshot = stats.wallboard_stats(now)

    day = stats.queue_figures(day_start, day_end)
    assert (snapshot["offered_today"], snapshot["answered_today"], snapshot["abandoned_today"]) == (7, 4, 2)
    assert snapshot["service_level"] == day["service_level"] == pytest.approx(0.6)
    assert snapshot["asa_seconds"] == day["asa_seconds"] == pytest.approx(20.0)
    assert snapshot["aht_seconds"] == day["aht_seconds"] == pytest.approx(200.0)
    assert snapshot["abandon_rate"] == day["abandon_rate"] == pytest.approx(2 / 7, abs=1e-4)
    shift = snapshot["shift"]
    assert shift is not None
    alone = stats.queue_figures(shift["starts"], min(shift["ends"], now + timedelta(seconds=1)))
    assert {key: shift[key] for key in alone} == alone
    recent = QueueCall.objects.filter(offered_at__gte=now - stats.ARRIVAL_WINDOW, offered_at__lte=now).count()
    assert snapshot["erlang"]["arrival_rate_per_hour"] == pytest.approx(recent * 2)
    assert snapshot["calls_per_hour"] == stats.calls_per_hour(day_start, day_end)
    counts = {c["slug"]: (c["today"], c["last_15_minutes"]) for c in snapshot["calls_by_category"]}
    assert counts["water"][0] == 3


def test_the_queue_push_reuses_the_wallboard_figures_of_the_same_change(
    reference_data, phone_system, django_assert_num_queries, django_capture_on_commit_callbacks, monkeypatch
):
    from floor import services as floor_services
    from floor.api.cti import PhoneEventSerializer

    board = stats.wallboard_stats_fresh()
    with django_assert_num_queries(0):
        summary = stats.queue_summary_fresh()
    assert summary == {key: board[key] for key in (*stats.WAITING_KEYS, "generated_at")}

    # a change since: the figures are read anew, and show it
    body = {
        "event": "call.offered",
        "call_id": "reuse-1",
        "at": (timezone.now() - timedelta(seconds=3)).isoformat(),
        "caller_number": "010-2345-6789",
        "queue": "general",
    }
    serializer = PhoneEventSerializer(data=body)
    serializer.is_valid(raise_exception=True)
    with django_capture_on_commit_callbacks(execute=True):  # the change counter moves on commit
        floor_services.phone_event_apply(data=serializer.validated_data, body=body, sender=phone_system)
    summary = stats.queue_summary_fresh()
    assert summary["calls_waiting"] == board["calls_waiting"] + 1
    assert summary["longest_wait_seconds"] >= 3

    # figures older than the reuse limit are read anew
    monkeypatch.setattr(stats, "QUEUE_REUSE_SECONDS", 0.0)
    QueueCall.objects.create(call_id="reuse-2", caller_number="01012345678", offered_at=timezone.now())
    assert stats.queue_summary_fresh()["calls_waiting"] == board["calls_waiting"] + 2


def test_the_shift_counts_its_roster_and_who_is_signed_in(make_user):
    from floor.models import Shift, ShiftAssignment, ShiftSession

    now = timezone.now()
    local = timezone.localtime(now)
    running = shift_running_now("점검")
    # Another shift, later today: not running now whatever the hour (a fixed 22:00-06:00 one ran at midnight).
    other = Shift.objects.create(
        name_ko="야간",
        starts=(local + timedelta(hours=3)).time().replace(second=0, microsecond=0),
        ends=(local + timedelta(hours=5)).time().replace(second=0, microsecond=0),
    )
    first, second, third = (make_user(Role.AGENT) for _ in range(3))
    today = timezone.localdate(now - timedelta(minutes=30))  # the day the running shift began
    ShiftAssignment.objects.create(shift=running, agent=first, day=today)
    ShiftAssignment.objects.create(shift=running, agent=second, day=today)
    ShiftAssignment.objects.create(shift=running, agent=third, day=today - timedelta(days=1))  # yesterday's roster
    ShiftAssignment.objects.create(shift=other, agent=third, day=today)  # another shift
    ShiftSession.objects.create(agent=first, shift=running, signed_in_at=now - timedelta(minutes=20))
    ShiftSession.objects.create(agent=third, shift=running, signed_in_at=now - timedelta(minutes=25))
    ShiftSession.objects.create(
        agent=second, shift=running, signed_in_at=now - timedelta(minutes=29), signed_out_at=now - timedelta(minutes=5)
    )

    shift = stats.wallboard_stats(now)["shift"]

    assert shift["name_ko"] == "점검"
    assert (shift["rostered"], shift["signed_in"]) == (2, 2)
