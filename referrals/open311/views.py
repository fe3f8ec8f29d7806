"""Open311 GeoReport v2 under /open311/v2/, mapped onto services and referrals.

Mapping (docs/referrals.md): a published Service is an Open311 service
(service_code, keywords, group); a `POST requests` creates a Referral with no
call (source "open311"); status new/accepted/scheduled is "open", completed/
declined/cancelled "closed"; the referral's status events are the `notes`
history (the Extensions page's `type`, `description`, `datetime`).
Only requests that came in through Open311 are listed: a referral made from a
call is a caller's private case.

Every resource answers GET and HEAD (and `requests` POST); another method is
405 in the spec's error format, as is every error here. Text is refused on
input when XML could not carry it (control characters; the writer replaces
any that are stored anyway), error messages never quote what was sent, and
names come in the requested language (Accept-Language or `?locale=`).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import timedelta
from functools import wraps
from typing import Any

from django.conf import settings
from django.core.exceptions import RequestDataTooBig, ValidationError
from django.core.validators import validate_email
from django.db.models import Prefetch
from django.http import HttpRequest, HttpResponse, QueryDict
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt

from callcenter.inputs import parse_datetime, parse_id
from callcenter.throttling import Open311KeyThrottle, Open311PostThrottle, throttled
from referrals import selectors, services
from referrals.models import (
    OPEN_STATUSES,
    PHONE_TEXT_MAX_LENGTH,
    REASON_MAX_LENGTH,
    Open311ApiKey,
    Referral,
    ReferralEvent,
    Service,
    Status,
)
from referrals.open311.render import errors, errors_for_path, iso, respond

SPECIFICATION = "http://wiki.open311.org/GeoReport_v2"
#: the changeset of an empty directory
EMPTY_CHANGESET = "2026-11-29T00:00:00+09:00"
DEFAULT_WINDOW_DAYS = 90
MAX_RESULTS = 1000
#: characters refused in any parameter: what XML 1.0 cannot carry (C0 controls
#: but tab, line feed and carriage return; U+FFFE, U+FFFF; lone surrogates), DEL
#: and the C1 controls (which the writer replaces too: render.xml_text)
_REFUSED = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")
_PARAMETER_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_\[\]]{0,40}$")
#: Notes' `type` per referral status (the Extensions page's example: submitted, opened, ...)
NOTE_TYPES = {
    Status.NEW: "submitted",
    Status.ACCEPTED: "accepted",
    Status.SCHEDULED: "scheduled",
    Status.COMPLETED: "closed",
    Status.DECLINED: "declined",
    Status.CANCELLED: "cancelled",
}


# --- the resources' common door ------------------------------------------------------------
def _text_problems(params: QueryDict) -> list[str]:
    """Which parameters hold a character XML cannot carry (named, never quoted)."""
    problems = []
    for key, values in params.lists():
        if _REFUSED.search(key) or any(_REFUSED.search(value) for value in values):
            name = key if _PARAMETER_NAME.match(key) else _("a parameter name")
            problems.append(
                _("%(name)s contains a control character or another character XML cannot carry; remove it.")
                % {"name": name}
            )
    return problems


def _locale(request: HttpRequest) -> str:
    """The language asked for with `?locale=` (ko, en), else the request's (Accept-Language)."""
    asked = request.GET.get("locale", "").strip().lower().replace("_", "-")
    known = {code for code, _name in settings.LANGUAGES}
    for candidate in (asked, asked.split("-")[0]):
        if candidate in known:
            return candidate
    return translation.get_language() or settings.LANGUAGE_CODE


