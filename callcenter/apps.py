from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CallcenterConfig(AppConfig):
    name = "callcenter"
    verbose_name = _("Call centre")

    def ready(self) -> None:
        from callcenter import signals  # noqa: F401 (connects the receivers)
