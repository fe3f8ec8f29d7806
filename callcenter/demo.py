"""Demo users and roles, and the registry of every app's demo data.

`manage.py seed_demo` calls `seed_all()`. Each app has a `demo.py` with a
`seed() -> list[str]` that is idempotent and returns lines to print.
"""

from __future__ import annotations

from importlib import import_module

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.db import transaction
from rest_framework.authtoken.models import Token

from callcenter.permissions import Role

# Demo only: printed by `make run`; never use these outside a demo machine.
DEMO_USERS = [
    # username, password, role, first name, last name
    ("agent1", "dasan-agent1", Role.AGENT, "지은", "김"),
    ("agent2", "dasan-agent2", Role.AGENT, "민준", "이"),
    ("supervisor1", "dasan-supervisor1", Role.SUPERVISOR, "서연", "박"),
    ("admin1", "dasan-admin1", Role.ADMIN, "도윤", "최"),
    ("pbx", "dasan-pbx", Role.PHONE_SYSTEM, "Phone", "System"),
]

# Apps whose demo data loads after users and roles, in this order.
DEMO_APPS = ["knowledgebase", "floor", "inquiries", "referrals"]


def roles_seed() -> None:
    for role in Role:
        Group.objects.get_or_create(name=role.value)
    admin_group = Group.objects.get(name=Role.ADMIN)
    admin_group.permissions.set(Permission.objects.all())


def user_seed(*, username: str, password: str, role: Role, first_name: str = "", last_name: str = "") -> bool:
    """Create a demo user once; a second run changes nothing. Returns created."""
    User = get_user_model()
    user, created = User.objects.get_or_create(
        username=username,
        defaults={"first_name": first_name, "last_name": last_name, "is_staff": role == Role.ADMIN},
    )
    if created:
        user.set_password(password)
        user.save(update_fields=["password"])
        user.groups.add(Group.objects.get(name=role.value))
    if role == Role.PHONE_SYSTEM:
        Token.objects.get_or_create(user=user)
    return created


@transaction.atomic
def seed_all() -> list[str]:
    lines = []
    roles_seed()
    created = [
        name
        for name, password, role, first, last in DEMO_USERS
        if user_seed(username=name, password=password, role=role, first_name=first, last_name=last)
    ]
    lines.append(f"users: {len(created)} created" if created else "users: up to date")
    for app in DEMO_APPS:
        try:
            module = import_module(f"{app}.demo")
        except ModuleNotFoundError:
            continue
        lines.extend(module.seed())
    return lines


def demo_logins() -> list[tuple[str, str, str]]:
    """(username, password, role) of every demo account, for `make run` to print."""
    logins = [(name, password, role.value) for name, password, role, _first, _last in DEMO_USERS]
    for app in DEMO_APPS:
        try:
            module = import_module(f"{app}.demo")
        except ModuleNotFoundError:
            continue
        logins.extend(getattr(module, "DEMO_LOGINS", []))
    return logins
