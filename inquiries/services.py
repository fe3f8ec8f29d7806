"""Writes for calls and callers."""

from __future__ import annotations

import contextlib
import hashlib
import json
import logging
from datetime import datetime
from typing import Any

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import BigIntegerField
from django.db.models.expressions import RawSQL
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _

from callcenter import realtime
from callcenter.db import first_row_id, first_row_reference, one_statement_inserts, rows_insert_at_once
from callcenter.errors import Conflict
from callcenter.models import AccessLog
from callcenter.phone_numbers import normalize_number
from callcenter.services import access_log_entry, access_log_record, personal_data_reveal
from floor.services import queue_call_categorize
from inquiries import urgent_calls
from inquiries.error_codes import ErrorCode
from inquiries.models import Call, Caller, CallEvent
from knowledgebase.models import Category, FAQEntry
from knowledgebase.search_log_services import search_log_outcome_record
from knowledgebase.services import faq_usage_record

logger = logging.getLogger(__name__)

# What the wallboard's "urgent open" tile shows of an urgent call: a correction of one of them is pushed.
URGENT_TILE_FIELDS = {"urgent", "resolution", "category", "vulnerable", "started_at"}

# Fields a correction may change.
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


def caller_get_or_create(*, number: str) -> Caller:
    """The caller for a number as typed. Side effect: may create a Caller row."""
    normalized = normalize_number(number)
    caller, _created = Caller.objects.get_or_create(number=normalized)
    return caller


def _call_by_request_id(*, agent: AbstractBaseUser, client_request_id: str) -> Call | None:
    """The call a retried request of this agent already logged, with the relations the API answers with."""
    try:
        return Call.objects.select_related("caller", "category", "agent").get(
            agent=agent, client_request_id=client_request_id
        )
    except Call.DoesNotExist:
        return None


class RequestIdReused(Conflict):
    code = ErrorCode.REQUEST_ID_REUSED


