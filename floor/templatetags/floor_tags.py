from django import template

from floor import selectors

register = template.Library()


@register.simple_tag
def abuse_kinds():
    """(kind, label, warning script) of each abusive-call kind, for the console's protection panel."""
    return selectors.abuse_kinds_with_scripts()
