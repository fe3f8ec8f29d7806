"""Writes of the safety app: cases and their life cycle, acknowledgements, sightings,
pre-registrations, and the retention rules. The only publishers of `safety.*` events."""

from __future__ import annotations

import logging
from datetime import date, datetime, timedelta
from typing import Any

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _

from callcenter import realtime
from callcenter.errors import Conflict, IllegalTransition
from callcenter.models import AccessLog
from callcenter.phone_numbers import normalize_number
from callcenter.services import access_log_record
from inquiries.models import Call
from referrals import services as referral_services
from referrals.models import Referral, Service
from safety import floor
from safety.describe import describe
from safety.error_codes import ErrorCode
from safety.models import (
    ACTIVE_STATUSES,
    TRANSITIONS,
    Acknowledgement,
    Case,
    CaseEvent,
    Described,
    Registration,
    RegistrationEvent,
    Sighting,
    Status,
)
from safety.photos import photo_clean
from safety.search import person_embedding

logger = logging.getLogger(__name__)

REGISTRATION_KEPT = timedelta(days=2 * 365)  # PIPA: deleted two years after the last renewal
REVIEW_AFTER = timedelta(days=365)

# The fields of a person's description that the API may set.
DESCRIPTION_FIELDS = ("kind", "name", "age", "sex", "height_cm", "build", "clothing", "marks")


def _event(case: Case, *, actor: AbstractBaseUser | None, kind: str = CaseEvent.Kind.STATUS, **fields: Any) -> None:
    event = CaseEvent(case=case, actor=actor, kind=kind, at=timezone.now(), **fields)
    event.full_clean()
    event.save()


def _publish(case: Case, event: str) -> None:
    realtime.publish(event, {"case": floor.case_payload(case)}, groups=[floor.FLOOR_GROUP])


def _guardian(number: str, consent: bool | None) -> str:
    if consent is not True:
        raise ValidationError(
            {"consent": _("Ask the guardian whether they agree that the centre keeps these details, and record it.")}
        )
    if not (number or "").strip():
        raise ValidationError({"guardian_number": _("Give the guardian's number: the centre calls them back.")})
    try:
        return normalize_number(number)
    except ValidationError as exc:
        raise ValidationError({"guardian_number": exc.messages}) from exc


def _person(
    *, guardian_number: str, consent: bool | None, actor: AbstractBaseUser, now: datetime, sex: str, **description: Any
) -> dict[str, Any]:
    """The fields of a person's description and their guardian's consent, as saved."""
    fields = {key: value.strip() if isinstance(value, str) else value for key, value in description.items()}
    guardian = _guardian(guardian_number, consent)
    return {
        **fields,
        "sex": sex or "unknown",
        "guardian_number": guardian,
        "consent": True,
        "consent_at": now,
        "consent_by": actor,
    }


def _set_photo(person: Described, photo: Any) -> None:
    if photo is not None:
        cleaned = photo_clean(photo)
        person.photo.save(cleaned.name, cleaned, save=False)


def _embed(person: Described) -> None:
    person.embedding, person.embedding_model = person_embedding(person)


def handoff_service() -> Service | None:
    """The emergency service a missing-person report is handed to (SAFETY_HANDOFF_SERVICE, 112)."""
    service = Service.objects.filter(slug=settings.SAFETY_HANDOFF_SERVICE, is_active=True).first()
    return service if service is not None and service.is_emergency else None


