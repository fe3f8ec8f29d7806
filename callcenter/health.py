"""Health of the services the console stands on, for /healthz."""

from __future__ import annotations

import asyncio
import uuid

from channels.layers import get_channel_layer
from django.db import connection

from callcenter import realtime

# Seconds the channel layer's round trip may take in /healthz (answered within 2 s).
HEALTH_TIMEOUT = 1.5


def database_ok() -> bool:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            return cursor.fetchone() == (1,)
    except Exception:
        return False


async def channel_layer_ok(timeout: float = 2.0) -> bool:
    """Round-trip one message through the channel layer."""
    layer = get_channel_layer()
    if layer is None:
        return False
    try:
        async with asyncio.timeout(timeout):
            channel = await layer.new_channel("healthz.")
            token = uuid.uuid4().hex
            await layer.send(channel, {"type": "healthz.ping", "token": token})
            message = await layer.receive(channel)
            return message.get("token") == token
    except Exception:
        return False


def realtime_counters() -> dict[str, int]:
    return {name: realtime.counters.get(name, 0) for name in ("sent", "failed", "coalesced")}
