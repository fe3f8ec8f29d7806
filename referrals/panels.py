"""The referrals panel of a call's page, registered with inquiries' panel hook
(inquiries/panels.py) from ReferralsConfig.ready()."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from callcenter import permissions
from inquiries.models import Call
from inquiries.panels import CallPanel, call_panel_register
from referrals import selectors


def call_referrals_context(request: HttpRequest, call: Call) -> dict[str, Any] | None:
    if not permissions.can_view_referrals(request.user):
        return None
    return {"referrals": list(selectors.referrals_of_call(call_id=call.pk))}


def register() -> None:
    call_panel_register(
        CallPanel(name="referrals", template="referrals/_call_panel.html", context=call_referrals_context, order=20)
    )
