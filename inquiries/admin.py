"""Django admin for the queue side of inquiries: shifts and the roster are
edited here; phone events, queued calls and agents' states are read-only (the
phone system writes them; refused events stay here for inspection)."""

from django.contrib import admin

from callcenter.admin import ReadOnlyAdmin
from inquiries.queue_models import (
    AgentStateChange,
    AgentStatus,
    PhoneEvent,
    QueueCall,
    Shift,
    ShiftAssignment,
    ShiftSession,
)


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
