from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SafetyConfig(AppConfig):
    name = "safety"
    verbose_name = _("Safety (missing persons)")

    def ready(self) -> None:
        from safety import floor

        floor.register()
