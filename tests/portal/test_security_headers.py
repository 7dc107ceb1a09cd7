"""Every page carries a Content-Security-Policy that allows no inline script or style, and a
Permissions-Policy; the pages themselves need neither."""

import re

import pytest
from django.urls import reverse

INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)[^>]*>", re.IGNORECASE)
INLINE_HANDLER = re.compile(r"\son[a-z]+\s*=", re.IGNORECASE)
INLINE_STYLE = re.compile(r"\sstyle\s*=", re.IGNORECASE)


def directives(response):
    policy = response["Content-Security-Policy"]
    return {part.split()[0]: part.split()[1:] for part in policy.split(";") if part.strip()}


@pytest.mark.parametrize("path", ["/login/", "/api/v1/filings/", "/django-admin/login/"])
def test_the_policy_headers_are_on_every_response(db, client, path):
    response = client.get(path)
    policy = directives(response)
    assert policy["script-src"] == ["'self'"]
    assert policy["style-src"] == ["'self'"]
    assert policy["frame-ancestors"] == ["'none'"]
    assert "'unsafe-inline'" not in response["Content-Security-Policy"]
    assert "camera=()" in response["Permissions-Policy"]


@pytest.mark.parametrize("role", ["admin", "policy", "liaison_a", "org_a1"])
def test_the_pages_need_no_inline_script_or_style(world, login, role):
    client = login(getattr(world, role))
    seen = 0
    for name in ("home", "inbox", "meetings:meeting_list", "orgs:list", "reports:queue"):
        response = client.get(reverse(name))
        if response.status_code != 200:
            continue
        seen += 1
        html = response.content.decode()
        assert not INLINE_SCRIPT.search(html), (role, name)
        assert not INLINE_HANDLER.search(html), (role, name)
        assert not INLINE_STYLE.search(html), (role, name)
    assert seen >= 2
