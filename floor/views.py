"""The floor's pages: the wallboard and the review of abusive-call flags."""

from django.core.paginator import Paginator
from django.shortcuts import render

from callcenter import permissions
from floor import protection_selectors, stats
from floor.models import AbuseFlag


@permissions.page_requires(permissions.can_view_wallboard)
def wallboard(request):
    """The live wallboard for supervisors (a big screen across the room)."""
    return render(request, "floor/wallboard.html", {"targets": stats.targets()})


@permissions.page_requires(permissions.can_block_callers)
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
