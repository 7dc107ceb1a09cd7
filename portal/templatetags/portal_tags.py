from django import template

from portal.pagination import COUNT_LIMIT

register = template.Library()


@register.filter
def bounded(n, limit=COUNT_LIMIT):
    """A count from ``bounded_count``: shown as "1000+" past the limit."""
    try:
        return f"{limit}+" if int(n) > limit else n
    except (TypeError, ValueError):
        return n
