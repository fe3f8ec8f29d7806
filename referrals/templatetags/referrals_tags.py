from django import template

from referrals import selectors
from referrals.models import FollowUp, Referral, Status

register = template.Library()


@register.simple_tag
def referral_services():
    """The services a case can be referred to (the console's referral panel)."""
    return list(selectors.service_list())


@register.simple_tag
def referrals_of_call(call):
    """The referrals made from a call, oldest first (the call's page)."""
    return list(selectors.referrals_of_call(call_id=call.pk))


@register.simple_tag
def referral_priorities():
    return Referral.Priority.choices


@register.filter
def status_label(value: str) -> str:
    """A status or follow-up outcome code in the UI language (history rows)."""
    for choices in (Status, FollowUp.Outcome):
        if value in choices.values:
            return str(choices(value).label)
    return value
