"""One lockout for every way to log in (portal.lockout, applied by portal.backends)."""

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.urls import reverse

from tests.api.conftest import API

PASSWORD = "Admin-Pass-2026!"


@pytest.fixture
def root(db):
    return get_user_model().objects.create_superuser("root", "root@example.gov.cn", PASSWORD)


def _admin_login(client, password):
    return client.post(
        reverse("admin:login"),
        {"username": "root", "password": password, "next": "/django-admin/"},
    )


def test_the_django_admin_login_is_locked_after_the_limit(root, client):
    for _ in range(settings.LOGIN_FAILURE_LIMIT):
        assert _admin_login(client, "wrong").status_code == 200
    response = _admin_login(client, PASSWORD)
    assert response.status_code == 200  # the form again, not the redirect into the admin
    assert "_auth_user_id" not in client.session
    assert "该用户登录失败次数过多" in response.content.decode()


def test_failed_admin_logins_lock_the_api_and_the_page(root, client):
    for _ in range(settings.LOGIN_FAILURE_LIMIT):
        _admin_login(client, "wrong")
    response = client.post(
        f"{API}/auth/token/",
        {"username": "root", "password": PASSWORD},
        content_type="application/json",
    )
    assert response.status_code == 400
    assert "token" not in response.json()
    response = client.post(reverse("login"), {"username": "root", "password": PASSWORD})
    assert response.status_code == 200
    assert "_auth_user_id" not in client.session


def test_the_admin_login_still_works_below_the_limit(root, client):
    for _ in range(settings.LOGIN_FAILURE_LIMIT - 1):
        _admin_login(client, "wrong")
    assert _admin_login(client, PASSWORD).status_code == 302
    assert client.session["_auth_user_id"] == str(root.pk)
