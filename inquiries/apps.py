from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class InquiriesConfig(AppConfig):
    name = "inquiries"
    verbose_name = _("Calls")

    def ready(self) -> None:
        # The figures of logged calls the floor's wallboard and reports show
        # (floor imports no inquiries module: callcenter.extensions carries them).
        from callcenter import extensions
        from inquiries import selectors

        extensions.register_figure("satisfaction", selectors.call_satisfaction)
        extensions.register_figure("calls_logged", selectors.call_count)
