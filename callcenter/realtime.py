"""Realtime publishing: the one way anything is pushed to a websocket.

`publish()` is called by services only. It defers the send until the current
transaction commits (nothing is pushed for a rolled-back write), encodes the
payload once for every receiver, and never lets a channel-layer failure break
the write that caused it: the failure is logged and counted, and `/healthz`
reports the count.

Bursts are coalesced per (event, groups) when `coalesce` seconds are given:
the first event goes out at once, later ones within the window are folded into
one trailing send of the newest payload at the end of the window. A payload may
be a callable, evaluated at send time, so a coalesced push carries the figures
as they are then, computed once. Each process coalesces its own publishes; the
receiving fan-outs hold the cap across processes (`_Fanout.deliver`).

Consumers that receive these messages subclass `RealtimeConsumer`. They join
their groups through the process's `_Fanout`, not one by one on the channel
layer: the layer then carries each message once per process (one channel in
each group), and the frame is built once and written to every local socket in
one pass. Per socket, a push costs the socket's send alone, not a queue, a
deserialization, a dispatch task and a frame each (docs/BENCHMARKS.md, wallboard
round 3).
"""

from __future__ import annotations

import asyncio
import contextvars
import hashlib
import json
import logging
import threading
import time
import uuid
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from asgiref.sync import async_to_sync, sync_to_async
from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncJsonWebsocketConsumer
from channels.layers import get_channel_layer
from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction

logger = logging.getLogger(__name__)

Payload = dict[str, Any] | Callable[[], dict[str, Any]]

# Seconds a send may take before it is given up (and counted as failed).
SEND_TIMEOUT = 2.0

# A fan-out hands the loop back after this many sockets, so their frames go out
# (and requests are served) while the rest are built.
FANOUT_BATCH = 50

# The receiving side's window for coalesced pushes, as a share of the publisher's:
# a little shorter, so that one publisher's pushes (a whole window apart, give or
# take a millisecond of transit) never wait, while several publishers' together
# still reach a board at most about 1 / (0.9 × window) times a second.
RECEIVE_WINDOW_SHARE = 0.9

# Close codes the pages understand (static/js/common.js, liveSocket):
SESSION_ENDED_CODE = 4401  # the session ended (signed out, deactivated): the page goes to sign-in
LAYER_DOWN_CODE = 4503  # the channel layer cannot be reached: the page shows "reconnecting" and retries
# The event that ends the sockets of a session or a user (services.sockets_end_for_*).
SESSION_ENDED = "session.ended"


def user_group(user_id: Any) -> str:
    """Every socket of one user (closed when the user is deactivated or deleted)."""
    return f"user.{user_id}"


def session_group(session_key: str) -> str:
    """Every socket opened with one session (closed when it signs out). Hashed: the
    group's name is visible in Redis, the session key must not be."""
    return "session." + hashlib.sha256(session_key.encode()).hexdigest()[:40]


def layer_check_seconds() -> float:
    """How often a fan-out checks that its channel layer still carries messages (0: never)."""
    return float(getattr(settings, "REALTIME_LAYER_CHECK_SECONDS", 5.0))


# Counters for /healthz and the benchmarks: sent, failed, coalesced.
counters: Counter[str] = Counter()
_counters_lock = threading.Lock()


def _count(name: str, n: int = 1) -> None:
    with _counters_lock:
        counters[name] += n


def encode(data: Any) -> str:
    return json.dumps(data, cls=DjangoJSONEncoder, ensure_ascii=False, separators=(",", ":"))


def publish(event: str, payload: Payload, *, groups: Iterable[str], coalesce: float = 0.0) -> None:
    """Push `event` with `payload` to every socket in `groups`, after commit.

    Side effects: one channel-layer group_send per group once the surrounding
    transaction commits (immediately outside a transaction). With `coalesce`,
    at most one send per window per (event, groups).
    """
    group_names = tuple(sorted(set(groups)))
    if not group_names:
        return

    def after_commit() -> None:
        try:
            async_to_sync(_dispatch)(event, payload, group_names, coalesce)
        except Exception:  # a push must never break the write that caused it
            _count("failed")
            logger.exception("realtime: could not publish %s to %s", event, group_names)

    transaction.on_commit(after_commit)


