from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from callcenter.admin import ReadOnlyAdmin, ReadOnlyInline
from referrals import services
from referrals.models import FollowUp, Open311ApiKey, Referral, ReferralEvent, Service


@admin.register(Service)
class ServiceAdmin(admin.ModelAdmin):
    """The services directory: admins add services, their partner-desk users and
    whether they are published on Open311."""

    list_display = ("name_ko", "name_en", "kind", "accept_within", "urgent_accept_within", "is_active", "service_code")
    list_filter = ("kind", "is_active", "open311_published")
    search_fields = ("name_ko", "name_en", "slug", "service_code", "keywords")
    prepopulated_fields = {"slug": ("name_en",)}
    filter_horizontal = ("members",)
    fieldsets = (
        (None, {"fields": ("slug", "name_ko", "name_en", "kind", "description_ko", "description_en", "sort_order")}),
        (_("Contact"), {"fields": ("contact", "opening_hours", "languages")}),
        (_("Service level"), {"fields": ("accept_within", "urgent_accept_within", "is_active")}),
        (_("Partner desk"), {"fields": ("members",)}),
        (_("Open311"), {"fields": ("open311_published", "service_code", "keywords", "group")}),
    )

    def save_model(self, request, obj, form, change):
        services.service_save(service=obj)

    def save_related(self, request, form, formsets, change):
        if "members" in form.cleaned_data:
            services.service_members_set(service=form.instance, members=form.cleaned_data["members"])

    def delete_model(self, request, obj):
        services.service_delete(service=obj)

    def delete_queryset(self, request, queryset):
        for service in queryset:
            services.service_delete(service=service)


class ReferralEventInline(ReadOnlyInline):
    model = ReferralEvent
    readonly_fields = ("at", "actor", "kind", "from_status", "to_status", "note")


@admin.register(Referral)
class ReferralAdmin(ReadOnlyAdmin):
    """Read-only: referrals change only through their transitions (the desk, the API),
    and are never deleted (their events and follow-up are history)."""

    list_display = ("id", "service", "status", "priority", "vulnerable", "source", "created_at", "accept_due_at")
    list_filter = ("status", "priority", "source", "service")
    date_hierarchy = "created_at"
    inlines = [ReferralEventInline]
    exclude = ("contact_number", "contact_phone_text", "contact_email", "contact_name")


@admin.register(FollowUp)
class FollowUpAdmin(ReadOnlyAdmin):
    """Read-only history: follow-ups close through the console (`followup_complete`)."""

    list_display = ("referral", "agent", "due_at", "status", "outcome", "closed_at")
    list_filter = ("status", "outcome")


@admin.register(Open311ApiKey)
class Open311ApiKeyAdmin(admin.ModelAdmin):
    """Keys for Open311 clients: add one per client; deactivate to revoke."""

    list_display = ("name", "key", "is_active", "created_at")
    list_filter = ("is_active",)
    search_fields = ("name",)
    readonly_fields = ("created_at",)

    def save_model(self, request, obj, form, change):
        services.open311_api_key_save(api_key=obj)

    def delete_model(self, request, obj):
        services.open311_api_key_delete(api_key=obj)

    def delete_queryset(self, request, queryset):
        for api_key in queryset:
            services.open311_api_key_delete(api_key=api_key)
