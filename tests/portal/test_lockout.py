"""One lockout for every way to log in (portal.lockout, applied by portal.backends)."""

import datetime
import threading
import time

import pytest
from django.conf import settings
from django.contrib.auth import authenticate, get_user_model
from django.core.exceptions import ValidationError
from django.db import connection
from django.test import RequestFactory
from django.urls import reverse
from django.utils import timezone

from portal import clock
from portal.models import LoginFailureCount
from tests.api.conftest import API
from tests.portal.test_clock import require_postgres

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


def _token(client, username, password, address):
    return client.post(
        f"{API}/auth/token/",
        {"username": username, "password": password},
        content_type="application/json",
        REMOTE_ADDR=address,
    )


def test_requests_arriving_during_a_password_check_are_counted_before_it(root, client, monkeypatch):
    """Parallel wrong passwords: each request that arrives while another's hash is being
    computed must already see that request counted, so no more than the limit are checked."""
    User = get_user_model()
    checks = []
    real_check = User.check_password

    def slow_check(self, raw_password):
        checks.append(raw_password)
        if len(checks) == 1:  # the others arrive while the first hash is running
            for _ in range(3 * settings.LOGIN_FAILURE_LIMIT):
                _token(client, "root", "wrong", "10.0.0.1")
        return real_check(self, raw_password)

    monkeypatch.setattr(User, "check_password", slow_check)
    _token(client, "root", "wrong", "10.0.0.1")
    assert len(checks) <= settings.LOGIN_FAILURE_LIMIT


def test_a_username_locked_from_one_address_still_logs_in_from_another(root, client):
    for _ in range(settings.LOGIN_FAILURE_LIMIT):
        assert _token(client, "root", "wrong", "10.0.0.1").status_code == 400
    assert "token" not in _token(client, "root", PASSWORD, "10.0.0.1").json()
    response = _token(client, "root", PASSWORD, "10.0.0.2")
    assert response.status_code == 200, response.content
    assert "token" in response.json()


def test_one_address_trying_many_usernames_is_locked(root, client, settings):
    settings.LOGIN_ADDRESS_FAILURE_LIMIT = 3
    for name in ("a", "b", "c"):
        assert _token(client, name, "wrong", "10.0.0.9").status_code == 400
    response = _token(client, "root", PASSWORD, "10.0.0.9")
    assert response.status_code == 400
    assert "token" not in response.json()
    assert "登录失败次数过多" in response.json()["non_field_errors"][0]
    assert _token(client, "root", PASSWORD, "10.0.0.8").status_code == 200


def test_a_successful_login_gives_the_address_its_place_back(root, client, settings):
    settings.LOGIN_ADDRESS_FAILURE_LIMIT = 2
    for _ in range(5):
        assert _token(client, "root", PASSWORD, "10.0.0.7").status_code == 200


def test_the_address_behind_a_proxy_is_taken_from_the_configured_header(root, client, settings):
    settings.LOGIN_CLIENT_ADDRESS_HEADER = "HTTP_X_REAL_IP"
    for _ in range(settings.LOGIN_FAILURE_LIMIT):
        _token(client, "root", "wrong", "10.0.0.1")  # REMOTE_ADDR ignored; header absent
    response = client.post(
        f"{API}/auth/token/",
        {"username": "root", "password": PASSWORD},
        content_type="application/json",
        HTTP_X_REAL_IP="192.0.2.5",
    )
    assert response.status_code == 200


@pytest.mark.django_db(transaction=True)
def test_parallel_wrong_passwords_run_no_more_checks_than_the_limit(monkeypatch):
    require_postgres()
    User = get_user_model()
    User.objects.create_user("racer", password=PASSWORD)
    checks = []
    real_check = User.check_password

    def slow_check(self, raw_password):
        checks.append(1)
        time.sleep(0.2)
        return real_check(self, raw_password)

    monkeypatch.setattr(User, "check_password", slow_check)
    workers = 12
    barrier = threading.Barrier(workers)

    def attempt():
        request = RequestFactory().post("/login/", REMOTE_ADDR="10.0.0.3")
        try:
            barrier.wait(timeout=10)
            authenticate(request, username="racer", password="wrong")
        except ValidationError:
            pass
        finally:
            connection.close()

    threads = [threading.Thread(target=attempt) for _ in range(workers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert len(checks) <= settings.LOGIN_FAILURE_LIMIT


def test_the_clock_removes_counts_whose_window_ended_long_ago(root, client):
    _token(client, "root", "wrong", "10.0.0.4")
    _token(client, "nobody", "wrong", "10.0.0.4")
    assert LoginFailureCount.objects.count() == 3  # two usernames from the address, the address
    clock.run(timezone.now() + datetime.timedelta(days=2))
    assert not LoginFailureCount.objects.exists()