def open311(*methods: str) -> Callable:
    """An Open311 resource answering `methods` (GET brings HEAD).

    In the spec's error format: another method is 405 (with Allow), a body over
    DATA_UPLOAD_MAX_MEMORY_SIZE 413, a parameter with a control character 400.
    A HEAD is the GET's answer without its body.
    """
    allowed = {*methods, "HEAD"} if "GET" in methods else set(methods)
    allow_header = ", ".join(sorted(allowed))

    def decorator(view: Callable) -> Callable:
        @csrf_exempt
        @wraps(view)
        def resource(request: HttpRequest, *args: Any, fmt: str, **kwargs: Any) -> HttpResponse:
            if request.method not in allowed:
                response = errors(fmt, 405, _("This resource answers %(methods)s only.") % {"methods": allow_header})
                response["Allow"] = allow_header
                return response
            sources = [request.GET]
            if request.method == "POST":
                # by its length first: a body that an earlier reader (the edge's sanitiser)
                # found too big parses as empty afterwards
                length = request.META.get("CONTENT_LENGTH") or "0"
                too_big = length.isdigit() and int(length) > settings.DATA_UPLOAD_MAX_MEMORY_SIZE
                if not too_big:
                    try:
                        sources.append(request.POST)
                    except RequestDataTooBig:  # no length given (chunked), counted while reading
                        too_big = True
                if too_big:
                    return errors(fmt, 413, _("The request body is larger than 1 MB."))
            problems = [problem for params in sources for problem in _text_problems(params)]
            if problems:
                return errors(fmt, 400, *problems)
            with translation.override(_locale(request)):
                response = view(request, *args, fmt=fmt, **kwargs)
            if request.method == "HEAD":
                length = len(response.content)
                response.content = b""
                response["Content-Length"] = str(length)
            return response

        return resource

    return decorator


# --- bodies -----------------------------------------------------------------------------------
def _or_none(value: Any) -> Any:
    """An absent value is null (JSON) / an empty element (XML), never an empty string."""
    return value if value not in ("", None) else None


def _service(service: Service) -> dict[str, Any]:
    return {
        "service_code": service.service_code,
        "service_name": service.name,
        "description": _or_none(service.description) or service.name,
        "metadata": False,  # no extra attributes: services/{code} lists none
        "type": "realtime",
        "keywords": _or_none(service.keywords),
        "group": _or_none(service.group),
    }


def _status(referral: Referral) -> str:
    return "open" if referral.status in OPEN_STATUSES else "closed"


def _status_events(referral: Referral) -> list[ReferralEvent]:
    # follow-ups are the centre's own calls back to the citizen: not public
    return [event for event in referral.events.all() if event.kind == ReferralEvent.Kind.STATUS]


def _status_notes(referral: Referral) -> str | None:
    if referral.status == Status.COMPLETED:
        return _or_none(referral.outcome)
    if referral.status == Status.DECLINED:
        return _or_none(referral.decline_reason)
    if referral.status == Status.NEW:
        return None
    latest = [event for event in _status_events(referral) if event.to_status == referral.status]
    return _or_none(latest[-1].note) if latest else None


def _note(event: ReferralEvent) -> dict[str, Any]:
    label = str(Status(event.to_status).label) if event.to_status in Status.values else event.to_status
    return {
        "datetime": iso(event.at),
        "description": f"{label}: {event.note}" if event.note else label,
        "type": NOTE_TYPES.get(event.to_status, "activity"),
    }


def _request(referral: Referral) -> dict[str, Any]:
    service = referral.service
    return {
        "service_request_id": str(referral.pk),
        "status": _status(referral),
        "status_notes": _status_notes(referral),
        "service_name": service.name,
        "service_code": service.service_code,
        "description": referral.reason,
        "agency_responsible": service.name,
        "service_notice": None,
        "requested_datetime": iso(referral.created_at),
        "updated_datetime": iso(referral.updated_at),
        "expected_datetime": iso(referral.scheduled_for),
        "address": _or_none(referral.address_string),
        "address_id": None,
        "zipcode": None,
        "lat": referral.lat,
        "long": referral.long,
        "media_url": None,
        "notes": [_note(event) for event in _status_events(referral)],
    }


def _listed(params: QueryDict, name: str) -> list[str]:
    """A parameter declared several times, comma delimited, or both (`a,b` and `?x=a&x=b`)."""
    return [part.strip() for value in params.getlist(name) for part in value.split(",") if part.strip()]


