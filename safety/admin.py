"""Read-only admin lists of the safety data. Cases change through the console and the API
(services), never here; names, guardians' numbers and photos are left out, since a look at
them must be access-logged and the admin does not log."""

from django.contrib import admin

from callcenter.admin import ReadOnlyAdmin
from safety.models import Case, CaseEvent, RegistrationEvent


@admin.register(Case)
class CaseAdmin(ReadOnlyAdmin):
    list_display = ("id", "kind", "status", "last_seen_place", "opened_at", "closed_at", "pseudonymized_at")
    list_filter = ("status", "kind")
    fields = (
        "kind",
        "status",
        "age",
        "sex",
        "last_seen_place",
        "last_seen_at",
        "opened_by",
        "opened_at",
        "closed_at",
        "pseudonymized_at",
    )


@admin.register(CaseEvent)
class CaseEventAdmin(ReadOnlyAdmin):
    list_display = ("case", "at", "actor", "kind", "from_status", "to_status")
    list_filter = ("kind",)


@admin.register(RegistrationEvent)
class RegistrationEventAdmin(ReadOnlyAdmin):
    list_display = ("registration_number", "at", "actor", "kind")
    list_filter = ("kind",)
