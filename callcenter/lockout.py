"""Signing in: the brute-force lockout (django-axes) and who may use a password.

django-axes records every failed sign-in (the console's page and Django
admin's) by account and by address (`AXES_LOCKOUT_PARAMETERS`), and refuses
both once they have failed too often, until `AXES_COOLOFF_TIME` has passed
since the last failure or an admin deletes the access attempt in Django admin.
Axes has one limit for both; `LockoutHandler` gives the address its own,
higher one (`LOGIN_ADDRESS_FAILURE_LIMIT`): the agents of a floor may share one
address, and one agent's typos must not lock the floor out.
"""

from __future__ import annotations

from typing import Any

from axes.handlers.database import AxesDatabaseHandler
from django.conf import settings
from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth.forms import AuthenticationForm
from django.core.exceptions import ValidationError
from django.db.models import Sum
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from callcenter import permissions
from callcenter.error_codes import ErrorCode
from callcenter.errors import json_error
from callcenter.services import client_address


def client_ip(request: HttpRequest) -> str | None:
    """The address axes counts failures by: the one the access log records."""
    return client_address(request=request)


class LockoutHandler(AxesDatabaseHandler):
    """Axes' database handler with a limit per lockout parameter.

    Axes compares the largest failure count among its parameters with one
    limit (`AXES_FAILURE_LIMIT`, the account's). The address's count is scaled
    to that limit first, so the address is locked at LOGIN_ADDRESS_FAILURE_LIMIT.
    """

    def get_failures(self, request: Any, credentials: dict | None = None) -> int:
        account_limit = settings.AXES_FAILURE_LIMIT
        address_limit = max(1, getattr(settings, "LOGIN_ADDRESS_FAILURE_LIMIT", account_limit))
        counts = []
        for parameter, attempts in zip(
            settings.AXES_LOCKOUT_PARAMETERS, self.get_user_attempts(request, credentials), strict=True
        ):
            failures = attempts.aggregate(total=Sum("failures_since_start"))["total"] or 0
            if parameter == "ip_address":
                failures = failures * account_limit // address_limit
            counts.append(failures)
        return max(counts, default=0)


def locked_out(request: HttpRequest, original_response: Any = None, credentials: dict | None = None) -> HttpResponse:
    """The answer to a sign-in while the account or address is locked (AXES_LOCKOUT_CALLABLE)."""
    minutes = max(1, round(settings.AXES_COOLOFF_TIME.total_seconds() / 60))
    if request.path.startswith("/api/"):
        message = _("Too many failed sign-ins. Try again in %(minutes)d minutes.") % {"minutes": minutes}
        return json_error(request, ErrorCode.LOCKED_OUT, message, 429)
    context = {
        "minutes": minutes,
        "failure_limit": settings.AXES_FAILURE_LIMIT,
        "login_url": request.path if request.path.endswith("/login/") else reverse(settings.LOGIN_URL),
    }
    response = render(request, "registration/locked_out.html", context, status=429)
    response["Retry-After"] = str(int(settings.AXES_COOLOFF_TIME.total_seconds()))
    return response


TOKEN_ONLY = _("This is the phone system's account: it works with its API token only and cannot sign in here.")


class ConsoleAuthenticationForm(AuthenticationForm):
    """The console's sign-in form: refuses accounts that must not use a password."""

    def confirm_login_allowed(self, user: Any) -> None:
        super().confirm_login_allowed(user)
        if permissions.is_token_only(user):
            raise ValidationError(TOKEN_ONLY, code="token_only")


class ConsoleAdminAuthenticationForm(AdminAuthenticationForm):
    """Django admin's sign-in form, refusing the same accounts."""

    def confirm_login_allowed(self, user: Any) -> None:
        if permissions.is_token_only(user):
            raise ValidationError(TOKEN_ONLY, code="token_only")
        super().confirm_login_allowed(user)
