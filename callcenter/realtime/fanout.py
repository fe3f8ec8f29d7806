"""The receiving side: one fan-out per process writes each published message to its local sockets.

Consumers that receive published messages subclass `RealtimeConsumer`. They
join their groups through the process's `Fanout`, not one by one on the channel
layer: the layer then carries each message once per process (one channel in
each group), and the frame is built once and written to every local socket in
one pass. Per socket, a push costs the socket's send alone, not a queue, a
deserialization, a dispatch task and a frame each (docs/BENCHMARKS.md, wallboard
round 3). The fan-out writes what arrives, in order: coalescing is the
publisher's (callcenter/realtime/publish.py).
"""

from __future__ import annotations

import asyncio
import contextvars
import json
import logging
import uuid
from typing import Any

from channels.consumer import get_handler_name
from channels.generic.websocket import AsyncJsonWebsocketConsumer
from channels.layers import get_channel_layer
from django.conf import settings

from callcenter.realtime.messages import (
    LAYER_DOWN_CODE,
    PING,
    PUSH,
    SEND_TIMEOUT,
    SESSION_ENDED,
    SESSION_ENDED_CODE,
    SNAPSHOT_REQUESTED,
    count,
    encode,
    layer_group,
    session_group,
    socket_database,
    user_group,
)

logger = logging.getLogger(__name__)

# Consecutive failed layer checks before a fan-out closes its sockets (see Fanout._watch).
LAYER_DOWN_PINGS = 2

# A fan-out hands the loop back after this many sockets, so their frames go out
# (and requests are served) while the rest are built.
FANOUT_BATCH = 50


def layer_check_seconds() -> float:
    """How often a fan-out checks that its channel layer still carries messages (0: never)."""
    return float(getattr(settings, "REALTIME_LAYER_CHECK_SECONDS", 5.0))


