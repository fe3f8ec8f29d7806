"""What every app shares: the personal-data access log (PIPA)."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class AccessLog(models.Model):
    """One row per access by staff to a person's data. Append-only.

    Korea's PIPA asks for account, time, source address, whose data and what was
    done, kept at least two years; the app offers no way to edit or delete it.
    """

    class Action(models.TextChoices):
        VIEW = "view", _("view")
        CREATE = "create", _("create")
        CHANGE = "change", _("change")
        DELETE = "delete", _("delete")
        EXPORT = "export", _("export")
        PRINT = "print", _("print")

    at = models.DateTimeField(_("time"), auto_now_add=True, db_index=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("account")
    )
    source_address = models.GenericIPAddressField(_("source address"), null=True, blank=True)
    action = models.CharField(_("action"), max_length=16, choices=Action.choices)
    subject = models.CharField(_("whose data"), max_length=64, db_index=True, help_text=_("e.g. caller:01012345678"))
    target = models.CharField(_("record"), max_length=128, blank=True, help_text=_("e.g. call:42"))
    reason = models.CharField(_("reason"), max_length=255, blank=True)

    class Meta:
        ordering = ["-at", "-id"]
        verbose_name = _("personal-data access")
        verbose_name_plural = _("personal-data access log")

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M:%S} {self.user} {self.action} {self.subject}"
