"""The floor's pages: the wallboard and the review of abusive-call flags."""

from django.core.paginator import Paginator
from django.shortcuts import render

from callcenter import permissions
from callcenter.workdays import operating_day
from floor import protection_selectors, roster_selectors, stats
from floor.api.roster import RosterWeekQuerySerializer, shift_data
from floor.models import AbuseFlag


@permissions.page_requires(permissions.can_oversee)
def wallboard(request):
    """The live wallboard for supervisors (a big screen across the room)."""
    return render(request, "floor/wallboard.html", {"targets": stats.targets()})


@permissions.page_requires(permissions.can_oversee)
def abuse_flags(request):
    """Supervisors review abusive-call flags and block numbers (agent protection)."""
    kind = request.GET.get("kind") or ""
    if kind not in AbuseFlag.Kind.values:
        kind = ""
    flags = Paginator(protection_selectors.abuse_flag_list(kind=kind or None), 50).get_page(request.GET.get("page"))
    blocked_until = protection_selectors.caller_blocks_in_force(numbers={flag.caller_number for flag in flags})
    for flag in flags:
        flag.blocked_until = blocked_until.get(flag.caller_number)
    return render(
        request,
        "floor/abuse_flags.html",
        {
            "flags": flags,
            "kind": kind,
            "kinds": AbuseFlag.Kind.choices,
            "blocks": protection_selectors.caller_block_list(active=True),
            "blocked_today": protection_selectors.blocked_attempts(),
        },
    )


# --- the roster ----------------------------------------------------------------------
@permissions.page_requires(permissions.can_oversee)
def roster(request):
    """The supervisors' roster: a week grid (agents × days, a shift per cell), copy
    last week, fill a range, who is signed in now; Korean public holidays shown."""
    query = RosterWeekQuerySerializer(data=request.GET)
    valid = query.is_valid()
    start = (query.validated_data.get("week") if valid else None) or operating_day()
    week = roster_selectors.roster_week(start=start)
    return render(
        request,
        "floor/roster.html",
        {
            "week": week,
            "shift_options": [(shift, shift_data(shift)) for shift in week["shifts"]],
            "errors": query.errors if not valid else {},
        },
        status=200 if valid else 400,
    )
