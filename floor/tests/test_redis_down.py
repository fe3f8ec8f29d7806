"""Reliability: with Redis down the event API stores every event and answers
normally (push skipped, counted, /healthz says so); when Redis returns, the
wallboards get figures that count everything. Plus the redis-py pitfall: a
socket idle longer than 5 s against real Redis still receives its push."""

from __future__ import annotations

import asyncio
import os
import shutil
import socket
from datetime import timedelta

import pytest
from channels.db import database_sync_to_async
from channels.routing import URLRouter
from channels.testing import WebsocketCommunicator
from django.contrib.auth import get_user_model
from django.test import override_settings
from django.utils import timezone

from callcenter import realtime
from callcenter.permissions import Role
from callcenter.testing.servers import PrivateRedis
from floor import services as floor_services
from floor.api.cti import PhoneEventSerializer
from floor.models import PhoneEvent, QueueCall
from floor.routing import websocket_urlpatterns
from floor.tests.fixtures import offered


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def pubsub_layer(url: str) -> dict:
    return {
        "default": {
            "BACKEND": "channels_redis.pubsub.RedisPubSubChannelLayer",
            "CONFIG": {"hosts": [{"address": url}], "prefix": f"down{os.getpid()}"},
        }
    }


@pytest.mark.django_db
def test_event_api_stores_and_answers_normally_with_redis_down(
    post_event, clock, client, django_capture_on_commit_callbacks
):
    closed = f"redis://127.0.0.1:{free_port()}/0"  # nothing listens there
    with override_settings(CHANNEL_LAYERS=pubsub_layer(closed)):
        with django_capture_on_commit_callbacks(execute=True):
            first = post_event(offered("down-1", clock()))
        with django_capture_on_commit_callbacks(execute=True):
            batch = post_event([offered("down-2", clock(1)), offered("down-3", clock(2))])
        health = client.get("/healthz")

    assert first.status_code == 201
    assert batch.status_code == 200
    assert QueueCall.objects.count() == 3
    assert PhoneEvent.objects.filter(status="applied").count() == 3
    assert realtime.counters["failed"] >= 1 and realtime.counters["sent"] == 0
    assert health.status_code == 503
    body = health.json()
    assert body["channel_layer"] == "down" and body["database"] == "up"
    assert body["realtime"]["failed"] >= 1


# --- against a real Redis -------------------------------------------------------------
REDIS_SERVER = shutil.which("redis-server")
needs_redis_server = pytest.mark.skipif(REDIS_SERVER is None, reason="redis-server is not installed")


@pytest.fixture
def private_redis():
    redis = PrivateRedis()
    redis.start()
    yield redis
    redis.stop()


@database_sync_to_async
def apply(*bodies: dict) -> None:
    sender = get_user_model().objects.get(username="pbx_test")
    for body in bodies:
        serializer = PhoneEventSerializer(data=body)
        serializer.is_valid(raise_exception=True)
        floor_services.phone_event_apply(data=serializer.validated_data, body=body, sender=sender)


async def next_update(communicator: WebsocketCommunicator, *, attempts: int = 40) -> dict | None:
    """The next push, waiting at most attempts × 0.5 s (receive_nothing first:
    a timed-out receive would cancel the consumer)."""
    for _ in range(attempts):
        if not await communicator.receive_nothing(timeout=0.5):
            return await communicator.receive_json_from(timeout=5)
    return None


@needs_redis_server
@pytest.mark.django_db(transaction=True)
async def test_when_redis_returns_the_wallboard_gets_figures_that_count_everything(
    private_redis, reference_data, make_user, phone_system
):
    supervisor = await database_sync_to_async(make_user)(Role.SUPERVISOR, username="super_down")
    now = timezone.now()
    with override_settings(CHANNEL_LAYERS=pubsub_layer(private_redis.url), REALTIME_LAYER_CHECK_SECONDS=0):
        communicator = WebsocketCommunicator(URLRouter(websocket_urlpatterns), "/ws/wallboard/")
        communicator.scope["user"] = supervisor
        assert (await communicator.connect())[0]
        assert (await communicator.receive_json_from(timeout=5))["type"] == "wallboard.snapshot"

        # Redis goes down (the socket's layer check is off here: test_outages.py has a board
        # closed and reconnecting): events are still stored, their pushes fail and are counted
        private_redis.stop()
        await apply(*[offered(f"gap-{n}", now - timedelta(seconds=30 - n)) for n in range(3)])
        assert await database_sync_to_async(QueueCall.objects.count)() == 3
        assert realtime.counters["failed"] >= 1

        # Redis returns: the next push carries every figure, the missed events included
        private_redis.start()
        update = None
        for n in range(10):  # the layer reconnects on its own; bounded wait
            realtime.reset_for_tests()  # a fresh coalescing window for each try
            await apply(offered(f"back-{n}", now - timedelta(seconds=5 - n * 0.1)))
            update = await next_update(communicator, attempts=4)
            if update is not None:
                break
        assert update is not None, "no push arrived after Redis came back"
        assert update["type"] == "wallboard.updated"
        assert update["stats"]["offered_today"] >= 4
        assert update["stats"]["offered_today"] == await database_sync_to_async(QueueCall.objects.count)()

        # and a reconnecting board starts from a full snapshot
        await communicator.send_json_to({"type": "snapshot.requested"})
        snapshot = await next_update(communicator)
        for _ in range(5):  # a push of an earlier try may still be on its way: the snapshot follows it
            if snapshot is None or snapshot["type"] != "wallboard.updated":
                break
            snapshot = await next_update(communicator)
        assert snapshot is not None and snapshot["type"] == "wallboard.snapshot"
        assert snapshot["stats"]["offered_today"] == update["stats"]["offered_today"]
        await communicator.disconnect()


@needs_redis_server
@pytest.mark.django_db(transaction=True)
async def test_a_socket_idle_longer_than_5_seconds_still_receives_a_push(
    private_redis, reference_data, make_user, phone_system
):
    """PERFORMANCE.md: redis-py 8's 5 s socket_timeout broke channels-redis's idle read."""
    supervisor = await database_sync_to_async(make_user)(Role.SUPERVISOR, username="super_idle")
    with override_settings(CHANNEL_LAYERS=pubsub_layer(private_redis.url)):
        communicator = WebsocketCommunicator(URLRouter(websocket_urlpatterns), "/ws/wallboard/")
        communicator.scope["user"] = supervisor
        assert (await communicator.connect())[0]
        await communicator.receive_json_from(timeout=5)  # snapshot

        await asyncio.sleep(6.5)  # idle past redis-py 8's default socket timeout (not a timing assertion)
        assert await communicator.receive_nothing(timeout=0.1)  # still open, no crash

        await apply(offered("idle-1", timezone.now() - timedelta(seconds=2)))
        update = await next_update(communicator)
        assert update is not None and update["type"] == "wallboard.updated"
        assert update["stats"]["calls_waiting"] == 1
        await communicator.disconnect()
