"""Writes for referrals: create (from a call or an Open311 request), move along
the transition table, close the follow-up. The only publishers of referral events."""

from __future__ import annotations

import contextlib
from datetime import datetime, timedelta

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _

from callcenter import permissions, realtime
from callcenter.errors import Conflict, Forbidden, IllegalTransition
from callcenter.models import AccessLog
from callcenter.phone_numbers import normalize_number
from callcenter.services import access_log_record, personal_data_reveal
from callcenter.workdays import is_working_day
from inquiries.models import Call
from inquiries.services import call_mark_referred
from referrals import payloads
from referrals.error_codes import ErrorCode
from referrals.models import (
    REQUIRED_FOR,
    TRANSITIONS,
    FollowUp,
    Open311ApiKey,
    Referral,
    ReferralEvent,
    Service,
    Status,
)


def followup_within() -> timedelta:
    """How long the centre has to call the citizen back after the service completes."""
    return timedelta(hours=float(getattr(settings, "REFERRAL_FOLLOWUP_HOURS", 24)))


def add_working_time(*, start: datetime, duration: timedelta) -> datetime:
    """`start + duration`, where whole days count working days (Mon-Fri, not on a
    Korean public holiday: `callcenter.workdays.is_working_day`).

    "Accept within one working day" means a referral made on Friday afternoon is
    due on Monday afternoon, and one made the day before Seollal is due after the
    three days of Seollal (and a substitute holiday); shorter limits (urgent:
    30 minutes) are clock time.
    """
    if duration < timedelta(days=1) or duration % timedelta(days=1):
        return start + duration
    local = timezone.localtime(start)
    days = duration // timedelta(days=1)
    while days:
        local += timedelta(days=1)
        if is_working_day(local):
            days -= 1
    return local


def acceptance_due(*, service: Service, pressing: bool, start: datetime) -> datetime:
    return add_working_time(start=start, duration=service.urgent_accept_within if pressing else service.accept_within)


def _event(
    referral: Referral,
    *,
    actor: AbstractBaseUser | None,
    at: datetime,
    from_status: str = "",
    to_status: str = "",
    note: str = "",
    kind: str = ReferralEvent.Kind.STATUS,
) -> ReferralEvent:
    event = ReferralEvent(
        referral=referral, actor=actor, at=at, kind=kind, from_status=from_status, to_status=to_status, note=note
    )
    event.full_clean()
    event.save()
    return event


def _publish_referral(referral: Referral, event: str, *, from_status: str = "") -> None:
    payload = {"referral": payloads.referral_payload(referral), "from": from_status or None}
    realtime.publish(event, payload, groups=[payloads.service_group(referral.service_id), payloads.CENTRE_GROUP])
    # The wallboard hears of pressing cases when they arrive and whenever they move,
    # so it can take them off once they are accepted or closed.
    if referral.pressing:
        realtime.publish("referral.urgent", payloads.urgent_payload(referral), groups=[payloads.WALLBOARD_GROUP])


def _publish_followup(followup: FollowUp, event: str) -> None:
    realtime.publish(event, {"followup": payloads.followup_payload(followup)}, groups=[payloads.CENTRE_GROUP])


