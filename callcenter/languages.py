"""The languages the centre answers in: a call's, a queued call's, an FAQ entry's."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Language(models.TextChoices):
    KOREAN = "ko", _("Korean")
    ENGLISH = "en", _("English")
    CHINESE = "zh", _("Chinese")
    JAPANESE = "ja", _("Japanese")