class Fanout:
    """One event loop's (one process's) receiver of the realtime groups.

    The first local consumer of a group puts this fan-out's one channel in
    the group's layer group (messages.layer_group: a person's or a session's
    group rides one shared per kind); every published message then arrives here
    once, and is written to each local member's socket in one pass, its frame
    built once per consumer class. The last local group of a layer group to go
    takes the channel out of it; the last member of all stops the receiver.
    """

    def __init__(self, layer: Any) -> None:
        self.layer = layer
        self.members: dict[str, dict[RealtimeConsumer, None]] = {}  # insertion-ordered sets
        self.subscribed: dict[str, int] = {}  # layer group -> local groups it carries
        self.channel: str | None = None
        self.task: asyncio.Task | None = None
        self.watchdog: asyncio.Task | None = None
        self.pong: tuple[str, asyncio.Event] | None = None  # the ping awaited, if any
        self.lock = asyncio.Lock()
        self.writing = asyncio.Lock()  # one push written at a time, in order

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
                carrier = layer_group(group)
                if carrier not in self.subscribed:
                    await self.layer.group_add(carrier, self.channel)
                    self.subscribed[carrier] = 0
                self.subscribed[carrier] += 1
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
            carrier = layer_group(group)
            self.subscribed[carrier] -= 1
            if self.subscribed[carrier]:
                return
            del self.subscribed[carrier]
            try:
                await self.layer.group_discard(carrier, self.channel)
            except Exception:  # an unreachable layer: its subscriptions are gone with it
                logger.warning("realtime: could not leave %s", carrier, exc_info=True)
            finally:
                if not self.members:
                    self._stop()

    def _stop(self) -> None:
        _forget(self)
        current = asyncio.current_task()
        for task in (self.task, self.watchdog):
            if task is not None and task is not current:
                # A cancelled receive unsubscribes the channel (Redis layer). The task
                # stays referenced by the loop until its cancellation has run.
                task.cancel()
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
            if message.get("type") == PING:
                if self.pong is not None and message.get("token") == self.pong[0]:
                    self.pong[1].set()
                continue
            try:
                await self.deliver(message)
            except Exception:  # one bad message must not stop every socket's pushes
                logger.exception("realtime: could not deliver %s", message.get("event"))

    async def _watch(self) -> None:
        """Every REALTIME_LAYER_CHECK_SECONDS, a message to this fan-out's own channel
        and back. When it has not come back LAYER_DOWN_PINGS times in a row (Redis down),
        every local socket is closed with LAYER_DOWN_CODE: an open page would otherwise
        wait for pushes that never come and show nothing wrong; closed, it shows
        "reconnecting", retries with backoff and starts again from a full snapshot once
        the layer is back.

        When the layer answers again by the next check, nothing is closed and every
        local socket is sent a fresh snapshot, since pushes published meanwhile were
        lost: closing them all sends every console and board back through its
        handshake at once. (After a real Redis restart the next check fails too, so the
        sockets close all the same: bench/city_day.py, faults, measured 27 s of refused
        requests while 550 sockets reconnected; docs/BENCHMARKS.md.)"""
        interval = layer_check_seconds()
        failed = 0
        while True:
            await asyncio.sleep(interval)
            if await self.ping():
                if failed:
                    count("layer_back")
                    logger.warning("realtime: the channel layer answers again; sending every local socket a snapshot")
                    await self.resync_all()
                failed = 0
                continue
            failed += 1
            if failed >= LAYER_DOWN_PINGS:
                count("layer_down")
                logger.warning("realtime: the channel layer does not answer; closing this process's sockets")
                await self.drop_all()
                return

    async def ping(self) -> bool:
        token = uuid.uuid4().hex
        event = asyncio.Event()
        self.pong = (token, event)
        try:
            async with asyncio.timeout(SEND_TIMEOUT):
                await self.layer.send(self.channel, {"type": PING, "token": token})
                await event.wait()
            return True
        except Exception:
            return False
        finally:
            self.pong = None

    async def resync_all(self) -> None:
        """Send every local socket a fresh snapshot (the layer was away: pushes were lost)."""
        consumers = list({consumer: None for members in self.members.values() for consumer in members})
        for n, consumer in enumerate(consumers, start=1):
            try:
                await consumer.send_snapshot()
            except Exception:  # a socket that fails must not cost the others their snapshot
                logger.exception("realtime: could not send %s a snapshot", consumer)
            if n % FANOUT_BATCH == 0:
                await asyncio.sleep(0)  # let requests and the other sockets' frames through

    async def drop_all(self) -> None:
        """Close every local socket and forget this fan-out: the next socket starts a fresh one."""
        consumers = list({consumer: None for members in self.members.values() for consumer in members})
        self.members.clear()
        self.subscribed.clear()
        self._stop()
        for consumer in consumers:
            consumer.groups_joined = ()  # nothing left to leave
            try:
                await consumer.close(code=LAYER_DOWN_CODE)
            except Exception:
                logger.exception("realtime: could not close %s", consumer)

    async def deliver(self, message: dict) -> None:
        """Write a published message to the local sockets of its group, in the order they arrive."""
        if message.get("type") != PUSH:
            return
        async with self.writing:
            members = self.members.get(message.get("group", ""))
            if not members:
                return
            if message.get("event") == SESSION_ENDED:
                for consumer in list(members):
                    await consumer.end_session()
                return
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
                    logger.exception("realtime: push to %s failed", consumer)


# One fan-out per (event loop, channel layer): a process's sockets share it.
_fanouts: dict[tuple[asyncio.AbstractEventLoop, Any], Fanout] = {}


def fanout_for(layer: Any) -> Fanout:
    key = (asyncio.get_running_loop(), layer)
    fanout = _fanouts.get(key)
    if fanout is None:
        fanout = _fanouts[key] = Fanout(layer)
    return fanout


def _forget(fanout: Fanout) -> None:
    for key, known in list(_fanouts.items()):
        if known is fanout:
            del _fanouts[key]


