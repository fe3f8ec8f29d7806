"""The wallboard's socket (/ws/wallboard/) and the agent's own (/ws/agent/).

Both are thin: check the role, join the groups, accept, send a snapshot;
pushed events (from floor/services.py via callcenter.realtime)
are spliced into the frame without re-encoding.
"""

from __future__ import annotations

import json
from typing import Any

from callcenter import extensions, permissions
from callcenter.realtime import RealtimeConsumer
from floor import stats
from floor.services import QUEUE_GROUP, WALLBOARD_GROUP, agent_group


class WallboardConsumer(RealtimeConsumer):
    """Supervisors and admins. Sends {"type": "wallboard.snapshot", "stats": {...}} on
    connect and {"type": "wallboard.updated", "stats": {...}} on every (coalesced) push.
    A client may send {"type": "snapshot.requested"} to get a fresh snapshot.
    Every message: docs/realtime.md.

    Other apps' events on this socket (`referral.urgent`, `safety.case_*`) go
    out as {"type": <event>, "data": {...}}, and the keys their socket parts add
    to the snapshot (callcenter.extensions, socket "wallboard") sit beside the
    figures in its `stats`."""

    SNAPSHOT = "wallboard.snapshot"

    def groups_for(self, user: Any) -> list[str] | None:
        if not permissions.can_oversee(user):
            return None
        return [WALLBOARD_GROUP, *extensions.socket_groups("wallboard", user)]

    def snapshot(self, user: Any) -> dict[str, Any]:
        extra = extensions.socket_snapshot("wallboard", user)
        figures = stats.wallboard_stats_cached()
        return {**figures, **extra} if extra else figures

    def frame(self, event: str, payload_json: str) -> str:
        key = "stats" if event in (self.SNAPSHOT, "wallboard.updated") else "data"
        return f'{{"type":{json.dumps(event)},"{key}":{payload_json}}}'


class AgentConsumer(RealtimeConsumer):
    """An agent's console (agents, supervisors and admins sitting in).

    On connect: {"type": "agent.snapshot", "data": {"me": {...}, "queue": {...}}}.
    Then {"type": "queue.updated", "data": {...}} (calls waiting, longest wait),
    {"type": "call.screen_pop", "data": {...}} when a call is answered by or
    transferred to this agent, and {"type": "agent.state_changed", "data": {...}}.
    Every message: docs/realtime.md.
    Other apps add groups and snapshot keys through callcenter.extensions
    (socket "agent"): the safety app's alerts, for one.
    """

    SNAPSHOT = "agent.snapshot"

    def groups_for(self, user: Any) -> list[str] | None:
        if not permissions.can_use_console(user):
            return None
        return [agent_group(user_id=user.pk), QUEUE_GROUP, *extensions.socket_groups("agent", user)]

    def snapshot(self, user: Any) -> dict[str, Any]:
        return {
            "me": stats.agent_figures(agent=user),
            "queue": stats.queue_summary(),
            **extensions.socket_snapshot("agent", user),
        }
