"""Categories (shared by calls and FAQ entries)."""

from django.db import models
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _


class Category(models.Model):
    """A topic callers ask about: water, transit, housing, ...

    Shared by calls (inquiries) and FAQ entries; admins edit it.
    """

    slug = models.SlugField(_("slug"), max_length=64, unique=True, allow_unicode=True)
    name_ko = models.CharField(_("name (Korean)"), max_length=100)
    name_en = models.CharField(_("name (English)"), max_length=100, blank=True)
    sort_order = models.PositiveSmallIntegerField(_("order"), default=100)
    is_active = models.BooleanField(_("offered when logging calls"), default=True)

    class Meta:
        ordering = ["sort_order", "slug"]
        verbose_name = _("category")
        verbose_name_plural = _("categories")

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        """The name in the active UI language, Korean when English is missing."""
        if (get_language() or "ko").startswith("en") and self.name_en:
            return self.name_en
        return self.name_ko
