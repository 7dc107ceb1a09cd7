"""Typed reading of the parameters a view takes from the query string or a form.

Addresses are edited by hand and bookmarked, so a value can be anything. A parameter that names
an object (an id) and does not parse is a 400, shown as the portal's error page; a parameter that
only narrows or orders a page (a filter, a page number) and does not parse is ignored. Nothing a
user can type reaches the database unparsed, so no value is a 500.
"""

from django.core.exceptions import BadRequest

# Primary keys are 64-bit (DEFAULT_AUTO_FIELD); a larger number is no object's id, and the
# databases refuse to compare it.
MAX_ID = 2**63 - 1


def parse_int(raw, *, minimum=0, maximum=MAX_ID):
    """``raw`` as a whole number from ``minimum`` to ``maximum``, or None: ASCII digits only
    (``"²"`` and ``"١"`` are digits to ``str.isdigit``)."""
    raw = (raw or "").strip()
    if not (raw.isascii() and raw.isdigit()):
        return None
    value = int(raw)
    return value if minimum <= value <= maximum else None


def parse_id(raw):
    """``raw`` as a positive id within the primary keys' range, or None."""
    return parse_int(raw, minimum=1)


def id_param(request, name, *, methods=("GET", "POST")):
    """The id given as ``name`` in the query string or the form (the first that has it), None
    when absent; a value that is not an id is a 400."""
    for method in methods:
        raw = getattr(request, method).get(name)
        if raw not in (None, ""):
            value = parse_id(raw)
            if value is None:
                raise BadRequest(f"{name} is not an id")
            return value
    return None


def id_list_param(params, name):
    """The ids given as ``name`` (a multiple-choice form field); values that are not ids are
    dropped."""
    return [value for value in map(parse_id, params.getlist(name)) if value is not None]


def choice_param(params, name, choices):
    """``params[name]`` if it is one of ``choices``, else None (an unknown filter is ignored)."""
    value = params.get(name)
    return value if value in choices else None


def text_param(params, name, *, max_length=200):
    """A free-text search term, stripped and cut to ``max_length``; never None."""
    return (params.get(name) or "").replace("\x00", "").strip()[:max_length]
