import json

import pytest
from channels.layers import get_channel_layer
from django.db import transaction

from callcenter import realtime
from callcenter.realtime import publish


async def _drain(channel, layer, count):
    return [await layer.receive(channel) for _ in range(count)]


@pytest.fixture
def listener():
    """A channel in group 'test' on the in-memory layer; returns received messages."""
    from asgiref.sync import async_to_sync

    layer = get_channel_layer()
    channel = async_to_sync(layer.new_channel)()
    async_to_sync(layer.group_add)("test", channel)

    def received(count):
        return async_to_sync(_drain)(channel, layer, count)

    def nothing_waiting():
        return layer.channels.get(channel) is None or layer.channels[channel].empty()

    received.nothing_waiting = nothing_waiting
    return received


@pytest.mark.django_db
def test_publish_sends_after_commit_encoded_once(listener, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        publish("queue.updated", {"calls_waiting": 3, "label": "수도"}, groups=["test"])
        assert listener.nothing_waiting()  # nothing before the commit

    assert len(callbacks) == 1
    (message,) = listener(1)
    assert message["type"] == "realtime.event"
    assert message["event"] == "queue.updated"
    assert json.loads(message["json"]) == {"calls_waiting": 3, "label": "수도"}
    assert realtime.counters["sent"] == 1


@pytest.mark.django_db(transaction=True)
def test_nothing_is_pushed_for_a_rolled_back_write(listener):
    with pytest.raises(RuntimeError), transaction.atomic():
        publish("queue.updated", {"n": 1}, groups=["test"])
        raise RuntimeError("the write failed")

    assert listener.nothing_waiting()
    assert realtime.counters["sent"] == 0


@pytest.mark.django_db
def test_channel_layer_failure_never_breaks_the_write(monkeypatch, django_capture_on_commit_callbacks):
    layer = get_channel_layer()

    async def broken(*args, **kwargs):
        raise ConnectionError("redis is down")

    monkeypatch.setattr(layer, "group_send", broken)
    with django_capture_on_commit_callbacks(execute=True):
        publish("queue.updated", {"n": 1}, groups=["test"])  # must not raise

    assert realtime.counters["failed"] == 1
    assert realtime.counters["sent"] == 0


@pytest.mark.django_db
def test_callable_payload_is_evaluated_at_send_time(listener, django_capture_on_commit_callbacks):
    state = {"n": 1}
    with django_capture_on_commit_callbacks(execute=True):
        publish("queue.updated", lambda: {"n": state["n"]}, groups=["test"])
        state["n"] = 2

    (message,) = listener(1)
    assert json.loads(message["json"]) == {"n": 2}


async def test_bursts_are_coalesced_to_a_leading_and_one_trailing_send():
    import asyncio

    layer = get_channel_layer()
    channel = await layer.new_channel()
    await layer.group_add("burst", channel)

    # when a hundred events arrive inside one window
    for n in range(100):
        await realtime._dispatch("queue.updated", {"n": n}, ("burst",), 0.2)
    first = await asyncio.wait_for(layer.receive(channel), 1)
    second = await asyncio.wait_for(layer.receive(channel), 1)

    # then the first goes at once and the newest at the window's end, nothing else
    assert json.loads(first["json"]) == {"n": 0}
    assert json.loads(second["json"]) == {"n": 99}
    assert realtime.counters["coalesced"] == 99
    with pytest.raises(TimeoutError):
        await asyncio.wait_for(layer.receive(channel), 0.4)
