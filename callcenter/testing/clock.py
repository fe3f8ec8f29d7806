"""A test clock: `django.utils.timezone.now()` at a time the test chooses.

Everything in the console that asks the time asks `timezone.now()` (services,
selectors, statistics, model defaults, sessions), and `timezone.now()` asks the
`datetime` class of `django.utils.timezone`. The clock replaces that one name
with a stand-in whose `now()` is the test's time, so the whole server moves
with it, model field defaults (`default=timezone.now`) included, without a
dependency. `time.time()` and `time.monotonic()` are left alone: coalescing
windows and caches measure intervals, not the time of day.

The clock's state lives in shared memory created before the browser tests'
daphne child is forked (callcenter/testing/browser.py), so a test sets the
server's time from its own process: `server_clock.set(datetime)`. The time
then runs on from there (`tick=True`, the default: sockets, coalescing and
"seconds in state" behave as on a real floor) or stands still (`tick=False`).
"""

from __future__ import annotations

import multiprocessing
import time
from datetime import UTC, datetime, timedelta

from django.utils import timezone as django_timezone

_real_datetime = datetime

# [active, fake time at set (epoch s), real time at set (epoch s), ticking]
_state = multiprocessing.Array("d", 4, lock=False)


class _DatetimeMeta(type):
    def __instancecheck__(cls, value: object) -> bool:  # isinstance(x, datetime) in django.utils.timezone
        return isinstance(value, _real_datetime)


class _ClockDatetime(metaclass=_DatetimeMeta):
    """Stands in for `datetime` inside django.utils.timezone (its `now()` is all it asks)."""

    @staticmethod
    def now(tz=None):
        return clock_now().astimezone(tz) if tz is not None else clock_now().replace(tzinfo=None)


def clock_now() -> datetime:
    """The clock's time (aware, UTC); the real time while no test set one."""
    real = time.time()
    if not _state[0]:
        return _real_datetime.fromtimestamp(real, tz=UTC)
    fake = _state[1] + (real - _state[2] if _state[3] else 0.0)
    return _real_datetime.fromtimestamp(fake, tz=UTC)


def install() -> None:
    """Make `timezone.now()` follow the clock in this process (idempotent)."""
    django_timezone.datetime = _ClockDatetime


def uninstall() -> None:
    django_timezone.datetime = _real_datetime


class Clock:
    """The handle tests hold: set, advance, reset."""

    def set(self, at: datetime, *, tick: bool = True) -> None:
        if at.tzinfo is None:
            raise ValueError("the test clock takes an aware datetime")
        _state[1] = at.timestamp()
        _state[2] = time.time()
        _state[3] = 1.0 if tick else 0.0
        _state[0] = 1.0

    def advance(self, by: timedelta) -> None:
        ticking = bool(_state[3])
        self.set(clock_now() + by, tick=ticking)

    def now(self) -> datetime:
        return clock_now()

    def reset(self) -> None:
        _state[0] = 0.0