@transaction.atomic
def case_open(
    *,
    call: Call,
    actor: AbstractBaseUser,
    kind: str,
    last_seen_place: str,
    last_seen_at: datetime,
    guardian_number: str,
    consent: bool | None,
    name: str = "",
    age: int | None = None,
    sex: str = "unknown",
    height_cm: int | None = None,
    build: str = "",
    clothing: str = "",
    marks: str = "",
    photo: Any = None,
    incident_number: str = "",
    request: HttpRequest | None = None,
) -> Case:
    """Open a missing-person case from the call that reports it.

    The guardian's consent is required (ValidationError otherwise). The report is
    handed to the police (SAFETY_HANDOFF_SERVICE, a warm transfer recorded as a
    referral of the call, the guardian as its contact); without that service the
    case opens all the same and says so in its history. Side effects: the Case
    (the photo checked and stored re-encoded, the description embedded), its
    `open` event, the opener's acknowledgement, the hand-off Referral, an access-log row, and
    `safety.case_opened` to every agent's console and every wallboard.
    """
    now = timezone.now()
    if last_seen_at and last_seen_at > now + timedelta(minutes=5):
        raise ValidationError({"last_seen_at": _("The time last seen cannot be in the future.")})
    case = Case(
        call=call,
        **_person(
            kind=kind,
            name=name,
            age=age,
            sex=sex,
            height_cm=height_cm,
            build=build,
            clothing=clothing,
            marks=marks,
            guardian_number=guardian_number,
            consent=consent,
            actor=actor,
            now=now,
        ),
        last_seen_place=(last_seen_place or "").strip(),
        last_seen_at=last_seen_at,
        opened_by=actor,
        opened_at=now,
    )
    case.full_clean(exclude=["photo", "call", "opened_by", "consent_by"])
    _set_photo(case, photo)
    _embed(case)
    case.save()
    service = handoff_service()
    note = ""
    if service is not None:
        case.handoff = referral_services.referral_create(
            call=call,
            service=service,
            reason=_("Missing person (safety case #%(id)s): %(description)s")
            % {"id": case.pk, "description": describe(case, language="ko")},
            consent=True,
            actor=actor,
            priority=Referral.Priority.URGENT,
            contact_number=case.guardian_number,
            incident_number=incident_number,
            request=request,
        )
        case.save(update_fields=["handoff"])
    else:
        note = _("No emergency service to hand the report to (SAFETY_HANDOFF_SERVICE): call 112 yourself.")
        logger.warning(
            "safety: case %s opened without a hand-off: no active emergency service %r",
            case.pk,
            settings.SAFETY_HANDOFF_SERVICE,
        )
    _event(case, actor=actor, to_status=Status.OPEN, note=note)
    # The agent who took the report needs no alert of it (their banner never shows).
    Acknowledgement.objects.create(case=case, user=actor, status=Status.OPEN, at=now)
    access_log_record(
        user=actor,
        action=AccessLog.Action.CREATE,
        subject=case.subject,
        target=f"call:{call.pk}",
        request=request,
        reason="missing-person report; guardian consented",
    )
    _publish(case, "safety.case_opened")
    return case


@transaction.atomic
def case_transition(*, case: Case, actor: AbstractBaseUser, to: str, note: str = "") -> Case:
    """Move a case along the transition table (models.TRANSITIONS): found, closed, cancelled.

    ValidationError for an unknown status, IllegalTransition (409) for a move the
    table forbids. Side effects: the status (and `closed_at`), one event row,
    `safety.case_updated` (found: the banner comes back for everybody who
    acknowledged the open case, but for `actor`, whose acknowledgement of the
    new status is recorded) or `safety.case_closed` (closed, cancelled: every
    banner and strip clears).
    """
    if to not in Status.values:
        raise ValidationError({"to": _("Unknown status “%(to)s”.") % {"to": to}})
    case = Case.objects.select_for_update().get(pk=case.pk)
    current = case.status
    if to not in TRANSITIONS[current]:
        allowed = ", ".join(str(Status(s).label) for s in sorted(TRANSITIONS[current])) or _("nothing (closed)")
        raise IllegalTransition(
            _("A case that is %(current)s cannot become %(to)s.")
            % {"current": Status(current).label, "to": Status(to).label},
            fields={"to": [_("Allowed next: %(allowed)s.") % {"allowed": allowed}]},
        )
    case.status = to
    changed = ["status", "updated_at"]
    if not TRANSITIONS[to]:
        case.closed_at = timezone.now()
        changed.append("closed_at")
    case.save(update_fields=changed)
    _event(case, actor=actor, from_status=current, to_status=to, note=(note or "").strip())
    if case.is_active:  # who says the person is found needs no banner telling them
        Acknowledgement.objects.get_or_create(case=case, user=actor, status=to)
    _publish(case, "safety.case_updated" if case.is_active else "safety.case_closed")
    return case


