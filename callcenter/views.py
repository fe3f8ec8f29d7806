from asgiref.sync import async_to_sync
from django.contrib.auth.decorators import login_required
from django.http import JsonResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from callcenter import health, permissions
from callcenter.errors import json_error


@require_GET
@never_cache
def healthz(request):
    """No login: for load balancers and the phone system. 503 when a service is down."""
    database = health.database_ok()
    channel_layer = async_to_sync(health.channel_layer_ok)()
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
    return request.path.startswith("/api/") or request.path.startswith("/open311/")


def handler404(request, exception=None):
    if is_api(request):
        return json_error(request, "not_found", _("Not found."), 404)
    return render(request, "404.html", status=404)


def handler403(request, exception=None):
    if is_api(request):
        return json_error(request, "forbidden", _("Your role may not do this."), 403)
    return render(request, "403.html", status=403)


def handler400(request, exception=None):
    if is_api(request):
        return json_error(request, "bad_request", _("The request could not be understood."), 400)
    return render(request, "400.html", status=400)


def handler500(request):
    if is_api(request):
        return json_error(request, "server_error", _("Something went wrong on our side."), 500)
    return render(request, "500.html", status=500)