@dataclass
class _Window:
    opened_at: float
    pending: Payload | None = None
    flush_scheduled: bool = False
    loop: asyncio.AbstractEventLoop | None = field(default=None, repr=False)


_windows: dict[tuple[str, tuple[str, ...]], _Window] = {}
_background: set[asyncio.Task] = set()  # strong references until the sends finish


async def _dispatch(event: str, payload: Payload, groups: tuple[str, ...], coalesce: float) -> None:
    if coalesce <= 0:
        await _send(event, payload, groups)
        return
    key = (event, groups)
    now = time.monotonic()
    loop = asyncio.get_running_loop()
    window = _windows.get(key)
    # A window is stale when its timer could not run (its loop is gone, as
    # after a management command) or it outlived twice its length.
    if window is not None and (window.loop is not loop or now - window.opened_at > 2 * coalesce):
        window = None
    if window is None:
        _windows[key] = _Window(opened_at=now, loop=loop)
        await _send(event, payload, groups, coalesce)  # leading edge: no added latency
        # A fresh context: this one belongs to the async_to_sync call of the
        # request thread that published, and its thread executor is gone by
        # the time the window closes (a callable payload then failed with
        # "CurrentThreadExecutor already quit or is broken").
        loop.call_later(coalesce, _close_window, key, coalesce, context=contextvars.Context())
        return
    _count("coalesced")
    window.pending = payload


def _close_window(key: tuple[str, tuple[str, ...]], coalesce: float) -> None:
    window = _windows.get(key)
    if window is None:
        return
    if window.pending is None:
        del _windows[key]
        return
    payload, window.pending = window.pending, None
    window.opened_at = time.monotonic()
    loop = asyncio.get_running_loop()
    task = loop.create_task(_send(key[0], payload, key[1], coalesce), context=contextvars.Context())  # trailing edge
    _background.add(task)
    task.add_done_callback(_background.discard)
    loop.call_later(coalesce, _close_window, key, coalesce, context=contextvars.Context())


async def _send(event: str, payload: Payload, groups: tuple[str, ...], coalesce: float = 0.0) -> None:
    opened = time.time()  # the window's start (wall clock: the same for every process)
    try:
        data = await sync_to_async(payload)() if callable(payload) else payload
        message = {"type": "realtime.event", "event": event, "json": encode(data)}
        if coalesce > 0:  # the receiving fan-outs hold the cap too (several publishing processes)
            message["coalesce"], message["opened"] = coalesce, opened
        layer = get_channel_layer()
        # Bounded: an unreachable Redis (packets dropped, not refused) would
        # otherwise hold the publishing request until the TCP timeout.
        async with asyncio.timeout(SEND_TIMEOUT):
            for group in groups:
                # the group's name tells each process's fan-out whom it is for
                await layer.group_send(group, {**message, "group": group})
        _count("sent")
    except Exception:
        _count("failed")
        logger.exception("realtime: send of %s to %s failed", event, groups)


def reset_for_tests() -> None:
    _windows.clear()
    counters.clear()


