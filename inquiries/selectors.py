"""Reads for calls and callers."""

from __future__ import annotations

import time as clock
from datetime import date, datetime, time, timedelta
from typing import Any

from django.contrib.auth.models import AbstractBaseUser
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.db.models.signals import post_delete, post_migrate, post_save
from django.utils import timezone
from django.utils.translation import gettext as _

from callcenter import permissions
from inquiries import urgent_calls
from inquiries.models import Call, Caller, CallEvent
from inquiries.phone import normalize_number
from inquiries.protection_models import AbuseFlag
from inquiries.queue_models import PhoneEvent, QueueCall
from knowledgebase.models import Category


def _with_relations(calls: QuerySet[Call]) -> QuerySet[Call]:
    return calls.select_related("caller", "category", "agent").prefetch_related("faq_entries")


def call_list(
    *,
    user: AbstractBaseUser,
    caller_number: str | None = None,
    agent: str | None = None,
    category: str | None = None,
    resolution: str | None = None,
    channel: str | None = None,
    language: str | None = None,
    urgent: bool | None = None,
    text: str | None = None,
    date_from: date | None = None,
    date_to: date | None = None,
    started_from: datetime | None = None,
    started_to: datetime | None = None,
    flagged: str | None = None,
) -> QuerySet[Call]:
    """Calls the user may see (agents their own, supervisors and admins all),
    newest first, narrowed by every filter given (None: not filtered).

    `text` is found in the summary or the notes; `date_from`/`date_to` are whole
    local days; `started_from`/`started_to` a time range (a shift, for now);
    `flagged` is "any" (flagged as abusive, any kind) or one `AbuseFlag.Kind`.
    Each call carries `is_flagged` (its queue call has an abusive-call flag).
    """
    flags = AbuseFlag.objects.filter(call__call_id=OuterRef("phone_call_id"))
    calls = _with_relations(Call.objects.annotate(is_flagged=Exists(flags)))
    if not permissions.can_see_all_calls(user):
        calls = calls.filter(agent=user)
    if caller_number:
        calls = calls.filter(caller__number=normalize_number(caller_number))
    exact = {
        "agent__username": agent,
        "category__slug": category,
        "resolution": resolution,
        "channel": channel,
        "language": language,
        "urgent": urgent,
    }
    calls = calls.filter(**{lookup: value for lookup, value in exact.items() if value not in (None, "")})
    if text:
        calls = calls.filter(Q(summary__icontains=text) | Q(notes__icontains=text))
    tz = timezone.get_current_timezone()
    if date_from:
        calls = calls.filter(started_at__gte=datetime.combine(date_from, time.min, tzinfo=tz))
    if date_to:
        calls = calls.filter(started_at__lt=datetime.combine(date_to + timedelta(days=1), time.min, tzinfo=tz))
    if started_from:
        calls = calls.filter(started_at__gte=started_from)
    if started_to:
        calls = calls.filter(started_at__lt=started_to)
    if flagged:
        calls = calls.filter(Exists(flags if flagged == "any" else flags.filter(kind=flagged)))
    return calls


def call_abuse_flags(*, call: Call) -> QuerySet[AbuseFlag]:
    """The abusive-call flags on the queue call this call came through (none for others)."""
    if not call.phone_call_id:
        return AbuseFlag.objects.none()
    return AbuseFlag.objects.filter(call__call_id=call.phone_call_id)


def call_get(*, pk: int) -> Call:
    return _with_relations(Call.objects.all()).get(pk=pk)


def call_events(*, call: Call) -> QuerySet[CallEvent]:
    """The call's history, oldest first, with who did each."""
    return call.events.select_related("actor").order_by("at", "id")


def _value_label(field_name: str, value: Any) -> str:
    """A stored old or new value as a person reads it (choices by label, the category by name)."""
    if value in (None, ""):
        return "—"
    if field_name == "category":
        category = category_find(slug=str(value))
        return str(category.name) if category else str(value)
    field = Call._meta.get_field(field_name)
    if field.choices:
        return str(dict(field.flatchoices).get(value, value))
    if isinstance(value, bool):
        return str(_("Yes") if value else _("No"))
    if field_name in ("started_at", "ended_at"):
        return timezone.localtime(datetime.fromisoformat(value)).strftime("%Y-%m-%d %H:%M:%S")
    return str(value)


def call_history(*, call: Call) -> list[dict[str, Any]]:
    """The call's history as its page shows it: when, who, what, from, to."""
    rows = []
    for event in call_events(call=call):
        base = {"at": event.at, "actor": event.actor, "kind": event.kind, "what": event.get_kind_display()}
        if event.kind == CallEvent.Kind.CHANGED and event.changes:
            for name, (old, new) in event.changes.items():
                rows.append(
                    {
                        **base,
                        "field": name,
                        "what": str(Call._meta.get_field(name).verbose_name),
                        "old": _value_label(name, old),
                        "new": _value_label(name, new),
                    }
                )
        elif event.kind == CallEvent.Kind.RESOLUTION:
            rows.append(
                {
                    **base,
                    "field": "resolution",
                    "what": str(Call._meta.get_field("resolution").verbose_name),
                    "old": _value_label("resolution", event.from_value),
                    "new": _value_label("resolution", event.to_value),
                }
            )
        else:
            rows.append({**base, "field": "", "old": "", "new": _value_label("resolution", event.to_value)})
    return rows


def call_phone_events(*, call: Call) -> QuerySet[PhoneEvent]:
    """What the phone system reported about this call (when it came through the queue)."""
    if not call.phone_call_id:
        return PhoneEvent.objects.none()
    return PhoneEvent.objects.filter(call_id=call.phone_call_id).order_by("at", "received_at", "id")


def correction_closed_message(call: Call) -> str:
    closes = timezone.localtime(call.correction_closes_at())
    return _("You could correct this call until %(closes)s (the end of its shift); ask a supervisor to correct it.") % {
        "closes": closes.strftime("%Y-%m-%d %H:%M")
    }


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


def agent_list() -> QuerySet:
    """The centre's staff who log calls, by username (the call list's agent filter)."""
    from django.contrib.auth import get_user_model

    roles = [role.value for role in permissions.STAFF_ROLES]
    return get_user_model().objects.filter(groups__name__in=roles, is_active=True).distinct().order_by("username")


def queue_call_get(*, call_id: str) -> QueueCall | None:
    """A call as the phone system reported it, by its call id."""
    return QueueCall.objects.filter(call_id=call_id).first()


def urgent_calls_open(*, now: datetime | None = None, limit: int = 50) -> list[Call]:
    """Urgent calls of the current operating day not settled yet, newest first
    (inquiries.urgent_calls says what "open" means)."""
    start, end = urgent_calls.operating_day(now)
    calls = Call.objects.filter(
        urgent=True, resolution__in=urgent_calls.OPEN_RESOLUTIONS, started_at__gte=start, started_at__lt=end
    )
    return list(calls.select_related("category", "agent").order_by("-started_at", "-id")[:limit])
