from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReferralsConfig(AppConfig):
    name = "referrals"
    verbose_name = _("Referrals")

    def ready(self) -> None:
        from callcenter import extensions, permissions
        from referrals.open311 import render as open311_render

        # Open311 clients read the spec's error format, also for input the middleware refuses.
        extensions.register_bad_request_answer("/open311/", open311_render.bad_request)

        # The wallboard's "urgent open" tile starts from the snapshot; `referral.urgent` keeps it current.
        extensions.register_socket_part(
            "wallboard", extensions.SocketPart(groups=_no_groups, snapshot=_urgent_snapshot)
        )
        # The console's referral form and follow-ups due, under the call form.
        extensions.register_page_part(
            "console-main",
            extensions.PagePart(template="referrals/_console_referral.html", visible=permissions.can_use_console),
        )
        # The referrals made from a call, on the call's page (/calls/<id>/).
        extensions.register_page_part(
            "call-detail",
            extensions.PagePart(template="referrals/_call_panel.html", visible=permissions.can_view_referrals),
        )


def _no_groups(user) -> list[str]:
    return []  # the wallboard group already carries referral.urgent


def _urgent_snapshot(user) -> dict:
    from referrals import payloads, selectors

    return {"urgent_referrals": [payloads.urgent_payload(r) for r in selectors.urgent_referrals_for_wallboard()]}
