"""The whole floor hears of a case: realtime group, payloads, and the parts this app adds
to the console and the wallboard through callcenter.extensions (neither floor nor inquiries imports safety).

Events (published by safety.services only): `safety.case_opened`,
`safety.case_updated` (found, a sighting linked), `safety.case_closed` (closed
or cancelled: the alerts clear), each `{"case": case_payload}`, to the
`safety.floor` group, which every agent's socket (/ws/agent/) and every
wallboard socket (/ws/wallboard/) joins. Partner desks' socket (/ws/referrals/)
never joins it. Payloads carry the description only, in both languages: a
broadcast cannot write the per-reader access log that a name or a number needs.
"""

from __future__ import annotations

from typing import Any

from callcenter import extensions, permissions
from safety import selectors
from safety.describe import descriptions
from safety.models import Case

FLOOR_GROUP = "safety.floor"


def case_payload(case: Case) -> dict[str, Any]:
    sighting = case.sightings.order_by("-seen_at", "-id").first()
    seen_at, seen_place = case.last_seen_at, case.last_seen_place
    if sighting is not None and sighting.seen_at >= seen_at:  # a sighting is the newer news
        seen_at, seen_place = sighting.seen_at, sighting.place
    return {
        "id": case.pk,
        "kind": case.kind,
        "status": case.status,
        **descriptions(case),
        "last_seen_place": seen_place,
        "last_seen_at": seen_at,
        "reported_place": case.last_seen_place,
        "reported_seen_at": case.last_seen_at,
        "sightings": case.sightings.count(),
        "opened_at": case.opened_at,
        "opened_by": case.opened_by.get_username(),
        "closed_at": case.closed_at,
    }


def _open_cases() -> list[dict[str, Any]]:
    return [case_payload(case) for case in selectors.case_list_active()]


def _agent_groups(user: Any) -> list[str]:
    return [FLOOR_GROUP] if permissions.can_use_console(user) else []


def _agent_snapshot(user: Any) -> dict[str, Any]:
    if not permissions.can_use_console(user):
        return {}
    cases = _open_cases()
    acknowledged = selectors.case_ids_acknowledged(user=user, case_ids=[c["id"] for c in cases])
    return {"safety_cases": cases, "safety_acknowledged": sorted(acknowledged)}


def _wallboard_snapshot(user: Any) -> dict[str, Any]:
    return {"safety_cases": _open_cases()}


def register() -> None:
    """From SafetyConfig.ready(): the banner and panel of the console, the panel of a call's
    page, the wallboard's strip, the sockets."""
    extensions.register_page_part(
        "console-top", extensions.PagePart("safety/_console_banner.html", permissions.can_use_console)
    )
    extensions.register_page_part(
        "console-side", extensions.PagePart("safety/_console_panel.html", permissions.can_use_console)
    )
    extensions.register_page_part(
        "call-detail", extensions.PagePart("safety/_call_panel.html", permissions.can_use_console)
    )
    extensions.register_page_part(
        "wallboard-top", extensions.PagePart("safety/_wallboard_strip.html", permissions.can_oversee)
    )
    extensions.register_socket_part("agent", extensions.SocketPart(groups=_agent_groups, snapshot=_agent_snapshot))
    extensions.register_socket_part(
        "wallboard", extensions.SocketPart(groups=lambda user: [FLOOR_GROUP], snapshot=_wallboard_snapshot)
    )
