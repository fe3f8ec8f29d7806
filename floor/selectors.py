"""Reads of the floor that other apps use (inquiries: a logged call's shift, its
queue call, what the phone system reported about it, its abusive-call flags)."""

from __future__ import annotations

from datetime import datetime

from django.db.models import QuerySet
from django.utils import timezone

from floor.models import WARNING_SCRIPTS, AbuseFlag, PhoneEvent, QueueCall, Shift


def shift_current(*, at: datetime | None = None) -> tuple[Shift, datetime, datetime] | None:
    """The active shift running at `at` (now), with its window; a night shift
    that began yesterday counts."""
    at = timezone.localtime(at or timezone.now())
    for shift in Shift.objects.filter(is_active=True):
        for day in (at.date(), at.date().fromordinal(at.date().toordinal() - 1)):
            start, end = shift.window(day)
            if start <= at < end:
                return shift, start, end
    return None


def queue_call_get(*, call_id: str) -> QueueCall | None:
    """A call as the phone system reported it, by its call id."""
    return QueueCall.objects.filter(call_id=call_id).first()


def phone_event_list(*, call_id: str) -> QuerySet[PhoneEvent]:
    """What the phone system reported about one call, in the order it happened."""
    if not call_id:
        return PhoneEvent.objects.none()
    return PhoneEvent.objects.filter(call_id=call_id).order_by("at", "received_at", "id")


def abuse_flag_list(*, call_id: str) -> QuerySet[AbuseFlag]:
    """The abusive-call flags on one queue call (none without a call id)."""
    if not call_id:
        return AbuseFlag.objects.none()
    return AbuseFlag.objects.filter(call__call_id=call_id)


def abuse_flags_of_calls(*, call_id_of) -> QuerySet[AbuseFlag]:
    """The flags of the queue call a row names (`call_id_of`: an expression such as
    OuterRef("phone_call_id")), for an Exists() over another app's rows."""
    return AbuseFlag.objects.filter(call__call_id=call_id_of)


def abuse_kind_choices() -> list[tuple[str, str]]:
    return list(AbuseFlag.Kind.choices)


def abuse_kinds_with_scripts() -> list[tuple[str, str, dict[str, str]]]:
    """The abusive-call panel's kinds and their warning scripts (Korean and English)."""
    return [(kind, label, WARNING_SCRIPTS[kind]) for kind, label in AbuseFlag.Kind.choices]
