"""Django admin for calls and their history: read-only (calls are logged in the
console and corrected on their page). The floor's models are in floor/admin.py."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from callcenter.admin import ReadOnlyAdmin, ReadOnlyInline
from inquiries.models import Call, CallEvent


class CallEventInline(ReadOnlyInline):
    model = CallEvent
    fields = ("at", "actor", "kind", "from_value", "to_value", "changes")
    readonly_fields = fields


@admin.register(Call)
class CallAdmin(ReadOnlyAdmin):
    """Read-only: calls are logged in the console and corrected on their page
    (/calls/<id>/), where every change is written to their history."""

    list_display = ("id", "started_at", "agent", "masked_number", "category", "resolution", "channel", "urgent")
    list_filter = ("resolution", "channel", "language", "urgent", "number_status", "category")
    search_fields = ("summary", "agent__username")
    date_hierarchy = "started_at"
    list_select_related = ("agent", "category", "caller")
    exclude = ("caller",)  # the number only masked here; the full one is shown, logged, on the call's page
    readonly_fields = ("masked_number",)
    inlines = [CallEventInline]

    @admin.display(description=_("caller number"))
    def masked_number(self, call):
        return call.masked_number


@admin.register(CallEvent)
class CallEventAdmin(ReadOnlyAdmin):
    list_display = ("at", "call", "actor", "kind", "from_value", "to_value")
    list_filter = ("kind",)
    search_fields = ("call__id", "actor__username")
    date_hierarchy = "at"
    list_select_related = ("call", "call__caller", "actor")
