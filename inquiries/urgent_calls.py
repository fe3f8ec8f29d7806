"""Urgent calls on the wallboard's "urgent open" tile, beside the referrals app's urgent referrals.

What "open" means for an urgent call: it is marked urgent, it began in the
current operating day (from OPERATING_DAY_STARTS, 08:00, to the next), and its
resolution says nothing is settled yet: `unresolved` or `callback_needed`. An
answered or transferred call is settled; a referred one shows on the tile as
its referral (the referrals app's `referral.urgent`), not twice. At the next
operating day's start an open urgent call leaves the tile (`open_until`): the
call record keeps it (/calls/?urgent=true).

`call.urgent` (payload: `urgent_call_payload`) goes to the wallboard group from
inquiries.services when a call is logged urgent and when a correction changes
what the tile shows of an urgent call (its resolution, urgency, category,
vulnerability). The socket part registered in InquiriesConfig.ready() adds the
open ones to the wallboard's snapshot (`stats.urgent_calls`). The payload names
no caller and carries no summary: the wallboard hangs where the floor sees it.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from django.utils import timezone

from callcenter.workdays import operating_day_starts
from inquiries.models import Call

WALLBOARD_GROUP = "wallboard"  # the supervisors' wallboard socket's group
OPEN_RESOLUTIONS = (Call.Resolution.UNRESOLVED, Call.Resolution.CALLBACK_NEEDED)


def operating_day(at: datetime | None = None) -> tuple[datetime, datetime]:
    """The operating day around `at` (now): its start and the next one's, aware."""
    local = timezone.localtime(at or timezone.now())
    starts = operating_day_starts()
    start = local.replace(hour=starts.hour, minute=starts.minute, second=0, microsecond=0)
    if start > local:
        start -= timedelta(days=1)
    return start, start + timedelta(days=1)


def is_open(call: Call, *, now: datetime | None = None) -> bool:
    start, end = operating_day(now)
    return call.urgent and call.resolution in OPEN_RESOLUTIONS and start <= call.started_at < end


def urgent_call_payload(call: Call, *, now: datetime | None = None) -> dict[str, Any]:
    """What the wallboard shows of an urgent call (`open` false: it leaves the tile)."""
    category = call.category
    return {
        "id": call.pk,
        "open": is_open(call, now=now),
        "resolution": call.resolution,
        "vulnerable": call.vulnerable,
        "category": category.slug,
        "category_name_ko": category.name_ko,
        "category_name_en": category.name_en or category.name_ko,
        "agent": call.agent.get_username(),
        "started_at": call.started_at,
        "open_until": operating_day(call.started_at)[1],
    }
