"""Erlang C with the occupancy ceiling and shrinkage, against pyworkforce's figures.

pyworkforce (rodrigo-arenas/pyworkforce, pyworkforce/queuing/erlang.py) is the usual
reference: ErlangC(...).required_positions(service_level, max_occupancy) searches the
service level, raises the positions to ceil(intensity / max_occupancy) when the
occupancy would pass it, then schedules ceil(raw / (1 - shrinkage)). Its documented
example (100 calls in 30 minutes, AHT 3 min, 20 s, 80%, occupancy ≤ 85%, shrinkage
30%) answers raw_positions 14, positions 20. The figures below were worked out by
those steps; pyworkforce itself is not a dependency (it brings pandas and OR-Tools).
"""

import math

import pytest
from django.test import override_settings
from django.utils import timezone

from floor import erlang, stats
from floor.models import AgentState, AgentStatus


def test_pyworkforce_documented_example():
    staffing = erlang.agents_required(
        calls_per_second=100 / 1800,
        aht_seconds=180,
        threshold_seconds=20,
        target=0.8,
        max_occupancy=0.85,
        shrinkage=0.3,
    )

    assert (staffing.required, staffing.scheduled) == (14, 20)  # raw_positions, positions
    assert staffing.occupancy == pytest.approx(10 / 14)
    assert staffing.service_level == pytest.approx(0.888, abs=0.001)


def test_the_occupancy_ceiling_raises_the_agents_when_the_service_level_alone_would_overwork_them():
    # 1,000 calls in 30 minutes: 100 erlangs; 80/20 needs about 106 agents, 94% occupancy
    by_service_level = erlang.agents_required(
        calls_per_second=1000 / 1800, aht_seconds=180, threshold_seconds=20, target=0.8
    )
    capped = erlang.agents_required(
        calls_per_second=1000 / 1800, aht_seconds=180, threshold_seconds=20, target=0.8, max_occupancy=0.85
    )

    assert by_service_level.occupancy > 0.85
    assert capped.required == math.ceil(100 / 0.85) == 118
    assert capped.occupancy <= 0.85 and capped.service_level > by_service_level.service_level


def test_shrinkage_schedules_more_than_the_phones_need():
    staffing = erlang.agents_required(
        calls_per_second=100 / 1800, aht_seconds=180, threshold_seconds=20, target=0.8, shrinkage=0.5
    )
    assert (staffing.required, staffing.scheduled) == (14, 28)
    assert erlang.agents_required(calls_per_second=0, aht_seconds=180, threshold_seconds=20, target=0.8).scheduled == 0


@pytest.mark.parametrize(("occupancy", "shrinkage"), [(0, 0.3), (1.2, 0.3), (0.85, 1.0), (0.85, -0.1)])
def test_impossible_settings_are_refused(occupancy, shrinkage):
    with pytest.raises(ValueError):
        erlang.agents_required(
            calls_per_second=0.05,
            aht_seconds=180,
            threshold_seconds=20,
            target=0.8,
            max_occupancy=occupancy,
            shrinkage=shrinkage,
        )


@pytest.mark.django_db
@override_settings(AFTER_CALL_WORK_LIMIT_SECONDS=120, ERLANG_SHRINKAGE=0.3, ERLANG_MAX_OCCUPANCY=0.85)
def test_an_agent_long_in_after_call_work_is_shown_apart_and_not_staffed(make_user):
    from callcenter.permissions import Role

    now = timezone.now()
    names = {"short": 30, "long": 600}
    for name, seconds in names.items():
        user = make_user(Role.AGENT, username=f"acw_{name}")
        AgentStatus.objects.create(
            agent=user, state=AgentState.AFTER_CALL_WORK, since=now - timezone.timedelta(seconds=seconds)
        )
    available = make_user(Role.AGENT, username="free")
    AgentStatus.objects.create(agent=available, state=AgentState.AVAILABLE, since=now)

    snapshot = stats.wallboard_stats(now)

    assert snapshot["agents"]["after_call_work"] == 2
    assert snapshot["agents_after_call_work_overdue"] == 1
    assert snapshot["agents_staffed"] == snapshot["erlang"]["staffed"] == 2  # free + acw_short
    overdue = {row["username"]: row["overdue"] for row in snapshot["agent_list"]}
    assert overdue == {"acw_short": False, "acw_long": True, "free": False}
    assert (snapshot["erlang"]["shrinkage"], snapshot["erlang"]["max_occupancy"]) == (0.3, 0.85)
