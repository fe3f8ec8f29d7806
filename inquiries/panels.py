"""Panels other apps add to a call's page (/calls/<id>/).

inquiries knows nothing of the apps that refer to a call (house style: it
imports nothing from referrals); they register a panel here from their
AppConfig.ready(), and the call's page renders whatever is registered, in order:

    call_panel_register(CallPanel(name="referrals", template="referrals/_call_panel.html",
                                  context=referrals_of_call, order=20))

`context(request, call)` returns the panel's template context, or None when the
panel has nothing to show for this call or this user.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.http import HttpRequest
from django.template.loader import render_to_string
from django.utils.safestring import SafeString

from inquiries.models import Call


@dataclass(frozen=True)
class CallPanel:
    name: str
    template: str
    context: Callable[[HttpRequest, Call], dict[str, Any] | None]
    order: int = 50


_panels: dict[str, CallPanel] = {}


def call_panel_register(panel: CallPanel) -> None:
    """Add (or replace, by name) a panel of the call's page."""
    _panels[panel.name] = panel


def call_panels_render(*, request: HttpRequest, call: Call) -> list[SafeString]:
    """Every registered panel that has something to show, rendered, in order."""
    rendered = []
    for panel in sorted(_panels.values(), key=lambda panel: (panel.order, panel.name)):
        context = panel.context(request, call)
        if context is not None:
            rendered.append(render_to_string(panel.template, {"call": call, **context}, request=request))
    return rendered
