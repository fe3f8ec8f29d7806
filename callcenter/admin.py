from django.contrib import admin

from callcenter.models import AccessLog


class ReadOnlyAdmin(admin.ModelAdmin):
    """For records written only by the system (logs, history): listed and
    filtered in admin, never added, edited or deleted there."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class ReadOnlyInline(admin.TabularInline):
    """A system-written history shown under its record in admin, read-only like ReadOnlyAdmin."""

    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(AccessLog)
class AccessLogAdmin(ReadOnlyAdmin):
    """Read-only: admins list and filter the log; nobody edits or deletes it."""

    list_display = ("at", "user", "action", "subject", "target", "source_address", "reason")
    list_filter = ("action", "at", "user")
    search_fields = ("subject", "target", "user__username", "source_address")
    date_hierarchy = "at"

    def has_view_permission(self, request, obj=None):
        return request.user.is_active and request.user.is_staff
