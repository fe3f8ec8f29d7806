from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FloorConfig(AppConfig):
    """The contact-centre floor: the phone system's events, the queue, agents'
    states and shifts, live statistics, the wallboard and agent sockets, agent
    protection. `inquiries` (the calls agents log) imports it; it imports no app
    but callcenter and knowledgebase."""

    name = "floor"
    verbose_name = _("Contact-centre floor")

    def ready(self) -> None:
        from callcenter import extensions, permissions

        # The console (inquiries) shows the floor's queue strip and the abusive-call panel.
        for template in ("floor/_console_queue.html", "floor/_console_protection.html"):
            extensions.register_page_part(
                "console-floor", extensions.PagePart(template=template, visible=permissions.can_use_console)
            )
