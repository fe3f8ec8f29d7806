"""Reads of the safety app."""

from __future__ import annotations

from collections.abc import Iterable

from django.contrib.auth.models import AbstractBaseUser
from django.db.models import F, QuerySet

from safety import search
from safety.models import ACTIVE_STATUSES, Acknowledgement, Case, Registration, Sighting, Status


def case_list(*, status: str | None = None) -> QuerySet[Case]:
    cases = Case.objects.select_related("opened_by")
    return cases.filter(status=status) if status else cases


def case_list_active() -> QuerySet[Case]:
    """Open cases and found persons not yet closed: what the floor's banners and strips show."""
    return case_list().filter(status__in=ACTIVE_STATUSES).order_by("-opened_at", "-id")


def case_get(*, pk: int) -> Case:
    return Case.objects.select_related("opened_by", "call", "handoff").get(pk=pk)


def cases_of_call(*, call_id: int) -> QuerySet[Case]:
    """The cases reported on a call, oldest first."""
    return case_list().filter(call_id=call_id).order_by("opened_at", "id")


def sightings_of_call(*, call_id: int) -> QuerySet[Sighting]:
    """The sightings a call brought, oldest first."""
    return Sighting.objects.select_related("case", "followup").filter(call_id=call_id).order_by("created_at", "id")


def case_history(*, case: Case) -> QuerySet:
    return case.events.select_related("actor").order_by("at", "id")


def case_sightings(*, case: Case) -> QuerySet:
    return case.sightings.select_related("created_by", "followup").order_by("-seen_at", "-id")


def case_ids_acknowledged(*, user: AbstractBaseUser, case_ids: Iterable[int]) -> set[int]:
    """The cases whose alert the user acknowledged in the status they are in now (a case
    found after the user acknowledged it open is not among them: its banner is new)."""
    acks = Acknowledgement.objects.filter(user=user, case_id__in=list(case_ids), status=F("case__status"))
    return set(acks.values_list("case_id", flat=True))


def case_acknowledgements(*, case: Case) -> QuerySet[Acknowledgement]:
    return case.acknowledgements.select_related("user").order_by("at", "id")


def registration_list() -> QuerySet[Registration]:
    return Registration.objects.select_related("registered_by")


def registration_get(*, pk: int) -> Registration:
    return Registration.objects.select_related("registered_by").get(pk=pk)


def sighting_candidates_search(*, query: str, limit: int = 20) -> list[search.Hit]:
    """Open cases and registered persons whose description fits a caller's words, best first."""
    cases = list(Case.objects.filter(status=Status.OPEN))
    registrations = list(Registration.objects.all())
    return search.sighting_search(query=query, cases=cases, registrations=registrations, limit=limit)
