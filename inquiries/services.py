"""Writes for calls and callers."""

from __future__ import annotations

import threading
from datetime import datetime
from typing import Any

from django.contrib.auth.models import AbstractBaseUser
from django.db import IntegrityError, transaction
from django.db.models.signals import post_delete
from django.http import HttpRequest
from django.utils import timezone

from callcenter.models import AccessLog
from callcenter.services import access_log_record
from inquiries.models import Call, Caller, CallEvent
from inquiries.phone import normalize_number
from inquiries.queue_services import queue_call_categorize
from knowledgebase.models import Category, FAQEntry
from knowledgebase.services import faq_usage_record

# Fields an update may change, and whether a change is a status change.
UPDATABLE_FIELDS = (
    "language",
    "channel",
    "category",
    "summary",
    "notes",
    "resolution",
    "started_at",
    "ended_at",
    "satisfaction",
    "urgent",
    "vulnerable",
)


# Callers by normalized number, kept per process once their row is committed. A
# caller row never changes (the number is its key, the first contact is fixed), so
# a repeat caller, the common case, needs no look-up: one of a logged call's
# round trips (bench/calls.py). A deleted caller is forgotten in this process at
# once (signal receiver below); if another process deleted it, the call's insert
# fails on the foreign key and call_log asks the database again.
MAX_CACHED_CALLERS = 20_000
_callers: dict[str, tuple[int, datetime]] = {}
_callers_lock = threading.Lock()


def caller_get_or_create(*, number: str) -> Caller:
    """The caller for a number as typed. Side effect: may create a Caller row."""
    caller, _ = _caller_get_or_create(normalize_number(number))
    return caller


def _caller_get_or_create(normalized: str) -> tuple[Caller, bool]:
    """(caller, from_cache) for a normalized number."""
    known = _callers.get(normalized)
    if known is not None:
        return Caller.from_db("default", ["id", "number", "first_contact_at"], [known[0], normalized, known[1]]), True
    caller, _ = Caller.objects.get_or_create(number=normalized)
    transaction.on_commit(lambda: _caller_remember(caller))  # never an id a rollback may take back
    return caller, False


def _caller_remember(caller: Caller) -> None:
    with _callers_lock:
        if len(_callers) >= MAX_CACHED_CALLERS:
            _callers.clear()
        _callers[caller.number] = (caller.pk, caller.first_contact_at)


def caller_forget(*, number: str | None = None, **kwargs: Any) -> None:
    """Forget the cached caller for `number` (all of them without one).
    Also the receiver of Caller deletions."""
    instance = kwargs.get("instance")
    with _callers_lock:
        if instance is not None:
            _callers.pop(instance.number, None)
        elif number is not None:
            _callers.pop(number, None)
        else:
            _callers.clear()


post_delete.connect(caller_forget, sender=Caller, dispatch_uid="dasan-callers-deleted")


def _call_by_request_id(client_request_id: str) -> Call | None:
    """The call a retried request already logged, with the relations the API answers with."""
    try:
        return Call.objects.select_related("caller", "category", "agent").get(client_request_id=client_request_id)
    except Call.DoesNotExist:
        return None


def _saved_relations(**related: Any) -> list[str]:
    """Names of the related objects that are saved rows (not new, with a pk)."""
    return [
        name
        for name, obj in related.items()
        if obj is not None and getattr(obj, "pk", None) is not None and not obj._state.adding
    ]