class _Fanout:
    """One event loop's (one process's) receiver of the realtime groups.

    The first local consumer of a group puts this fan-out's one channel in
    the group; every published message then arrives here once, and is written
    to each local member's socket in one pass, its frame built once per
    consumer class. The last member of a group to leave takes the channel out
    of it; the last member of all stops the receiver.
    """

    def __init__(self, layer: Any, key: tuple[Any, Any]) -> None:
        self.layer = layer
        self.key = key
        self.members: dict[str, dict[RealtimeConsumer, None]] = {}  # insertion-ordered sets
        self.channel: str | None = None
        self.task: asyncio.Task | None = None
        self.watchdog: asyncio.Task | None = None
        self.pong: tuple[str, asyncio.Event] | None = None  # the ping awaited, if any
        self.lock = asyncio.Lock()
        self.writing = asyncio.Lock()  # one push written at a time, in order
        # (group, event) -> the coalesced pushes written and held (see deliver)
        self.windows: dict[tuple[str, str], _Received] = {}

    async def join(self, group: str, consumer: RealtimeConsumer) -> None:
        async with self.lock:
            if self.channel is None:
                self.channel = await self.layer.new_channel()
                loop = asyncio.get_running_loop()
                self.task = loop.create_task(self._receive(self.channel), context=contextvars.Context())
                if layer_check_seconds() > 0:
                    self.watchdog = loop.create_task(self._watch(), context=contextvars.Context())
            members = self.members.get(group)
            if members is None:
                await self.layer.group_add(group, self.channel)
                members = self.members[group] = {}
            members[consumer] = None

    async def leave(self, group: str, consumer: RealtimeConsumer) -> None:
        async with self.lock:
            members = self.members.get(group)
            if members is None or consumer not in members:
                return
            del members[consumer]
            if members:
                return
            del self.members[group]
            try:
                await self.layer.group_discard(group, self.channel)
            except Exception:  # an unreachable layer: its subscriptions are gone with it
                logger.warning("realtime: could not leave %s", group, exc_info=True)
            finally:
                if not self.members:
                    self._stop()

    def _stop(self) -> None:
        if _fanouts.get(self.key) is self:
            del _fanouts[self.key]
        current = asyncio.current_task()
        for task in (self.task, self.watchdog):
            if task is not None and task is not current:
                # a cancelled receive unsubscribes the channel (Redis layer); keep
                # the task referenced until it has
                task.cancel()
                _background.add(task)
                task.add_done_callback(_background.discard)
        self.task = self.watchdog = self.channel = None

    async def _receive(self, channel: str) -> None:
        while True:
            try:
                message = await self.layer.receive(channel)
            except asyncio.CancelledError:
                raise
            except Exception:
                logger.warning("realtime: the channel layer failed; closing this process's sockets", exc_info=True)
                await self.drop_all()
                return
            if message.get("type") == "realtime.ping":
                if self.pong is not None and message.get("token") == self.pong[0]:
                    self.pong[1].set()
                continue
            try:
                await self.deliver(message)
            except Exception:  # one bad message must not stop every socket's pushes
                logger.exception("realtime: could not deliver %s", message.get("event"))

    async def _watch(self) -> None:
        """Every REALTIME_LAYER_CHECK_SECONDS, a message to this fan-out's own channel
        and back. When it does not come back (Redis down), every local socket is closed
        with LAYER_DOWN_CODE: an open page would otherwise wait for pushes that never
        come and show nothing wrong; closed, it shows "reconnecting", retries with
        backoff and starts again from a full snapshot once the layer is back."""
        interval = layer_check_seconds()
        while True:
            await asyncio.sleep(interval)
            if not await self.ping():
                _count("layer_down")
                logger.warning("realtime: the channel layer does not answer; closing this process's sockets")
                await self.drop_all()
                return

    async def ping(self) -> bool:
        token = uuid.uuid4().hex
        event = asyncio.Event()
        self.pong = (token, event)
        try:
            async with asyncio.timeout(SEND_TIMEOUT):
                await self.layer.send(self.channel, {"type": "realtime.ping", "token": token})
                await event.wait()
            return True
        except Exception:
            return False
        finally:
            self.pong = None

    async def drop_all(self) -> None:
        """Close every local socket and forget this fan-out: the next socket starts a fresh one."""
        consumers = list({consumer: None for members in self.members.values() for consumer in members})
        self.members.clear()
        self._stop()
        for consumer in consumers:
            consumer.groups_joined = ()  # nothing left to leave
            try:
                await consumer.close(code=LAYER_DOWN_CODE)
            except Exception:
                logger.exception("realtime: could not close %s", consumer.channel_name)

    async def deliver(self, message: dict) -> None:
        """Write a published message to the group's local sockets.

        A coalesced message (`coalesce` seconds) keeps its cap here as well:
        publishers coalesce each in their own process, so with several server
        processes taking events a board could get a push per window from each.
        A push whose window opened less than RECEIVE_WINDOW_SHARE of a window
        after the last one written here waits, and only the newest of those
        goes, when that much time has passed. One publisher's pushes open
        their windows a whole window apart, so none of them waits.
        """
        if message.get("type") != "realtime.event" or not self.members.get(message.get("group", "")):
            return
        window = float(message.get("coalesce") or 0)
        if window <= 0:
            await self.write(message)
            return
        key = (message["group"], message["event"])
        received = self.windows.setdefault(key, _Received())
        opened, gap = float(message.get("opened") or time.time()), window * RECEIVE_WINDOW_SHARE
        if received.held is None and opened - received.last >= gap:
            received.last = opened
            await self.write(message)
            return
        _count("coalesced")
        if received.held is None or opened >= float(received.held.get("opened") or 0):
            received.held = message
        if not received.timer:
            received.timer = True
            delay = min(max(0.0, received.last + gap - time.time()), gap)  # bounded: clocks may step
            asyncio.get_running_loop().call_later(delay, self._release, key, gap, context=contextvars.Context())

    def _release(self, key: tuple[str, str], gap: float) -> None:
        received = self.windows.get(key)
        if received is None or received.held is None:
            if received is not None:
                received.timer = False
            return
        message, received.held = received.held, None
        received.last = time.time()  # the next may follow a whole gap after this one
        loop = asyncio.get_running_loop()
        task = loop.create_task(self.write(message), context=contextvars.Context())
        _background.add(task)
        task.add_done_callback(_background.discard)
        loop.call_later(gap, self._release, key, gap, context=contextvars.Context())

    async def write(self, message: dict) -> None:
        async with self.writing:
            members = self.members.get(message.get("group", ""))
            if not members:
                return
            if message.get("event") == SESSION_ENDED:
                for consumer in list(members):
                    await consumer.end_session()
                return
            await self._write(message, members)

    async def _write(self, message: dict, members: dict[RealtimeConsumer, None]) -> None:
        frames: dict[type, str] = {}
        for index, consumer in enumerate(list(members)):
            if index and not index % FANOUT_BATCH:
                # Let the loop write what is queued: a socket's frame only
                # leaves when the loop runs, so without a pause the first
                # socket would wait for the last one's frame to be built.
                await asyncio.sleep(0)
            kind = type(consumer)
            text = frames.get(kind)
            if text is None:
                text = frames[kind] = consumer.frame(message["event"], message["json"])
            try:
                await consumer.push(text)
            except Exception:  # a socket that fails must not cost the others their push
                logger.exception("realtime: push to %s failed", consumer.channel_name)


