from __future__ import annotations

from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext as _

from callcenter import services
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


class MaskedPersonalDataAdmin(admin.ModelAdmin):
    """A page holding personal data (phone numbers) shows it masked; the full
    values are one click away on a reveal page that writes the access log.

    Subclasses name the fields in `masked_fields` (they leave the page), show
    masked versions through read-only methods that end in `masked_link(obj,
    text)`, and say what the reveal page shows (`revealed_rows`) and whose data
    it is (`subject`).
    """

    masked_fields: tuple[str, ...] = ()

    def subject(self, obj) -> str:  # pragma: no cover - every subclass names it
        raise NotImplementedError

    def revealed_rows(self, obj) -> list[tuple[str, str]]:  # pragma: no cover
        raise NotImplementedError

    def get_exclude(self, request, obj=None):
        return [*(super().get_exclude(request, obj) or []), *self.masked_fields]

    def _reveal_url_name(self) -> str:
        return f"{self.model._meta.app_label}_{self.model._meta.model_name}_reveal"

    def masked_link(self, obj, masked: str) -> str:
        if obj is None or obj.pk is None:
            return "-"
        url = reverse(f"admin:{self._reveal_url_name()}", args=[obj.pk])
        return format_html(
            '<span class="masked">{}</span> <a href="{}">{}</a>',
            masked,
            url,
            _("Show in full (written to the access log)"),
        )

    def get_urls(self):
        reveal = path(
            "<path:object_id>/reveal/", self.admin_site.admin_view(self.reveal_view), name=self._reveal_url_name()
        )
        return [reveal, *super().get_urls()]

    def reveal_view(self, request, object_id: str):
        """The masked fields in full. Side effect: one AccessLog row."""
        obj = self.get_object(request, object_id)
        if obj is None:
            raise Http404
        if not self.has_view_permission(request, obj):
            raise PermissionDenied
        opts = self.model._meta
        services.personal_data_reveal(
            user=request.user,
            subject=self.subject(obj),
            target=f"{opts.model_name}:{obj.pk}",
            request=request,
            reason="Django admin",
        )
        context = {
            **self.admin_site.each_context(request),
            "opts": opts,
            "original": obj,
            "title": _("%(record)s in full") % {"record": obj},
            "rows": self.revealed_rows(obj),
        }
        return TemplateResponse(request, "admin/personal_data_reveal.html", context)


@admin.register(AccessLog)
class AccessLogAdmin(ReadOnlyAdmin):
    """Read-only: admins list and filter the log; nobody edits or deletes it."""

    list_display = ("at", "user", "action", "subject", "target", "source_address", "reason")
    list_filter = ("action", "at", "user")
    search_fields = ("subject", "target", "user__username", "source_address")
    date_hierarchy = "at"

    def has_view_permission(self, request, obj=None):
        return request.user.is_active and request.user.is_staff