def call_log(
    *,
    agent: AbstractBaseUser,
    caller_number: str,
    category: Category,
    summary: str,
    language: str = "ko",
    channel: str = Call.Channel.PHONE,
    notes: str = "",
    resolution: str = Call.Resolution.ANSWERED,
    started_at: datetime | None = None,
    ended_at: datetime | None = None,
    satisfaction: int | None = None,
    urgent: bool = False,
    vulnerable: str = "",
    client_request_id: str | None = None,
    phone_call_id: str = "",
    faq_entries: list[FAQEntry] | None = None,
    request: HttpRequest | None = None,
) -> tuple[Call, bool]:
    """Log a call. Returns (call, created).

    Idempotent on `client_request_id`: a repeat returns the first call and
    created=False, also when two requests race. Side effects: a Caller row
    (first contact), the Call, a `created` CallEvent, the queued call's category (via
    `phone_call_id`), an access-log row, and
    for linked FAQ entries the links plus one use counted on each.
    """
    # No look-up of client_request_id first: the unique constraint decides, also
    # between racing requests. A repeat's insert fails inside the savepoint, which
    # rolls back everything it wrote, and the first call is answered. This saves a
    # query on every call and costs one failed insert on the rare retry.
    now = timezone.now()
    normalized = normalize_number(caller_number)
    for attempt in (1, 2):
        cached = False
        try:
            with transaction.atomic():
                caller, cached = _caller_get_or_create(normalized)
                call = Call(
                    caller=caller,
                    agent=agent,
                    category=category,
                    summary=summary.strip(),
                    language=language,
                    channel=channel,
                    notes=notes,
                    resolution=resolution,
                    started_at=started_at or ended_at or now,
                    ended_at=ended_at,
                    satisfaction=satisfaction,
                    urgent=urgent,
                    vulnerable=vulnerable,
                    client_request_id=client_request_id or None,
                    phone_call_id=phone_call_id,
                )
                # Rows just read or created need no second existence check: Django's
                # ForeignKey validation would cost one query each (3 of the 14 a
                # logged call made; bench/calls.py). The database's foreign keys
                # still guard them.
                saved = _saved_relations(caller=caller, agent=agent, category=category)
                call.full_clean(exclude=saved, validate_unique=False)
                call.save()
                if faq_entries:
                    call.faq_entries.set(faq_entries)
                    faq_usage_record(entry_ids=[entry.pk for entry in faq_entries])
                CallEvent.objects.create(
                    call=call, actor=agent, at=now, kind=CallEvent.Kind.CREATED, to_value=call.resolution
                )
                if phone_call_id:
                    # A call logged from a screen pop names its queued call's category
                    # when the phone menu did not (the wallboard's per-category figures).
                    queue_call_categorize(call_id=phone_call_id, category=category)
                access_log_record(
                    user=agent,
                    action=AccessLog.Action.CREATE,
                    subject=caller.subject,
                    target=f"call:{call.pk}",
                    request=request,
                )
        except IntegrityError:
            if client_request_id:
                existing = _call_by_request_id(client_request_id)
                if existing is not None:
                    return existing, False
            if attempt == 1 and cached and not Caller.objects.filter(pk=caller.pk).exists():
                # Deleted by another process since this one cached it: once more, from the database.
                caller_forget(number=normalized)
                continue
            raise
        return call, True
    raise AssertionError("unreachable")  # the second attempt returns or raises


@transaction.atomic
def call_update(
    *, call: Call, actor: AbstractBaseUser, data: dict[str, Any], request: HttpRequest | None = None
) -> Call:
    """Change a call's details. Side effects: one CallEvent for a resolution
    change, one for other changes (with the changed fields), an access-log row."""
    call = Call.objects.select_for_update().get(pk=call.pk)
    unknown = set(data) - set(UPDATABLE_FIELDS)
    if unknown:
        raise ValueError(f"not updatable: {sorted(unknown)}")
    before = {name: getattr(call, name) for name in data}
    for name, value in data.items():
        setattr(call, name, value.strip() if name == "summary" and isinstance(value, str) else value)
    changed = [name for name in data if getattr(call, name) != before[name]]
    if not changed:
        return call
    call.full_clean(validate_unique=False)
    call.save(update_fields=[*changed, "updated_at"])
    now = timezone.now()
    if "resolution" in changed:
        CallEvent.objects.create(
            call=call,
            actor=actor,
            at=now,
            kind=CallEvent.Kind.RESOLUTION,
            from_value=before["resolution"],
            to_value=call.resolution,
        )
    others = [name for name in changed if name != "resolution"]
    if others:
        CallEvent.objects.create(
            call=call,
            actor=actor,
            at=now,
            kind=CallEvent.Kind.CHANGED,
            changes={name: [_plain(before[name]), _plain(getattr(call, name))] for name in others},
        )
    access_log_record(
        user=actor,
        action=AccessLog.Action.CHANGE,
        subject=call.caller.subject,
        target=f"call:{call.pk}",
        request=request,
    )
    return call


def _plain(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.isoformat()
    if hasattr(value, "pk"):
        return str(getattr(value, "slug", value.pk))
    return value
