"""The wallboard's socket (/ws/wallboard/) and the agent's own (/ws/agent/).

Both are thin: check the role, join the groups, accept, send a snapshot;
pushed events (from inquiries/queue_services.py via callcenter.realtime)
are spliced into the frame without re-encoding.
"""

from __future__ import annotations

import json

from channels.db import database_sync_to_async

from callcenter import permissions
from callcenter.realtime import RealtimeConsumer
from inquiries import stats
from inquiries.queue_services import QUEUE_GROUP, WALLBOARD_GROUP, agent_group


class WallboardConsumer(RealtimeConsumer):
    """Supervisors and admins. Sends {"type": "snapshot", "stats": {...}} on
    connect and {"type": "update", "stats": {...}} on every (coalesced) push.
    A client may send {"type": "resync"} to get a fresh snapshot."""

    groups_joined: tuple[str, ...] = ()

    async def connect(self) -> None:
        user = self.scope.get("user")
        if user is None or not await database_sync_to_async(permissions.can_view_wallboard)(user):
            await self.close(code=self.FORBIDDEN)
            return
        self.groups_joined = (WALLBOARD_GROUP,)
        for group in self.groups_joined:
            await self.channel_layer.group_add(group, self.channel_name)
        await self.accept()
        await self.send_snapshot()

    async def send_snapshot(self) -> None:
        snapshot = await database_sync_to_async(stats.wallboard_stats_cached)()
        await self.send_json({"type": "snapshot", "stats": snapshot})

    async def receive_json(self, content, **kwargs) -> None:
        if isinstance(content, dict) and content.get("type") == "resync":
            await self.send_snapshot()

    async def disconnect(self, code) -> None:
        for group in self.groups_joined:
            await self.channel_layer.group_discard(group, self.channel_name)

    def frame(self, event: str, payload_json: str) -> str:
        return f'{{"type":{json.dumps(event)},"stats":{payload_json}}}'


class AgentConsumer(RealtimeConsumer):
    """An agent's console (agents, supervisors and admins sitting in).

    On connect: {"type": "snapshot", "data": {"me": {...}, "queue": {...}}}.
    Then {"type": "queue", "data": {...}} (calls waiting, longest wait),
    {"type": "screen_pop", "data": {...}} when a call is answered by or
    transferred to this agent, and {"type": "agent_state", "data": {...}}.
    """

    groups_joined: tuple[str, ...] = ()

    async def connect(self) -> None:
        user = self.scope.get("user")
        if user is None or not await database_sync_to_async(permissions.can_use_console)(user):
            await self.close(code=self.FORBIDDEN)
            return
        self.groups_joined = (agent_group(user.pk), QUEUE_GROUP)
        for group in self.groups_joined:
            await self.channel_layer.group_add(group, self.channel_name)
        await self.accept()
        await self.send_snapshot()

    async def send_snapshot(self) -> None:
        data = await database_sync_to_async(self._snapshot)()
        await self.send_json({"type": "snapshot", "data": data})

    def _snapshot(self) -> dict:
        return {"me": stats.agent_figures(agent=self.scope["user"]), "queue": stats.queue_summary()}

    async def receive_json(self, content, **kwargs) -> None:
        if isinstance(content, dict) and content.get("type") == "resync":
            await self.send_snapshot()

    async def disconnect(self, code) -> None:
        for group in self.groups_joined:
            await self.channel_layer.group_discard(group, self.channel_name)
