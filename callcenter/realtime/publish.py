"""Publishing: the one way anything is pushed to a websocket, and the one place bursts are coalesced.

`publish()` is called by services only. It defers the send until the current
transaction commits (nothing is pushed for a rolled-back write), encodes the
payload once for every receiver, and never lets a channel-layer failure break
the write that caused it: the failure is logged and counted, and `/healthz`
reports the count.

Bursts are coalesced per (event, groups) when `coalesce` seconds are given,
here and nowhere else: the first event after a quiet window goes out at once
(the leading edge), later ones within the window are folded into one trailing
send of the newest payload when the window ends. A payload may be a callable,
evaluated at send time, so a coalesced push carries the figures as they are
then, computed once. Windows are timed by one injected clock
(`callcenter.realtime.clock`): tests advance a `ManualClock` instead of sleeping.
Each server process coalesces its own publishes: with several processes taking
phone events, a board may get one push per window from each of them.
"""

from __future__ import annotations

import asyncio
import contextvars
import logging
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from asgiref.sync import async_to_sync, sync_to_async
from channels.db import database_sync_to_async
from channels.layers import get_channel_layer
from django.db import close_old_connections, transaction

from callcenter.realtime.clock import Clock, LoopClock
from callcenter.realtime.messages import PUSH, SEND_TIMEOUT, count, encode, layer_group

logger = logging.getLogger(__name__)

Payload = dict[str, Any] | Callable[[], dict[str, Any]]
WindowKey = tuple[str, tuple[str, ...]]


def publish(event: str, payload: Payload, *, groups: Iterable[str], coalesce: float = 0.0) -> None:
    """Push `event` with `payload` to every socket in `groups`, after commit.

    Side effects: one channel-layer group_send per group once the surrounding
    transaction commits (immediately outside a transaction). With `coalesce`,
    at most one send per window per (event, groups).
    """
    group_names = tuple(sorted(set(groups)))
    if not group_names:
        return
    transaction.on_commit(lambda: _deliver(event, payload, group_names, coalesce))


def _deliver(event: str, payload: Payload, groups: tuple[str, ...], coalesce: float) -> None:
    """Run the send from a sync caller (after commit). Never raises."""
    if coalesce > 0 and _publisher.fold(event, payload, groups):
        return  # into the open window's trailing send, without waiting for the loop
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        in_loop_thread = False
    else:
        in_loop_thread = True
    try:
        if in_loop_thread:
            # Sync code running inside an event loop's thread (Playwright's sync API in a
            # test, a script inside asyncio.run): async_to_sync refuses to run here, so the
            # send goes from a thread of its own.
            _deliver_from_thread(event, payload, groups, coalesce)
        else:
            # On the server's event loop when called from its worker threads (daphne),
            # otherwise on a loop of its own.
            async_to_sync(_publisher.dispatch)(event, payload, groups, coalesce)
    except Exception:  # a push must never break the write that caused it
        count("failed")
        logger.exception("realtime: could not publish %s to %s", event, groups)


def _deliver_from_thread(event: str, payload: Payload, groups: tuple[str, ...], coalesce: float) -> None:
    def run() -> None:
        try:
            async_to_sync(_publisher.dispatch)(event, payload, groups, coalesce)
        except Exception:
            count("failed")
            logger.exception("realtime: could not publish %s to %s", event, groups)
        finally:
            close_old_connections()  # a callable payload may have opened this thread's connection

    thread = threading.Thread(target=run, name="realtime-publish", daemon=True)
    thread.start()
    # Waited for (bounded), so that the caller's events still go out in order.
    thread.join(SEND_TIMEOUT * 2)


@dataclass
class _Window:
    opened_at: float
    loop: asyncio.AbstractEventLoop
    pending: Payload | None = None


