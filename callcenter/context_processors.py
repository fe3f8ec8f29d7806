from callcenter import permissions


def roles(request):
    """Role flags for templates (navigation), from the one permissions module."""
    user = getattr(request, "user", None)
    if user is None:
        return {}
    return {
        "can_use_console": permissions.can_use_console(user),
        "can_oversee": permissions.can_oversee(user),
        "can_use_partner_desk": permissions.can_use_partner_desk(user),
        "is_admin": permissions.has_role(user, permissions.Role.ADMIN),
    }
