"""Who may see or do what: the one module that answers it.

Roles are Django groups. Views, API views, consumers and admin ask the
functions here; none of them checks a group name itself.
"""

from __future__ import annotations

from collections.abc import Callable
from enum import StrEnum
from functools import wraps
from typing import TYPE_CHECKING, Any

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from rest_framework.permissions import BasePermission

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractBaseUser, AnonymousUser

    User = AbstractBaseUser | AnonymousUser


class Role(StrEnum):
    AGENT = "agent"
    SUPERVISOR = "supervisor"
    ADMIN = "admin"
    PARTNER = "partner"
    PHONE_SYSTEM = "phone_system"


def roles_of(user: User) -> frozenset[str]:
    """The user's roles, cached on the user object for the request."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return frozenset()
    cached = getattr(user, "_dasan_roles", None)
    if cached is None:
        names = set(user.groups.values_list("name", flat=True))
        if user.is_superuser:
            names.add(Role.ADMIN)
        cached = frozenset(names & {role.value for role in Role})
        user._dasan_roles = cached
    return cached


def has_role(user: User, *roles: Role) -> bool:
    return bool(roles_of(user) & {role.value for role in roles})


# --- capabilities --------------------------------------------------------------
STAFF_ROLES = (Role.AGENT, Role.SUPERVISOR, Role.ADMIN)
OVERSIGHT_ROLES = (Role.SUPERVISOR, Role.ADMIN)


def can_use_console(user: User) -> bool:
    """Agents (and supervisors and admins, who sit in for them) log calls."""
    return has_role(user, *STAFF_ROLES)


def can_log_calls(user: User) -> bool:
    return has_role(user, *STAFF_ROLES)


def can_see_all_calls(user: User) -> bool:
    return has_role(user, *OVERSIGHT_ROLES)


def can_view_call(user: User, call: Any) -> bool:
    return can_see_all_calls(user) or (can_log_calls(user) and call.agent_id == user.pk)


def can_change_call(user: User, call: Any) -> bool:
    """The call's own agent, or a supervisor or admin."""
    return can_view_call(user, call)


def can_view_caller_history(user: User) -> bool:
    return has_role(user, *STAFF_ROLES)


def can_view_wallboard(user: User) -> bool:
    return has_role(user, *OVERSIGHT_ROLES)


def can_send_phone_events(user: User) -> bool:
    return has_role(user, Role.PHONE_SYSTEM)


def can_search_all_faq(user: User) -> bool:
    """Admins see drafts, archived and out-of-season entries in search."""
    return has_role(user, Role.ADMIN)


def can_search_faq(user: User) -> bool:
    return has_role(user, *STAFF_ROLES)


def can_use_partner_desk(user: User) -> bool:
    return has_role(user, Role.PARTNER)


def can_refer(user: User) -> bool:
    return has_role(user, *STAFF_ROLES)


def home_url_name(user: User) -> str:
    """Where a user lands after signing in."""
    if has_role(user, Role.SUPERVISOR):  # supervisors watch the floor first
        return "inquiries:wallboard"
    if can_use_console(user):
        return "inquiries:console"
    if can_use_partner_desk(user):
        return "referrals:desk"
    return "no_role"


# --- referrals -------------------------------------------------------------------
def partner_service_ids(user: User) -> frozenset[int]:
    """The services a partner-desk user works for (cached on the user for the request)."""
    if not can_use_partner_desk(user):
        return frozenset()
    cached = getattr(user, "_dasan_services", None)
    if cached is None:
        cached = frozenset(user.referral_services.values_list("pk", flat=True))
        user._dasan_services = cached
    return cached


def can_view_referrals(user: User) -> bool:
    """The centre's staff see every referral; partner desks their services' ones."""
    return has_role(user, *STAFF_ROLES, Role.PARTNER)


def can_view_referral(user: User, referral: Any) -> bool:
    if has_role(user, *STAFF_ROLES):
        return True
    return referral.service_id in partner_service_ids(user)


def can_transition_referral(user: User, referral: Any, to: str) -> bool:
    """The service works the case (accept, schedule, complete, decline); the centre cancels it.
    Admins may do both."""
    if not can_view_referral(user, referral):
        return False
    if has_role(user, Role.ADMIN):
        return True
    if to == "cancelled":
        return can_refer(user)
    return referral.service_id in partner_service_ids(user)


def can_call_back(user: User) -> bool:
    """Follow-ups are the centre's: any agent may call the citizen back."""
    return has_role(user, *STAFF_ROLES)


def can_oversee_referrals(user: User) -> bool:
    """Overdue acceptances and follow-ups, every service's referrals."""
    return has_role(user, *OVERSIGHT_ROLES)


# --- page and API guards ----------------------------------------------------
def page_requires(check: Callable[[User], bool]) -> Callable:
    """Page decorator: sign-in first, then the capability, else 403."""

    def decorator(view: Callable) -> Callable:
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            if not check(request.user):
                raise PermissionDenied
            return view(request, *args, **kwargs)

        return wrapped

    return decorator


def api_requires(check: Callable[[User], bool]) -> type[BasePermission]:
    """A DRF permission class built from a capability above."""

    class Capability(BasePermission):
        message = "Your role may not do this."

        def has_permission(self, request, view) -> bool:
            return bool(request.user and request.user.is_authenticated and check(request.user))

    Capability.__name__ = f"Requires_{check.__name__}"
    return Capability
