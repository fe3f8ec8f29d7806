"""What publishers and fan-outs share: the message on the channel layer, its encoding,
the groups every socket joins, the close codes the pages understand, the counters."""

from __future__ import annotations

import functools
import hashlib
import json
import threading
from collections import Counter
from collections.abc import Callable
from typing import Any

from asgiref.sync import sync_to_async
from django.core.serializers.json import DjangoJSONEncoder
from django.db import connections

# The channel-layer message of a published event: {"type": PUSH, "event", "json", "group"}.
PUSH = "realtime.push"
# A fan-out's message to itself, checking that the channel layer still carries messages.
PING = "realtime.ping"

# Close codes the pages understand (static/js/common.js, liveSocket):
SESSION_ENDED_CODE = 4401  # the session ended (signed out, deactivated): the page goes to sign-in
LAYER_DOWN_CODE = 4503  # the channel layer cannot be reached: the page shows "reconnecting" and retries
# The event that ends the sockets of a session or a user (services.sockets_end_for_*).
SESSION_ENDED = "session.ended"
# What a page sends for a fresh snapshot (every socket).
SNAPSHOT_REQUESTED = "snapshot.requested"

# Seconds a channel-layer operation may take before it is given up.
SEND_TIMEOUT = 2.0

# For /healthz and the benchmarks: sent, failed, coalesced, refused, layer_down, layer_back.
counters: Counter[str] = Counter()
_counters_lock = threading.Lock()


def count(name: str, n: int = 1) -> None:
    with _counters_lock:
        counters[name] += n


def socket_database(func: Callable[..., Any]) -> Callable[..., Any]:
    """`func` (a socket's database work: its user, its groups, a snapshot) as a coroutine
    function run in a thread of the loop's pool, its connections given back to the pool after.

    Channels' `database_sync_to_async` runs every call of a process in asgiref's one
    shared thread, where a request gets a thread of its own (Django's ASGI handler
    gives each its own context). After a process died, the ~275 consoles and boards it
    held reconnected to the other, and each handshake's queries (session, user, groups,
    snapshot) queued in that one thread, which the requests' threads left a small share
    of the process: the last snapshots came 30-50 s later (bench/city_day.py, faults,
    docs/BENCHMARKS.md). A socket's work shares nothing with another's, so it runs in
    the pool like a request's. The publisher's trailing pushes keep the shared thread,
    no longer behind a reconnecting floor.

    The thread's connections go back to the pool when the work is done, whatever their
    age, so no thread ever starts with one (Channels' own before-and-after tidying has
    nothing left to do, and is not used): a pool thread may end with its loop (each test
    has its own), and a connection it still held would never come back (the suite ran
    out of its 20)."""

    @functools.wraps(func)
    def work(*args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        finally:
            connections.close_all()

    return sync_to_async(work, thread_sensitive=False)


def encode(data: Any) -> str:
    return json.dumps(data, cls=DjangoJSONEncoder, ensure_ascii=False, separators=(",", ":"))


# Groups of one person or one session ("agent.12", "user.12", "session.<hash>"): one or two
# sockets each, thousands in all. On the channel layer each kind rides one shared group
# ("agent.any"): a process subscribes to it once, with its first such socket, and its
# fan-out picks the local sockets by the message's own group. Joining one more console
# then costs no round trip to Redis: with a subscription per person, the 275 consoles of
# a crashed process queued ~1,100 subscriptions behind one lock on the process that took
# them over, and most handshakes timed out and were refused (bench/city_day.py, faults).
PERSONAL_KINDS = frozenset({"agent", "user", "session"})


def layer_group(group: str) -> str:
    """The channel-layer group that carries `group`'s messages."""
    kind, dot, _ = group.partition(".")
    return f"{kind}.any" if dot and kind in PERSONAL_KINDS else group


def user_group(user_id: Any) -> str:
    """Every socket of one user (closed when the user is deactivated or deleted)."""
    return f"user.{user_id}"


def session_group(session_key: str) -> str:
    """Every socket opened with one session (closed when it signs out). Hashed: the
    group's name is visible in Redis, the session key must not be."""
    return "session." + hashlib.sha256(session_key.encode()).hexdigest()[:40]