class Publisher:
    """One process's publishing state: the open coalescing windows, on one clock."""

    def __init__(self, clock: Clock | None = None) -> None:
        self.clock: Clock = clock or LoopClock()
        self.windows: dict[WindowKey, _Window] = {}
        # The windows are opened and closed on the loop, and folded into from request threads.
        self.lock = threading.Lock()
        self.tasks: set[asyncio.Task] = set()  # trailing sends, referenced until they finish

    def fold(self, event: str, payload: Payload, groups: tuple[str, ...]) -> bool:
        """From any thread: when (event, groups) has a window open on a running loop, make
        `payload` its trailing send's and say True; else False (the caller dispatches).

        At the peak most of a process's events land in an open window. Folded here, a phone
        event's two floor pushes cost no trip to the event loop and back, each waiting behind
        every socket's frames (docs/BENCHMARKS.md, "The peak hour at x20, round 4")."""
        with self.lock:
            window = self.windows.get((event, groups))
            if window is None or not window.loop.is_running():
                return False
            window.pending = payload
        count("coalesced")
        return True

    async def dispatch(self, event: str, payload: Payload, groups: tuple[str, ...], coalesce: float) -> None:
        if coalesce <= 0:
            await self.send(event, payload, groups)
            return
        if self.fold(event, payload, groups):
            return
        # No window, or one whose loop is gone (async_to_sync outside a server runs each
        # call on a loop of its own, as a management command does): a new one opens here.
        key = (event, groups)
        with self.lock:
            self.windows[key] = _Window(opened_at=self.clock.now(), loop=asyncio.get_running_loop())
        self.clock.call_later(coalesce, lambda: self._close_window(key, coalesce))
        await self.send(event, payload, groups)  # leading edge: no added latency

    def _close_window(self, key: WindowKey, coalesce: float) -> None:
        with self.lock:
            window = self.windows.get(key)
            if window is None:
                return
            if window.pending is None:  # a quiet window: the next event goes out at once
                del self.windows[key]
                return
            payload, window.pending = window.pending, None
            window.opened_at = self.clock.now()
        self.clock.call_later(coalesce, lambda: self._close_window(key, coalesce))
        send = self.send(key[0], payload, key[1], outside_requests=True)
        task = window.loop.create_task(send, context=contextvars.Context())
        self.tasks.add(task)  # trailing edge
        task.add_done_callback(self.tasks.discard)

    async def send(
        self, event: str, payload: Payload, groups: tuple[str, ...], *, outside_requests: bool = False
    ) -> None:
        """`outside_requests`: a trailing send, timed on the loop. Its payload is computed in
        asgiref's one shared thread, which no request tidies: Channels' database_sync_to_async
        gives that thread's connection back before and after, as a request does. With plain
        sync_to_async it kept one connection for the process's life, and after PostgreSQL
        restarted every later push failed on the dead one: the wallboards stopped moving
        (bench/city_day.py, faults, 2 Dec 2026). A leading send computes in the thread that
        published (a request's, a command's: theirs to tidy, perhaps inside a transaction)."""
        compute = database_sync_to_async if outside_requests else sync_to_async
        try:
            data = await compute(payload)() if callable(payload) else payload
            message = {"type": PUSH, "event": event, "json": encode(data)}
            layer = get_channel_layer()
            # Bounded: an unreachable Redis (packets dropped, not refused) would
            # otherwise hold the publishing request until the TCP timeout.
            async with asyncio.timeout(SEND_TIMEOUT):
                for group in groups:
                    # the group's own name tells each process's fan-out whom it is for
                    await layer.group_send(layer_group(group), {**message, "group": group})
            count("sent")
        except Exception:
            count("failed")
            logger.exception("realtime: send of %s to %s failed", event, groups)

    async def settle(self) -> None:
        """Wait for the trailing sends under way (tests, after advancing a ManualClock)."""
        while self.tasks:
            await asyncio.gather(*list(self.tasks))


_publisher = Publisher()


def publisher() -> Publisher:
    """This process's publisher."""
    return _publisher


def reset(clock: Clock | None = None) -> Publisher:
    """A fresh publisher (no open windows), on `clock` (default: the event loop's)."""
    global _publisher
    _publisher = Publisher(clock)
    return _publisher
