"""publish(): after commit, encoded once, failures counted, bursts coalesced.

Async tests in one event loop, so they run on the in-memory layer and on the
Redis pub/sub layer alike (make test with REDIS_URL runs them on Redis).
"""

import asyncio
import json
import uuid

import pytest
from channels.db import database_sync_to_async as sync_to_async
from channels.layers import get_channel_layer
from django.db import transaction

from callcenter import realtime
from callcenter.realtime import ManualClock, publish
from callcenter.realtime import fanout as fanout_module
from callcenter.realtime.messages import PUSH

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
    assert message["type"] == PUSH
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


@pytest.fixture
def clock():
    """The coalescing windows' clock, standing still until the test advances it."""
    clock = ManualClock()
    realtime.reset_for_tests(clock)
    return clock


async def test_bursts_are_coalesced_to_a_leading_and_one_trailing_send(clock):
    layer, group, channel = await listen()
    dispatch = realtime.publisher().dispatch

    # when a hundred events arrive inside one window
    for n in range(100):
        await dispatch("queue.updated", {"n": n}, (group,), 0.25)

    # then the first has gone at once, and nothing else yet
    first = await asyncio.wait_for(layer.receive(channel), 3)
    assert json.loads(first["json"]) == {"n": 0}
    assert realtime.counters["coalesced"] == 99

    # and the newest goes when the window ends, nothing else
    clock.advance(0.25)
    await realtime.publisher().settle()
    second = await asyncio.wait_for(layer.receive(channel), 3)
    assert json.loads(second["json"]) == {"n": 99}
    assert realtime.counters["sent"] == 2
    clock.advance(0.25)  # a quiet window closes the window
    await realtime.publisher().settle()
    assert realtime.counters["sent"] == 2
    assert await nothing_arrives(layer, channel, within=0.1)


async def test_an_event_after_a_quiet_window_goes_out_at_once(clock):
    layer, group, channel = await listen()
    dispatch = realtime.publisher().dispatch

    await dispatch("queue.updated", {"n": 1}, (group,), 0.25)
    clock.advance(0.25)  # nothing else came: the window closes
    await realtime.publisher().settle()
    clock.advance(10)

    await dispatch("queue.updated", {"n": 2}, (group,), 0.25)  # at once, not at the window's end
    received = [json.loads((await asyncio.wait_for(layer.receive(channel), 3))["json"]) for _ in range(2)]
    assert received == [{"n": 1}, {"n": 2}]
    assert realtime.counters["coalesced"] == 0


async def test_a_steady_stream_gets_one_push_per_window_with_the_newest_figures(clock):
    layer, group, channel = await listen()
    dispatch = realtime.publisher().dispatch
    state = {"n": 0}

    # ten events a second for one second, a 0.25 s window
    for n in range(10):
        state["n"] = n
        await dispatch("wallboard.updated", lambda: dict(state), (group,), 0.25)
        clock.advance(0.1)
        await realtime.publisher().settle()
    clock.advance(0.25)
    await realtime.publisher().settle()

    pushes = []
    while True:
        try:
            pushes.append(json.loads((await asyncio.wait_for(layer.receive(channel), 0.2))["json"])["n"])
        except TimeoutError:
            break
    # the leading edge, then one per window carrying what was newest when it closed
    assert pushes == [0, 2, 4, 7, 9]


async def test_the_events_of_different_groups_are_coalesced_apart(clock):
    layer, group, channel = await listen()
    other_layer, other, other_channel = await listen()
    dispatch = realtime.publisher().dispatch

    await dispatch("queue.updated", {"n": 1}, (group,), 0.25)
    await dispatch("queue.updated", {"n": 2}, (other,), 0.25)

    assert json.loads((await asyncio.wait_for(layer.receive(channel), 3))["json"]) == {"n": 1}
    assert json.loads((await asyncio.wait_for(other_layer.receive(other_channel), 3))["json"]) == {"n": 2}


def test_a_sync_caller_inside_a_running_event_loop_still_publishes(django_capture_on_commit_callbacks, monkeypatch):
    """A sync service called from a thread that runs an event loop (a Playwright sync
    test calling referral_create): async_to_sync cannot run there, the push still goes."""
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")  # as the browser fixtures do

    async def scenario():
        layer, group, channel = await listen()

        def service_write():  # sync code, called straight from the coroutine
            with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
                publish("referral.created", {"id": 7}, groups=[group])

        service_write()
        return json.loads((await asyncio.wait_for(layer.receive(channel), 3))["json"])

    assert asyncio.run(scenario()) == {"id": 7}
    assert realtime.counters["sent"] == 1 and realtime.counters["failed"] == 0


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

    fanout = realtime.Fanout(get_channel_layer())
    boards = [Board(), Board(broken=True), Board()]
    fanout.members["wall"] = dict.fromkeys(boards)

    await fanout.deliver({"type": PUSH, "group": "wall", "event": "wallboard.updated", "json": '{"n":1}'})

    assert received == [
        (boards[0], '{"type":"wallboard.updated","data":{"n":1}}'),
        (boards[2], '{"type":"wallboard.updated","data":{"n":1}}'),
    ]


