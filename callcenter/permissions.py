"""Who may see or do what: the one module that answers it.

Roles are Django groups. Views, API views, consumers and admin ask the
functions here; none of them checks a group name itself.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from enum import StrEnum
from functools import wraps
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.utils import timezone
from rest_framework.permissions import BasePermission

from callcenter import caches

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractBaseUser, AnonymousUser

    User = AbstractBaseUser | AnonymousUser


class Role(StrEnum):
    AGENT = "agent"
    SUPERVISOR = "supervisor"
    ADMIN = "admin"
    PARTNER = "partner"
    PHONE_SYSTEM = "phone_system"


# Roles per user id, kept by this process for a short while: the roles query was
# one of a logged call's twelve (bench/calls.py). A change of a user's groups, a
# user or a group saved or deleted clears it in this process at once (clear_on);
# other processes see the change within ROLES_CACHE_SECONDS.
# Deactivating a user takes effect at once everywhere: is_active is read from the
# user row every request.
ROLES_CACHE_SECONDS = 30.0
_roles = caches.declare(
    "roles",
    seconds=ROLES_CACHE_SECONDS,
    clear_on=[
        (post_save, settings.AUTH_USER_MODEL),
        (post_delete, settings.AUTH_USER_MODEL),
        (post_save, "auth.Group"),
        (post_delete, "auth.Group"),
        # user.groups.add/remove/set/clear and group.user_set.* (both directions)
        (m2m_changed, f"{settings.AUTH_USER_MODEL}_groups"),
    ],
)


def roles_of(user: User) -> frozenset[str]:
    """The user's roles, cached on the user object for the request and per process briefly."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return frozenset()
    cached = getattr(user, "_dasan_roles", None)
    if cached is None:
        cached = _roles.get(user.pk, lambda: _roles_read(user))
        user._dasan_roles = cached
    return cached


def _roles_read(user: User) -> frozenset[str]:
    names = set(user.groups.values_list("name", flat=True))
    if user.is_superuser:
        names.add(Role.ADMIN)
    return frozenset(names & {role.value for role in Role})


def has_role(user: User, *roles: Role) -> bool:
    return bool(roles_of(user) & {role.value for role in roles})


# --- capabilities --------------------------------------------------------------
STAFF_ROLES = (Role.AGENT, Role.SUPERVISOR, Role.ADMIN)
OVERSIGHT_ROLES = (Role.SUPERVISOR, Role.ADMIN)


def can_use_console(user: User) -> bool:
    """The centre's staff: agents, and supervisors and admins who sit in for them.
    The console and the calls they logged, callers' history, FAQ search,
    referrals and call-backs, flagging an abusive call, the safety desk
    (missing persons, registrations), the API documents."""
    return has_role(user, *STAFF_ROLES)


def can_oversee(user: User) -> bool:
    """Supervisors and admins: every call and its export, the wallboard, the
    roster, reports, abusive-call flags and caller blocks, every referral's
    deadlines."""
    return has_role(user, *OVERSIGHT_ROLES)


def can_view_call(user: User, call: Any) -> bool:
    return can_oversee(user) or (can_use_console(user) and call.agent_id == user.pk)


def can_change_call(user: User, call: Any, *, now: datetime | None = None) -> bool:
    """Supervisors and admins at any time; the call's own agent until its
    correction window closes (the end of the call's shift, or of its operating day)."""
    if can_oversee(user):
        return True
    return can_view_call(user, call) and (now or timezone.now()) < call.correction_closes_at()


def can_reveal_queue_caller(user: User, queue_call: Any) -> bool:
    """The full number of a call the phone system reports: the agent it is
    with (the screen pop fills the log form with it), or a supervisor or admin."""
    return can_oversee(user) or (can_use_console(user) and queue_call.agent_id == user.pk)


def can_send_phone_events(user: User) -> bool:
    return has_role(user, Role.PHONE_SYSTEM)


def is_token_only(user: User) -> bool:
    """The phone system's account signs in with its API token, never with a password."""
    return has_role(user, Role.PHONE_SYSTEM) and not can_use_console(user)


def can_search_all_faq(user: User) -> bool:
    """Admins see drafts, archived and out-of-season entries in search."""
    return has_role(user, Role.ADMIN)


def can_use_partner_desk(user: User) -> bool:
    return has_role(user, Role.PARTNER)


def home_url_name(user: User) -> str:
    """Where a user lands after signing in."""
    if has_role(user, Role.SUPERVISOR):  # supervisors watch the floor first
        return "floor:wallboard"
    if can_use_console(user):
        return "inquiries:console"
    if can_use_partner_desk(user):
        return "referrals:desk"
    if can_send_phone_events(user):
        return "phone_system"
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
    if can_use_console(user):
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
        return can_use_console(user)
    return referral.service_id in partner_service_ids(user)


def can_see_referral_contact(user: User, referral: Any, *, asked: bool) -> bool:
    """A referral's unmasked contact: the centre's staff when they ask for it (a logged view);
    the service's desk only when the caller consented to share it."""
    if not referral.has_contact or not can_view_referral(user, referral):
        return False
    if can_use_console(user):
        return asked
    return bool(referral.consent)


# --- safety (missing persons, pre-registration) ------------------------------------
def can_see_case_identity(user: User, case: Any) -> bool:
    """Name, guardian's number and photo: only while the case is open or the person is found.
    Everyone else, and afterwards, sees the description alone."""
    return can_use_console(user) and case.status in ("open", "found")


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


# /api/schema/ and /api/docs/ (SPECTACULAR_SETTINGS["SERVE_PERMISSIONS"])
CanReadApiDocs = api_requires(can_use_console)