def request_fingerprint(
    *, call: Call, number: str | None, faq_entries: list[FAQEntry] | None, started_given: bool
) -> str:
    """What a request to log `call` asked for, as a digest: a retry asks for the same."""
    asked = [
        number,
        call.number_status,
        call.category_id,
        call.summary,
        call.language,
        call.channel,
        call.notes,
        call.resolution,
        call.started_at.isoformat() if started_given else None,
        call.ended_at.isoformat() if call.ended_at else None,
        call.satisfaction,
        call.urgent,
        call.vulnerable,
        call.phone_call_id,
        sorted(entry.pk for entry in faq_entries or []),
    ]
    return hashlib.sha256(json.dumps(asked, default=str).encode()).hexdigest()


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
    caller_number: str | None = None,
    number_status: str = Call.NumberStatus.KNOWN,
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
    faq_searches: list[int] | None = None,
    request: HttpRequest | None = None,
) -> tuple[Call, bool]:
    """Log a call. Returns (call, created).

    Idempotent on `client_request_id`, per agent: a repeat returns the first call
    and created=False, also when two requests race; the same key asking for a
    different call is refused (RequestIdReused, 409); another agent's same key is
    theirs and logs another call. `number_status` known needs
    `caller_number`; withheld and none refuse one (the call has no caller).
    Side effects: a Caller row (first contact), the Call, a `created` CallEvent, the queued call's category (via
    `phone_call_id`), an access-log row, and
    for linked FAQ entries the links plus one use counted on each; the outcome of the
    knowledge-base searches made for the call (`faq_searches`, knowledgebase.SearchLog);
    for an urgent call, `call.urgent` to the wallboard's "urgent open" tile.
    """
    # No look-up of client_request_id first: the unique constraint decides, also
    # between racing requests. A repeat's insert fails (all its rows with it) and
    # the first call is answered. This saves a query on every call and costs one
    # failed insert on the rare retry.
    now = timezone.now()
    normalized = _number_for_status(caller_number, number_status)
    call = Call(
        agent=agent,
        number_status=number_status,
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
    # Saved rows need no second existence check: Django's ForeignKey validation
    # would cost one query each (bench/calls.py). The database's foreign keys
    # still guard them; the caller is read or made once the rest is valid.
    saved = _saved_relations(agent=agent, category=category)
    call.full_clean(exclude=[*saved, "caller"], validate_unique=False)
    if call.client_request_id:
        call.request_fingerprint = request_fingerprint(
            call=call, number=normalized, faq_entries=faq_entries, started_given=started_at is not None
        )
    event = CallEvent(actor=agent, at=now, kind=CallEvent.Kind.CREATED, to_value=call.resolution)
    # Without a number the access log names the call itself, known once it is saved.
    subject = Caller(number=normalized).subject if normalized else "call:"
    entry = access_log_entry(user=agent, action=AccessLog.Action.CREATE, subject=subject, request=request)
    one_statement = one_statement_inserts() and not faq_entries and not phone_call_id and normalized is not None
    for attempt in (1, 2):
        try:
            if one_statement:
                _call_rows_insert_at_once(call, event, entry, number=normalized, now=now)
            else:
                _call_rows_save(call, event, entry, number=normalized, faq_entries=faq_entries)
        except IntegrityError:
            if client_request_id:
                existing = _call_by_request_id(agent=agent, client_request_id=client_request_id)
                if existing is not None:
                    if existing.request_fingerprint not in ("", call.request_fingerprint):
                        raise RequestIdReused(
                            _("This client_request_id was sent before with another call; send a new one.")
                        ) from None
                    return existing, False
            if not one_statement or attempt == 2:
                raise
            # Two first contacts from one number at once: the other made the caller
            # after this statement began. Once more, and it is found.
        else:
            if faq_searches:
                _searches_close(faq_searches, faq_entries or [])
            if call.urgent:
                _urgent_call_publish(call)
            return call, True
    raise AssertionError("unreachable: the second attempt returns or raises")


def _number_for_status(caller_number: str | None, number_status: str) -> str | None:
    """The caller key the status asks for: a number when it is known, none otherwise."""
    number = (caller_number or "").strip()
    if number_status == Call.NumberStatus.KNOWN:
        if not number:
            raise ValidationError({"caller_number": _("Enter the caller's number.")})
        return normalize_number(number)
    if number_status not in Call.NumberStatus.values:
        raise ValidationError({"number_status": _("Choose known, withheld or none.")})
    if number:
        raise ValidationError(
            {"caller_number": _("Leave the number out when it is withheld or there is none, or choose “known”.")}
        )
    return None


def _searches_close(search_ids: list[int], faq_entries: list[FAQEntry]) -> None:
    """The outcome of the call's knowledge-base searches. The call is saved already: a failure
    here costs the search log one outcome, never the call (logged, not raised)."""
    try:
        search_log_outcome_record(search_ids=search_ids, linked_entries=faq_entries)
    except Exception:
        logger.exception("The outcome of searches %s was not recorded.", search_ids)


def _call_rows_insert_at_once(call: Call, event: CallEvent, entry: AccessLog, *, number: str, now: datetime) -> None:
    """PostgreSQL: the caller's get-or-create, the call, its event and its access-log
    row in one statement, atomic by itself (no BEGIN/COMMIT round trips); in a
    savepoint when the caller is in a transaction already, so a refused repeat can
    be answered."""
    table = Caller._meta.db_table
    caller_parts = [
        ("caller_found", f"SELECT id FROM {table} WHERE number = %s::varchar", [number]),  # noqa: S608 (the model's table)
        (
            "caller_made",  # a first contact; nothing is written for a known caller
            f"INSERT INTO {table} (number, first_contact_at) SELECT %s::varchar, %s::timestamptz "  # noqa: S608
            "WHERE NOT EXISTS (SELECT 1 FROM caller_found) ON CONFLICT (number) DO NOTHING RETURNING id",
            [number, now],
        ),
    ]
    # A constant SQL text; NULL (refused by the column) only when another statement made the caller meanwhile.
    call.caller_id = RawSQL(
        "(SELECT id FROM caller_found UNION ALL SELECT id FROM caller_made LIMIT 1)", (), output_field=BigIntegerField()
    )
    event.call_id = first_row_id()
    entry.target = first_row_reference("call:")
    in_transaction = transaction.get_connection().in_atomic_block
    with transaction.atomic() if in_transaction else contextlib.nullcontext():
        rows_insert_at_once(call, event, entry, before=caller_parts, read_back=["caller_id"])
    call.caller = Caller.from_db(call._state.db, ["id", "number"], [call.caller_id, number])
    event.call = call
    entry.target = f"call:{call.pk}"  # what the statement wrote


def _call_rows_save(
    call: Call, event: CallEvent, entry: AccessLog, *, number: str | None, faq_entries: list[FAQEntry] | None
) -> None:
    """Elsewhere, with more to write, or without a number: the same rows saved one
    by one in a transaction, with the FAQ links and the queued call's category."""
    with transaction.atomic():
        call.caller = caller_get_or_create(number=number) if number else None
        call.save()
        event.call = call
        event.save()
        entry.target = f"call:{call.pk}"
        entry.subject = call.subject
        entry.save()
        if faq_entries:
            call.faq_entries.set(faq_entries)
            faq_usage_record(entry_ids=[faq.pk for faq in faq_entries])
        if call.phone_call_id:
            # A call logged from a screen pop names its queued call's category
            # when the phone menu did not (the wallboard's per-category figures).
            queue_call_categorize(call_id=call.phone_call_id, category=call.category)


@transaction.atomic
def call_correct(
    *, call: Call, actor: AbstractBaseUser, changes: dict[str, Any], request: HttpRequest | None = None
) -> Call:
    """Correct a saved call's details (who may, and until when, is
    `permissions.can_change_call`'s answer, asked by the views).

    Side effects: one CallEvent per changed field, with who, when, the old and
    the new value (a resolution change is a `resolution` event with from and to;
    any other a `changed` event with `changes` = {field: [old, new]}), an
    access-log row, and `call.urgent` to the wallboard when what its "urgent
    open" tile shows of an urgent call changed (inquiries.urgent_calls).
    Nothing is written when nothing changes.
    """
    # OF self: the caller is an outer join (a call may have none), which PostgreSQL cannot lock.
    call = Call.objects.select_for_update(of=("self",)).select_related("caller").get(pk=call.pk)
    unknown = set(changes) - set(UPDATABLE_FIELDS)
    if unknown:
        raise ValueError(f"not correctable: {sorted(unknown)}")
    before = {name: getattr(call, name) for name in changes}
    for name, value in changes.items():
        setattr(call, name, value.strip() if name == "summary" and isinstance(value, str) else value)
    # In the form's order, whatever order the request named them in.
    changed = [name for name in UPDATABLE_FIELDS if name in changes and getattr(call, name) != before[name]]
    if not changed:
        return call
    call.full_clean(validate_unique=False)
    call.save(update_fields=[*changed, "updated_at"])
    now = timezone.now()
    events = []
    for name in changed:
        if name == "resolution":
            events.append(
                CallEvent(
                    call=call,
                    actor=actor,
                    at=now,
                    kind=CallEvent.Kind.RESOLUTION,
                    from_value=before[name],
                    to_value=call.resolution,
                )
            )
        else:
            events.append(
                CallEvent(
                    call=call,
                    actor=actor,
                    at=now,
                    kind=CallEvent.Kind.CHANGED,
                    changes={name: [_plain(before[name]), _plain(getattr(call, name))]},
                )
            )
    CallEvent.objects.bulk_create(events)
    access_log_record(
        user=actor,
        action=AccessLog.Action.CHANGE,
        subject=call.subject,
        target=f"call:{call.pk}",
        request=request,
    )
    if URGENT_TILE_FIELDS & set(changed) and (call.urgent or before.get("urgent")):
        _urgent_call_publish(call)
    return call


def _urgent_call_publish(call: Call) -> None:
    """`call.urgent` to the wallboard: the "urgent open" tile adds, changes or drops the call."""
    realtime.publish("call.urgent", urgent_calls.urgent_call_payload(call), groups=[urgent_calls.WALLBOARD_GROUP])


def call_number_reveal(*, call: Call, user: AbstractBaseUser, request: HttpRequest | None = None) -> AccessLog:
    """Record that `user` saw the call's full number (PIPA). Side effect: an access-log row."""
    return personal_data_reveal(user=user, subject=call.subject, target=f"call:{call.pk}", request=request)


def caller_history_view(*, number: str, user: AbstractBaseUser, request: HttpRequest | None = None) -> AccessLog:
    """Record that `user` saw the history of the caller with this (normalized) number, found or not.
    Side effect: an access-log row."""
    return personal_data_reveal(user=user, subject=f"caller:{number}", target="history", request=request)


def caller_calls_view(*, number: str, user: AbstractBaseUser, request: HttpRequest | None = None) -> AccessLog:
    """Record that `user` listed one caller's calls (the call list filtered by their number): as
    much an access as their history. Side effect: an access-log row."""
    return personal_data_reveal(
        user=user,
        subject=f"caller:{number}",
        target="calls",
        reason="call list filtered by the caller's number",
        request=request,
    )


def queue_caller_reveal(*, call_id: str, number: str, user: AbstractBaseUser, request: HttpRequest | None = None):
    """Record that `user` was shown the full number of the phone system's call `call_id` (the
    screen pop fills the log form with it). Side effect: an access-log row."""
    return personal_data_reveal(
        user=user, subject=f"caller:{number}", target=f"queuecall:{call_id}", reason="screen pop", request=request
    )


def call_list_export_record(*, user: AbstractBaseUser, filters: str, request: HttpRequest | None = None) -> AccessLog:
    """Record that `user` exported the call list with these filters (a query string).
    Side effect: an access-log row."""
    return access_log_record(
        user=user,
        action=AccessLog.Action.EXPORT,
        subject="calls",
        target=f"calls.csv?{filters}"[:128],
        reason=filters[:255],
        request=request,
    )


def call_mark_referred(*, call: Call, actor: AbstractBaseUser, request: HttpRequest | None = None) -> Call:
    """A referral was made from this call: its resolution becomes `referred`
    (called by the referrals app). Side effects: those of `call_correct`."""
    return call_correct(call=call, actor=actor, changes={"resolution": Call.Resolution.REFERRED}, request=request)


def _plain(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.isoformat()
    if hasattr(value, "pk"):
        return str(getattr(value, "slug", value.pk))
    return value
