"""The demo's centre runs day and night: both shifts rostered, so at 04:45 a shift is running."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core.management import call_command

from floor.models import ShiftAssignment

pytestmark = pytest.mark.django_db
SEOUL = ZoneInfo("Asia/Seoul")


def test_the_demo_rosters_a_day_and_a_night_shift(local_clock, capsys):
    from floor import stats

    local_clock.set(datetime(2026, 12, 2, 10, 0, tzinfo=SEOUL), tick=False)
    call_command("seed_demo")
    capsys.readouterr()
    entries = ShiftAssignment.objects.select_related("shift", "agent")
    by_agent = {(entry.agent.username, entry.shift.name_en) for entry in entries}
    assert by_agent == {("agent1", "Day"), ("agent2", "Night")}
    assert entries.count() == 28  # two agents, this week and the next
    # at 04:45 the next morning, the night shift is running, rostered
    shift = stats.wallboard_stats(now=datetime(2026, 12, 3, 4, 45, tzinfo=SEOUL))["shift"]
    assert shift["name_ko"] == "야간" and shift["rostered"] == 1
    # a second run changes nothing
    call_command("seed_demo")
    assert "roster: up to date" in capsys.readouterr().out
    assert ShiftAssignment.objects.count() == 28
    assert not ShiftAssignment.objects.filter(day__gt=datetime(2026, 12, 13).date() + timedelta(days=1)).exists()
