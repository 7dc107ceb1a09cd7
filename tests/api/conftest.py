"""Shared pieces of the API tests: token-authenticated clients, a clean cache, known filings."""

import pytest
from django.core.cache import cache
from rest_framework.test import APIClient

from tests.conftest import PASSWORD

API = "/api/v1"


@pytest.fixture(autouse=True)
def _clean_cache():
    """Lockout counters live in the cache (Redis when REDIS_URL is set): no test sees another's."""
    cache.clear()
    yield
    cache.clear()


def obtain_token(client, username, password=PASSWORD):
    response = client.post(
        f"{API}/auth/token/", {"username": username, "password": password}, format="json"
    )
    assert response.status_code == 200, response.content
    return response.json()["token"]


@pytest.fixture
def api(world):
    """``api(user)``: an APIClient that sends ``Authorization: Token <key>`` of ``user``,
    the key obtained through POST /api/v1/auth/token/. ``api(None)`` stays anonymous."""
    clients = {}

    def _api(user, **headers):
        if user is None:
            return APIClient(**headers)
        key = (user.pk, tuple(sorted(headers.items())))
        if key not in clients:
            client = APIClient(**headers)
            token = obtain_token(client, user.username)
            client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
            clients[key] = client
        return clients[key]

    return _api