@transaction.atomic
def referral_create(
    *,
    call: Call,
    service: Service,
    reason: str,
    consent: bool,
    actor: AbstractBaseUser,
    priority: str = Referral.Priority.NORMAL,
    callback_preference: str = "",
    contact_number: str | None = None,
    transferred_to: str = "",
    incident_number: str = "",
    request: HttpRequest | None = None,
) -> Referral:
    """Refer a call to a service.

    The caller's consent answer is recorded with the time and the agent; the
    service sees the number masked without it. `contact_number` is whom the
    centre calls back (the caller's number unless given: a missing person's
    guardian, say). An emergency service (112, 119: `Service.is_emergency`) takes
    the case by a warm transfer, not a desk queue: the referral is made
    `transferred` at once, with who put the caller through, when, to which
    number (`transferred_to`, else the service's contact) and the service's
    `incident_number` if it gave one; it never waits as new and is never overdue.
    Side effects: the Referral, its first event (`new`, or `transferred`), an
    access-log row (the caller's data handed to a service), the call's resolution
    set to `referred` (a call event), `referral.created`
    to the service's desk and the centre, and `referral.urgent` to the wallboard
    for an urgent or vulnerable case.
    """
    if not service.is_active:
        raise ValidationError({"service": _("This service does not take referrals.")})
    now = timezone.now()
    vulnerable = bool(call.vulnerable)
    pressing = priority == Referral.Priority.URGENT or vulnerable
    referral = Referral(
        source=Referral.Source.CALL,
        call=call,
        service=service,
        reason=(reason or "").strip(),
        priority=priority,
        vulnerable=vulnerable,
        contact_number=normalize_number(contact_number)
        if contact_number
        else (call.caller.number if call.caller_id else ""),
        consent=consent,
        consent_at=now,
        consent_by=actor,
        callback_preference=(callback_preference or "").strip(),
        created_by=actor,
        created_at=now,
        accept_due_at=None if service.is_emergency else acceptance_due(service=service, pressing=pressing, start=now),
    )
    if service.is_emergency:
        number = (transferred_to or "").strip() or _transfer_number(service)
        if not number:
            raise ValidationError({"transferred_to": _("Give the number the caller was put through to.")})
        referral.status = Status.TRANSFERRED
        referral.transferred_at = referral.closed_at = now
        referral.transferred_by = actor
        referral.transferred_to = number
        referral.incident_number = (incident_number or "").strip()
    elif (transferred_to or "").strip() or (incident_number or "").strip():
        raise ValidationError(
            {"transferred_to": _("Only an emergency service (112, 119) takes a case by a warm transfer.")}
        )
    referral.full_clean()
    referral.save()
    note = referral.reason
    if service.is_emergency:
        note = "\n".join(part for part in [_transfer_note(referral), referral.reason] if part)
    _event(referral, actor=actor, at=now, to_status=referral.status, note=note)
    access_log_record(
        user=actor,
        action=AccessLog.Action.CREATE,
        subject=call.subject,
        target=f"referral:{referral.pk}",
        request=request,
        reason=f"referred to {service.slug}; consent {'yes' if consent else 'no'}",
    )
    if call.resolution != Call.Resolution.REFERRED:
        call_mark_referred(call=call, actor=actor, request=request)
    _publish_referral(referral, "referral.created")
    return referral


def _transfer_number(service: Service) -> str:
    """An emergency service's number when its contact is one (112, 119, 1899-9988)."""
    contact = (service.contact or "").strip()
    return contact if contact and all(ch.isdigit() or ch == "-" for ch in contact) else ""


def _transfer_note(referral: Referral) -> str:
    if referral.incident_number:
        return _("Warm transfer to %(number)s (incident %(incident)s).") % {
            "number": referral.transferred_to,
            "incident": referral.incident_number,
        }
    return _("Warm transfer to %(number)s.") % {"number": referral.transferred_to}


@transaction.atomic
def referral_create_from_open311(
    *,
    service: Service,
    api_key: Open311ApiKey,
    description: str = "",
    address_string: str = "",
    lat: float | None = None,
    long: float | None = None,
    first_name: str = "",
    last_name: str = "",
    email: str = "",
    phone: str = "",
) -> Referral:
    """A citizen's Open311 `POST requests`: a referral with no call (source open311).

    The citizen sent their own contact details with the request to have it
    worked, so they count as consent to share them with the service. `phone` is
    free text (the spec's): a number we recognise is kept normalized, so it finds
    the caller's other contacts; anything else is kept as typed. Side
    effects: the Referral, a `new` event, `referral.created` (and
    `referral.urgent` is never sent: Open311 requests come in as normal priority).
    """
    if not service.is_active or not service.open311_published:
        raise ValidationError({"service_code": _("This service does not take requests.")})
    now = timezone.now()
    number, phone_text = "", phone.strip()
    if phone_text:
        with contextlib.suppress(ValidationError):  # not a number we know: kept as the citizen wrote it
            number, phone_text = normalize_number(phone_text), ""
    referral = Referral(
        source=Referral.Source.OPEN311,
        service=service,
        reason=description.strip() or service.name_ko,
        priority=Referral.Priority.NORMAL,
        contact_number=number,
        contact_phone_text=phone_text,
        contact_name=f"{last_name.strip()} {first_name.strip()}".strip(),
        contact_email=email.strip(),
        consent=True,
        consent_at=now,
        created_at=now,
        accept_due_at=acceptance_due(service=service, pressing=False, start=now),
        address_string=address_string.strip(),
        lat=lat,
        long=long,
        api_key=api_key,
    )
    referral.full_clean()
    referral.save()
    _event(referral, actor=None, at=now, to_status=Status.NEW, note=_("Submitted through Open311."))
    _publish_referral(referral, "referral.created")
    return referral


