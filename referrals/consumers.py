"""The partner desk's socket, /ws/referrals/.

Partner-desk users join their services' groups; the centre's staff join the
centre group. On connect: `referrals.snapshot`, the open referrals the user may see
(and, for staff, the follow-ups due); then `referral.created`,
`referral.updated`, `followup.due`, `followup.closed` as services publish them.
"""

from __future__ import annotations

from typing import Any

from callcenter import permissions
from callcenter.realtime import RealtimeConsumer
from referrals import payloads, selectors

SNAPSHOT_LIMIT = 200


class ReferralsConsumer(RealtimeConsumer):
    SNAPSHOT = "referrals.snapshot"

    def groups_for(self, user: Any) -> list[str] | None:
        if not permissions.can_view_referrals(user):
            return None
        if permissions.can_use_console(user):
            return [payloads.CENTRE_GROUP]
        return [payloads.service_group(pk) for pk in sorted(permissions.partner_service_ids(user))]

    def snapshot(self, user: Any) -> dict[str, Any]:
        referrals = selectors.referral_list(user=user, open_only=True)[:SNAPSHOT_LIMIT]
        data: dict[str, Any] = {"referrals": [payloads.referral_payload(r) for r in referrals]}
        if permissions.can_use_console(user):
            followups = selectors.followup_list(due=True)[:SNAPSHOT_LIMIT]
            data["followups"] = [payloads.followup_payload(f) for f in followups]
        return data
