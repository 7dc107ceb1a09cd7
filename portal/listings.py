"""List pages rendered once per audience and query, and served from the cache until their rows
change.

The registry and the review queues show the same filter form, counts, rows and pages to everyone
who sees the same rows: every bureau-wide reader shares one registry, every member of a division
shares its queue. The view names that audience (a string that decides the rows exactly, built by
``duties.access``), and the listing is cached under the language, the audience and the query, and
retired by the generations of the rows it shows (``portal.generations``). The fragment is rendered
without the request, so nothing personal (a CSRF token, a user name) can enter it.
"""

import hashlib

from django.http import QueryDict
from django.template.loader import render_to_string
from django.utils.safestring import mark_safe
from django.utils.translation import get_language

from . import generations


def clean_query(request, names):
    """The request's query string reduced to the parameters the listing reads, in a fixed order:
    unknown parameters neither split the cache nor reappear in the page links."""
    query = QueryDict(mutable=True)
    for name in sorted(names):
        values = [v for v in request.GET.getlist(name) if v != ""]
        if values:
            query.setlist(name, values)
    return query


def render_listing(name, audience, query, template, build_context, *sources, extra=""):
    """The HTML of ``template`` rendered with ``build_context()``, cached per language, audience,
    query and ``extra`` (anything else the rows depend on, such as today's date) until one of
    the generations ``sources`` changes."""
    digest = hashlib.blake2b(f"{extra}|{query.urlencode()}".encode(), digest_size=12).hexdigest()
    key = f"portal:listing:{name}:{get_language()}:{audience}:{digest}"
    html = generations.cached(key, lambda: render_to_string(template, build_context()), *sources)
    return mark_safe(html)  # noqa: S308 (rendered by our own template, escaped there)
