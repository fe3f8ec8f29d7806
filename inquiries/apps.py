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

        # The wallboard's "urgent open" tile lists open urgent calls (inquiries.urgent_calls)
        # beside urgent referrals: the snapshot starts it, `call.urgent` keeps it current.
        extensions.register_socket_part(
            "wallboard", extensions.SocketPart(groups=_no_groups, snapshot=_urgent_calls_snapshot)
        )


def _no_groups(user) -> list[str]:
    return []  # the wallboard group already carries call.urgent


def _urgent_calls_snapshot(user) -> dict:
    from django.utils import timezone

    from inquiries import selectors, urgent_calls

    now = timezone.now()
    calls = selectors.urgent_calls_open(now=now)
    return {"urgent_calls": [urgent_calls.urgent_call_payload(call, now=now) for call in calls]}