@transaction.atomic
def referral_transition(
    *,
    referral: Referral,
    actor: AbstractBaseUser,
    to: str,
    note: str = "",
    scheduled_for: datetime | None = None,
    outcome: str = "",
    reason: str = "",
) -> Referral:
    """Move a referral along the transition table (models.TRANSITIONS).

    Raises ValidationError for an unknown status or a missing required field
    (scheduled_for, outcome, reason), Forbidden (403) when `actor` may not make
    this move (`permissions.can_transition_referral`: the service works the case,
    the centre cancels it) and IllegalTransition (409) for a move the table
    forbids. Side effects: the referral's fields, one event row, on
    completion a FollowUp due for the centre (and its event),
    `referral.updated` (+ `referral.urgent` for pressing cases, `followup.due`).
    """
    if to not in Status.values:
        raise ValidationError({"to": _("Unknown status “%(to)s”.") % {"to": to}})
    referral = Referral.objects.select_for_update().select_related("service").get(pk=referral.pk)
    if not permissions.can_transition_referral(actor, referral, to):
        raise Forbidden(_("Your role may not do this."))
    current = referral.status
    if to not in TRANSITIONS[current]:
        raise IllegalTransition(
            _("A referral that is %(current)s cannot become %(to)s.")
            % {"current": Status(current).label, "to": Status(to).label},
            fields={"to": [_("Allowed next: %(allowed)s.") % {"allowed": _allowed(current)}]},
        )
    given = {"scheduled_for": scheduled_for, "outcome": (outcome or "").strip(), "reason": (reason or "").strip()}
    required = REQUIRED_FOR.get(to)
    if required and not given[required]:
        raise ValidationError({required: _("This field is required to mark the referral %(to)s.") % {"to": to}})
    now = timezone.now()
    changed = ["status", "updated_at"]
    referral.status = to
    if to == Status.ACCEPTED:
        referral.accepted_at = now
        changed.append("accepted_at")
    elif to == Status.SCHEDULED:
        # Minute precision: the desk's date-time field has no seconds.
        if scheduled_for < referral.created_at.replace(second=0, microsecond=0):
            raise ValidationError({"scheduled_for": _("The appointment cannot be before the referral was made.")})
        referral.scheduled_for = scheduled_for
        changed.append("scheduled_for")
    elif to == Status.COMPLETED:
        referral.outcome = given["outcome"]
        changed.append("outcome")
    elif to == Status.DECLINED:
        referral.decline_reason = given["reason"]
        changed.append("decline_reason")
    if not TRANSITIONS[to]:  # a final state closes the case
        referral.closed_at = now
        changed.append("closed_at")
    referral.full_clean()
    referral.save(update_fields=changed)
    event_note = "\n".join(part for part in [given["outcome"] or given["reason"], (note or "").strip()] if part)
    if to == Status.SCHEDULED:
        stamp = timezone.localtime(scheduled_for).strftime("%Y-%m-%d %H:%M")
        event_note = "\n".join(part for part in [stamp, (note or "").strip()] if part)
    _event(referral, actor=actor, at=now, from_status=current, to_status=to, note=event_note)
    _publish_referral(referral, "referral.updated", from_status=current)
    if to == Status.COMPLETED:
        followup_create(referral=referral, actor=actor, agent=referral.created_by, due_at=now + followup_within())
    return referral


