from django.contrib import admin

from callcenter.models import AccessLog


@admin.register(AccessLog)
class AccessLogAdmin(admin.ModelAdmin):
    """Read-only: admins list and filter the log; nobody edits or deletes it."""

    list_display = ("at", "user", "action", "subject", "target", "source_address", "reason")
    list_filter = ("action", "at", "user")
    search_fields = ("subject", "target", "user__username", "source_address")
    date_hierarchy = "at"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def has_view_permission(self, request, obj=None):
        return request.user.is_active and request.user.is_staff
