"""What publishers and fan-outs share: the message on the channel layer, its encoding,
the groups every socket joins, the close codes the pages understand, the counters."""

from __future__ import annotations

import hashlib
import json
import threading
from collections import Counter
from typing import Any

from django.core.serializers.json import DjangoJSONEncoder

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


def encode(data: Any) -> str:
    return json.dumps(data, cls=DjangoJSONEncoder, ensure_ascii=False, separators=(",", ":"))


def user_group(user_id: Any) -> str:
    """Every socket of one user (closed when the user is deactivated or deleted)."""
    return f"user.{user_id}"


def session_group(session_key: str) -> str:
    """Every socket opened with one session (closed when it signs out). Hashed: the
    group's name is visible in Redis, the session key must not be."""
    return "session." + hashlib.sha256(session_key.encode()).hexdigest()[:40]
