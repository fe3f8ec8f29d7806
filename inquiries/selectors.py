"""Reads for calls and callers."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from django.contrib.auth.models import AbstractBaseUser
from django.db.models import Avg, Exists, OuterRef, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from callcenter import permissions
from callcenter.phone_numbers import normalize_number
from callcenter.workdays import operating_day, operating_day_window
from floor import selectors as floor_selectors
from inquiries import urgent_calls
from inquiries.models import Call, Caller, CallEvent
from knowledgebase.selectors import category_find


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
    operating days (from OPERATING_DAY_STARTS, 08:00, to the same time the next
    day: a night shift's calls are its evening's day, as on the wallboard);
    `started_from`/`started_to` a time range (a shift, for now);
    `flagged` is "any" (flagged as abusive, any kind) or one `AbuseFlag.Kind`.
    Each call carries `is_flagged` (its queue call has an abusive-call flag).
    """
    flags = floor_selectors.abuse_flags_of_calls(call_id_of=OuterRef("phone_call_id"))
    calls = _with_relations(Call.objects.annotate(is_flagged=Exists(flags)))
    if not permissions.can_oversee(user):
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
    if date_from:
        calls = calls.filter(started_at__gte=operating_day_window(date_from)[0])
    if date_to:
        calls = calls.filter(started_at__lt=operating_day_window(date_to)[1])
    if started_from:
        calls = calls.filter(started_at__gte=started_from)
    if started_to:
        calls = calls.filter(started_at__lt=started_to)
    if flagged:
        calls = calls.filter(Exists(flags if flagged == "any" else flags.filter(kind=flagged)))
    return calls


def call_abuse_flags(*, call: Call) -> QuerySet:
    """The abusive-call flags on the queue call this call came through (none for others)."""
    return floor_selectors.abuse_flag_list(call_id=call.phone_call_id)


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


def call_phone_events(*, call: Call) -> QuerySet:
    """What the phone system reported about this call (when it came through the queue)."""
    return floor_selectors.phone_event_list(call_id=call.phone_call_id)


def correction_closed_message(*, call: Call) -> str:
    closes = timezone.localtime(call.correction_closes_at())
    return _("You could correct this call until %(closes)s (the end of its shift); ask a supervisor to correct it.") % {
        "closes": closes.strftime("%Y-%m-%d %H:%M")
    }


def caller_find(*, number: str) -> Caller | None:
    return Caller.objects.filter(number=normalize_number(number)).first()


def caller_history(*, caller: Caller, limit: int = 20) -> QuerySet[Call]:
    """A caller's past contacts, newest first, by any agent."""
    return _with_relations(caller.calls.all())[:limit]


def calls_today(*, agent: AbstractBaseUser, limit: int = 50, now: datetime | None = None) -> QuerySet[Call]:
    """The agent's calls of this operating day (from OPERATING_DAY_STARTS, 08:00: a
    night shift's calls stay on the list after midnight), newest first."""
    start, end = operating_day_window(operating_day(now))
    return _with_relations(Call.objects.filter(agent=agent, started_at__gte=start, started_at__lt=end))[:limit]


def agent_list() -> QuerySet:
    """The centre's staff who log calls, by username (the call list's agent filter)."""
    from django.contrib.auth import get_user_model

    roles = [role.value for role in permissions.STAFF_ROLES]
    return get_user_model().objects.filter(groups__name__in=roles, is_active=True).distinct().order_by("username")


def satisfaction_aggregate() -> Avg:
    """The average rating (1–5) of logged calls (None without ratings), for
    satisfaction_score: `aggregate()`, or per group `annotate()` (reports)."""
    return Avg("satisfaction")


def satisfaction_score(*, average: float | None) -> float | None:
    """An average rating (1–5) on the wallboard's 100 scale (× 20)."""
    return None if average is None else round(average * 20, 1)


def call_satisfaction(*, start: datetime, end: datetime) -> float | None:
    """Average rating (1–5) of the calls logged in the window, on a 100 scale (× 20):
    the wallboard's and the daily report's satisfaction (callcenter.extensions)."""
    average = Call.objects.filter(started_at__gte=start, started_at__lt=end, satisfaction__isnull=False).aggregate(
        average=satisfaction_aggregate()
    )["average"]
    return satisfaction_score(average=average)


def call_count(*, agent: AbstractBaseUser, start: datetime, end: datetime) -> int:
    """The calls an agent logged in the window (the console's "logged today")."""
    return Call.objects.filter(agent=agent, started_at__gte=start, started_at__lt=end).count()


def urgent_calls_open(*, now: datetime | None = None, limit: int = 50) -> list[Call]:
    """Urgent calls of the current operating day not settled yet, newest first
    (inquiries.urgent_calls says what "open" means)."""
    start, end = urgent_calls.operating_day(now)
    calls = Call.objects.filter(
        urgent=True, resolution__in=urgent_calls.OPEN_RESOLUTIONS, started_at__gte=start, started_at__lt=end
    )
    return list(calls.select_related("category", "agent").order_by("-started_at", "-id")[:limit])
