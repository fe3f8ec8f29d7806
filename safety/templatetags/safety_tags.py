from django import template

from safety.models import Kind, Sex

register = template.Library()


@register.simple_tag
def safety_kinds():
    return Kind.choices


@register.simple_tag
def safety_sexes():
    return Sex.choices
