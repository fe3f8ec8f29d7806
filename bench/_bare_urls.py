"""Bench-only URLconf: every project URL, then /bench/bare/, a bare Django JSON view.

The bare view is the framework's own ceiling for a POST /api/calls/-shaped request:
the same daphne process, settings and middleware, a sync view (like DRF's) that
parses the same JSON body and answers 201 with a small JSON body, without
authentication, validation or the database.
"""

import json
import os

from django.http import HttpRequest, JsonResponse
from django.urls import path
from django.views.decorators.csrf import csrf_exempt

from callcenter.urls import handler400, handler403, handler404, handler500
from callcenter.urls import urlpatterns as project_urlpatterns

__all__ = ["handler400", "handler403", "handler404", "handler500", "urlpatterns"]


@csrf_exempt  # like DRF's APIView for token-authenticated clients
def bare(request: HttpRequest) -> JsonResponse:
    data = json.loads(request.body or b"{}")
    return JsonResponse({"ok": True, "client_request_id": data.get("client_request_id")}, status=201)


# Appended, so the project's own URLs resolve exactly as in production.
urlpatterns = [*project_urlpatterns, path("bench/bare/", bare, name="bench-bare")]

if os.environ.get("DASAN_BENCH_ROW_BY_ROW") == "1":  # bench/calls.py --row-by-row only
    # The ordinary path: the call, its event and its access-log row saved one by one in a
    # transaction (what SQLite always does), instead of callcenter.db's one statement.
    from inquiries import services as _inquiries_services

    _inquiries_services.one_statement_inserts = lambda: False

if os.environ.get("DASAN_BENCH_WHATIF") == "1":  # bench/calls.py --what-if only
    import _whatif

    urlpatterns = _whatif.apply(urlpatterns)
