"""The one clock of realtime coalescing, injected so tests advance time instead of sleeping.

A clock says what time it is (seconds, monotonic) and runs a callback after a
delay. `LoopClock` is the real one: the running event loop's own time and
timers. `ManualClock` (tests) stands still until `advance()` moves it and runs
what fell due.
"""

from __future__ import annotations

import asyncio
import contextvars
import heapq
import itertools
from collections.abc import Callable
from typing import Protocol


class Clock(Protocol):
    def now(self) -> float:
        """Seconds on a clock that never steps back."""

    def call_later(self, delay: float, callback: Callable[[], None]) -> None:
        """Run `callback` (no arguments) `delay` seconds from now, in the running event loop."""


class LoopClock:
    """The running event loop's clock and timers (monotonic)."""

    def now(self) -> float:
        return asyncio.get_running_loop().time()

    def call_later(self, delay: float, callback: Callable[[], None]) -> None:
        # A fresh context: the caller's belongs to the async_to_sync call of the request
        # thread that published, whose thread executor is gone by the time this runs.
        asyncio.get_running_loop().call_later(delay, callback, context=contextvars.Context())


class ManualClock:
    """A clock for tests: time moves only when `advance()` is called, which runs
    every callback that fell due, in order, at its due time."""

    def __init__(self, start: float = 1000.0) -> None:
        self.time = start
        self._due: list[tuple[float, int, Callable[[], None]]] = []
        self._order = itertools.count()

    def now(self) -> float:
        return self.time

    def call_later(self, delay: float, callback: Callable[[], None]) -> None:
        heapq.heappush(self._due, (self.time + max(0.0, delay), next(self._order), callback))

    def advance(self, seconds: float) -> None:
        until = self.time + seconds
        while self._due and self._due[0][0] <= until:
            at, _, callback = heapq.heappop(self._due)
            self.time = max(self.time, at)
            callback()
        self.time = until

    @property
    def pending(self) -> int:
        """How many callbacks are waiting for their time."""
        return len(self._due)
