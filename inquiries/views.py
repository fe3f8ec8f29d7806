from django.shortcuts import render

from callcenter import permissions
from inquiries import selectors
from inquiries.models import Call, Language
from knowledgebase.selectors import category_list


@permissions.page_requires(permissions.can_use_console)
def console(request):
    """The agent console: log a call with the keyboard, see the caller's history."""
    return render(
        request,
        "inquiries/console.html",
        {
            "categories": category_list(),
            "languages": Language.choices,
            "channels": Call.Channel.choices,
            "resolutions": Call.Resolution.choices,
            "vulnerable_choices": Call.Vulnerable.choices,
            "calls_today": selectors.calls_today(agent=request.user),
            **_protection_context(),
        },
    )


def _protection_context() -> dict:
    """The abusive-call panel's kinds and their warning scripts (Korean and English)."""
    from inquiries.protection_models import WARNING_SCRIPTS, AbuseFlag

    return {"abuse_kinds": [(kind, label, WARNING_SCRIPTS[kind]) for kind, label in AbuseFlag.Kind.choices]}


@permissions.page_requires(permissions.can_view_wallboard)
def wallboard(request):
    """The live wallboard for supervisors (a big screen across the room)."""
    from inquiries import stats

    return render(request, "inquiries/wallboard.html", {"targets": stats.targets()})


@permissions.page_requires(permissions.can_block_callers)
def abuse_flags(request):
    """Supervisors review abusive-call flags and block numbers (agent protection)."""
    from django.core.paginator import Paginator

    from inquiries import protection_selectors
    from inquiries.protection_models import AbuseFlag

    kind = request.GET.get("kind") or ""
    if kind not in AbuseFlag.Kind.values:
        kind = ""
    flags = Paginator(protection_selectors.abuse_flag_list(kind=kind or None), 50).get_page(request.GET.get("page"))
    blocked_until = protection_selectors.caller_blocks_in_force(numbers={flag.caller_number for flag in flags})
    for flag in flags:
        flag.blocked_until = blocked_until.get(flag.caller_number)
    return render(
        request,
        "inquiries/abuse_flags.html",
        {
            "flags": flags,
            "kind": kind,
            "kinds": AbuseFlag.Kind.choices,
            "blocks": protection_selectors.caller_block_list(active=True),
            "blocked_today": protection_selectors.blocked_attempts(),
        },
    )
