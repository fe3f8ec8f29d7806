"""The one mechanism for what a process keeps between requests (issue 12, item 4).

A `LocalCache` is a small thread-safe map kept by one process, declared once
with `declare()` in the module that owns the data:

- `seconds`: how long an entry serves before it is computed again (a number,
  or a callable read at each fill: a setting such as TOKEN_CACHE_SECONDS);
  `None` keeps it until it is cleared or its version moves on;
- `version`: a key's entry is filled from one version of the data (for
  example a counter in the database that any process's change moves on,
  `floor.FiguresVersion`); a get with another version computes again, so
  every process sees another process's change on its next read;
- `clear_on`: the model signals that clear it in this process at once
  (`(signal, sender)` pairs; a sender may be a "app_label.Model" string).

Where a cache cannot see a change (another process's edit, with no version),
`seconds` bounds how long it is seen late; each declaration says so.

`settings.LOCAL_CACHES = False` turns every one off (each get computes): the
browser tests' server child, whose database the tests rewrite from another
process. `clear_all()` empties them between tests (conftest.py).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Hashable, Iterable
from typing import Any

from django.conf import settings

_MISSING = object()


class LocalCache:
    """One declared per-process cache (see the module's docstring)."""

    def __init__(
        self,
        name: str,
        *,
        seconds: float | Callable[[], float] | None = None,
        max_entries: int = 1000,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.name = name
        self.seconds = seconds
        self.max_entries = max_entries
        self.clock = clock
        self._entries: dict[Hashable, tuple[float, Any, Any]] = {}  # key -> (kept at, version, value)
        self._lock = threading.Lock()

    def _lifetime(self) -> float | None:
        return self.seconds() if callable(self.seconds) else self.seconds

    def get(self, key: Hashable, compute: Callable[[], Any], *, version: Any = None) -> Any:
        """The value kept for `key` at `version`, or `compute()`'s, kept."""
        value = self.peek(key, version=version)
        if value is not _MISSING:
            return value
        value = compute()
        self.put(key, value, version=version)
        return value

    def peek(self, key: Hashable, *, version: Any = None, max_age: float | None = None) -> Any:
        """The value kept for `key` at `version` (no older than `max_age` seconds
        when given), or the module's `MISSING` marker: nothing is computed."""
        hit = self._entries.get(key) if enabled() else None
        if hit is None:
            return _MISSING
        kept_at, kept_version, value = hit
        age, lifetime = self.clock() - kept_at, self._lifetime()
        if kept_version != version or (lifetime is not None and age >= lifetime):
            return _MISSING
        if max_age is not None and age >= max_age:
            return _MISSING
        return value

    def put(self, key: Hashable, value: Any, *, version: Any = None) -> None:
        lifetime = self._lifetime()
        if not enabled() or (lifetime is not None and lifetime <= 0):
            return
        with self._lock:
            if key not in self._entries and len(self._entries) >= self.max_entries:
                self._entries.clear()  # full: start again (entries are few and cheap to refill)
            self._entries[key] = (self.clock(), version, value)

    def clear(self, **signal_kwargs: Any) -> None:
        """Forget everything (also a signal receiver: signal arguments are ignored)."""
        with self._lock:
            self._entries.clear()

    def __len__(self) -> int:
        return len(self._entries)


MISSING = _MISSING
_declared: dict[str, LocalCache] = {}


def declare(
    name: str,
    *,
    seconds: float | Callable[[], float] | None = None,
    max_entries: int = 1000,
    clear_on: Iterable[tuple[Any, Any]] = (),
) -> LocalCache:
    """A process cache, declared once by the module that owns its data."""
    if name in _declared:
        raise ValueError(f"the process cache {name!r} is declared twice")
    cache = LocalCache(name, seconds=seconds, max_entries=max_entries)
    for signal, sender in clear_on:
        signal.connect(cache.clear, sender=sender, weak=False, dispatch_uid=f"dasan-cache-{name}-{id(signal)}-{sender}")
    _declared[name] = cache
    return cache


def declared() -> dict[str, LocalCache]:
    """Every process cache, by name (the house-rule test and the tests' reset read it)."""
    return dict(_declared)


def clear_all() -> None:
    for cache in _declared.values():
        cache.clear()


def enabled() -> bool:
    return getattr(settings, "LOCAL_CACHES", True)
