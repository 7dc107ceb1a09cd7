"""The OpenAPI schema is valid, complete, and its docs page is self-hosted.

Completeness: every route of the ``api`` namespace (as the URL resolver knows it) is a path of the
schema with each of its HTTP methods, so a view left out of the schema fails here.
"""

import json
import os
import re
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from django.urls import URLPattern, URLResolver, get_resolver
from drf_spectacular.validation import validate_schema

BASE_DIR = Path(__file__).resolve().parents[2]
SCHEMA_URL = "/api/v1/schema/"
DOCS_URL = "/api/v1/docs/"
OPENAPI_JSON = "application/vnd.oai.openapi+json"
# Routes that are the documentation itself, not API operations.
NOT_OPERATIONS = {"api:schema", "api:docs"}
METHODS = ("get", "post", "put", "patch", "delete")


@pytest.fixture(scope="module")
def schema(django_db_blocker):
    from django.contrib.auth import get_user_model
    from django.test import Client

    with django_db_blocker.unblock():
        reader = get_user_model().objects.create_user("schema-reader", is_bureau_admin=True)
        client = Client()
        client.force_login(reader)
        try:
            response = client.get(SCHEMA_URL, HTTP_ACCEPT=OPENAPI_JSON)
        finally:
            reader.delete()  # a module-wide fixture: leaves no row to the tests
    assert response.status_code == 200, response.content[:500]
    assert response["Content-Type"].startswith(OPENAPI_JSON)
    return json.loads(response.content)


# --- validity --------------------------------------------------------------------------------


@pytest.fixture
def staff_client(db, client):
    """The schema and the docs are for bureau staff."""
    from django.contrib.auth import get_user_model

    client.force_login(get_user_model().objects.create_user("docs-staff", is_bureau_admin=True))
    return client


def test_schema_and_docs_are_refused_to_anonymous_and_organization_users(world, client):
    response = client.get(SCHEMA_URL)
    assert response.status_code == 401
    assert b"detail" in response.content
    assert client.get(DOCS_URL).status_code == 302  # to the login page
    client.force_login(world.org_a1)
    assert client.get(SCHEMA_URL).status_code == 403
    assert client.get(DOCS_URL).status_code == 403
    client.force_login(world.liaison_a)
    assert client.get(SCHEMA_URL).status_code == 200


def test_schema_is_served_as_json_both_ways(staff_client, schema):
    client = staff_client
    by_query = client.get(SCHEMA_URL, {"format": "json"})
    assert by_query.status_code == 200
    assert json.loads(by_query.content) == schema


def test_served_schema_validates_as_openapi_3(schema):
    assert schema["openapi"].startswith("3.")
    validate_schema(schema)  # the OpenAPI 3.x JSON Schema bundled with drf-spectacular


