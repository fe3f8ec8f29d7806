"""Django admin for the queue side of inquiries: shifts and the roster are
edited here; phone events, queued calls and agents' states are read-only (the
phone system writes them; refused events stay here for inspection)."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from callcenter.admin import ReadOnlyAdmin, ReadOnlyInline
from inquiries.models import Call, CallEvent
from inquiries.queue_models import (
    AgentStateChange,
    AgentStatus,
    PhoneEvent,
    QueueCall,
    Shift,
    ShiftAssignment,
    ShiftSession,
)


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


@admin.register(Shift)
class ShiftAdmin(admin.ModelAdmin):
    list_display = ("name_ko", "name_en", "starts", "ends", "is_active")
    list_editable = ("is_active",)


@admin.register(ShiftAssignment)
class ShiftAssignmentAdmin(admin.ModelAdmin):
    list_display = ("day", "shift", "agent")
    list_filter = ("shift", "day")
    search_fields = ("agent__username", "agent__first_name", "agent__last_name")
    date_hierarchy = "day"
    autocomplete_fields = ("agent",)


@admin.register(PhoneEvent)
class PhoneEventAdmin(ReadOnlyAdmin):
    list_display = ("received_at", "event", "call_id", "at", "status", "http_status", "error_code", "sender")
    list_filter = ("status", "event", "error_code")
    search_fields = ("call_id", "error_message")
    date_hierarchy = "received_at"


@admin.register(QueueCall)
class QueueCallAdmin(ReadOnlyAdmin):
    list_display = ("call_id", "offered_at", "status", "queue", "category", "agent", "wait_seconds", "handle_seconds")
    list_filter = ("status", "queue", "category")
    search_fields = ("call_id",)
    date_hierarchy = "offered_at"


@admin.register(AgentStatus)
class AgentStatusAdmin(ReadOnlyAdmin):
    list_display = ("agent", "state", "since", "current_call")
    list_filter = ("state",)


@admin.register(AgentStateChange)
class AgentStateChangeAdmin(ReadOnlyAdmin):
    list_display = ("agent", "from_state", "to_state", "at", "ended_at", "source")
    list_filter = ("to_state", "source")
    date_hierarchy = "at"


@admin.register(ShiftSession)
class ShiftSessionAdmin(ReadOnlyAdmin):
    list_display = ("agent", "shift", "signed_in_at", "signed_out_at")
    list_filter = ("shift",)
    date_hierarchy = "signed_in_at"
