"""Reads for calls and callers."""

from __future__ import annotations

from datetime import date, datetime, time

from django.contrib.auth.models import AbstractBaseUser
from django.db.models import QuerySet
from django.utils import timezone

from callcenter import permissions
from inquiries.models import Call, Caller
from inquiries.phone import normalize_number


def _with_relations(calls: QuerySet[Call]) -> QuerySet[Call]:
    return calls.select_related("caller", "category", "agent").prefetch_related("faq_entries")


def call_list(
    *,
    user: AbstractBaseUser,
    caller_number: str | None = None,
    agent: str | None = None,
    category: str | None = None,
    date_from: date | None = None,
    date_to: date | None = None,
) -> QuerySet[Call]:
    """Calls the user may see: agents their own, supervisors and admins all."""
    calls = _with_relations(Call.objects.all())
    if not permissions.can_see_all_calls(user):
        calls = calls.filter(agent=user)
    if caller_number:
        calls = calls.filter(caller__number=normalize_number(caller_number))
    if agent:
        calls = calls.filter(agent__username=agent)
    if category:
        calls = calls.filter(category__slug=category)
    tz = timezone.get_current_timezone()
    if date_from:
        calls = calls.filter(started_at__gte=datetime.combine(date_from, time.min, tzinfo=tz))
    if date_to:
        calls = calls.filter(started_at__lte=datetime.combine(date_to, time.max, tzinfo=tz))
    return calls


def call_get(*, pk: int) -> Call:
    return _with_relations(Call.objects.all()).get(pk=pk)


def caller_find(*, number: str) -> Caller | None:
    return Caller.objects.filter(number=normalize_number(number)).first()


def caller_history(*, caller: Caller, limit: int = 20) -> QuerySet[Call]:
    """A caller's past contacts, newest first, by any agent."""
    return _with_relations(caller.calls.all())[:limit]


def calls_today(*, agent: AbstractBaseUser, limit: int = 50) -> QuerySet[Call]:
    start = timezone.localtime().replace(hour=0, minute=0, second=0, microsecond=0)
    return _with_relations(Call.objects.filter(agent=agent, started_at__gte=start))[:limit]
