"""The safety pages: open cases, one case (its history, sightings, who acknowledged, the
moves), pre-registrations. Staff only; every view of identifying details is access-logged."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy

from callcenter import permissions
from callcenter.errors import ApplicationError
from inquiries import selectors as inquiry_selectors
from inquiries.models import Call
from safety import photos, selectors, services
from safety.api.serializers import CaseInputSerializer, RegistrationInputSerializer
from safety.describe import describe
from safety.models import TRANSITIONS, Case, Kind, Registration, Sex, Status

MOVES = {
    Status.FOUND: gettext_lazy("Mark as found"),
    Status.CLOSED: gettext_lazy("Close the case"),
    Status.CANCELLED: gettext_lazy("Cancel (reported in error)"),
}


FIELD_LABELS = {
    "kind": pgettext_lazy("the missing or registered person", "Who"),
    "name": gettext_lazy("Name"),
    "age": gettext_lazy("Age"),
    "sex": gettext_lazy("Sex"),
    "height_cm": gettext_lazy("Height (cm)"),
    "build": gettext_lazy("Build"),
    "clothing": gettext_lazy("Clothing"),
    "marks": gettext_lazy("Distinguishing marks"),
    "photo": gettext_lazy("Photo"),
    "last_seen_place": gettext_lazy("Last seen where"),
    "last_seen_at": gettext_lazy("Last seen when"),
    "guardian_number": gettext_lazy("Guardian's number"),
    "consent": gettext_lazy("Consent"),
    "incident_number": gettext_lazy("112 incident number (if given)"),
}


def _errors(exc: Exception) -> str:
    if isinstance(exc, ValidationError):
        return " ".join(exc.messages)
    return str(getattr(exc, "message", exc))


@permissions.page_requires(permissions.can_use_console)
def case_list(request):
    active = list(selectors.case_list_active())
    closed = list(selectors.case_list().exclude(status__in=[Status.OPEN, Status.FOUND])[:50])
    return render(
        request,
        "safety/cases.html",
        {"active": [(c, describe(c)) for c in active], "closed": [(c, describe(c)) for c in closed]},
    )


def _form_data(request) -> dict:
    """A page's multipart form as the API's serializers take it: empty fields left out,
    the consent radio ("yes"/"no") as a boolean, the photo from the files."""
    data = {key: value for key, value in request.POST.items() if value != "" and key != "csrfmiddlewaretoken"}
    if "consent" in data:
        data["consent"] = data["consent"] == "yes"
    if "last_seen_at" in data:
        data["last_seen_at"] = _with_zone(data["last_seen_at"])
    if request.FILES.get("photo"):
        data["photo"] = request.FILES["photo"]
    return data


def _with_zone(value: str) -> str:
    """A form's local time ("2026-12-01T14:20", datetime-local) with the console's zone, as
    the API takes it; anything else unchanged, for the serializer to refuse."""
    try:
        parsed = parse_datetime(value)
        if parsed is not None and parsed.tzinfo is None:
            return timezone.make_aware(parsed).isoformat()
    except (ValueError, OverflowError):
        pass
    return value


def _call_for_case(request) -> Call:
    try:
        call = inquiry_selectors.call_get(pk=int(request.GET.get("call", "")))
    except (ValueError, Call.DoesNotExist) as exc:
        raise Http404 from exc
    if not permissions.can_view_call(request.user, call):
        raise Http404  # someone else's call does not exist for this agent (as on its page)
    return call


@permissions.page_requires(permissions.can_use_console)
def case_new(request):
    """Open a case from a call's page (/safety/cases/new/?call=<id>): the report's form;
    the caller is the guardian unless another number is given. The console opens
    cases from its panel (Alt+M) through the API; both end in services.case_open."""
    call = _call_for_case(request)
    errors: dict = {}
    status = 200
    # The form starts with "last seen" now; after an error it shows what was sent. An
    # oversized body is refused by its length (413) and the form starts again. (The CSRF
    # check of a page's form has parsed it already, to disk past 2.5 MB: the API, with its
    # token in a header, refuses before reading.)
    too_large = request.method == "POST" and photos.body_too_large(request)
    if request.method != "POST":
        posted = {"last_seen_at": timezone.localtime().strftime("%Y-%m-%dT%H:%M")}
    else:
        posted = {} if too_large else request.POST
    if request.method == "POST":
        if too_large:
            errors, status = {"photo": [photos.too_large_message()]}, 413
        else:
            data = {**_form_data(request), "call": call.pk}
            if "guardian_number" not in data and request.POST.get("guardian_is_caller"):
                if call.caller_id is None:
                    errors = {"guardian_number": [_("This call has no number: give the guardian's number.")]}
                else:
                    data["guardian_number"] = call.caller.number
            serializer = CaseInputSerializer(data=data)
            if not errors and serializer.is_valid():
                fields = {**serializer.validated_data, "call": call}
                try:
                    case = services.case_open(actor=request.user, request=request, **fields)
                except ValidationError as exc:
                    errors = exc.message_dict if hasattr(exc, "error_dict") else {"__all__": exc.messages}
                else:
                    messages.success(request, _("Case #%(id)s opened: the floor is alerted.") % {"id": case.pk})
                    return redirect("safety:case", pk=case.pk)
            elif not errors:
                errors = {key: [str(m) for m in value] for key, value in serializer.errors.items()}
            status = 400
    return render(
        request,
        "safety/case_new.html",
        {
            "call": call,
            "errors": errors,
            "field_errors": [(FIELD_LABELS.get(key, ""), " ".join(value)) for key, value in errors.items()],
            "posted": posted,
            "guardian_is_caller": request.method != "POST" or bool(posted.get("guardian_is_caller")),
        },
        status=status,
    )


@permissions.page_requires(permissions.can_use_console)
def case_detail(request, pk: int):
    try:
        case = selectors.case_get(pk=pk)
    except Case.DoesNotExist as exc:
        raise Http404 from exc
    if request.method == "POST":
        try:
            services.case_transition(
                case=case, actor=request.user, to=request.POST.get("to", ""), note=request.POST.get("note", "")[:2000]
            )
            messages.success(request, _("The case is now %(status)s.") % {"status": Status(request.POST["to"]).label})
        except (ValidationError, ApplicationError) as exc:
            messages.error(request, _errors(exc))
        return redirect("safety:case", pk=pk)
    identity = permissions.can_see_case_identity(request.user, case)
    if identity:
        services.case_identity_view(case=case, user=request.user, request=request)
    return render(
        request,
        "safety/case.html",
        {
            "case": case,
            "description": describe(case),
            "identity": identity,
            "call_visible": permissions.can_view_call(request.user, case.call),
            "history": selectors.case_history(case=case),
            "sightings": selectors.case_sightings(case=case),
            "acknowledgements": selectors.case_acknowledgements(case=case),
            "moves": [
                (to, MOVES[to])
                for to in (Status.FOUND, Status.CLOSED, Status.CANCELLED)
                if to in TRANSITIONS[case.status]
            ],
        },
    )


@permissions.page_requires(permissions.can_use_console)
def registration_list(request):
    form_errors: dict = {}
    status = 200
    if request.method == "POST" and photos.body_too_large(request):
        form_errors, status = {"photo": [photos.too_large_message()]}, 413
    elif request.method == "POST":
        data = {key: value for key, value in request.POST.items() if value != ""}
        data["consent"] = request.POST.get("consent") == "yes" if request.POST.get("consent") else None
        if data["consent"] is None:
            del data["consent"]
        if request.FILES.get("photo"):
            data["photo"] = request.FILES["photo"]
        serializer = RegistrationInputSerializer(data=data)
        if serializer.is_valid():
            try:
                registration = services.registration_create(
                    actor=request.user, request=request, **serializer.validated_data
                )
                messages.success(request, _("Registered. Review on %(date)s.") % {"date": registration.review_on})
                return redirect("safety:registration", pk=registration.pk)
            except ValidationError as exc:
                form_errors = exc.message_dict if hasattr(exc, "error_dict") else {"__all__": exc.messages}
        else:
            form_errors = {key: [str(m) for m in value] for key, value in serializer.errors.items()}
    registrations = [(r, describe(r)) for r in selectors.registration_list()[:200]]
    return render(
        request,
        "safety/registrations.html",
        {
            "registrations": registrations,
            "today": timezone.localdate(),
            "kinds": [k for k in Kind.choices if k[0] != Kind.OTHER],
            "sexes": Sex.choices,
            "errors": form_errors,
            "posted": request.POST if request.method == "POST" else {},
        },
        status=status if status != 200 else (400 if form_errors else 200),
    )


@permissions.page_requires(permissions.can_use_console)
def registration_detail(request, pk: int):
    try:
        registration = selectors.registration_get(pk=pk)
    except Registration.DoesNotExist as exc:
        raise Http404 from exc
    if request.method == "POST":
        action = request.POST.get("action")
        if action == "delete":
            services.registration_delete(registration=registration, actor=request.user, request=request)
            messages.success(request, _("The registration and its photo are deleted."))
            return redirect("safety:registrations")
        if action == "renew":
            services.registration_update(
                registration=registration, actor=request.user, changes={}, renew=True, request=request
            )
            messages.success(request, _("Renewed: kept two more years."))
        return redirect("safety:registration", pk=pk)
    services.registration_identity_view(registration=registration, user=request.user, request=request)
    return render(
        request, "safety/registration.html", {"registration": registration, "description": describe(registration)}
    )
