from callcenter import permissions


def roles(request):
    """Role flags for templates (navigation), from the one permissions module."""
    user = getattr(request, "user", None)
    if user is None:
        return {}
    return {
        "can_use_console": permissions.can_use_console(user),
        "can_view_wallboard": permissions.can_view_wallboard(user),
        "can_view_reports": permissions.can_view_reports(user),
        "can_use_partner_desk": permissions.can_use_partner_desk(user),
        "can_oversee_referrals": permissions.can_oversee_referrals(user),
        "can_edit_roster": permissions.can_edit_roster(user),
        "can_block_callers": permissions.can_block_callers(user),
        "can_use_safety": permissions.can_use_safety(user),
        "is_admin": permissions.has_role(user, permissions.Role.ADMIN),
    }
