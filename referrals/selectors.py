"""Reads for services, referrals and follow-ups.

Every list puts urgent and vulnerable cases first (`pressing_first`).
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.contrib.auth.models import AbstractBaseUser
from django.db.models import Case, IntegerField, Max, Q, QuerySet, Value, When
from django.utils import timezone

from callcenter import permissions
from referrals.models import OPEN_STATUSES, FollowUp, Referral, Service, Status

PRESSING = Q(priority=Referral.Priority.URGENT) | Q(vulnerable=True)


def service_list(*, active_only: bool = True) -> QuerySet[Service]:
    services = Service.objects.all()
    return services.filter(is_active=True) if active_only else services


def service_open311_list() -> QuerySet[Service]:
    return Service.objects.filter(is_active=True, open311_published=True).exclude(service_code=None)


def service_get_by_code(*, service_code: str) -> Service | None:
    return service_open311_list().filter(service_code=service_code).first()


def services_changed_at() -> datetime | None:
    """When the services directory last changed (a service added, edited,
    published or withdrawn), or None when it is empty."""
    return Service.objects.aggregate(latest=Max("updated_at"))["latest"]


def pressing_first(*, referrals: QuerySet[Referral]) -> QuerySet[Referral]:
    rank = Case(When(PRESSING, then=Value(0)), default=Value(1), output_field=IntegerField())
    return referrals.annotate(rank=rank).order_by("rank", "-created_at", "-id")


def _with_relations(referrals: QuerySet[Referral]) -> QuerySet[Referral]:
    # Only what a list row shows: joining calls and follow-ups for every open
    # referral before the sort made the desk's list several times slower (bench/referral_api.py).
    return referrals.select_related("service", "created_by", "consent_by")


def referrals_visible(*, user: AbstractBaseUser) -> QuerySet[Referral]:
    """Staff see every referral; a partner desk only its services' ones."""
    referrals = Referral.objects.all()
    if not permissions.can_use_console(user):
        referrals = referrals.filter(service_id__in=permissions.partner_service_ids(user))
    return referrals


def referral_list(
    *,
    user: AbstractBaseUser,
    service: str | None = None,
    status: str | None = None,
    priority: str | None = None,
    overdue: bool | None = None,
    open_only: bool = False,
) -> QuerySet[Referral]:
    referrals = referrals_visible(user=user)
    if service:
        referrals = referrals.filter(service__slug=service)
    if status:
        referrals = referrals.filter(status=status)
    if open_only:
        referrals = referrals.filter(status__in=OPEN_STATUSES)
    if priority:
        referrals = referrals.filter(priority=priority)
    if overdue is not None:
        late = Q(status=Status.NEW, accept_due_at__lt=timezone.now())
        referrals = referrals.filter(late) if overdue else referrals.exclude(late)
    return pressing_first(referrals=_with_relations(referrals))


def referral_get(*, user: AbstractBaseUser, pk: int) -> Referral:
    """The referral if the user may see it; Referral.DoesNotExist otherwise (a 404)."""
    return _with_relations(referrals_visible(user=user)).select_related("call").get(pk=pk)


def urgent_referrals_for_wallboard() -> list[Referral]:
    """What the wallboard's "urgent open" tile starts from: pressing referrals still open,
    and emergency hand-offs (warm transfers) of the last hour."""
    handoffs = Q(status=Status.TRANSFERRED, created_at__gte=timezone.now() - timedelta(hours=1))
    referrals = Referral.objects.filter(PRESSING).filter(Q(status__in=OPEN_STATUSES) | handoffs)
    return list(referrals.select_related("service").order_by("-created_at", "-id")[:50])


def referral_history(*, referral: Referral) -> QuerySet:
    return referral.events.select_related("actor").order_by("at", "id")


def acceptances_overdue() -> QuerySet[Referral]:
    return referral_list_all().filter(status=Status.NEW, accept_due_at__lt=timezone.now())


def referral_list_all() -> QuerySet[Referral]:
    return pressing_first(referrals=_with_relations(Referral.objects.all()))


def followup_list(
    *,
    due: bool | None = None,
    overdue: bool | None = None,
    agent: str | None = None,
) -> QuerySet[FollowUp]:
    followups = FollowUp.objects.select_related("referral__service", "agent", "closed_by")
    if due is not None:
        followups = followups.filter(status=FollowUp.Status.DUE if due else FollowUp.Status.CLOSED)
    if overdue is not None:
        late = Q(status=FollowUp.Status.DUE, due_at__lt=timezone.now())
        followups = followups.filter(late) if overdue else followups.exclude(late)
    if agent:
        followups = followups.filter(agent__username=agent)
    rank = Case(
        When(Q(referral__priority=Referral.Priority.URGENT) | Q(referral__vulnerable=True), then=Value(0)),
        default=Value(1),
        output_field=IntegerField(),
    )
    return followups.annotate(rank=rank).order_by("rank", "due_at", "id")


def followups_overdue() -> QuerySet[FollowUp]:
    return followup_list(overdue=True)


def followup_get(*, pk: int) -> FollowUp:
    return FollowUp.objects.select_related("referral__service", "agent").get(pk=pk)


def open311_request_list(
    *,
    ids: list[int] | None = None,
    service_codes: list[str] | None = None,
    start: datetime | None = None,
    end: datetime | None = None,
    statuses: list[str] | None = None,
    limit: int = 1000,
) -> QuerySet[Referral]:
    """Service requests as Open311 shows them: only those that came in through
    Open311 (a referral from a call holds a caller's private case and is never public)."""
    requests = Referral.objects.filter(source=Referral.Source.OPEN311).select_related("service")
    if ids:
        requests = requests.filter(pk__in=ids)
    if service_codes:
        requests = requests.filter(service__service_code__in=service_codes)
    if start:
        requests = requests.filter(created_at__gte=start)
    if end:
        requests = requests.filter(created_at__lte=end)
    if statuses:
        wanted = Q(pk__in=[])
        if "open" in statuses:
            wanted |= Q(status__in=OPEN_STATUSES)
        if "closed" in statuses:
            wanted |= ~Q(status__in=OPEN_STATUSES)
        requests = requests.filter(wanted)
    return requests.order_by("-created_at", "-id")[:limit]


def open311_request_by_token(*, token: str) -> Referral | None:
    return Referral.objects.filter(source=Referral.Source.OPEN311, token=token).first()


def referrals_of_call(*, call_id: int) -> QuerySet[Referral]:
    """The referrals made from one call, oldest first (the call's page)."""
    return Referral.objects.filter(call_id=call_id).select_related("service", "created_by").order_by("created_at", "id")
