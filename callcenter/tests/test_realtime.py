"""publish(): after commit, encoded once, failures counted, bursts coalesced.

Async tests in one event loop, so they run on the in-memory layer and on the
Redis pub/sub layer alike (make test with REDIS_URL runs them on Redis).
"""

import asyncio
import json
import time
import uuid

import pytest
from channels.db import database_sync_to_async as sync_to_async
from channels.layers import get_channel_layer
from django.db import transaction

from callcenter import realtime
from callcenter.realtime import publish

pytestmark = pytest.mark.django_db(transaction=True)


async def listen():
    layer = get_channel_layer()
    group = f"test-{uuid.uuid4().hex[:8]}"
    channel = await layer.new_channel()
    await layer.group_add(group, channel)
    return layer, group, channel


async def nothing_arrives(layer, channel, within=0.3):
    # Ends the test: a cancelled receive unsubscribes the channel on the Redis layer.
    with pytest.raises(TimeoutError):
        await asyncio.wait_for(layer.receive(channel), within)
    return True


async def test_publish_sends_after_commit_encoded_once():
    layer, group, channel = await listen()

    def write():
        with transaction.atomic():
            publish("queue.updated", {"calls_waiting": 3, "label": "수도"}, groups=[group])
            assert realtime.counters["sent"] == 0  # nothing before the commit

    await sync_to_async(write)()

    message = await asyncio.wait_for(layer.receive(channel), 3)
    assert message["type"] == "realtime.event"
    assert message["event"] == "queue.updated"
    assert json.loads(message["json"]) == {"calls_waiting": 3, "label": "수도"}
    assert realtime.counters["sent"] == 1


async def test_nothing_is_pushed_for_a_rolled_back_write():
    layer, group, channel = await listen()

    def failed_write():
        with pytest.raises(RuntimeError), transaction.atomic():
            publish("queue.updated", {"n": 1}, groups=[group])
            raise RuntimeError("the write failed")

    await sync_to_async(failed_write)()

    assert await nothing_arrives(layer, channel)
    assert realtime.counters["sent"] == 0


async def test_channel_layer_failure_never_breaks_the_write(monkeypatch):
    layer = get_channel_layer()

    async def broken(*args, **kwargs):
        raise ConnectionError("redis is down")

    monkeypatch.setattr(layer, "group_send", broken)

    def write():
        with transaction.atomic():
            publish("queue.updated", {"n": 1}, groups=["anyone"])
        return "saved"

    assert await sync_to_async(write)() == "saved"  # the write did not raise
    assert realtime.counters["failed"] == 1
    assert realtime.counters["sent"] == 0


async def test_callable_payload_is_evaluated_at_send_time():
    layer, group, channel = await listen()
    state = {"n": 1}

    def write():
        with transaction.atomic():
            publish("queue.updated", lambda: {"n": state["n"]}, groups=[group])
            state["n"] = 2

    await sync_to_async(write)()

    message = await asyncio.wait_for(layer.receive(channel), 3)
    assert json.loads(message["json"]) == {"n": 2}


async def test_bursts_are_coalesced_to_a_leading_and_one_trailing_send():
    layer, group, channel = await listen()

    # when a hundred events arrive inside one window
    for n in range(100):
        await realtime._dispatch("queue.updated", {"n": n}, (group,), 0.3)
    first = await asyncio.wait_for(layer.receive(channel), 3)
    second = await asyncio.wait_for(layer.receive(channel), 3)

    # then the first goes at once and the newest at the window's end, nothing else
    assert json.loads(first["json"]) == {"n": 0}
    assert json.loads(second["json"]) == {"n": 99}
    assert realtime.counters["coalesced"] == 99
    assert await nothing_arrives(layer, channel, within=0.5)


