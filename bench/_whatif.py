"""`bench/calls.py --what-if`: a proposal patched into a second daphne only.

Not the project's code and never loaded outside that bench server (bench/_bare_urls.py
applies it when DASAN_BENCH_WHATIF=1). Round 1's proposals P1-P3 are in the project
now (docs/BENCHMARKS.md, "Logging a call: round 2"). What is left:

P4  POST /api/calls/ off asgiref's one thread. Django runs every sync view on one
    thread (sync_to_async(thread_sensitive=True)), so a logged call holds it for its
    CPU *and* its database round trips, and the calls queue behind each other. Here
    the same DRF view runs in the default thread pool (thread_sensitive=False), with
    its own pooled connection given back at the end, so the round trips of
    concurrent calls overlap. The bare view is unchanged.
"""

from __future__ import annotations

from typing import Any

from django.urls import path


def off_the_thread(view: Any) -> Any:
    from asgiref.sync import sync_to_async
    from django.db import connections

    def run(request, *args, **kwargs):
        try:
            response = view(request, *args, **kwargs)
            response.render()  # DRF renders lazily; do it here, not back on the one thread
            return response
        finally:
            connections.close_all()  # this thread's connection back to the pool

    async def wrapped(request, *args, **kwargs):
        return await sync_to_async(run, thread_sensitive=False)(request, *args, **kwargs)

    wrapped.csrf_exempt = True
    return wrapped


def apply(urlpatterns: list) -> list:
    """The URLconf with POST /api/calls/ served off the one thread (P4)."""
    from inquiries.api.views import CallListCreateApi

    return [path("api/calls/", off_the_thread(CallListCreateApi.as_view())), *urlpatterns]
