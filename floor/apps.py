from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FloorConfig(AppConfig):
    """The contact-centre floor: the phone system's events, the queue, agents'
    states and shifts, live statistics, the wallboard and agent sockets, agent
    protection. `inquiries` (the calls agents log) imports it; it imports no app
    but callcenter and knowledgebase."""

    name = "floor"
    verbose_name = _("Contact-centre floor")
