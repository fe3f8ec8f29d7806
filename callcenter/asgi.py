"""ASGI entry point: HTTP through Django, websockets through Channels.

Garbage collection is set for a server that holds many sockets: every object
loaded at start-up is frozen out of the collector's scans, and the youngest
generation is collected after 20,000 allocations instead of 700. With Python's
defaults a full collection ran every 10-15 s under the wallboard's load and
stopped the process (every socket's push, every request) for 100-150 ms; with
these settings none ran during the benchmark (docs/BENCHMARKS.md, wallboard
round 3). The cost: cyclic garbage waits a little longer (a few MB at most).
"""

import gc
import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "callcenter.settings")
django_asgi_app = get_asgi_application()

from channels.routing import ProtocolTypeRouter, URLRouter  # noqa: E402

from callcenter.authentication import SameOriginValidator, SocketSessionAuth  # noqa: E402
from callcenter.inputs import answer_overlong_lines  # noqa: E402
from callcenter.routing import websocket_urlpatterns  # noqa: E402

application = ProtocolTypeRouter(
    {
        "http": django_asgi_app,
        "websocket": SameOriginValidator(SocketSessionAuth(URLRouter(websocket_urlpatterns))),
    }
)

answer_overlong_lines()  # a URL over 16 KB gets a 414, not a silently closed connection

gc.freeze()
gc.set_threshold(20_000, *gc.get_threshold()[1:])
