"""The naive wallboard, the baseline of bench/wallboard.py (an ASGI app for daphne).

What a first version would do: one push per phone event, through Channels'
default Redis layer (channels_redis.core.RedisChannelLayer), the figures
computed for every event and sent as a dict that each consumer encodes to
JSON itself, with the stock consumer (its per-message thread hop included).
The product's phone-event API, statistics and pages are unchanged; only the
publishing and the wallboard socket differ.

    daphne _wallboard_naive:application   (PYTHONPATH=bench:., REDIS_URL set)
"""

from __future__ import annotations

import json
import os

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "callcenter.settings")

from django.conf import settings
from django.core.asgi import get_asgi_application

django_asgi_app = get_asgi_application()

settings.CHANNEL_LAYERS = {
    "default": {
        "BACKEND": "channels_redis.core.RedisChannelLayer",
        "CONFIG": {"hosts": [os.environ["REDIS_URL"]], "prefix": os.environ.get("CHANNEL_PREFIX", "naive")},
    }
}

from asgiref.sync import async_to_sync  # noqa: E402
from channels.auth import AuthMiddlewareStack  # noqa: E402
from channels.db import database_sync_to_async  # noqa: E402
from channels.generic.websocket import AsyncJsonWebsocketConsumer  # noqa: E402
from channels.layers import get_channel_layer  # noqa: E402
from channels.routing import ProtocolTypeRouter, URLRouter  # noqa: E402
from channels.security.websocket import AllowedHostsOriginValidator  # noqa: E402
from django.db import transaction  # noqa: E402
from django.urls import path  # noqa: E402

from callcenter import permissions  # noqa: E402
from callcenter.realtime import encode  # noqa: E402
from floor import services as floor_services  # noqa: E402
from floor import stats  # noqa: E402


def _plain_stats() -> dict:
    # the default layer serializes with msgpack: datetimes must become strings
    return json.loads(encode(stats.wallboard_stats()))


def naive_publish_floor() -> None:
    def send() -> None:
        async_to_sync(get_channel_layer().group_send)("wallboard", {"type": "stats.update", "stats": _plain_stats()})

    transaction.on_commit(send)


floor_services._publish_floor = naive_publish_floor


class NaiveWallboardConsumer(AsyncJsonWebsocketConsumer):
    async def connect(self) -> None:
        user = self.scope.get("user")
        if user is None or not await database_sync_to_async(permissions.can_oversee)(user):
            await self.close(code=4403)
            return
        await self.channel_layer.group_add("wallboard", self.channel_name)
        await self.accept()
        await self.send_json({"type": "wallboard.snapshot", "stats": await database_sync_to_async(_plain_stats)()})

    async def disconnect(self, code) -> None:
        await self.channel_layer.group_discard("wallboard", self.channel_name)

    async def stats_update(self, event) -> None:
        await self.send_json({"type": "wallboard.updated", "stats": event["stats"]})


application = ProtocolTypeRouter(
    {
        "http": django_asgi_app,
        "websocket": AllowedHostsOriginValidator(
            AuthMiddlewareStack(URLRouter([path("ws/wallboard/", NaiveWallboardConsumer.as_asgi())]))
        ),
    }
)
