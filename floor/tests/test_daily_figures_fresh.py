"""The wallboard's once-a-day figures follow the data (issue 13, item 6): a backfill,
a late offer or a late categorization of a past day is seen at the next push, in every
process (the FiguresVersion counter), not only when the day turns."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from callcenter import caches
from callcenter.permissions import Role
from callcenter.workdays import operating_day, operating_day_window
from floor import services, stats
from floor.models import FiguresVersion, QueueCall
from floor.simulator import backfill_day
from knowledgebase.models import Category

pytestmark = pytest.mark.django_db


def last_week_line() -> list[int]:
    return stats.wallboard_stats()["calls_per_hour_last_week"]


def test_a_backfill_of_last_week_shows_at_the_next_push(reference_data, make_user):
    ids = {user.username: user.pk for user in (make_user(Role.AGENT, username=f"a{n}") for n in range(5))}
    assert sum(last_week_line()) == 0  # computed and kept for today, before the history exists

    day = operating_day(timezone.now()) - timedelta(days=7)
    written = backfill_day(day=day, agents=ids, calls_per_day=400, seed=1)

    start, end = operating_day_window(day)
    in_window = QueueCall.objects.filter(offered_at__gte=start, offered_at__lt=end).count()
    assert written > 0 and sum(last_week_line()) == in_window  # not 0 until a restart


def test_another_process_change_is_seen_through_the_version(reference_data):
    """Rows written with no service in this process (another process's backfill) are
    seen once that process moves the version on, and not before."""
    water = Category.objects.get(slug="water")
    assert sum(last_week_line()) == 0
    week_ago = timezone.now() - timedelta(days=7)
    QueueCall.objects.create(call_id="hist-1", caller_number="01012345678", offered_at=week_ago, category=water)
    assert sum(last_week_line()) == 0  # kept: nothing said the history changed

    FiguresVersion.objects.create(pk=1, version=41)  # as another process's figures_version_advance leaves it

    assert sum(last_week_line()) == 1


def test_a_late_offer_and_a_late_categorization_move_the_version_on(reference_data):
    before = stats.figures_version()
    yesterday = timezone.now() - timedelta(days=1, hours=1)
    services._on_offered({"call_id": "late-1", "caller_number": "01012345678"}, yesterday)
    after_offer = stats.figures_version()
    assert after_offer == before + 1

    services.queue_call_categorize(call_id="late-1", category=Category.objects.get(slug="water"))
    assert stats.figures_version() == after_offer + 1


def test_todays_calls_leave_the_version_alone(reference_data):
    before = stats.figures_version()
    services._on_offered({"call_id": "now-1", "caller_number": "01012345678"}, timezone.now())
    services.queue_call_categorize(call_id="now-1", category=Category.objects.get(slug="water"))
    assert stats.figures_version() == before  # today's figures are read on every push anyway


def test_the_usual_shares_follow_a_backfill_too(reference_data, make_user):
    """Surges compare with the four weeks' usual shares: a backfill after the first push
    gives them at once."""
    ids = {user.username: user.pk for user in (make_user(Role.AGENT, username=f"b{n}") for n in range(5))}
    today = operating_day(timezone.now())
    assert stats.usual_category_share(today, version=stats.figures_version()) == {}

    backfill_day(day=today - timedelta(days=3), agents=ids, calls_per_day=300, seed=2)

    share = stats.usual_category_share(today, version=stats.figures_version())
    assert share and abs(sum(share.values()) - 1) < 1e-9


def test_the_daily_figures_are_a_declared_process_cache():
    assert "daily_figures" in caches.declared()
