import csv

from django.http import Http404, StreamingHttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _

from callcenter import permissions
from callcenter.error_codes import ErrorCode as SharedCode
from callcenter.errors import error_body, json_response
from callcenter.replica import replica_reads
from callcenter.spreadsheets import spreadsheet_text
from inquiries import selectors, services
from inquiries.api.serializers import CallListQuerySerializer
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


# --- the call record ---------------------------------------------------------------
CALLS_PER_PAGE = 50


def _call_filters(request) -> tuple[CallListQuerySerializer, dict]:
    query = CallListQuerySerializer(data=request.GET)
    return query, (query.filters() if query.is_valid() else {})


def _page_number(request) -> int:
    try:
        return max(1, min(int(request.GET.get("page", "1")), 100_000))
    except ValueError:
        return 1


@permissions.page_requires(permissions.can_use_console)
def call_record(request):
    """The call record: agents see their own calls, supervisors and admins all;
    filters, pages of 50 (no count of every match: it would read them all), keyboard."""
    query, filters = _call_filters(request)
    page = _page_number(request)
    rows = []
    if not query.errors:
        start = (page - 1) * CALLS_PER_PAGE
        rows = list(selectors.call_list(user=request.user, **filters)[start : start + CALLS_PER_PAGE + 1])
    has_next = len(rows) > CALLS_PER_PAGE
    rows = rows[:CALLS_PER_PAGE]
    params = request.GET.copy()
    params.pop("page", None)
    sees_all = permissions.can_oversee(request.user)
    return render(
        request,
        "inquiries/calls.html",
        {
            "calls": rows,
            "errors": query.errors,
            "values": request.GET,
            "page": page,
            "first_row": (page - 1) * CALLS_PER_PAGE + 1,
            "last_row": (page - 1) * CALLS_PER_PAGE + len(rows),
            "has_next": has_next,
            "query": params.urlencode(),
            "sees_all": sees_all,
            "agents": selectors.agent_list() if sees_all else [],
            "categories": category_list(),
            "resolutions": Call.Resolution.choices,
            "channels": Call.Channel.choices,
            "languages": Language.choices,
            "urgent_choices": CallListQuerySerializer.URGENT_CHOICES,
            "flagged_choices": CallListQuerySerializer.FLAGGED_CHOICES,
            "can_export": permissions.can_oversee(request.user),
        },
        status=400 if query.errors else 200,
    )


def _viewable_call(request, pk: int) -> Call:
    try:
        call = selectors.call_get(pk=pk)
    except Call.DoesNotExist as exc:
        raise Http404 from exc
    if not permissions.can_view_call(request.user, call):
        raise Http404  # someone else's call does not exist for this agent
    return call


@permissions.page_requires(permissions.can_use_console)
def call_detail(request, pk: int):
    """One call: its details, the number (the full one logged), its whole history,
    the FAQ entries used, the phone system's events, what other apps add to the
    page (referrals: callcenter.extensions, place "call-detail"), and the
    correction form while the user may correct it."""
    call = _viewable_call(request, pk)
    unmasked = call.has_number and request.GET.get("unmask") == "1"
    if unmasked:
        services.call_number_reveal(call=call, user=request.user, request=request)
    can_correct = permissions.can_change_call(request.user, call)
    closes_at = call.correction_closes_at()
    return render(
        request,
        "inquiries/call_detail.html",
        {
            "call": call,
            "unmasked": unmasked,
            "history": selectors.call_history(call=call),
            "faq_entries": list(call.faq_entries.all()),
            "phone_events": list(selectors.call_phone_events(call=call)),
            "abuse_flags": list(selectors.call_abuse_flags(call=call)),
            "can_correct": can_correct,
            "closes_at": closes_at,
            "window_closed_message": "" if can_correct else selectors.correction_closed_message(call=call),
            "supervisor_correcting": permissions.can_oversee(request.user),
            "categories": category_list(),
            "resolutions": Call.Resolution.choices,
            "channels": Call.Channel.choices,
            "languages": Language.choices,
            "vulnerable_choices": Call.Vulnerable.choices,
        },
    )


@permissions.page_requires(permissions.can_oversee)
def call_export_csv(request):
    """GET /calls/export.csv with the list's filters: every matching call, numbers
    masked, written to the access log; cells that a spreadsheet would run as a
    formula start with an apostrophe."""
    query, filters = _call_filters(request)
    if query.errors:
        # the shared error shape, as the reports' export answers (nothing exported, nothing logged)
        fields = {name: [str(message) for message in messages] for name, messages in query.errors.items()}
        return json_response(error_body(SharedCode.INVALID, _("Some filters are not valid."), fields), status=400)
    services.call_list_export_record(user=request.user, filters=request.GET.urlencode(), request=request)
    calls = selectors.call_list(user=request.user, **filters).prefetch_related(None)
    header = [
        _("Call"),
        _("Started"),
        _("Ended"),
        _("Length (mm:ss)"),
        _("Agent"),
        _("Caller number"),
        _("Category"),
        _("Resolution"),
        _("Channel"),
        _("Language"),
        _("Urgent"),
        _("Vulnerable caller"),
        _("Satisfaction"),
        _("Summary"),
        _("Notes"),
    ]

    def rows():
        writer = csv.writer(_Echo())
        yield "\ufeff" + writer.writerow([str(name) for name in header])  # the BOM: spreadsheets read it as UTF-8
        # the report read goes to the read replica when there is one (callcenter/replica.py);
        # entered here, not in the view: a streaming response runs its generator later
        with replica_reads():
            for call in calls.iterator(chunk_size=2000):
                yield writer.writerow(
                    [
                        spreadsheet_text(value)
                        for value in (
                            call.pk,
                            timezone.localtime(call.started_at).strftime("%Y-%m-%d %H:%M:%S"),
                            timezone.localtime(call.ended_at).strftime("%Y-%m-%d %H:%M:%S") if call.ended_at else "",
                            call.duration_text,
                            call.agent.get_username(),
                            call.masked_number,
                            call.category.name,
                            call.get_resolution_display(),
                            call.get_channel_display(),
                            call.get_language_display(),
                            _("Yes") if call.urgent else "",
                            call.get_vulnerable_display() if call.vulnerable else "",
                            call.satisfaction,
                            call.summary,
                            call.notes,
                        )
                    ]
                )

    response = StreamingHttpResponse(rows(), content_type="text/csv; charset=utf-8")
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    response["Content-Disposition"] = f'attachment; filename="calls-{stamp}.csv"'
    return response


class _Echo:
    """A file-like object whose write returns the line (Django's streaming CSV recipe)."""

    def write(self, value: str) -> str:
        return value
