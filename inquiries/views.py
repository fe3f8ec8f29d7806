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
            "number_statuses": Call.NumberStatus.choices,
            "resolutions": Call.Resolution.choices,
            "vulnerable_choices": Call.Vulnerable.choices,
            "calls_today": selectors.calls_today(agent=request.user),
        },
    )


@permissions.page_requires(permissions.can_view_wallboard)
def wallboard(request):
    """The live wallboard for supervisors (a big screen across the room)."""
    from inquiries import stats

    return render(request, "inquiries/wallboard.html", {"targets": stats.targets()})
