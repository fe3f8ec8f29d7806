"""Writes shared by every app."""

from __future__ import annotations

from django.contrib.auth.models import AbstractBaseUser
from django.http import HttpRequest

from callcenter.models import AccessLog


def client_address(request: HttpRequest | None) -> str | None:
    if request is None:
        return None
    return request.META.get("REMOTE_ADDR") or None


def access_log_record(
    *,
    user: AbstractBaseUser,
    action: str,
    subject: str,
    target: str = "",
    request: HttpRequest | None = None,
    reason: str = "",
) -> AccessLog:
    """Write one personal-data access row. Side effect: an AccessLog row."""
    entry = AccessLog(
        user=user,
        action=action,
        subject=subject,
        target=target,
        source_address=client_address(request),
        reason=reason,
    )
    entry.full_clean()
    entry.save()
    return entry
