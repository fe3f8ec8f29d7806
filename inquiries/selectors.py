"""Reads for calls and callers."""

from __future__ import annotations

import time as clock
from datetime import date, datetime, time

from django.contrib.auth.models import AbstractBaseUser
from django.db.models import QuerySet
from django.db.models.signals import post_delete, post_migrate, post_save
from django.utils import timezone

from callcenter import permissions
from inquiries.models import Call, Caller
from inquiries.phone import normalize_number
from inquiries.queue_models import QueueCall
from knowledgebase.models import Category


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


# Every category by slug, kept by this process for a short while: the look-up was
# one of a logged call's queries (bench/calls.py), the wallboard names them on
# every push (inquiries/stats.py), and categories change rarely.
# Saving or deleting one, or a flush (post_migrate), clears it in this process at
# once; other processes see a change within CATEGORY_CACHE_SECONDS.
CATEGORY_CACHE_SECONDS = 60.0
_categories: tuple[float, dict[str, Category]] = (0.0, {})


def _categories_by_slug() -> dict[str, Category]:
    global _categories
    expires, by_slug = _categories
    if expires < clock.monotonic():
        by_slug = {category.slug: category for category in Category.objects.all()}
        _categories = (clock.monotonic() + CATEGORY_CACHE_SECONDS, by_slug)
    return by_slug


def category_find(*, slug: str) -> Category | None:
    """The category with this slug (active or not), or None. The instance is
    shared by the process's requests: read it, never change it."""
    return _categories_by_slug().get(slug)


def category_list() -> list[Category]:
    """Every category (active or not), in the model's order, from the same
    cache: the wallboard names them on every push. Shared instances: read only."""
    return list(_categories_by_slug().values())


def forget_categories(**kwargs: object) -> None:
    """Signal receiver: a category changed, read them again on next use."""
    global _categories
    _categories = (0.0, {})


post_save.connect(forget_categories, sender=Category, dispatch_uid="dasan-categories-saved")
post_delete.connect(forget_categories, sender=Category, dispatch_uid="dasan-categories-deleted")
post_migrate.connect(forget_categories, dispatch_uid="dasan-categories-flushed")


def queue_call_get(*, call_id: str) -> QueueCall | None:
    """A call as the phone system reported it, by its call id."""
    return QueueCall.objects.filter(call_id=call_id).first()