async def test_a_socket_whose_send_fails_does_not_cost_the_others_their_push():
    received = []

    class Board:
        channel_name = "board"

        def __init__(self, broken=False):
            self.broken = broken

        def frame(self, event, payload_json):
            return f'{{"type":"{event}","data":{payload_json}}}'

        async def push(self, text):
            if self.broken:
                raise ConnectionResetError("the socket is gone")
            received.append((self, text))

    fanout = realtime._Fanout(get_channel_layer(), key=("test", "test"))
    boards = [Board(), Board(broken=True), Board()]
    fanout.members["wall"] = dict.fromkeys(boards)

    await fanout.deliver({"type": "realtime.event", "group": "wall", "event": "update", "json": '{"n":1}'})

    assert received == [
        (boards[0], '{"type":"update","data":{"n":1}}'),
        (boards[2], '{"type":"update","data":{"n":1}}'),
    ]


async def test_a_large_fanout_reaches_every_socket_once_and_lets_the_loop_run_between_batches(monkeypatch):
    monkeypatch.setattr(realtime, "FANOUT_BATCH", 3)
    received = []
    progress_seen = []  # how many sockets had their frame each time another task got the loop

    class Board:
        channel_name = "board"

        def frame(self, event, payload_json):
            return f'{{"type":"{event}","data":{payload_json}}}'

        async def push(self, text):
            received.append((self, text))

    async def meanwhile():
        for _ in range(10):
            await asyncio.sleep(0)
            progress_seen.append(len(received))

    fanout = realtime._Fanout(get_channel_layer(), key=("test", "test"))
    boards = [Board() for _ in range(10)]
    fanout.members["wall"] = dict.fromkeys(boards)

    other = asyncio.get_running_loop().create_task(meanwhile())
    await fanout.deliver({"type": "realtime.event", "group": "wall", "event": "update", "json": '{"n":2}'})
    await other

    assert [board for board, _ in received] == boards  # each once, in the order they joined
    assert {text for _, text in received} == {'{"type":"update","data":{"n":2}}'}
    # another task ran while the fan-out was half done: sockets do not wait for the whole pass
    assert any(0 < seen < len(boards) for seen in progress_seen)


async def test_a_fanout_holds_the_cap_when_several_processes_publish():
    """Each server process coalesces its own publishes; a board must still get at
    most about one push per window when two processes publish in the same one."""
    received = []

    class Board:
        channel_name = "board"

        def frame(self, event, payload_json):
            return payload_json

        async def push(self, text):
            received.append((asyncio.get_running_loop().time(), text))

    fanout = realtime._Fanout(get_channel_layer(), key=("test", "test"))
    fanout.members["wall"] = dict.fromkeys([Board()])

    def message(n, coalesce=0.2):
        return {
            "type": "realtime.event",
            "group": "wall",
            "event": "update",
            "json": f'{{"n":{n}}}',
            "coalesce": coalesce,
        }

    start = asyncio.get_running_loop().time()
    await fanout.deliver(message(1))  # process A's leading push: at once
    await fanout.deliver(message(2))  # process B's leading push, 20 ms later
    await asyncio.sleep(0.02)
    await fanout.deliver(message(3))  # and A's again: only the newest of these two goes
    assert [text for _, text in received] == ['{"n":1}']
    await asyncio.sleep(0.3)
    assert [text for _, text in received] == ['{"n":1}', '{"n":3}']
    assert received[1][0] - start >= 0.2 * realtime.RECEIVE_WINDOW_SHARE - 0.01  # at the window's end

    # a publisher's pushes a whole window apart never wait
    received.clear()
    await asyncio.sleep(0.25)
    for n in (4, 5):
        sent = asyncio.get_running_loop().time()
        await fanout.deliver(message(n))
        assert received[-1][1] == f'{{"n":{n}}}' and received[-1][0] - sent < 0.05
        await asyncio.sleep(0.2)

    # nor do they when one arrives early (its figures took less time to compute
    # than the last one's): what counts is when each window opened
    received.clear()
    await asyncio.sleep(0.25)
    opened = time.time()
    await fanout.deliver({**message(8), "opened": opened})
    await asyncio.sleep(0.05)
    await fanout.deliver({**message(9), "opened": opened + 0.2})
    assert [text for _, text in received] == ['{"n":8}', '{"n":9}']

    # pushes that are not coalesced (screen pops, referrals) are never held
    received.clear()
    for n in (6, 7):
        await fanout.deliver(message(n, coalesce=0))
    assert [text for _, text in received] == ['{"n":6}', '{"n":7}']
