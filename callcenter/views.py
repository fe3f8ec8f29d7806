import asyncio
import sys

from asgiref.sync import sync_to_async
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.template import loader
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from callcenter import errors, health, permissions
from callcenter.error_codes import ErrorCode
from callcenter.errors import json_error


@require_GET
@never_cache
async def healthz(request):
    """No login: for load balancers and the phone system. 503 when a service is down.
    Both checks run at once, each bounded (the pool's timeout, HEALTH_TIMEOUT)."""
    database, channel_layer = await asyncio.gather(
        sync_to_async(health.database_ok)(), health.channel_layer_ok(timeout=health.HEALTH_TIMEOUT)
    )
    ok = database and channel_layer
    body = {
        "status": "ok" if ok else "degraded",
        "database": "up" if database else "down",
        "channel_layer": "up" if channel_layer else "down",
        "realtime": health.realtime_counters(),
    }
    return JsonResponse(body, status=200 if ok else 503)


@login_required
def home(request):
    return redirect(permissions.home_url_name(request.user))


@permissions.page_requires(permissions.can_send_phone_events)
def phone_system(request):
    """What a signed-in phone-system account is: an API client, with nothing to do on pages."""
    return render(request, "phone_system.html")


@login_required
def no_role(request):
    return render(request, "no_role.html", status=403)


def is_api(request) -> bool:
    """Answered in the shared error shape (JSON): the APIs, Open311, and the reports' file exports."""
    return request.path.startswith(("/api/", "/open311/", "/reports/export."))


def handler404(request, exception=None):
    if is_api(request):
        return json_error(request, ErrorCode.NOT_FOUND, _("Not found."), 404)
    return render(request, "404.html", status=404)


def handler403(request, exception=None):
    if is_api(request):
        return json_error(request, ErrorCode.FORBIDDEN, _("Your role may not do this."), 403)
    return render(request, "403.html", status=403)


def handler400(request, exception=None):
    if is_api(request):
        return json_error(request, ErrorCode.BAD_REQUEST, _("The request could not be understood."), 400)
    return render(request, "400.html", status=400)


def handler500(request):
    if errors.database_unavailable(sys.exc_info()[1]):
        return _database_unavailable(request)
    if is_api(request):
        return json_error(request, ErrorCode.SERVER_ERROR, _("Something went wrong on our side."), 500)
    return render(request, "500.html", status=500)


def _database_unavailable(request) -> HttpResponse:
    """503 with Retry-After: the shared error shape for the APIs, a page for people.
    The page is rendered without the request's context: that would ask the database
    who is signed in."""
    if is_api(request):
        response = json_error(request, ErrorCode.SERVICE_UNAVAILABLE, errors.service_unavailable_message(), 503)
    else:
        response = HttpResponse(
            loader.get_template("503.html").render({"retry_after": errors.RETRY_AFTER_SECONDS}), status=503
        )
    response["Retry-After"] = str(errors.RETRY_AFTER_SECONDS)
    return response
