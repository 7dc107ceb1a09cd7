"""No hand-edited query value is a 500: every page is opened by each role, the query parameters
its view reads are recorded, and each is then sent again with values nobody's link holds.

Like the URL-rule walk (test_url_rules.py), a new page or a new parameter is covered without a
line here: the parameters are the ones the views were seen to read.
"""

from urllib.parse import urlencode

import pytest
from django.http import QueryDict
from django.test import Client
from django.urls import reverse

from portal.params import MAX_ID, id_list_param, parse_id, parse_int
from tests.portal.test_url_rules import MATRIX, world  # noqa: F401 (the fixture with filings)

ROLES = ["admin", "policy", "liaison_a", "org_a1"]
# Names tried on every page besides those it was seen to read.
ALWAYS = ["page", "org", "request", "matter", "state", "q", "tab", "kind", "unread"]
BAD = ["abc", "-1", "1.5", str(MAX_ID + 1), "²", "\x00", "x" * 3000]


def _recording(monkeypatch):
    """Record the names every QueryDict of the request is asked for."""
    seen = set()
    for method in ("get", "getlist", "__getitem__", "__contains__"):
        original = getattr(QueryDict, method)

        def spy(self, key, *args, _original=original, **kwargs):
            if isinstance(key, str):
                seen.add(key)
            return _original(self, key, *args, **kwargs)

        monkeypatch.setattr(QueryDict, method, spy)
    return seen


@pytest.mark.parametrize("role", ROLES)
def test_bad_query_values_are_never_a_500(world, monkeypatch, role):  # noqa: F811
    client = Client(raise_request_exception=False)
    client.force_login(getattr(world, role))
    failures = []
    for name, (kwargs_of, _expected) in MATRIX.items():
        if name in {"logout", "set_language"}:
            continue
        url = reverse(name, kwargs=kwargs_of(world))
        with monkeypatch.context() as patch:
            seen = _recording(patch)
            client.get(url)
        for param in sorted((seen | set(ALWAYS)) - {"csrfmiddlewaretoken"}):
            for value in BAD:
                response = client.get(f"{url}?{urlencode({param: value})}")
                if response.status_code >= 500:
                    failures.append(f"{url}?{param}={value[:20]!r}: {response.status_code}")
    assert not failures, failures


def test_the_named_cases_are_400_pages(world, login):  # noqa: F811
    client = login(world.policy)
    for url in ("/filings/new/?org=abc", "/meetings/new/?request=abc"):
        response = client.get(url)
        assert response.status_code == 400, url
        assert 'id="error-page"' in response.content.decode()


def test_a_bad_id_in_a_form_is_a_400(world, login):  # noqa: F811
    client = login(world.policy)
    assert client.post(reverse("meetings:meeting_create"), {"request": "abc"}).status_code == 400


@pytest.mark.parametrize(
    ("raw", "expected"),
    [("12", 12), (" 7 ", 7), ("0", None), ("-3", None), ("²", None), ("١", None), ("", None)],
)
def test_parse_id(raw, expected):
    assert parse_id(raw) == expected


def test_parse_int_bounds():
    assert parse_int("0") == 0
    assert parse_int(str(MAX_ID + 1)) is None


def test_id_list_drops_what_is_not_an_id():
    assert id_list_param(QueryDict("id=1&id=x&id=²&id=3"), "id") == [1, 3]
