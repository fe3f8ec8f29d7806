"""The wallboard's socket (/ws/wallboard/) and the agent's own (/ws/agent/).

Both are thin: check the role, join the groups, accept, send a snapshot;
pushed events (from inquiries/queue_services.py via callcenter.realtime)
are spliced into the frame without re-encoding.
"""

from __future__ import annotations

import json
from typing import Any

from callcenter import permissions
from callcenter.realtime import RealtimeConsumer
from inquiries import stats
from inquiries.queue_services import QUEUE_GROUP, WALLBOARD_GROUP, agent_group


class WallboardConsumer(RealtimeConsumer):
    """Supervisors and admins. Sends {"type": "snapshot", "stats": {...}} on
    connect and {"type": "update", "stats": {...}} on every (coalesced) push.
    A client may send {"type": "resync"} to get a fresh snapshot."""

    def groups_for(self, user: Any) -> list[str] | None:
        return [WALLBOARD_GROUP] if permissions.can_view_wallboard(user) else None

    def snapshot(self, user: Any) -> dict[str, Any]:
        return stats.wallboard_stats_cached()

    def frame(self, event: str, payload_json: str) -> str:
        return f'{{"type":{json.dumps(event)},"stats":{payload_json}}}'


class AgentConsumer(RealtimeConsumer):
    """An agent's console (agents, supervisors and admins sitting in).

    On connect: {"type": "snapshot", "data": {"me": {...}, "queue": {...}}}.
    Then {"type": "queue", "data": {...}} (calls waiting, longest wait),
    {"type": "screen_pop", "data": {...}} when a call is answered by or
    transferred to this agent, and {"type": "agent_state", "data": {...}}.
    """

    def groups_for(self, user: Any) -> list[str] | None:
        return [agent_group(user.pk), QUEUE_GROUP] if permissions.can_use_console(user) else None

    def snapshot(self, user: Any) -> dict[str, Any]:
        return {"me": stats.agent_figures(agent=user), "queue": stats.queue_summary()}