# --- resources ----------------------------------------------------------------------------------
@open311("GET")
def discovery(request, fmt: str):
    url = request.build_absolute_uri(reverse("referrals:open311-root"))
    changed = selectors.services_changed_at()
    # to the microsecond: two changes within a second are two changesets
    changeset = timezone.localtime(changed).isoformat(timespec="microseconds") if changed else EMPTY_CHANGESET
    data = {
        "changeset": changeset,
        "contact": _("Seoul 120 Dasan Call Center, dial 120"),
        "key_service": _("API keys are issued by the 120 Dasan Call Center administrators."),
        "endpoints": [
            {
                "specification": SPECIFICATION,
                "url": url,
                "changeset": changeset,
                "type": "production",
                "formats": ["text/xml", "application/json"],
            }
        ],
    }
    return respond(fmt, data, root="discovery", item=None)


@open311("GET")
def service_list(request, fmt: str):
    return respond(fmt, [_service(s) for s in selectors.service_open311_list()], root="services", item="service")


@open311("GET")
def service_definition(request, code: str, fmt: str):
    service = selectors.service_get_by_code(service_code=code)
    if service is None:
        return errors(fmt, 404, _("No published service has this service_code."))
    return respond(fmt, {"service_code": service.service_code, "attributes": []}, root="service_definition", item=None)


def _throttled(request, fmt: str, **kwargs) -> HttpResponse:
    return errors(fmt, 429, "Too many requests: wait for the time in Retry-After and try again.")


@open311("GET", "POST")
@throttled(Open311KeyThrottle, Open311PostThrottle, refuse=_throttled)
def requests(request, fmt: str):
    if request.method == "POST":
        return _create(request, fmt)
    return _list(request, fmt)


def _with_events(referrals):
    return referrals.prefetch_related(Prefetch("events", queryset=ReferralEvent.objects.order_by("at", "id")))


def _date(params: QueryDict, name: str):
    """(the date, an error message): None for both when the parameter is absent."""
    text = params.get(name, "").strip()
    if not text:
        return None, None
    value = parse_datetime(text)  # None also for what cannot exist: month 13, offset +99:00
    if value is None:
        return None, _("%(name)s must be an ISO 8601 date and time, e.g. 2026-11-01T00:00:00+09:00") % {"name": name}
    if timezone.is_naive(value):
        value = timezone.make_aware(value)
    return value, None


def _list(request, fmt: str):
    params = request.GET
    ids_given = _listed(params, "service_request_id")
    if ids_given:  # overrides every other argument (the spec)
        ids = [parse_id(part) for part in ids_given]
        if None in ids:
            return errors(fmt, 400, _("service_request_id must be a comma-separated list of ids"))
        found = selectors.open311_request_list(ids=ids, limit=MAX_RESULTS)
        return respond(fmt, [_request(r) for r in _with_events_list(found)], root="service_requests", item="request")
    start, start_problem = _date(params, "start_date")
    end, end_problem = _date(params, "end_date")
    problems = [problem for problem in (start_problem, end_problem) if problem]
    statuses = _listed(params, "status")
    if any(status not in {"open", "closed"} for status in statuses):
        problems.append(_("status must be open, closed or both (comma separated or repeated)"))
    if problems:
        return errors(fmt, 400, *problems)
    window = timedelta(days=DEFAULT_WINDOW_DAYS)
    if start is None:  # the spec's default: the 90 days before end_date, or before now
        try:
            start = (end or timezone.now()) - window
        except OverflowError:  # an end_date in the calendar's first 90 days: nothing before it
            start = None
    found = selectors.open311_request_list(
        service_codes=_listed(params, "service_code"),
        start=start,
        end=end,
        statuses=statuses,
        limit=MAX_RESULTS,
    )
    return respond(fmt, [_request(r) for r in _with_events_list(found)], root="service_requests", item="request")


def _with_events_list(queryset) -> list[Referral]:
    ids = list(queryset.values_list("pk", flat=True))
    referrals = _with_events(Referral.objects.filter(pk__in=ids).select_related("service"))
    by_id = {r.pk: r for r in referrals}
    return [by_id[pk] for pk in ids if pk in by_id]


