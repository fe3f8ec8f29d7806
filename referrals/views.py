from django.http import Http404
from django.shortcuts import render

from callcenter import permissions
from referrals import payloads, selectors, services
from referrals.models import TRANSITIONS, FollowUp, Referral, Status

# The order actions are offered in on the page.
ORDER = [Status.ACCEPTED, Status.SCHEDULED, Status.COMPLETED, Status.DECLINED, Status.CANCELLED]


def _desk_services(user):
    return selectors.service_list().filter(pk__in=permissions.partner_service_ids(user))


@permissions.page_requires(permissions.can_use_partner_desk)
def desk(request):
    """The partner desk: this user's services' referrals, live over /ws/referrals/."""
    referrals = selectors.referral_list(user=request.user, open_only=True)[:200]
    return render(
        request,
        "referrals/desk.html",
        {
            "services": _desk_services(request.user),
            "initial": {"referrals": [payloads.referral_payload(r) for r in referrals]},
            "recently_closed": selectors.referral_list(user=request.user)
            .exclude(status__in=[Status.NEW, Status.ACCEPTED, Status.SCHEDULED])
            .order_by("-closed_at")[:20],
        },
    )


@permissions.page_requires(permissions.can_view_referrals)
def referral_detail(request, pk: int):
    """One referral: details, contact (logged when unmasked), history, actions."""
    try:
        referral = selectors.referral_get(user=request.user, pk=pk)
    except Referral.DoesNotExist as exc:
        raise Http404 from exc
    user = request.user
    is_staff = permissions.can_use_console(user)
    has_contact = referral.has_contact
    unmasked = services.referral_contact_reveal(
        referral=referral, user=user, asked=request.GET.get("unmask") == "1", request=request
    )
    allowed = [
        status
        for status in ORDER
        if status in TRANSITIONS[referral.status]
        if permissions.can_transition_referral(user, referral, status)
    ]
    followup = referral.followup
    return render(
        request,
        "referrals/detail.html",
        {
            "referral": referral,
            "history": selectors.referral_history(referral=referral),
            "followup": followup,
            "unmasked": unmasked,
            "is_staff": is_staff,
            "can_unmask": is_staff and has_contact and not unmasked,
            "allowed": allowed,
            "can_close_followup": followup is not None
            and followup.status == FollowUp.Status.DUE
            and permissions.can_use_console(user),
            "outcomes": FollowUp.Outcome.choices,
            "back_url": "referrals:desk" if permissions.can_use_partner_desk(user) and not is_staff else None,
        },
    )


@permissions.page_requires(permissions.can_oversee)
def overview(request):
    """Supervisors: overdue acceptances and follow-ups, then every open referral."""
    service = request.GET.get("service") or None
    return render(
        request,
        "referrals/overview.html",
        {
            "acceptances_overdue": selectors.acceptances_overdue()[:100],
            "followups_overdue": selectors.followups_overdue()[:100],
            "followups_due": selectors.followup_list(due=True)[:100],
            "open_referrals": selectors.referral_list(user=request.user, open_only=True, service=service)[:200],
            "services": selectors.service_list(),
            "service": service,
        },
    )
