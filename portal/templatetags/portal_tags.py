import datetime

from django import template
from django.utils import formats, timezone
from django.utils.html import conditional_escape
from django.utils.translation import pgettext

from portal import punctuation
from portal.pagination import COUNT_LIMIT

register = template.Library()


@register.filter
def bounded(n, limit=COUNT_LIMIT):
    """A count from ``bounded_count``: shown as "1000+" past the limit."""
    try:
        return f"{limit}+" if int(n) > limit else n
    except (TypeError, ValueError):
        return n


@register.simple_tag
def punct(name):
    """``{% punct "colon" %}``: a punctuation mark in the reader's language."""
    return punctuation.mark(name)


@register.filter(is_safe=True)
def parenthesized(text):
    """``{{ x|parenthesized }}``: " (x)" in English, "（x）" in Chinese."""
    return punctuation.parenthesized(conditional_escape(text))


def _day(value):
    return timezone.localtime(value).date() if isinstance(value, datetime.datetime) else value


@register.filter
def daterange(start, end=None):
    """A span of dates or times as every page writes it, in the reader's format: one date for a
    one-day span (2026年12月28日), the times only once the day is said (14:00–16:00), "—" for a
    missing end."""
    if not start and not end:
        return "—"
    timed = isinstance(start or end, datetime.datetime)
    if timed:
        start = timezone.localtime(start) if start else start
        end = timezone.localtime(end) if end else end
    fmt = "SHORT_DATETIME_FORMAT" if timed else "DATE_FORMAT"
    if start and end and _day(start) == _day(end):
        if not timed or start == end:
            return formats.date_format(start, fmt)
        return pgettext("a span of time in one day", "%(start)s–%(end)s") % {
            "start": formats.date_format(start, fmt),
            "end": formats.time_format(end, "TIME_FORMAT"),
        }
    return pgettext("a span of dates", "%(start)s – %(end)s") % {
        "start": formats.date_format(start, fmt) if start else "—",
        "end": formats.date_format(end, fmt) if end else "—",
    }