class RealtimeConsumer(AsyncJsonWebsocketConsumer):
    """Base for the console's sockets: one way to connect, refuse, snapshot, push.

    A subclass says who may listen to what (`groups_for`, run in a thread, may
    query) and what a snapshot holds (`snapshot`, likewise). On connect the
    user's groups are joined, the handshake accepted and a snapshot sent;
    `{"type": "snapshot.requested"}` from the client sends a fresh one. Every
    message's name is dotted and in docs/realtime.md; a subclass names its
    snapshot (`SNAPSHOT`, e.g. "wallboard.snapshot"). A user whose role
    may not listen is closed with 4403 right after the handshake, before any
    data: a close before the handshake reaches a browser only as 1006, and
    the page could not tell "forbidden" from "network" (it would retry).

    Published events arrive through the process's `Fanout` and go out as
    `{"type": <event>, "data": <payload>}` unless `frame()` is overridden
    (it must depend on its arguments only: it is called once per class and
    push); the payload JSON is spliced in, not re-encoded per socket. A push
    that arrives while a snapshot is being computed and sent waits, and goes
    out after it, in order.
    """

    #: close code when the role check fails (like HTTP 403)
    FORBIDDEN = 4403
    #: the type of the message sent on connect and on request ("<socket>.snapshot")
    SNAPSHOT: str

    #: No channel of its own (Channels would make one per socket: a subscription at each
    #: handshake, an unsubscription at each close): every message reaches the socket
    #: through its process's fan-out, on the default channel layer.
    channel_layer_alias = None

    groups_joined: tuple[str, ...] = ()
    #: pushes held while a snapshot is on its way (None: send at once)
    _held: list[str] | None = None
    #: the handshake was accepted (before that, a failure refuses it)
    accepted = False

    def groups_for(self, user: Any) -> list[str] | None:
        """The groups `user` listens to, or None when their role may not connect."""
        raise NotImplementedError

    def snapshot(self, user: Any) -> dict[str, Any]:
        """Everything the page shows, as it is now."""
        raise NotImplementedError

    async def __call__(self, scope: dict, receive: Any, send: Any) -> None:
        try:
            await super().__call__(scope, receive, send)
        except Exception:
            if self.accepted:
                raise
            # Something failed before the handshake: refuse it (HTTP 403, not a 500);
            # the page retries with backoff and shows "reconnecting" meanwhile.
            count("refused")
            logger.exception("realtime: socket refused before its handshake")
            await send({"type": "websocket.close", "code": 1000})

    async def dispatch(self, message: dict) -> None:
        """Channels' dispatch without its first step: since Channels 4.2 every message
        (connect, receive, disconnect) first waits for close_old_connections in asgiref's
        one shared thread. That thread holds no connection of a socket's (their database
        work tidies its own, in the pool: socket_database), and behind a push's figures
        or a reconnecting floor's queue the wait made every handshake slow."""
        handler = getattr(self, get_handler_name(message), None)
        if handler is None:
            raise ValueError(f"No handler for message type {message['type']}")
        await handler(message)

    def __repr__(self) -> str:
        user = self.scope.get("user") if hasattr(self, "scope") else None
        return f"<{type(self).__name__} of user {getattr(user, 'pk', None)}>"

    @property
    def layer(self) -> Any:
        """The channel layer the process's fan-out listens on."""
        return get_channel_layer()

    async def accept(self, subprotocol: str | None = None, headers: Any = None) -> None:
        self.accepted = True
        await super().accept(subprotocol, headers)

    async def connect(self) -> None:
        user = self.scope.get("user")
        try:
            groups = await socket_database(self.groups_for)(user) if user is not None else None
        except Exception:  # the database is down: refuse the handshake, the page retries
            logger.warning("realtime: socket refused, its roles could not be read", exc_info=True)
            await self.close()
            return
        if groups is None:
            await self.accept()
            await self.close(code=self.FORBIDDEN)
            return
        self._held = []  # pushes from now on wait for the snapshot
        fanout = fanout_for(self.layer)
        try:
            async with asyncio.timeout(SEND_TIMEOUT):
                for group in [*groups, *self.session_groups()]:
                    await fanout.join(group, self)
                    self.groups_joined += (group,)
        except Exception:
            # The channel layer cannot be reached (Redis down). A close before the
            # handshake is accepted refuses it (HTTP 403, not a 500); the page retries
            # with backoff and shows "reconnecting" meanwhile.
            count("refused")
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
            data = await socket_database(self.snapshot)(self.scope["user"])
            await self.send(text_data=self.frame(self.SNAPSHOT, encode(data)))
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
        if isinstance(content, dict) and content.get("type") == SNAPSHOT_REQUESTED:
            await self.send_snapshot()

    async def disconnect(self, code: int) -> None:
        if not self.groups_joined:
            return
        fanout = fanout_for(self.layer)
        for group in self.groups_joined:
            await fanout.leave(group, self)

    def frame(self, event: str, payload_json: str) -> str:
        return f'{{"type":{json.dumps(event)},"data":{payload_json}}}'

    @classmethod
    async def encode_json(cls, content: Any) -> str:
        return encode(content)
