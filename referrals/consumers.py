"""The partner desk's socket, /ws/referrals/.

Partner-desk users join their services' groups; the centre's staff join the
centre group. On connect: a snapshot of the open referrals the user may see
(and, for staff, the follow-ups due); then `referral.created`,
`referral.updated`, `followup.due`, `followup.closed` as services publish them.
"""

from __future__ import annotations

from typing import Any

from channels.db import database_sync_to_async

from callcenter import permissions
from callcenter.realtime import RealtimeConsumer
from referrals import events, selectors

SNAPSHOT_LIMIT = 200


def _groups_for(user) -> list[str] | None:
    """The groups a user listens to, or None when the role may not connect."""
    if not permissions.can_view_referrals(user):
        return None
    if permissions.has_role(user, *permissions.STAFF_ROLES):
        return [events.CENTRE_GROUP]
    return [events.service_group(pk) for pk in sorted(permissions.partner_service_ids(user))]


def _snapshot(user) -> dict[str, Any]:
    referrals = selectors.referral_list(user=user, open_only=True)[:SNAPSHOT_LIMIT]
    data: dict[str, Any] = {"referrals": [events.referral_payload(r) for r in referrals]}
    if permissions.can_call_back(user):
        data["followups"] = [events.followup_payload(f) for f in selectors.followup_list(due=True)[:SNAPSHOT_LIMIT]]
    return data


class ReferralsConsumer(RealtimeConsumer):
    joined: list[str]

    async def connect(self) -> None:
        self.joined = []
        user = self.scope.get("user")
        groups = await database_sync_to_async(_groups_for)(user) if user is not None else None
        if groups is None:
            # accept first so the browser sees the 4403 close code (a refused handshake is only "1006")
            await self.accept()
            await self.close(code=self.FORBIDDEN)
            return
        for group in groups:
            await self.channel_layer.group_add(group, self.channel_name)
        self.joined = groups
        await self.accept()
        snapshot = await database_sync_to_async(_snapshot)(user)
        await self.send_json({"type": "snapshot", "data": snapshot})

    async def disconnect(self, code: int) -> None:
        for group in self.joined:
            await self.channel_layer.group_discard(group, self.channel_name)

    async def receive_json(self, content: Any, **kwargs) -> None:
        """Clients only listen; a message from them is ignored."""
