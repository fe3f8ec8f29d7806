"""Helpers of the reports tests: a fixed operating day, local times, queue calls."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from django.utils import timezone

from floor.models import QueueCall

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
