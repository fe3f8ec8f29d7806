from django import template

from safety import selectors
from safety.describe import describe
from safety.models import Kind, Sex

register = template.Library()


@register.simple_tag
def safety_kinds():
    return Kind.choices


@register.simple_tag
def safety_sexes():
    return Sex.choices


@register.simple_tag
def safety_of_call(call):
    """The cases reported on a call and the sightings it brought, for the call's page
    (descriptions only: the page logs no view of a name or a number)."""
    return {
        "cases": [(case, describe(case)) for case in selectors.cases_of_call(call_id=call.pk)],
        "sightings": list(selectors.sightings_of_call(call_id=call.pk)),
    }