def _create(request, fmt: str):
    data = request.POST
    # The key in the body, or in the query string (as the open311 client library sends it)
    key_text = (data.get("api_key", "") or request.GET.get("api_key", "")).strip()
    api_key = Open311ApiKey.objects.filter(key=key_text, is_active=True).first() if key_text else None
    if api_key is None:
        # the spec's own wording, which clients may look for
        return errors(fmt, 403, "Invalid api_key received -- can't proceed with create_request.")
    code = data.get("service_code", "").strip()
    if not code:
        return errors(fmt, 400, _("service_code is required"))
    service = selectors.service_get_by_code(service_code=code)
    if service is None:
        return errors(fmt, 404, _("No published service has this service_code."))
    problems: list[str] = []
    lat = long = None
    lat_text, long_text = data.get("lat", "").strip(), data.get("long", "").strip()
    address = data.get("address_string", "").strip()
    address_id = data.get("address_id", "").strip()
    if lat_text or long_text:
        try:
            lat, long = float(lat_text), float(long_text)
        except ValueError:
            problems.append(_("lat and long must both be given as WGS-84 decimal degrees"))
        else:
            if not (-90 <= lat <= 90 and -180 <= long <= 180):
                problems.append(_("lat must be within -90..90 and long within -180..180"))
    elif not address and not address_id:
        problems.append(_("a location is required: lat and long, address_string or address_id"))
    if address_id and not address:
        address = address_id
    description = data.get("description", "")
    if len(description) > REASON_MAX_LENGTH:
        problems.append(_("description must be at most %(limit)s characters") % {"limit": REASON_MAX_LENGTH})
    email = data.get("email", "").strip()
    if email:
        try:
            validate_email(email)
        except ValidationError:
            problems.append(_("email is not a valid e-mail address"))
    phone = data.get("phone", "").strip()  # free text (the spec), kept as typed unless it is a number we know
    if len(phone) > PHONE_TEXT_MAX_LENGTH:
        problems.append(_("phone must be at most %(limit)s characters") % {"limit": PHONE_TEXT_MAX_LENGTH})
    if problems:
        return errors(fmt, 400, *problems)
    try:
        referral = services.referral_create_from_open311(
            service=service,
            api_key=api_key,
            description=description,
            address_string=address[:300],
            lat=lat,
            long=long,
            first_name=data.get("first_name", "")[:60],
            last_name=data.get("last_name", "")[:60],
            email=email,
            phone=phone,
        )
    except ValidationError as exc:
        return errors(fmt, 400, *[f"{field}: {' '.join(messages)}" for field, messages in exc.message_dict.items()])
    # A realtime service: the id at once, so no token (the spec: one or the other, never both)
    body = [
        {
            "service_request_id": str(referral.pk),
            "service_notice": _service_notice(referral),
            "account_id": None,
        }
    ]
    return respond(fmt, body, root="service_requests", item="request", status=201)


def _service_notice(referral: Referral) -> str:
    due = timezone.localtime(referral.accept_due_at).strftime("%Y-%m-%d %H:%M")
    return _("%(service)s will take up the request by %(due)s.") % {"service": referral.service.name, "due": due}


@open311("GET")
def request_detail(request, request_id: str, fmt: str):
    referral = None
    pk = parse_id(request_id)
    if pk is not None:
        found = selectors.open311_request_list(ids=[pk], start=None, limit=1)
        listed = _with_events_list(found)
        referral = listed[0] if listed else None
    if referral is None:
        return errors(fmt, 404, _("No service request has this service_request_id."))
    return respond(fmt, [_request(referral)], root="service_requests", item="request")


@open311("GET")
def token(request, token: str, fmt: str):
    referral = None
    try:
        referral = selectors.open311_request_by_token(token=token)
    except ValidationError:  # not a UUID
        referral = None
    if referral is None:
        return errors(fmt, 404, _("No service request has this token."))
    return respond(
        fmt,
        [{"service_request_id": str(referral.pk), "token": str(referral.token)}],
        root="service_requests",
        item="request",
    )


@csrf_exempt
def not_found(request, rest: str = ""):
    return errors_for_path(
        rest, 404, _("Not found. Resources end in .json or .xml: discovery, services, requests, tokens.")
    )
