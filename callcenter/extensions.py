"""Inclusion points: how an app adds to another app's page or socket without being imported by it.

The arrows between apps point one way (safety -> referrals -> inquiries ->
knowledgebase), yet the console and the wallboard (inquiries) show what later
apps bring: the safety alert banner, the open-cases strip, urgent referrals.
The later app registers its parts here from its AppConfig.ready(); the page or
socket that owns the place asks this module, and never names the app.

- A page part is a template included into a named place of a page
  (`{% page_parts "console" as parts %}` in the page's template, see
  callcenter/templatetags/extensions.py), shown to the users its `visible`
  check lets through.
- A socket part adds groups to a named socket (the user's socket then receives
  what is published to them) and keys to its snapshot on connect.
- A figure is computed by the app that owns its data and shown by another: the
  wallboard (floor) shows the logged calls' satisfaction and an agent's calls
  logged today, which inquiries defines (inquiries imports floor, never the
  other way round). `figure(name, ...)` is None while nobody registered it.
- A bad-request answer is how a path's clients are told their input is refused
  when they read another format than the shared error shape (Open311's).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

User = Any


@dataclass(frozen=True)
class PagePart:
    template: str
    visible: Callable[[User], bool]


@dataclass(frozen=True)
class SocketPart:
    #: the extra groups of a user already allowed on the socket
    groups: Callable[[User], list[str]]
    #: keys added to the socket's snapshot (computed in a thread; may query)
    snapshot: Callable[[User], dict[str, Any]] | None = None


#: The documented places of pages where a later app's part may appear (a page's template
#: says `{% page_parts "<place>" as parts %}`). A template never includes another app's
#: template directly, except the knowledgebase's, the library every app may use
#: (callcenter/tests/test_house_rules.py checks both).
PAGE_PLACES = {
    "console-top": "the console, above everything (the safety alerts)",
    "console-floor": "the console, under the alerts (the floor's queue strip and abusive-call panel)",
    "console-main": "the console, under the call form (the referral form, follow-ups due)",
    "console-side": "the console's side column (report a missing person, sighting search)",
    "wallboard-top": "the wallboard, above the figures (the open-cases strip)",
    "call-detail": "a call's page /calls/<id>/, under its history (the call's referrals)",
}

_page_parts: dict[str, list[PagePart]] = {}
_figures: dict[str, Callable[..., Any]] = {}
_socket_parts: dict[str, list[SocketPart]] = {}


def register_page_part(page: str, part: PagePart) -> None:
    """Called from an AppConfig.ready(); registering the same part twice keeps one."""
    if page not in PAGE_PLACES:
        raise ValueError(f"{page!r} is not an inclusion point (callcenter.extensions.PAGE_PLACES)")
    parts = _page_parts.setdefault(page, [])
    if part not in parts:
        parts.append(part)


def register_socket_part(socket: str, part: SocketPart) -> None:
    parts = _socket_parts.setdefault(socket, [])
    if part not in parts:
        parts.append(part)


def page_parts(page: str, user: User) -> list[PagePart]:
    return [part for part in _page_parts.get(page, []) if part.visible(user)]


def socket_groups(socket: str, user: User) -> list[str]:
    return [group for part in _socket_parts.get(socket, []) for group in part.groups(user)]


def socket_snapshot(socket: str, user: User) -> dict[str, Any]:
    data: dict[str, Any] = {}
    for part in _socket_parts.get(socket, []):
        if part.snapshot is not None:
            data.update(part.snapshot(user))
    return data


def register_figure(name: str, compute: Callable[..., Any]) -> None:
    """Called from an AppConfig.ready(): the one definition of the figure `name`."""
    _figures[name] = compute


def figure(name: str, /, **arguments: Any) -> Any:
    """The figure `name` computed with these keyword arguments, or None if no app defines it."""
    compute = _figures.get(name)
    return None if compute is None else compute(**arguments)


_bad_request_answers: dict[str, Callable[[Any, dict[str, list[str]]], Any]] = {}


def register_bad_request_answer(path_prefix: str, answer: Callable[[Any, dict[str, list[str]]], Any]) -> None:
    """Called from an AppConfig.ready(): `answer(request, fields)` answers refused input under `path_prefix`."""
    _bad_request_answers[path_prefix] = answer


def bad_request_answer(path: str) -> Callable[[Any, dict[str, list[str]]], Any] | None:
    return next((answer for prefix, answer in _bad_request_answers.items() if path.startswith(prefix)), None)
