"""Writes shared by every app."""

from __future__ import annotations

import ipaddress
from functools import lru_cache
from typing import Any

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.http import HttpRequest

from callcenter import realtime
from callcenter.models import AccessLog

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address


def _address(text: str | None) -> IPAddress | None:
    text = (text or "").strip().removeprefix("[").removesuffix("]")
    try:
        return ipaddress.ip_address(text)
    except ValueError:
        return None


@lru_cache(maxsize=8)
def _trusted_networks(entries: tuple[str, ...]) -> tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, ...]:
    return tuple(ipaddress.ip_network(entry, strict=False) for entry in entries)


def client_address(*, request: HttpRequest | None) -> str | None:
    """The address the request came from, for the access log.

    Without BEHIND_PROXY, the server's peer. Behind a proxy, the right-most
    X-Forwarded-For hop that is not a proxy of ours (the peer itself, or one
    of TRUSTED_PROXIES): everything left of it was written by the client and
    proves nothing. A hop that is not an address ends the walk at the last
    trusted one.
    """
    if request is None:
        return None
    peer = request.META.get("REMOTE_ADDR") or None
    if not settings.BEHIND_PROXY:
        return peer
    trusted = _trusted_networks(tuple(settings.TRUSTED_PROXIES))
    hops = [hop for hop in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if hop.strip()]
    last_trusted = peer
    for hop in reversed(hops):
        address = _address(hop)
        if address is None:
            return last_trusted
        if not any(address in network for network in trusted) and str(address) != peer:
            return str(address)
        last_trusted = str(address)
    return last_trusted


def access_log_entry(
    *,
    user: AbstractBaseUser,
    action: str,
    subject: str,
    target: str = "",
    request: HttpRequest | None = None,
    reason: str = "",
) -> AccessLog:
    """One personal-data access row, validated and not yet saved (for a service
    that saves it with other rows: `callcenter.db.rows_insert_at_once`)."""
    entry = AccessLog(
        user=user,
        action=action,
        subject=subject,
        target=target,
        source_address=client_address(request=request),
        reason=reason,
    )
    # A saved user needs no existence re-check (ForeignKey.validate: one query on
    # every logged call and history view); the database's foreign key guards it.
    entry.full_clean(exclude=["user"] if user.pk is not None and not user._state.adding else None)
    return entry


def access_log_record(**fields: Any) -> AccessLog:
    """Write one personal-data access row (the arguments of `access_log_entry`).
    Side effect: an AccessLog row."""
    entry = access_log_entry(**fields)
    entry.save()
    return entry


def personal_data_reveal(
    *, user: Any, subject: str, target: str, reason: str = "", request: HttpRequest | None = None
) -> AccessLog:
    """`user` is shown someone's personal data in full (a phone number, a referral's contact, a
    caller's history): the one way every view and service records it (PIPA). `subject`: whose
    ("caller:01012345678"), `target`: which record ("call:42"). Side effect: an AccessLog row."""
    return access_log_record(
        user=user, action=AccessLog.Action.VIEW, subject=subject, target=target, reason=reason, request=request
    )


def sockets_end_for_session(*, session_key: str) -> None:
    """Close every socket opened with this session (it signed out), in every server process.
    Side effect: a realtime `session.ended` to the session's group."""
    realtime.publish(realtime.SESSION_ENDED, {}, groups=[realtime.session_group(session_key)])


def sockets_end_for_user(*, user_id: Any) -> None:
    """Close every socket of this user (deactivated or deleted), in every server process.
    Side effect: a realtime `session.ended` to the user's group."""
    realtime.publish(realtime.SESSION_ENDED, {}, groups=[realtime.user_group(user_id)])
