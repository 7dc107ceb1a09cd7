"""List pages rendered once per audience and query, and served from the cache until their rows
change.

The registry and the review queues show the same filter form, counts, rows and pages to everyone
who sees the same rows: every bureau-wide reader shares one registry, every member of a division
shares its queue. The view names that audience (a string that decides the rows exactly, built by
``duties.access``), and the listing is cached under the language, the audience and the query, and
retired by the generations of the models it reads (``portal.generations``). The fragment is rendered
without the request, so nothing personal (a CSRF token, a user name) can enter it.
"""

import hashlib

from django.conf import settings
from django.http import QueryDict
from django.template.loader import render_to_string
from django.utils.safestring import mark_safe
from django.utils.translation import get_language

from . import generations
from .forms import style_filter_form
from .pagination import BoundedPaginator


def clean_query(request, names):
    """The request's query string reduced to the parameters the listing reads, in a fixed order:
    unknown parameters neither split the cache nor reappear in the page links."""
    query = QueryDict(mutable=True)
    for name in sorted(names):
        values = [v for v in request.GET.getlist(name) if v != ""]
        if values:
            query.setlist(name, values)
    return query


def split_page(query):
    """``query`` without its page number, and the page number."""
    data = query.copy()
    return data, data.pop("page", [None])[-1]


def filtered_page(filterset, page_number, *order_by):
    """The asked-for page of ``filterset``'s rows (all of its queryset's rows while the form is
    invalid), bounded-counted, and whether a filter applied. Styles the filter form."""
    style_filter_form(filterset.form)
    filtered = filterset.is_bound and filterset.is_valid()
    rows = filterset.qs if filtered else filterset.queryset
    if order_by:
        rows = rows.order_by(*order_by)
    return BoundedPaginator(rows, settings.PAGINATE_BY).get_page(page_number), filtered


def render_listing(name, audience, query, template, build_context, *, reads, extra=""):
    """The HTML of ``template`` rendered with ``build_context()``, cached per language, audience,
    query and ``extra`` (anything else the rows depend on, such as today's date) until a row of
    one of the models ``reads`` (everything the context and the template read) changes."""
    digest = hashlib.blake2b(f"{extra}|{query.urlencode()}".encode(), digest_size=12).hexdigest()
    key = f"portal:listing:{name}:{get_language()}:{audience}:{digest}"
    html = generations.cached(key, lambda: render_to_string(template, build_context()), reads=reads)
    return mark_safe(html)  # noqa: S308 (rendered by our own template, escaped there)