@transaction.atomic
def case_acknowledge(*, case: Case, user: AbstractBaseUser, status: str | None = None) -> Acknowledgement:
    """The user saw the floor's alert of the case in `status` (dismissed the banner):
    the status the banner showed, by default the case's current one. Once per user,
    case and status: the person found is new information, and its banner is
    acknowledged apart. ValidationError for a status with no banner (closed,
    cancelled, unknown). Side effects: an Acknowledgement and an `acknowledged`
    event the first time."""
    if status is None:
        status = Case.objects.values_list("status", flat=True).get(pk=case.pk)
    if status not in ACTIVE_STATUSES:
        raise ValidationError({"status": _("Only the alert of an open or found case can be acknowledged.")})
    existing = Acknowledgement.objects.filter(case=case, user=user, status=status).first()
    if existing is not None:
        return existing
    try:
        with transaction.atomic():
            ack = Acknowledgement.objects.create(case=case, user=user, status=status, at=timezone.now())
    except IntegrityError:  # the same user's other tab won
        return Acknowledgement.objects.get(case=case, user=user, status=status)
    _event(case, actor=user, kind=CaseEvent.Kind.ACKNOWLEDGED, to_status=status)
    return ack


@transaction.atomic
def sighting_link(
    *,
    case: Case,
    call: Call,
    actor: AbstractBaseUser,
    place: str,
    seen_at: datetime,
    note: str = "",
) -> Sighting:
    """Link a later caller's call to an open case as a sighting.

    The guardian gets a call back due at once (a follow-up on the case's hand-off
    referral, in the linking agent's list). Conflict (409) unless the case is
    open. Side effects: the Sighting, a `sighting` event, the FollowUp (with its
    event and `followup.due`), `safety.case_updated` (the strip's "last seen").
    """
    case = Case.objects.select_for_update().get(pk=case.pk)
    if case.status != Status.OPEN:
        raise Conflict(_("Only an open case takes sightings."), code=ErrorCode.CASE_NOT_OPEN)
    now = timezone.now()
    if seen_at and seen_at > now + timedelta(minutes=5):
        raise ValidationError({"seen_at": _("The time of the sighting cannot be in the future.")})
    sighting = Sighting(
        case=case,
        call=call,
        place=(place or "").strip(),
        seen_at=seen_at,
        note=(note or "").strip(),
        created_by=actor,
        created_at=now,
    )
    sighting.full_clean(exclude=["case", "call", "created_by"])
    sighting.save()
    stamp = timezone.localtime(seen_at).strftime("%H:%M")
    summary = _("Sighting at %(place)s (%(time)s)") % {"place": sighting.place, "time": stamp}
    if case.handoff_id is not None:
        sighting.followup = referral_services.followup_create(
            referral=case.handoff,
            actor=actor,
            agent=actor,
            due_at=now,
            reason=_("Call the guardian of safety case #%(id)s: %(summary)s") % {"id": case.pk, "summary": summary},
        )
        sighting.save(update_fields=["followup"])
    _event(case, actor=actor, kind=CaseEvent.Kind.SIGHTING, note="\n".join(p for p in [summary, sighting.note] if p))
    Case.objects.filter(pk=case.pk).update(updated_at=now)
    _publish(case, "safety.case_updated")
    return sighting


def case_identity_view(
    *, case: Case, user: AbstractBaseUser, request: HttpRequest | None = None, what: str = ""
) -> None:
    """Record that `user` saw the case's name, guardian's number or photo (PIPA). Side effect: an AccessLog row."""
    access_log_record(
        user=user, action=AccessLog.Action.VIEW, subject=case.subject, target=what or f"case:{case.pk}", request=request
    )


# --- pre-registration (사전등록) -----------------------------------------------------


