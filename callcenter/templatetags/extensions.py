from django import template

from callcenter import extensions

register = template.Library()


@register.simple_tag(takes_context=True)
def page_parts(context, page: str) -> list[str]:
    """The templates other apps registered for this place of the page (callcenter.extensions)."""
    request = context.get("request")
    user = getattr(request, "user", None)
    return [part.template for part in extensions.page_parts(page, user)] if user is not None else []
