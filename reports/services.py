"""Writes of the reports app: only the access-log row of an export that names a person."""

from __future__ import annotations

from django.contrib.auth.models import AbstractBaseUser
from django.http import HttpRequest

from callcenter.models import AccessLog
from callcenter.services import access_log_record
from reports.selectors import ReportQuery


def report_export_record(
    *, user: AbstractBaseUser, query: ReportQuery, file_format: str, filters: str, request: HttpRequest | None = None
) -> AccessLog | None:
    """Record an export that holds an employee's own figures (by agent, or one
    agent's): staff performance figures are personal data too. Other reports are
    counts over the floor, of nobody in particular, and are not logged.
    Side effect: an access-log row when the report names a person; returns it."""
    if not query.names_a_person:
        return None
    subject = f"staff:{query.agent.get_username()}" if query.agent is not None else "staff:by-agent"
    return access_log_record(
        user=user,
        action=AccessLog.Action.EXPORT,
        subject=subject[:64],
        target=f"report.{file_format}?{filters}"[:128],
        reason=filters[:255],
        request=request,
    )
