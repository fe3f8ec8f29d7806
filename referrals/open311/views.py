"""Open311 GeoReport v2 under /open311/v2/, mapped onto services and referrals.

Mapping (docs/referrals.md): a published Service is an Open311 service
(service_code, keywords, group); a `POST requests` creates a Referral with no
call (source "open311"); status new/accepted/scheduled is "open", completed/
declined/cancelled "closed"; the referral's events are the `notes` history.
Only requests that came in through Open311 are listed: a referral made from a
call is a caller's private case.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db.models import Prefetch
from django.http import HttpResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods

from callcenter.inputs import parse_datetime, parse_id
from callcenter.throttling import Open311KeyThrottle, Open311PostThrottle, throttled
from inquiries.phone import normalize_number
from referrals import selectors, services
from referrals.models import OPEN_STATUSES, REASON_MAX_LENGTH, Open311ApiKey, Referral, ReferralEvent, Service, Status
from referrals.open311.render import errors, iso, respond

SPECIFICATION = "http://wiki.open311.org/GeoReport_v2"
CHANGESET = "2026-11-29T00:00:00+09:00"
DEFAULT_WINDOW_DAYS = 90
MAX_RESULTS = 1000


def _service(service: Service) -> dict[str, Any]:
    return {
        "service_code": service.service_code,
        "service_name": service.name_ko,
        "description": service.description_ko or service.name_ko,
        "metadata": False,  # no extra attributes: services/{code} lists none
        "type": "realtime",
        "keywords": service.keywords,
        "group": service.group,
    }


def _status(referral: Referral) -> str:
    return "open" if referral.status in OPEN_STATUSES else "closed"


def _status_notes(referral: Referral) -> str:
    if referral.status == Status.COMPLETED:
        return referral.outcome
    if referral.status == Status.DECLINED:
        return referral.decline_reason
    if referral.status == Status.NEW:
        return ""
    latest = [
        e for e in referral.events.all() if e.kind == ReferralEvent.Kind.STATUS and e.to_status == referral.status
    ]
    return latest[-1].note if latest else ""


def _note(event: ReferralEvent) -> dict[str, Any]:
    return {
        "datetime": iso(event.at),
        "status": "open" if event.to_status in OPEN_STATUSES else "closed",
        "summary": event.to_status,
        "description": event.note,
    }


def _request(referral: Referral) -> dict[str, Any]:
    service = referral.service
    return {
        "service_request_id": str(referral.pk),
        "status": _status(referral),
        "status_notes": _status_notes(referral),
        "service_name": service.name_ko,
        "service_code": service.service_code,
        "description": referral.reason,
        "agency_responsible": service.name_ko,
        "service_notice": "",
        "requested_datetime": iso(referral.created_at),
        "updated_datetime": iso(referral.updated_at),
        "expected_datetime": iso(referral.scheduled_for),
        "address": referral.address_string,
        "address_id": "",
        "zipcode": "",
        "lat": referral.lat,
        "long": referral.long,
        "media_url": "",
        "notes": [_note(event) for event in referral.events.all() if event.kind == ReferralEvent.Kind.STATUS],
    }


@require_GET
def discovery(request, fmt: str):
    url = request.build_absolute_uri(reverse("referrals:open311-root"))
    data = {
        "changeset": CHANGESET,
        "contact": _("Seoul 120 Dasan Call Center, dial 120"),
        "key_service": _("API keys are issued by the 120 Dasan Call Center administrators."),
        "endpoints": [
            {
                "specification": SPECIFICATION,
                "url": url,
                "changeset": CHANGESET,
                "type": "production",
                "formats": ["text/xml", "application/json"],
            }
        ],
    }
    return respond(fmt, data, root="discovery", item=None)


@require_GET
def service_list(request, fmt: str):
    return respond(fmt, [_service(s) for s in selectors.service_open311_list()], root="services", item="service")


@require_GET
def service_definition(request, code: str, fmt: str):
    service = selectors.service_get_by_code(service_code=code)
    if service is None:
        return errors(fmt, 404, f"service_code {code} not found")
    return respond(fmt, {"service_code": service.service_code, "attributes": []}, root="service_definition", item=None)


def _throttled(request, fmt: str, **kwargs) -> HttpResponse:
    return errors(fmt, 429, "Too many requests: wait for the time in Retry-After and try again.")


@csrf_exempt
@require_http_methods(["GET", "POST"])
@throttled(Open311KeyThrottle, Open311PostThrottle, refuse=_throttled)
def requests(request, fmt: str):
    if request.method == "POST":
        return _create(request, fmt)
    return _list(request, fmt)


def _with_events(referrals):
    return referrals.prefetch_related(Prefetch("events", queryset=ReferralEvent.objects.order_by("at", "id")))


def _list(request, fmt: str):
    params = request.GET
    ids_text = params.get("service_request_id", "").strip()
    if ids_text:
        ids = [parse_id(part) for part in ids_text.split(",") if part.strip()]
        if None in ids:
            return errors(fmt, 400, "service_request_id must be a comma-separated list of ids")
        found = selectors.open311_request_list(ids=ids, limit=MAX_RESULTS)
        return respond(fmt, [_request(r) for r in _with_events_list(found)], root="service_requests", item="request")
    start = end = None
    for name in ("start_date", "end_date"):
        text = params.get(name, "").strip()
        if not text:
            continue
        value = parse_datetime(text)
        if value is None:
            return errors(fmt, 400, f"{name} must be an ISO 8601 date and time, e.g. 2026-11-01T00:00:00+09:00")
        if timezone.is_naive(value):
            value = timezone.make_aware(value)
        if name == "start_date":
            start = value
        else:
            end = value
    if start is None and end is None:
        start = timezone.now() - timedelta(days=DEFAULT_WINDOW_DAYS)
    statuses = [part.strip() for part in params.get("status", "").split(",") if part.strip()]
    if any(status not in {"open", "closed"} for status in statuses):
        return errors(fmt, 400, "status must be open, closed or both (comma separated)")
    found = selectors.open311_request_list(
        service_code=params.get("service_code", "").strip() or None,
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
    key_text = data.get("api_key", "").strip()
    api_key = Open311ApiKey.objects.filter(key=key_text, is_active=True).first() if key_text else None
    if api_key is None:
        return errors(fmt, 403, "Invalid api_key received -- can't proceed with create_request.")
    problems: list[str] = []
    code = data.get("service_code", "").strip()
    service = None
    if not code:
        problems.append("service_code is required")
    else:
        service = selectors.service_get_by_code(service_code=code)
        if service is None:
            problems.append(f"service_code {code} not found")
    lat = long = None
    lat_text, long_text = data.get("lat", "").strip(), data.get("long", "").strip()
    address = data.get("address_string", "").strip()
    address_id = data.get("address_id", "").strip()
    if lat_text or long_text:
        try:
            lat, long = float(lat_text), float(long_text)
        except ValueError:
            problems.append("lat and long must both be given as WGS-84 decimal degrees")
        else:
            if not (-90 <= lat <= 90 and -180 <= long <= 180):
                problems.append("lat must be within -90..90 and long within -180..180")
    elif not address and not address_id:
        problems.append("a location is required: lat and long, address_string or address_id")
    if address_id and not address:
        address = address_id
    description = data.get("description", "")
    if len(description) > REASON_MAX_LENGTH:
        problems.append(f"description must be at most {REASON_MAX_LENGTH} characters")
    email = data.get("email", "").strip()
    if email:
        try:
            validate_email(email)
        except ValidationError:
            problems.append("email is not a valid e-mail address")
    phone = data.get("phone", "").strip()
    if phone:
        try:
            normalize_number(phone)
        except ValidationError:
            problems.append("phone is not a valid phone number")
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
    body = [
        {
            "service_request_id": str(referral.pk),
            "token": str(referral.token),
            "service_notice": _service_notice(referral),
            "account_id": None,
        }
    ]
    return respond(fmt, body, root="service_requests", item="request", status=201)


def _service_notice(referral: Referral) -> str:
    due = timezone.localtime(referral.accept_due_at).strftime("%Y-%m-%d %H:%M")
    return _("%(service)s will take up the request by %(due)s.") % {"service": referral.service.name, "due": due}


@require_GET
def request_detail(request, request_id: str, fmt: str):
    referral = None
    pk = parse_id(request_id)
    if pk is not None:
        found = selectors.open311_request_list(ids=[pk], start=None, limit=1)
        listed = _with_events_list(found)
        referral = listed[0] if listed else None
    if referral is None:
        return errors(fmt, 404, f"service_request_id {request_id} not found")
    return respond(fmt, [_request(referral)], root="service_requests", item="request")


@require_GET
def token(request, token: str, fmt: str):
    referral = None
    try:
        referral = selectors.open311_request_by_token(token=token)
    except ValidationError:  # not a UUID
        referral = None
    if referral is None:
        return errors(fmt, 404, f"token {token} not found")
    return respond(
        fmt,
        [{"service_request_id": str(referral.pk), "token": str(referral.token)}],
        root="service_requests",
        item="request",
    )


def not_found(request, rest: str = ""):
    fmt = "xml" if rest.endswith(".xml") else "json"
    return errors(fmt, 404, "Not found. Resources end in .json or .xml: discovery, services, requests, tokens.")
