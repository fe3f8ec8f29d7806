"""Daily produce prices (KAMIS), shown to agents in kimjang season."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class ProducePrice(models.Model):
    """One day's retail price of one item, variety and grade."""

    item = models.CharField(_("item"), max_length=50, db_index=True)
    item_code = models.CharField(_("item code"), max_length=10, blank=True)
    variety = models.CharField(_("variety"), max_length=50)
    variety_code = models.CharField(_("variety code"), max_length=10, blank=True)
    grade = models.CharField(_("grade"), max_length=20)
    unit = models.CharField(_("unit"), max_length=20)
    price = models.PositiveIntegerField(_("price (won)"))
    date = models.DateField(_("date"))
    source = models.CharField(_("source"), max_length=20, default="KAMIS")
    # What the source itself reports for a week, a month and a year before
    # (KAMIS gives them on each row); used when our own series has a gap.
    week_ago_price = models.PositiveIntegerField(null=True, blank=True)
    month_ago_price = models.PositiveIntegerField(null=True, blank=True)
    year_ago_price = models.PositiveIntegerField(null=True, blank=True)

    class Meta:
        ordering = ["item", "grade", "-date"]
        verbose_name = _("produce price")
        verbose_name_plural = _("produce prices")
        constraints = [
            models.UniqueConstraint(fields=["item", "variety", "grade", "date", "source"], name="produce_price_unique")
        ]
        indexes = [models.Index(fields=["item", "grade", "-date"], name="produce_item_grade_date")]

    def __str__(self) -> str:
        return f"{self.item} {self.variety} {self.grade} {self.date}: {self.price}"