async def test_a_large_fanout_reaches_every_socket_once_and_lets_the_loop_run_between_batches(monkeypatch):
    monkeypatch.setattr(fanout_module, "FANOUT_BATCH", 3)
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

    fanout = realtime.Fanout(get_channel_layer())
    boards = [Board() for _ in range(10)]
    fanout.members["wall"] = dict.fromkeys(boards)

    other = asyncio.get_running_loop().create_task(meanwhile())
    await fanout.deliver({"type": PUSH, "group": "wall", "event": "wallboard.updated", "json": '{"n":2}'})
    await other

    assert [board for board, _ in received] == boards  # each once, in the order they joined
    assert {text for _, text in received} == {'{"type":"wallboard.updated","data":{"n":2}}'}
    # another task ran while the fan-out was half done: sockets do not wait for the whole pass
    assert any(0 < seen < len(boards) for seen in progress_seen)


async def test_a_fanout_writes_each_push_as_it_arrives_in_order():
    """Coalescing is the publisher's: what arrives is written, none held back."""
    received = []

    class Board:
        channel_name = "board"

        def frame(self, event, payload_json):
            return payload_json

        async def push(self, text):
            received.append(text)

    fanout = realtime.Fanout(get_channel_layer())
    fanout.members["wall"] = dict.fromkeys([Board()])
    for n in range(3):
        await fanout.deliver({"type": PUSH, "group": "wall", "event": "wallboard.updated", "json": f'{{"n":{n}}}'})
    # a message for a group with no local socket, or of another type, is not written
    await fanout.deliver({"type": PUSH, "group": "elsewhere", "event": "wallboard.updated", "json": "{}"})
    await fanout.deliver({"type": "something.else", "group": "wall", "event": "x", "json": "{}"})
    assert received == ['{"n":0}', '{"n":1}', '{"n":2}']


async def test_a_trailing_push_gives_its_database_connection_back(clock):
    """A trailing push computes its figures in asgiref's shared thread, which no request
    tidies: it kept one connection for the process's life, and after PostgreSQL restarted
    every later push failed on the dead one (the boards froze: bench/city_day.py, faults)."""
    from asgiref.sync import sync_to_async as plain_sync_to_async
    from django.db import connection

    if connection.vendor == "sqlite":
        pytest.skip("Django never closes SQLite's in-memory test database: checked on PostgreSQL (CI's second pass)")
    layer, group, channel = await listen()
    dispatch = realtime.publisher().dispatch

    def figures():
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        return {"ok": True}

    await dispatch("wallboard.updated", {"first": True}, (group,), 0.25)  # the leading edge
    await dispatch("wallboard.updated", figures, (group,), 0.25)  # held for the window's end
    assert json.loads((await asyncio.wait_for(layer.receive(channel), 3))["json"]) == {"first": True}
    clock.advance(0.25)
    await realtime.publisher().settle()

    assert json.loads((await asyncio.wait_for(layer.receive(channel), 3))["json"]) == {"ok": True}
    # asgiref's shared thread (where plain sync_to_async runs this too) holds no connection
    assert await plain_sync_to_async(lambda: connection.connection is None)()


async def test_a_burst_from_request_threads_folds_into_the_open_window_without_the_loop(clock, monkeypatch):
    """Under daphne a write's after-commit publish runs in its request's thread. Inside an open
    window it only replaces the trailing send's payload: no trip to the event loop and back,
    which at the peak waits behind every socket's frames (docs/BENCHMARKS.md, "The peak hour
    at x20, round 4")."""
    import importlib

    publish_module = importlib.import_module("callcenter.realtime.publish")  # the package exports the function
    layer, group, channel = await listen()
    trips = []
    original = publish_module.async_to_sync

    def counted(func):
        trips.append(func)
        return original(func)

    monkeypatch.setattr(publish_module, "async_to_sync", counted)

    def burst():  # a hundred writes, each publishing after it commits
        for n in range(100):
            with transaction.atomic():
                publish("queue.updated", {"n": n}, groups=[group], coalesce=0.25)

    await sync_to_async(burst)()

    assert len(trips) == 1  # the leading send only
    assert json.loads((await asyncio.wait_for(layer.receive(channel), 3))["json"]) == {"n": 0}
    assert realtime.counters["coalesced"] == 99
    clock.advance(0.25)
    await realtime.publisher().settle()
    assert json.loads((await asyncio.wait_for(layer.receive(channel), 3))["json"]) == {"n": 99}
    assert await nothing_arrives(layer, channel, within=0.1)
