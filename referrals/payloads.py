"""Realtime groups and payloads of referrals (published by referrals.services only).

Payloads are the same for every receiver and every UI language (both names of
the service, status as a code), and carry the contact number masked: a
broadcast cannot write the per-user access log that an unmasked view needs.
"""

from __future__ import annotations

from typing import Any

from django.utils import timezone

from referrals.models import TRANSITIONS, FollowUp, Referral

CENTRE_GROUP = "referrals.centre"  # the centre's staff (console, supervisors)
WALLBOARD_GROUP = "wallboard"  # the supervisors' wallboard (owned by floor)
REASON_PREVIEW = 140


def service_group(service_id: int) -> str:
    return f"referrals.service.{service_id}"


def referral_payload(referral: Referral) -> dict[str, Any]:
    service = referral.service
    return {
        "id": referral.pk,
        "source": referral.source,
        "call": referral.call_id,
        "service": service.slug,
        "service_name_ko": service.name_ko,
        "service_name_en": service.name_en or service.name_ko,
        "status": referral.status,
        "next": sorted(TRANSITIONS[referral.status]),
        "priority": referral.priority,
        "vulnerable": referral.vulnerable,
        "pressing": referral.pressing,
        "reason": referral.reason,
        "callback_preference": referral.callback_preference,
        "consent": referral.consent,
        "contact_number": referral.contact_masked,
        "created_at": referral.created_at,
        "updated_at": referral.updated_at,
        "accept_due_at": referral.accept_due_at,
        "acceptance_overdue": referral.acceptance_overdue,
        "scheduled_for": referral.scheduled_for,
        "outcome": referral.outcome,
        "decline_reason": referral.decline_reason,
        "closed_at": referral.closed_at,
        "transferred_at": referral.transferred_at,
        "transferred_to": referral.transferred_to,
        "incident_number": referral.incident_number,
    }


def urgent_payload(referral: Referral) -> dict[str, Any]:
    """What the wallboard shows: no contact details, the reason shortened."""
    reason = referral.reason if len(referral.reason) <= REASON_PREVIEW else referral.reason[: REASON_PREVIEW - 1] + "…"
    service = referral.service
    return {
        "id": referral.pk,
        "service": service.slug,
        "service_name_ko": service.name_ko,
        "service_name_en": service.name_en or service.name_ko,
        "status": referral.status,
        "priority": referral.priority,
        "vulnerable": referral.vulnerable,
        "reason": reason,
        "created_at": referral.created_at,
        "accept_due_at": referral.accept_due_at,
    }


def followup_payload(followup: FollowUp) -> dict[str, Any]:
    referral = followup.referral
    return {
        "id": followup.pk,
        "referral": referral.pk,
        "service": referral.service.slug,
        "service_name_ko": referral.service.name_ko,
        "service_name_en": referral.service.name_en or referral.service.name_ko,
        "agent": followup.agent.get_username() if followup.agent else None,
        "status": followup.status,
        "due_at": followup.due_at,
        "overdue": followup.status == FollowUp.Status.DUE and followup.due_at < timezone.now(),
        "reason": followup.reason,
        "outcome": followup.outcome,
        "note": followup.note,
        "referral_outcome": referral.outcome,
        "pressing": referral.pressing,
        "contact_number": referral.contact_masked,
        "callback_preference": referral.callback_preference,
        "closed_at": followup.closed_at,
    }