def test_generator_validates_without_warnings(tmp_path):
    """``manage.py spectacular --validate --fail-on-warn``: errors and warnings both fail."""
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("PYTEST_", "DJANGO_SETTINGS_MODULE"))
    }
    env.update(DEBUG="1", DJANGO_SETTINGS_MODULE="portal.settings")
    result = subprocess.run(
        [
            sys.executable,
            "manage.py",
            "spectacular",
            "--validate",
            "--fail-on-warn",
            "--file",
            str(tmp_path / "schema.yaml"),
        ],
        cwd=BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr[-4000:]
    assert "Warning" not in result.stderr and "Error" not in result.stderr, result.stderr[-4000:]


# --- completeness ----------------------------------------------------------------------------

GROUP = re.compile(r"\(\?P<(\w+)>[^)]*\)")
CONVERTER = re.compile(r"<(?:\w+:)?(\w+)>")


def _openapi_path(route):
    """``api/v1/^filings/(?P<pk>[^/.]+)/submit/$`` → ``/api/v1/filings/{id}/submit/``."""
    route = route.replace("^", "").replace("$", "")
    route = GROUP.sub(r"{\1}", route)
    route = CONVERTER.sub(r"{\1}", route)
    route = route.replace("{pk}", "{id}")  # drf-spectacular names primary keys ``id``
    return "/" + route


def _view_methods(callback):
    actions = getattr(callback, "actions", None)  # a ViewSet route: {"get": "list", ...}
    if actions:
        return {m for m in actions if m in METHODS}
    view_class = getattr(callback, "view_class", None) or getattr(callback, "cls", None)
    return {m for m in METHODS if hasattr(view_class, m)}


def api_routes(patterns=None, prefix="", namespace=None):
    """(URL name, OpenAPI path, methods) of every route in the ``api`` namespace."""
    if patterns is None:
        patterns = get_resolver().url_patterns
    for p in patterns:
        if isinstance(p, URLResolver):
            ns = p.namespace or namespace
            if ns == "admin":
                continue
            yield from api_routes(p.url_patterns, prefix + str(p.pattern), ns)
        elif isinstance(p, URLPattern) and namespace == "api":
            route = prefix + str(p.pattern)
            if "(?P<format>" in route or "<drf_format_suffix" in route:
                continue  # DefaultRouter's ``.json`` variants of the same views
            yield f"api:{p.name}", _openapi_path(route), _view_methods(p.callback)


def test_the_walk_finds_the_api():
    names = {name for name, _path, _methods in api_routes()}
    assert {"api:token", "api:organization-list", "api:filing-decide"} <= names


def test_every_api_route_is_in_the_schema(schema):
    paths = schema["paths"]
    missing = []
    for name, path, methods in api_routes():
        if name in NOT_OPERATIONS:
            continue
        if path not in paths:
            missing.append(f"{name}: {path}")
            continue
        for method in sorted(methods - set(paths[path])):
            missing.append(f"{name}: {method.upper()} {path}")
    assert not missing, f"API views missing from the schema: {missing}"


def test_schema_has_no_paths_without_a_route(schema):
    routed = {path for _name, path, _methods in api_routes()}
    assert set(schema["paths"]) - routed == set()


@pytest.mark.parametrize("path", ["filings/-1.5e-07/", "attachments/-2.5e-3/download/", "nothing/"])
def test_unrouted_api_paths_answer_json_404(client, path):
    response = client.get(f"/api/v1/{path}")
    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"
    assert set(json.loads(response.content)) == {"detail"}


def test_schema_and_docs_routes_are_not_operations(schema):
    assert SCHEMA_URL not in schema["paths"]
    assert DOCS_URL not in schema["paths"]


# --- the docs page ---------------------------------------------------------------------------


class _Refs(HTMLParser):
    def __init__(self):
        super().__init__()
        self.refs = []

    def handle_starttag(self, tag, attrs):
        for name, value in attrs:
            if name in ("src", "href") and value:
                self.refs.append(value)


def test_docs_are_served_from_local_static_files_only(staff_client):
    client = staff_client
    response = client.get(DOCS_URL)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/html")
    html = response.content.decode()
    assert 'id="swagger-ui"' in html

    foreign = [
        url
        for url in re.findall(r"""(?:https?:)?//[^\s"'<>)]+""", html)
        if urlsplit(url if "://" in url else "http:" + url).hostname
        not in {None, "testserver", "localhost", "127.0.0.1"}
    ]
    assert not foreign, f"the docs page loads from other hosts: {foreign}"

    parser = _Refs()
    parser.feed(html)
    assets = [ref for ref in parser.refs if not ref.startswith("#")]
    assert assets, "no stylesheet or script found on the docs page"
    assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", html), "an inline script (CSP)"
    scripts = []
    for ref in assets:
        # Swagger UI's start-up script is served by the docs view itself, as a file (CSP).
        assert ref.startswith(("/static/", DOCS_URL)), f"{ref} is not a local file"
        asset = client.get(ref)
        assert asset.status_code == 200, f"{ref}: {asset.status_code}"
        # Consuming the stream closes the response (the test client wraps it).
        body = b"".join(asset.streaming_content) if asset.streaming else asset.content
        assert body, f"{ref} is empty"
        scripts.append(body)
    assert any(SCHEMA_URL.encode() in body for body in scripts)
