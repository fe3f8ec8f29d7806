"""`bench/calls.py --what-if`: three proposed changes, patched into a second daphne only.

Not the project's code and never loaded outside that bench server (bench/_bare_urls.py
applies it when DASAN_BENCH_WHATIF=1). It estimates, in the same run, what these
proposals would buy on POST /api/calls/ before anyone changes the real modules:

P1  callcenter.services.access_log_record: full_clean(exclude=["user"]) for a saved
    user (the access-log row re-checks that the signed-in user exists: one query);
P2  the answer built without ModelSerializer: CallSerializer rebuilds its fields from
    the model on every instantiation (DRF's ModelSerializer.get_fields); a
    hand-written representation with the same output;
P3  callcenter.permissions.roles_of cached per user id for the process lifetime
    (one query per request; a real version would need invalidation on group changes).
"""

from __future__ import annotations

from typing import Any

from rest_framework import serializers

_datetime = serializers.DateTimeField()


def _access_log_record(*, user, action, subject, target="", request=None, reason=""):
    from callcenter.models import AccessLog
    from callcenter.services import client_address

    entry = AccessLog(
        user=user, action=action, subject=subject, target=target, source_address=client_address(request), reason=reason
    )
    entry.full_clean(exclude=["user"] if user.pk is not None else None)
    entry.save()
    return entry


def call_representation(call: Any) -> dict[str, Any]:
    duration = call.duration
    return {
        "id": call.pk,
        "caller_number": call.caller.masked_number,
        "language": call.language,
        "channel": call.channel,
        "category": call.category.slug,
        "category_name": call.category.name,
        "summary": call.summary,
        "notes": call.notes,
        "resolution": call.resolution,
        "resolution_display": call.get_resolution_display(),
        "started_at": _datetime.to_representation(call.started_at),
        "ended_at": _datetime.to_representation(call.ended_at) if call.ended_at else None,
        "duration_seconds": None if duration is None else int(duration.total_seconds()),
        "agent": call.agent.username,
        "satisfaction": call.satisfaction,
        "urgent": call.urgent,
        "vulnerable": call.vulnerable,
        "client_request_id": call.client_request_id,
        "phone_call_id": call.phone_call_id,
        "faq_entries": list(call.faq_entries.values_list("pk", flat=True)),
        "created_at": _datetime.to_representation(call.created_at),
    }


class _PlainCallSerializer:
    def __init__(self, call: Any) -> None:
        self.data = call_representation(call)


def apply() -> None:
    from callcenter import permissions
    from inquiries import services
    from inquiries.api import views

    services.access_log_record = _access_log_record  # P1
    views.CallSerializer = _PlainCallSerializer  # P2

    original_roles_of = permissions.roles_of
    cache: dict[int, frozenset[str]] = {}

    def roles_of(user):  # P3
        if not getattr(user, "is_authenticated", False) or not user.is_active:
            return frozenset()
        roles = cache.get(user.pk)
        if roles is None:
            roles = cache[user.pk] = original_roles_of(user)
        user._dasan_roles = roles
        return roles

    permissions.roles_of = roles_of
