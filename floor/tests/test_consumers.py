"""The sockets: /ws/wallboard/ (role refused, snapshot, update, coalescing) and /ws/agent/ (screen pop)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from channels.db import database_sync_to_async
from channels.layers import get_channel_layer
from channels.routing import URLRouter
from channels.testing import WebsocketCommunicator
from django.contrib.auth import get_user_model
from django.contrib.auth.models import AnonymousUser
from django.utils import timezone

from callcenter import realtime
from callcenter.permissions import Role
from floor import services as floor_services
from floor.api.cti import PhoneEventSerializer
from floor.routing import websocket_urlpatterns

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.asyncio]

application = URLRouter(websocket_urlpatterns)


def connect(path: str, user) -> WebsocketCommunicator:
    communicator = WebsocketCommunicator(application, path)
    communicator.scope["user"] = user
    return communicator


@database_sync_to_async
def post_events(*bodies: dict) -> list[str]:
    """Apply events the way the API does (each its own transaction, pushes after commit)."""
    sender = get_user_model().objects.get(username="pbx_test")
    results = []
    for body in bodies:
        serializer = PhoneEventSerializer(data=body)
        serializer.is_valid(raise_exception=True)
        results.append(
            floor_services.phone_event_apply(data=serializer.validated_data, body=body, sender=sender).status
        )
    return results


async def drain(communicator: WebsocketCommunicator, *, quiet: float) -> list[dict]:
    """Every message until the socket stays quiet for `quiet` seconds (bounded).

    receive_nothing() first: a receive that times out would cancel the consumer."""
    messages = []
    for _ in range(50):
        if await communicator.receive_nothing(timeout=quiet):
            break
        messages.append(await communicator.receive_json_from(timeout=5))
    return messages


def offered(call_id: str, seconds_ago: float = 1) -> dict:
    return {
        "event": "call.offered",
        "call_id": call_id,
        "at": (timezone.now() - timedelta(seconds=seconds_ago)).isoformat(),
        "caller_number": "010-2345-6789",
        "queue": "general",
    }


@pytest.fixture
def people(reference_data, make_user, phone_system):
    return {
        "supervisor": make_user(Role.SUPERVISOR, username="super_ws"),
        "admin": make_user(Role.ADMIN, username="admin_ws"),
        "agent": make_user(Role.AGENT, username="agent_ws"),
        "partner": make_user(Role.PARTNER, username="partner_ws"),
    }


@pytest.mark.parametrize("who", ["agent", "partner", "anonymous"])
async def test_wallboard_refuses_other_roles_with_4403_before_any_data(people, who):
    user = AnonymousUser() if who == "anonymous" else people[who]
    communicator = connect("/ws/wallboard/", user)
    connected, _ = await communicator.connect()
    # accepted then closed at once: a browser sees 4403 (a refused handshake is only 1006)
    assert connected
    assert await communicator.receive_output() == {"type": "websocket.close", "code": 4403}
    await communicator.disconnect()


@pytest.mark.parametrize("who", ["partner", "anonymous"])
async def test_agent_socket_refuses_non_staff(people, who):
    user = AnonymousUser() if who == "anonymous" else people[who]
    communicator = connect("/ws/agent/", user)
    connected, _ = await communicator.connect()
    assert connected
    assert await communicator.receive_output() == {"type": "websocket.close", "code": 4403}
    await communicator.disconnect()


@pytest.mark.parametrize("who", ["supervisor", "admin"])
async def test_wallboard_sends_a_snapshot_on_connect(people, who):
    communicator = connect("/ws/wallboard/", people[who])
    connected, _ = await communicator.connect()
    assert connected
    message = await communicator.receive_json_from(timeout=5)
    assert message["type"] == "wallboard.snapshot"
    assert message["stats"]["calls_waiting"] == 0
    assert set(message["stats"]["erlang"]) >= {"required", "staffed"}
    await communicator.disconnect()


async def test_wallboard_update_reflects_a_posted_event(people):
    communicator = connect("/ws/wallboard/", people["supervisor"])
    await communicator.connect()
    await communicator.receive_json_from(timeout=5)  # snapshot

    assert await post_events(offered("ws-1", seconds_ago=30)) == ["applied"]

    message = await communicator.receive_json_from(timeout=5)
    assert message["type"] == "wallboard.updated"
    assert message["stats"]["calls_waiting"] == 1
    assert message["stats"]["offered_today"] == 1
    assert message["stats"]["longest_wait_seconds"] >= 30
    await communicator.disconnect()


async def test_a_burst_is_coalesced_into_a_few_pushes_carrying_the_final_figures(people, realtime_clock, settings):
    communicator = connect("/ws/wallboard/", people["supervisor"])
    await communicator.connect()
    await communicator.receive_json_from(timeout=5)  # snapshot

    # twenty calls inside one window (the clock stands still)
    await post_events(*[offered(f"burst-{n}") for n in range(20)])

    # the leading edge at once...
    leading = await drain(communicator, quiet=0.3)
    assert [update["stats"]["calls_waiting"] for update in leading] == [1]
    # ...then, when the window ends, one push with the final figures, not nineteen
    realtime_clock.advance(settings.WALLBOARD_COALESCE_SECONDS)
    await realtime.publisher().settle()
    trailing = await drain(communicator, quiet=0.3)
    assert [(update["type"], update["stats"]["calls_waiting"]) for update in trailing] == [("wallboard.updated", 20)]
    await communicator.disconnect()


async def test_a_snapshot_request_returns_a_fresh_snapshot(people):
    communicator = connect("/ws/wallboard/", people["supervisor"])
    await communicator.connect()
    await communicator.receive_json_from(timeout=5)
    await communicator.send_json_to({"type": "snapshot.requested"})
    message = await communicator.receive_json_from(timeout=5)
    assert message["type"] == "wallboard.snapshot"
    await communicator.disconnect()


async def test_the_answering_agent_gets_a_screen_pop_and_others_do_not(people, make_user):
    other = await database_sync_to_async(make_user)(Role.AGENT, username="agent_other")
    mine = connect("/ws/agent/", people["agent"])
    theirs = connect("/ws/agent/", other)
    assert (await mine.connect())[0] and (await theirs.connect())[0]
    snapshot = await mine.receive_json_from(timeout=5)
    assert snapshot["type"] == "agent.snapshot" and snapshot["data"]["me"]["state"] == "offline"
    await theirs.receive_json_from(timeout=5)

    now = timezone.now()
    answered = {
        "event": "call.answered",
        "call_id": "pop-1",
        "at": now.isoformat(),
        "agent": "agent_ws",
    }
    await post_events(offered("pop-1", seconds_ago=8), answered)

    seen = {}
    for message in await drain(mine, quiet=1.0):
        seen.setdefault(message["type"], message["data"])
    pop = seen["call.screen_pop"]
    assert pop["call_id"] == "pop-1"
    assert pop["caller_number"] == "010-****-6789"  # masked: the full number is a logged reveal
    assert "2345" not in str(pop)
    assert seen["agent.state_changed"]["state"] == "on_call"
    # the other agent sees the queue move but no screen pop
    others = [message["type"] for message in await drain(theirs, quiet=1.0)]
    assert "call.screen_pop" not in others and "queue.updated" in others
    await mine.disconnect()
    await theirs.disconnect()


async def test_a_second_agents_console_joins_without_a_subscription(people, make_user, monkeypatch):
    """A person's groups (agent.N, user.N) ride one channel-layer group per kind
    (realtime.messages.layer_group): the process subscribed once, with its first console, so
    the 275 consoles of a crashed process cost the one taking them over no round trip to the
    layer each. Their pushes still reach their own agent only (the test above)."""
    other = await database_sync_to_async(make_user)(Role.AGENT, username="agent_second")
    first = connect("/ws/agent/", people["agent"])
    assert (await first.connect())[0]
    await first.receive_json_from(timeout=5)
    layer = get_channel_layer()
    added = []
    real_add = layer.group_add

    async def counting_add(group, channel):
        added.append(group)
        await real_add(group, channel)

    monkeypatch.setattr(layer, "group_add", counting_add)
    second = connect("/ws/agent/", other)
    assert (await second.connect())[0]
    assert (await second.receive_json_from(timeout=5))["type"] == "agent.snapshot"
    assert added == []
    await first.disconnect()
    await second.disconnect()


async def test_every_wallboard_in_the_process_gets_each_push_once(people):
    # the sockets of one process share one subscription (callcenter.realtime.Fanout)
    first, second = connect("/ws/wallboard/", people["supervisor"]), connect("/ws/wallboard/", people["admin"])
    for communicator in (first, second):
        await communicator.connect()
        await communicator.receive_json_from(timeout=5)  # snapshot

    await post_events(offered("once-1"))

    for communicator in (first, second):
        updates = await drain(communicator, quiet=0.5)
        assert [(m["type"], m["stats"]["offered_today"]) for m in updates] == [("wallboard.updated", 1)]

    # a board that leaves takes nothing from the others
    await first.disconnect()
    await post_events(offered("once-2"))
    assert [m["stats"]["offered_today"] for m in await drain(second, quiet=0.5)] == [2]

    # after the last board left, the next one to connect still gets its pushes
    await second.disconnect()
    third = connect("/ws/wallboard/", people["supervisor"])
    await third.connect()
    assert (await third.receive_json_from(timeout=5))["stats"]["offered_today"] == 2
    await post_events(offered("once-3"))
    assert [m["stats"]["offered_today"] for m in await drain(third, quiet=0.5)] == [3]
    await third.disconnect()


async def test_a_push_during_the_snapshot_goes_out_after_it(people, monkeypatch):
    from floor.consumers import WallboardConsumer

    original = WallboardConsumer.snapshot
    sender = await database_sync_to_async(get_user_model().objects.get)(username="pbx_test")

    def snapshot_then_a_call_arrives(self, user):
        figures = original(self, user)  # computed before the call...
        body = offered("during-snapshot")
        serializer = PhoneEventSerializer(data=body)
        serializer.is_valid(raise_exception=True)
        # ...whose push is published while the snapshot is still on its way
        floor_services.phone_event_apply(data=serializer.validated_data, body=body, sender=sender)
        return figures

    monkeypatch.setattr(WallboardConsumer, "snapshot", snapshot_then_a_call_arrives)
    communicator = connect("/ws/wallboard/", people["supervisor"])
    await communicator.connect()

    snapshot = await communicator.receive_json_from(timeout=5)
    update = await communicator.receive_json_from(timeout=5)
    # the board ends with the newer figures, not the older snapshot over them
    assert (snapshot["type"], snapshot["stats"]["offered_today"]) == ("wallboard.snapshot", 0)
    assert (update["type"], update["stats"]["offered_today"]) == ("wallboard.updated", 1)
    await communicator.disconnect()