_fanouts: dict[tuple[Any, Any], _Fanout] = {}


@dataclass
class _Received:
    """One fan-out's coalesced pushes of one (group, event)."""

    last: float = 0.0  # the last push written: when its window opened, or when it was released (wall clock)
    held: dict | None = None  # the newest push waiting for its turn
    timer: bool = False  # a release is scheduled


def _fanout_for(layer: Any) -> _Fanout:
    key = (asyncio.get_running_loop(), layer)
    fanout = _fanouts.get(key)
    if fanout is None:
        fanout = _fanouts[key] = _Fanout(layer, key)
    return fanout


class RealtimeConsumer(AsyncJsonWebsocketConsumer):
    """Base for the console's sockets: one way to connect, refuse, snapshot, push.

    A subclass says who may listen to what (`groups_for`, run in a thread, may
    query) and what a snapshot holds (`snapshot`, likewise). On connect the
    user's groups are joined, the handshake accepted and a snapshot sent;
    `{"type": "resync"}` from the client sends a fresh one. A user whose role
    may not listen is closed with 4403 right after the handshake, before any
    data: a close before the handshake reaches a browser only as 1006, and
    the page could not tell "forbidden" from "network" (it would retry).

    Published events arrive through the process's `_Fanout` and go out as
    `{"type": <event>, "data": <payload>}` unless `frame()` is overridden
    (it must depend on its arguments only: it is called once per class and
    push); the payload JSON is spliced in, not re-encoded per socket. A push
    that arrives while a snapshot is being computed and sent waits, and goes
    out after it, in order (as messages queued on the consumer's channel did).
    """

    #: close code when the role check fails (like HTTP 403)
    FORBIDDEN = 4403

    groups_joined: tuple[str, ...] = ()
    #: pushes held while a snapshot is on its way (None: send at once)
    _held: list[str] | None = None

    def groups_for(self, user: Any) -> list[str] | None:
        """The groups `user` listens to, or None when their role may not connect."""
        raise NotImplementedError

    def snapshot(self, user: Any) -> dict[str, Any]:
        """Everything the page shows, as it is now."""
        raise NotImplementedError

    #: the handshake was accepted (before that, a failure refuses it)
    accepted = False

    async def __call__(self, scope: dict, receive: Any, send: Any) -> None:
        try:
            await super().__call__(scope, receive, send)
        except Exception:
            if self.accepted:
                raise
            # Before the handshake the channel layer failed (Redis down: the consumer's
            # own channel could not be made). Refuse the handshake (HTTP 403, not a 500);
            # the page retries with backoff and shows "reconnecting" meanwhile.
            _count("refused")
            logger.warning("realtime: socket refused, the channel layer cannot be reached")
            await send({"type": "websocket.close", "code": 1000})

    async def accept(self, subprotocol: str | None = None, headers: Any = None) -> None:
        self.accepted = True
        await super().accept(subprotocol, headers)

    async def connect(self) -> None:
        user = self.scope.get("user")
        try:
            groups = await database_sync_to_async(self.groups_for)(user) if user is not None else None
        except Exception:  # the database is down: refuse the handshake, the page retries
            logger.warning("realtime: socket refused, its roles could not be read", exc_info=True)
            await self.close()
            return
        if groups is None:
            await self.accept()
            await self.close(code=self.FORBIDDEN)
            return
        self._held = []  # pushes from now on wait for the snapshot
        fanout = _fanout_for(self.channel_layer)
        try:
            async with asyncio.timeout(SEND_TIMEOUT):
                for group in [*groups, *self.session_groups()]:
                    await fanout.join(group, self)
                    self.groups_joined += (group,)
        except Exception:
            # The channel layer cannot be reached (Redis down). A close before the
            # handshake is accepted refuses it (HTTP 403, not a 500); the page retries
            # with backoff and shows "reconnecting" meanwhile.
            _count("refused")
            logger.warning("realtime: socket refused, the channel layer cannot be reached", exc_info=True)
            for group in self.groups_joined:
                await fanout.leave(group, self)
            self.groups_joined = ()
            await self.close()
            return
        await self.accept()
        await self.send_snapshot()

    def session_groups(self) -> list[str]:
        """The groups that end this socket with its session or its user."""
        user, session = self.scope.get("user"), self.scope.get("session")
        groups = []
        if getattr(user, "is_authenticated", False):
            groups.append(user_group(user.pk))
        key = getattr(session, "session_key", None)
        if key:
            groups.append(session_group(key))
        return groups

    async def end_session(self) -> None:
        """The session ended: say so, then close (the page goes to the sign-in page)."""
        await self.send(text_data=f'{{"type":"{SESSION_ENDED}"}}')
        await self.close(code=SESSION_ENDED_CODE)

    async def send_snapshot(self) -> None:
        if self._held is None:
            self._held = []
        try:
            data = await database_sync_to_async(self.snapshot)(self.scope["user"])
            await self.send(text_data=self.frame("snapshot", encode(data)))
        finally:
            held, self._held = self._held, None
            for text in held:
                await self.send(text_data=text)

    async def push(self, text: str) -> None:
        """Send a pushed frame now, or after the snapshot on its way."""
        if self._held is not None:
            self._held.append(text)
            return
        await self.send(text_data=text)

    async def receive_json(self, content: Any, **kwargs) -> None:
        if isinstance(content, dict) and content.get("type") == "resync":
            await self.send_snapshot()

    async def disconnect(self, code: int) -> None:
        if not self.groups_joined:
            return
        fanout = _fanout_for(self.channel_layer)
        for group in self.groups_joined:
            await fanout.leave(group, self)

    async def dispatch(self, message: dict) -> None:
        # A realtime event sent to this consumer's own channel (pushes come
        # through the fan-out). Channels 4.3 closes old DB connections in a
        # thread before every handler; a pushed event touches no database,
        # so skip that hop.
        if message.get("type") == "realtime.event":
            await self.realtime_event(message)
            return
        await super().dispatch(message)

    def frame(self, event: str, payload_json: str) -> str:
        return f'{{"type":{json.dumps(event)},"data":{payload_json}}}'

    async def realtime_event(self, message: dict) -> None:
        await self.send(text_data=self.frame(message["event"], message["json"]))

    @classmethod
    async def encode_json(cls, content: Any) -> str:
        return encode(content)
