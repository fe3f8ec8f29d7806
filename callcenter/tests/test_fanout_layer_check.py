"""The fan-out's layer check (callcenter/realtime/fanout.py, Fanout._watch): a channel layer
that is away for one check (a Redis restart of a second) closes no socket and sends each a
fresh snapshot; one that stays away closes them all, so the pages show "reconnecting"."""

from __future__ import annotations

import asyncio

from django.test import override_settings

from callcenter.realtime.fanout import LAYER_DOWN_PINGS, Fanout
from callcenter.realtime.messages import LAYER_DOWN_CODE, PING


class FlakyLayer:
    """A channel layer whose next `down` layer checks fail, as with Redis restarting."""

    def __init__(self) -> None:
        self.messages: asyncio.Queue = asyncio.Queue()
        self.down = 0

    async def new_channel(self) -> str:
        return "fanout-test!1"

    async def group_add(self, group: str, channel: str) -> None:
        pass

    async def group_discard(self, group: str, channel: str) -> None:
        pass

    async def send(self, channel: str, message: dict) -> None:
        if message.get("type") == PING and self.down:
            self.down -= 1
            raise ConnectionError("Redis is restarting")
        await self.messages.put(message)

    async def receive(self, channel: str) -> dict:
        return await self.messages.get()


class Socket:
    channel_name = "socket-test"

    def __init__(self) -> None:
        self.snapshots = 0
        self.closed_with: int | None = None
        self.groups_joined = ("wallboard",)

    async def send_snapshot(self) -> None:
        self.snapshots += 1

    async def close(self, code: int) -> None:
        self.closed_with = code


async def until(condition, seconds: float = 5.0) -> None:
    """Wait (bounded) until `condition()` holds: no timing is asserted."""
    async with asyncio.timeout(seconds):
        while not condition():
            await asyncio.sleep(0.01)


@override_settings(REALTIME_LAYER_CHECK_SECONDS=0.01)
async def test_a_layer_away_for_one_check_closes_nothing_and_sends_fresh_snapshots():
    layer, socket = FlakyLayer(), Socket()
    fanout = Fanout(layer)
    await fanout.join("wallboard", socket)
    try:
        layer.down = 1  # one check fails, the next answers
        await until(lambda: socket.snapshots == 1)
        assert socket.closed_with is None
        assert fanout.members == {"wallboard": {socket: None}}
    finally:
        await fanout.leave("wallboard", socket)


@override_settings(REALTIME_LAYER_CHECK_SECONDS=0.01)
async def test_a_layer_that_stays_away_closes_every_socket():
    layer, socket = FlakyLayer(), Socket()
    fanout = Fanout(layer)
    await fanout.join("wallboard", socket)
    layer.down = LAYER_DOWN_PINGS + 10
    await until(lambda: socket.closed_with is not None)
    assert socket.closed_with == LAYER_DOWN_CODE
    assert socket.snapshots == 0 and fanout.members == {}


def test_one_failed_check_is_not_enough_to_close():
    assert LAYER_DOWN_PINGS >= 2
