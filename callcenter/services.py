"""Writes shared by every app."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import AbstractBaseUser
from django.http import HttpRequest

from callcenter import realtime
from callcenter.models import AccessLog


def client_address(request: HttpRequest | None) -> str | None:
    if request is None:
        return None
    return request.META.get("REMOTE_ADDR") or None


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
        source_address=client_address(request),
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


def sockets_end_for_session(*, session_key: str) -> None:
    """Close every socket opened with this session (it signed out), in every server process.
    Side effect: a realtime `session.ended` to the session's group."""
    realtime.publish(realtime.SESSION_ENDED, {}, groups=[realtime.session_group(session_key)])


def sockets_end_for_user(*, user_id: Any) -> None:
    """Close every socket of this user (deactivated or deleted), in every server process.
    Side effect: a realtime `session.ended` to the user's group."""
    realtime.publish(realtime.SESSION_ENDED, {}, groups=[realtime.user_group(user_id)])
