"""The safety pages: open cases, one case (its history, sightings, who acknowledged, the
moves), pre-registrations. Staff only; every view of identifying details is access-logged."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from callcenter import permissions
from callcenter.errors import ApplicationError
from safety import selectors, services
from safety.api.serializers import RegistrationInputSerializer
from safety.describe import describe
from safety.models import TRANSITIONS, Case, Kind, Registration, Sex, Status

MOVES = {
    Status.FOUND: gettext_lazy("Mark as found"),
    Status.CLOSED: gettext_lazy("Close the case"),
    Status.CANCELLED: gettext_lazy("Cancel (reported in error)"),
}


def _errors(exc: Exception) -> str:
    if isinstance(exc, ValidationError):
        return " ".join(exc.messages)
    return str(getattr(exc, "message", exc))


@permissions.page_requires(permissions.can_use_safety)
def case_list(request):
    active = list(selectors.case_list_active())
    closed = list(selectors.case_list().exclude(status__in=[Status.OPEN, Status.FOUND])[:50])
    return render(
        request,
        "safety/cases.html",
        {"active": [(c, describe(c)) for c in active], "closed": [(c, describe(c)) for c in closed]},
    )


@permissions.page_requires(permissions.can_use_safety)
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


@permissions.page_requires(permissions.can_use_safety)
def registration_list(request):
    form_errors: dict = {}
    if request.method == "POST":
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
        status=400 if form_errors else 200,
    )


@permissions.page_requires(permissions.can_use_safety)
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