def _registration_event(registration_number: int, *, actor: AbstractBaseUser | None, kind: str, note: str = "") -> None:
    RegistrationEvent.objects.create(registration_number=registration_number, actor=actor, kind=kind, note=note)


@transaction.atomic
def registration_create(
    *,
    actor: AbstractBaseUser,
    kind: str,
    guardian_number: str,
    consent: bool | None,
    name: str = "",
    age: int | None = None,
    sex: str = "unknown",
    height_cm: int | None = None,
    build: str = "",
    clothing: str = "",
    marks: str = "",
    photo: Any = None,
    review_on: date | None = None,
    request: HttpRequest | None = None,
) -> Registration:
    """Register a person at risk on their guardian's request (through an agent).

    Consent is required. `review_on` defaults to a year from now. Side effects:
    the Registration (photo checked, description embedded), a `registered`
    event, an access-log row.
    """
    now = timezone.now()
    registration = Registration(
        **_person(
            kind=kind,
            name=name,
            age=age,
            sex=sex,
            height_cm=height_cm,
            build=build,
            clothing=clothing,
            marks=marks,
            guardian_number=guardian_number,
            consent=consent,
            actor=actor,
            now=now,
        ),
        registered_by=actor,
        registered_at=now,
        renewed_at=now,
        review_on=review_on or timezone.localdate(now + REVIEW_AFTER),
    )
    if registration.review_on < timezone.localdate(now):
        raise ValidationError({"review_on": _("The review date cannot be in the past.")})
    registration.full_clean(exclude=["photo", "registered_by", "consent_by"])
    _set_photo(registration, photo)
    _embed(registration)
    registration.save()
    _registration_event(registration.pk, actor=actor, kind=RegistrationEvent.Kind.REGISTERED)
    access_log_record(
        user=actor,
        action=AccessLog.Action.CREATE,
        subject=registration.subject,
        request=request,
        reason="pre-registration; guardian consented",
    )
    return registration


@transaction.atomic
def registration_update(
    *,
    registration: Registration,
    actor: AbstractBaseUser,
    changes: dict[str, Any],
    renew: bool = False,
    request: HttpRequest | None = None,
) -> Registration:
    """Change a registration's description, guardian number, photo or review date; `renew`
    restarts its two years (the guardian confirmed it) and sets the review a year on.
    Side effects: the fields, a `changed` and/or `renewed` event, an access-log row."""
    registration = Registration.objects.select_for_update().get(pk=registration.pk)
    changed = ["updated_at"]
    for field, value in changes.items():
        if field == "photo":
            _set_photo(registration, value)
        elif field == "guardian_number":
            value = _guardian(value, True)
        elif isinstance(value, str):
            value = value.strip()
        if field != "photo":
            setattr(registration, field, value)
        changed.append(field)
    now = timezone.now()
    if renew:
        registration.renewed_at = now
        if "review_on" not in changes:
            registration.review_on = timezone.localdate(now + REVIEW_AFTER)
        changed += ["renewed_at", "review_on"]
    if "review_on" in changes and registration.review_on < timezone.localdate(now):
        raise ValidationError({"review_on": _("The review date cannot be in the past.")})
    registration.full_clean(exclude=["photo", "registered_by", "consent_by"])
    if set(changes) & {*DESCRIPTION_FIELDS}:
        _embed(registration)
        changed += ["embedding", "embedding_model"]
    registration.save(update_fields=sorted(set(changed)))
    if changes:
        _registration_event(
            registration.pk, actor=actor, kind=RegistrationEvent.Kind.CHANGED, note=", ".join(sorted(changes))
        )
    if renew:
        _registration_event(registration.pk, actor=actor, kind=RegistrationEvent.Kind.RENEWED)
    access_log_record(
        user=actor,
        action=AccessLog.Action.CHANGE,
        subject=registration.subject,
        request=request,
        reason="renewed" if renew else "",
    )
    return registration


