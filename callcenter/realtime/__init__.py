"""Realtime: services publish (`publish`), each process's fan-out writes to its sockets (`RealtimeConsumer`).

- `publish.py`: `publish()`, after commit, encoded once, failures counted, bursts
  coalesced (the one coalescing point, on one injected clock).
- `fanout.py`: the process's receiver and the consumer base class.
- `clock.py`: the clock of the coalescing windows (`ManualClock` for tests).
- `messages.py`: the channel-layer message, encoding, groups, close codes, counters.

Every socket message's name and payload: docs/realtime.md.
"""

from callcenter.realtime.clock import Clock, LoopClock, ManualClock
from callcenter.realtime.fanout import FANOUT_BATCH, Fanout, RealtimeConsumer, layer_check_seconds
from callcenter.realtime.messages import (
    LAYER_DOWN_CODE,
    SEND_TIMEOUT,
    SESSION_ENDED,
    SESSION_ENDED_CODE,
    counters,
    encode,
    session_group,
    user_group,
)
from callcenter.realtime.publish import Publisher, publish, publisher
from callcenter.realtime.publish import reset as _publisher_reset

__all__ = [
    "FANOUT_BATCH",
    "LAYER_DOWN_CODE",
    "SEND_TIMEOUT",
    "SESSION_ENDED",
    "SESSION_ENDED_CODE",
    "Clock",
    "Fanout",
    "LoopClock",
    "ManualClock",
    "Publisher",
    "RealtimeConsumer",
    "counters",
    "encode",
    "layer_check_seconds",
    "publish",
    "publisher",
    "reset_for_tests",
    "session_group",
    "user_group",
]


def reset_for_tests(clock: Clock | None = None) -> Publisher:
    """No open coalescing windows, zeroed counters; the windows timed by `clock` (default: the loop's)."""
    counters.clear()
    return _publisher_reset(clock)