@transaction.atomic
def followup_create(
    *,
    referral: Referral,
    actor: AbstractBaseUser | None,
    due_at: datetime,
    agent: AbstractBaseUser | None = None,
    reason: str = "",
) -> FollowUp:
    """Make a call back to the referral's contact due for the centre.

    Made by the life cycle when the service completes the case, and by other
    apps when something new calls for a call back (a sighting of a missing
    person: the guardian is called at once). `agent` is whose list it lands in;
    any agent may close it. Side effects: the FollowUp, a `followup_due` event
    on the referral, `followup.due` to the centre.
    """
    now = timezone.now()
    followup = FollowUp(referral=referral, agent=agent, due_at=due_at, created_at=now, reason=(reason or "").strip())
    followup.full_clean()
    followup.save()
    stamp = timezone.localtime(due_at).strftime("%Y-%m-%d %H:%M")
    _event(
        referral,
        actor=actor,
        at=now,
        kind=ReferralEvent.Kind.FOLLOWUP_DUE,
        note="\n".join(part for part in [stamp, followup.reason] if part),
    )
    _publish_followup(followup, "followup.due")
    return followup


def _allowed(current: str) -> str:
    allowed = sorted(TRANSITIONS[current])
    return ", ".join(str(Status(s).label) for s in allowed) if allowed else _("nothing (the referral is closed)")


@transaction.atomic
def followup_complete(*, followup: FollowUp, actor: AbstractBaseUser, outcome: str, note: str = "") -> FollowUp:
    """Close the centre's call back with an outcome.

    Raises ValidationError for an unknown outcome and Conflict (409) when it is
    already closed. Side effects: the FollowUp, a `followup_closed` event on the
    referral, `followup.closed` to the centre.
    """
    if outcome not in FollowUp.Outcome.values:
        raise ValidationError({"outcome": _("Choose an outcome: problem solved, needs more help or could not reach.")})
    followup = FollowUp.objects.select_for_update().select_related("referral__service").get(pk=followup.pk)
    if followup.status == FollowUp.Status.CLOSED:
        raise Conflict(_("This follow-up is already closed."), code=ErrorCode.ALREADY_CLOSED)
    now = timezone.now()
    followup.status = FollowUp.Status.CLOSED
    followup.outcome = outcome
    followup.note = (note or "").strip()
    followup.closed_at = now
    followup.closed_by = actor
    followup.full_clean()
    followup.save(update_fields=["status", "outcome", "note", "closed_at", "closed_by"])
    label = str(FollowUp.Outcome(outcome).label)
    _event(
        followup.referral,
        actor=actor,
        at=now,
        kind=ReferralEvent.Kind.FOLLOWUP_CLOSED,
        to_status=outcome,
        note="\n".join(part for part in [label, followup.note] if part),
    )
    _publish_followup(followup, "followup.closed")
    return followup


def referral_contact_reveal(
    *, referral: Referral, user: AbstractBaseUser, asked: bool, request: HttpRequest | None = None
) -> bool:
    """Whether `user` sees the referral's unmasked contact details (`asked`: the staff asked
    for them, ?unmask=1), the one rule for the desk's page and the API alike
    (`permissions.can_see_referral_contact`). Side effect when shown: one AccessLog row (PIPA)."""
    if not permissions.can_see_referral_contact(user, referral, asked=asked):
        return False
    personal_data_reveal(user=user, subject=referral.subject, target=f"referral:{referral.pk}", request=request)
    return True


# --- the directory and the Open311 keys (Django admin) ------------------------------------------
@transaction.atomic
def service_save(*, service: Service) -> Service:
    """Create or change a service of the directory (Django admin; its members: `service_members_set`)."""
    service.full_clean()
    service.save()
    return service


@transaction.atomic
def service_members_set(*, service: Service, members) -> Service:
    """The partner-desk users of `service` become `members` (their desks show its referrals from
    their next page load and socket)."""
    service.members.set(members)
    return service


@transaction.atomic
def service_delete(*, service: Service) -> None:
    """Delete a service no referral names (a used one is protected: turn it off instead)."""
    service.delete()


@transaction.atomic
def open311_api_key_save(*, api_key: Open311ApiKey) -> Open311ApiKey:
    """Add a key for an Open311 client, or change it (deactivating revokes it at once)."""
    api_key.full_clean()
    api_key.save()
    return api_key


@transaction.atomic
def open311_api_key_delete(*, api_key: Open311ApiKey) -> None:
    api_key.delete()