@transaction.atomic
def registration_delete(
    *, registration: Registration, actor: AbstractBaseUser | None, request: HttpRequest | None = None
) -> int:
    """Delete a registration and its photo: on the guardian's request (`actor` the agent), or
    two years after its last renewal (`actor` None, from `safety_retention`). The event row
    stays, without the person's data. Side effects: the row and the photo file gone, a
    `deleted`/`expired` event, an access-log row when staff did it. Returns the old id."""
    number = registration.pk
    photo = registration.photo.name if registration.photo else ""
    registration.delete()
    if photo:
        storage = Registration._meta.get_field("photo").storage
        transaction.on_commit(lambda: storage.delete(photo))
    kind = RegistrationEvent.Kind.DELETED if actor is not None else RegistrationEvent.Kind.EXPIRED
    _registration_event(number, actor=actor, kind=kind)
    if actor is not None:
        access_log_record(
            user=actor,
            action=AccessLog.Action.DELETE,
            subject=f"safety-registration:{number}",
            request=request,
            reason="deleted on the guardian's request",
        )
    return number


def registration_identity_view(
    *, registration: Registration, user: AbstractBaseUser, request: HttpRequest | None = None, what: str = ""
) -> None:
    """Record a view of a registered person's name, guardian's number or photo. Side effect: an AccessLog row."""
    access_log_record(
        user=user,
        action=AccessLog.Action.VIEW,
        subject=registration.subject,
        target=what or f"registration:{registration.pk}",
        request=request,
    )


# --- retention ------------------------------------------------------------------------


@transaction.atomic
def case_pseudonymize(*, case: Case) -> Case:
    """Remove what identifies the person from a closed case: name, guardian's number,
    photo, clothing and marks, the free text of its sightings and history; kind, age,
    sex, height, build, places and times stay (the centre's statistics). The hand-off
    referral's contact goes too. Side effects: those fields blanked, the photo file
    deleted, a `pseudonymized` event."""
    case = Case.objects.select_for_update().get(pk=case.pk)
    if case.is_active:
        raise Conflict(_("An open case cannot be pseudonymized."), code=ErrorCode.CASE_ACTIVE)
    photo = case.photo.name if case.photo else ""
    case.name = case.guardian_number = case.clothing = case.marks = ""
    case.photo = ""
    case.embedding, case.embedding_model = None, ""
    case.pseudonymized_at = timezone.now()
    case.save(
        update_fields=[
            "name",
            "guardian_number",
            "clothing",
            "marks",
            "photo",
            "embedding",
            "embedding_model",
            "pseudonymized_at",
            "updated_at",
        ]
    )
    case.sightings.update(note="")
    case.events.update(note="")
    if case.handoff_id is not None:
        Referral.objects.filter(pk=case.handoff_id).update(
            contact_number="", reason=_("Missing person (pseudonymized)")
        )
    if photo:
        storage = Case._meta.get_field("photo").storage
        transaction.on_commit(lambda: storage.delete(photo))
    _event(case, actor=None, kind=CaseEvent.Kind.PSEUDONYMIZED)
    return case


def retention_run(*, now: datetime | None = None, dry_run: bool = False) -> dict[str, list[int]]:
    """Apply the retention rules once: closed cases older than SAFETY_RETENTION_DAYS are
    pseudonymized; registrations not renewed for two years are deleted. Returns the ids
    concerned (nothing changes with `dry_run`)."""
    now = now or timezone.now()
    due_cases = list(
        Case.objects.filter(
            status__in=[Status.CLOSED, Status.CANCELLED],
            closed_at__lt=now - timedelta(days=settings.SAFETY_RETENTION_DAYS),
            pseudonymized_at__isnull=True,
        ).values_list("pk", flat=True)
    )
    expired = list(Registration.objects.filter(renewed_at__lt=now - REGISTRATION_KEPT).values_list("pk", flat=True))
    if not dry_run:
        for pk in due_cases:
            case_pseudonymize(case=Case(pk=pk))
        for registration in Registration.objects.filter(pk__in=expired):
            registration_delete(registration=registration, actor=None)
    return {"pseudonymized_cases": due_cases, "deleted_registrations": expired}
