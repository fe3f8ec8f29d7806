"""Django admin for the floor: shifts and the roster are edited here; phone
events, queued calls and agents' states are read-only (the phone system writes
them; refused events stay here for inspection). Callers' numbers on those pages
are masked; "show in full" is written to the access log."""

import json
import re

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from callcenter import permissions
from callcenter.admin import MaskedPersonalDataAdmin, ReadOnlyAdmin
from callcenter.errors import ApplicationError
from callcenter.phone_numbers import format_number, mask_number, normalize_number
from floor import protection_services, services
from floor.models import (
    AbuseFlag,
    AgentStateChange,
    AgentStatus,
    CallerBlock,
    PhoneEvent,
    PhoneExtension,
    QueueCall,
    Shift,
    ShiftAssignment,
    ShiftSession,
)
from floor.zammad import ANONYMOUS
from floor.zammad import caller_number as zammad_caller_number


@admin.register(Shift)
class ShiftAdmin(admin.ModelAdmin):
    list_display = ("name_ko", "name_en", "starts", "ends", "is_active")
    list_editable = ("is_active",)

    def save_model(self, request, obj, form, change):
        services.shift_save(shift=obj)

    def delete_model(self, request, obj):
        services.shift_delete(shift=obj)

    def delete_queryset(self, request, queryset):
        for shift in queryset:
            services.shift_delete(shift=shift)


@admin.register(ShiftAssignment)
class ShiftAssignmentAdmin(admin.ModelAdmin):
    list_display = ("day", "shift", "agent")
    list_filter = ("shift", "day")
    search_fields = ("agent__username", "agent__first_name", "agent__last_name")
    date_hierarchy = "day"
    autocomplete_fields = ("agent",)

    def save_model(self, request, obj, form, change):
        services.shift_assignment_save(assignment=obj)

    def delete_model(self, request, obj):
        services.shift_assignment_delete(assignment=obj)

    def delete_queryset(self, request, queryset):
        for assignment in queryset:
            services.shift_assignment_delete(assignment=assignment)


#: a run of digits with the separators people type, long enough to be a phone number
_NUMBER_LIKE = re.compile(r"\+?\d[\d \-.()/]{5,22}\d")


def mask_numbers_in(text: str) -> str:
    """`text` with every phone number in it masked (a body as the phone system sent it)."""

    def masked(found: re.Match) -> str:
        text = found.group()
        # Zammad's international form without the plus (821012345678) is a Korean number too
        candidates = [text, "+" + text] if text.startswith("82") and text.isdigit() else [text]
        for candidate in candidates:
            try:
                return mask_number(normalize_number(candidate))
            except ValidationError:
                continue
        return text  # a time, an id: not a number

    return _NUMBER_LIKE.sub(masked, text)


def _body_text(body) -> str:
    return json.dumps(body, ensure_ascii=False, indent=2, default=str)


@admin.register(PhoneEvent)
class PhoneEventAdmin(MaskedPersonalDataAdmin, ReadOnlyAdmin):
    list_display = ("received_at", "event", "call_id", "at", "status", "http_status", "error_code", "sender")
    list_filter = ("status", "event", "error_code")
    search_fields = ("call_id", "error_message")
    date_hierarchy = "received_at"
    masked_fields = ("body",)
    readonly_fields = ("body_masked",)

    @admin.display(description=_("body as received"))
    def body_masked(self, event: PhoneEvent):
        return self.masked_link(event, mask_numbers_in(_body_text(event.body)))

    def subject(self, event: PhoneEvent) -> str:
        body = event.body if isinstance(event.body, dict) else {}
        number = body.get("caller_number")
        if number is None and body.get("callId") is not None:  # Zammad's format (floor/zammad.py)
            number = body.get("from")
        try:
            key = zammad_caller_number(str(number))
        except (ValidationError, ApplicationError):  # none, or not one we can read: the event names it
            key = ANONYMOUS
        return f"phoneevent:{event.pk}" if key == ANONYMOUS else f"caller:{key}"

    def revealed_rows(self, event: PhoneEvent):
        return [(_("body as received"), _body_text(event.body))]


@admin.register(QueueCall)
class QueueCallAdmin(MaskedPersonalDataAdmin, ReadOnlyAdmin):
    list_display = ("call_id", "offered_at", "status", "queue", "category", "agent", "wait_seconds", "handle_seconds")
    list_filter = ("status", "queue", "category")
    search_fields = ("call_id",)
    date_hierarchy = "offered_at"
    masked_fields = ("caller_number",)
    readonly_fields = ("caller_number_masked",)

    @admin.display(description=_("caller number"))
    def caller_number_masked(self, call: QueueCall):
        return self.masked_link(call, mask_number(call.caller_number) if call.caller_number else "-")

    def subject(self, call: QueueCall) -> str:
        return f"caller:{call.caller_number}" if call.caller_number else f"queuecall:{call.pk}"

    def revealed_rows(self, call: QueueCall):
        return [(_("caller number"), format_number(call.caller_number) if call.caller_number else "-")]


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


# --- agent protection: extensions (edited here, saved by the service), flags and blocks (read-only)
class PhoneExtensionForm(forms.ModelForm):
    class Meta:
        model = PhoneExtension
        fields = ("agent", "extension")

    def clean_agent(self):
        # the service's check, shown next to the field (the form's own unique checks cover the rest)
        agent = self.cleaned_data["agent"]
        if not permissions.can_use_console(agent):
            raise ValidationError(_("This user is not an agent."))
        return agent


@admin.register(PhoneExtension)
class PhoneExtensionAdmin(admin.ModelAdmin):
    form = PhoneExtensionForm
    list_display = ("extension", "agent")
    search_fields = ("extension", "agent__username", "agent__first_name", "agent__last_name")
    autocomplete_fields = ("agent",)

    def save_model(self, request, obj, form, change):
        if change and "agent" in form.changed_data:
            protection_services.agent_extension_set(agent=form.initial_agent, extension="")
        saved = protection_services.agent_extension_set(agent=obj.agent, extension=obj.extension)
        obj.pk = saved.pk

    def get_form(self, request, obj=None, **kwargs):
        form = super().get_form(request, obj, **kwargs)
        form.initial_agent = obj.agent if obj else None
        return form

    def delete_model(self, request, obj):
        protection_services.agent_extension_set(agent=obj.agent, extension="")

    def delete_queryset(self, request, queryset):
        for record in queryset.select_related("agent"):
            protection_services.agent_extension_set(agent=record.agent, extension="")


@admin.register(AbuseFlag)
class AbuseFlagAdmin(ReadOnlyAdmin):
    list_display = ("flagged_at", "kind", "masked_number", "agent", "warning_read_at", "ended_at")
    list_filter = ("kind",)
    date_hierarchy = "flagged_at"
    exclude = ("caller_number",)


@admin.register(CallerBlock)
class CallerBlockAdmin(ReadOnlyAdmin):
    list_display = ("masked_number", "starts_at", "until", "ended_at", "created_by", "ended_by")
    date_hierarchy = "created_at"
    exclude = ("number",)
