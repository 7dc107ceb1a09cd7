"""API tokens end: on expiry, revocation, a password change or reset and a deactivation, as the
user's sessions do (portal.models.ApiToken, portal.authentication, portal.services)."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from portal import services
from portal.models import ApiToken
from tests.api.conftest import API, obtain_token
from tests.conftest import PASSWORD


def client_with(token):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    return client


def opens(token):
    return client_with(token).get(f"{API}/notifications/").status_code == 200


@pytest.fixture
def signed_in(world, client):
    """liaison-a with a token and a page session."""
    token = obtain_token(APIClient(), "liaison-a")
    client.force_login(world.liaison_a)
    assert opens(token)
    assert client.get(reverse("home")).status_code == 200
    return token


def session_ended(client):
    response = client.get(reverse("home"))
    return response.status_code == 302 and response["Location"].startswith(reverse("login"))


def test_a_password_reset_ends_every_session_and_token(world, client, signed_in):
    services.user_set_password(actor=world.admin, user=world.liaison_a, password="New-pass-2026!")
    assert not opens(signed_in)
    assert session_ended(client)


def test_a_password_changed_outside_the_services_ends_the_tokens(world, signed_in):
    world.liaison_a.set_password("Other-pass-2026!")  # as `manage.py changepassword` does
    world.liaison_a.save()
    assert not opens(signed_in)


def test_a_deactivation_ends_every_session_and_token_for_good(world, client, signed_in):
    services.user_update(actor=world.admin, user=world.liaison_a, is_active=False)
    assert not opens(signed_in)
    assert session_ended(client)
    services.user_update(actor=world.admin, user=world.liaison_a, is_active=True)
    assert not opens(signed_in)  # reactivating does not bring them back
    assert session_ended(client)


def test_a_token_expires_after_the_configured_days(world, settings):
    settings.API_TOKEN_DAYS = 30
    token = obtain_token(APIClient(), "liaison-a")
    row = ApiToken.objects.get(digest=ApiToken.digest_of(token))
    assert abs(row.expires_at - (timezone.now() + datetime.timedelta(days=30))) < (
        datetime.timedelta(minutes=1)
    )
    assert opens(token)
    ApiToken.objects.filter(pk=row.pk).update(expires_at=timezone.now() - datetime.timedelta(1))
    response = client_with(token).get(f"{API}/notifications/")
    assert response.status_code == 401
    assert response.json()["detail"] == "令牌无效或已过期。"


def test_only_a_digest_of_the_key_is_stored(world):
    token = obtain_token(APIClient(), "liaison-a")
    assert not ApiToken.objects.filter(digest=token).exists()
    assert ApiToken.objects.filter(digest=ApiToken.digest_of(token)).exists()


def test_a_user_lists_and_revokes_their_own_tokens(world):
    first = obtain_token(APIClient(), "liaison-a")
    second = obtain_token(APIClient(), "liaison-a")
    other = obtain_token(APIClient(), "liaison-b")
    client = client_with(first)
    listed = client.get(f"{API}/auth/tokens/").json()["results"]
    assert {t["prefix"] for t in listed} == {first[:8], second[:8]}
    assert all(t["active"] for t in listed)
    second_id = next(t["id"] for t in listed if t["prefix"] == second[:8])
    assert client.delete(f"{API}/auth/tokens/{second_id}/").status_code == 204
    assert not opens(second)
    assert opens(first)
    assert ApiToken.objects.filter(pk=second_id, revoked_at__isnull=False).exists()  # kept
    other_id = ApiToken.objects.get(digest=ApiToken.digest_of(other)).pk
    assert client.delete(f"{API}/auth/tokens/{other_id}/").status_code == 404
    assert opens(other)


def test_an_admin_revokes_a_users_tokens(world):
    token = obtain_token(APIClient(), "liaison-a")
    admin = client_with(obtain_token(APIClient(), "admin"))
    listed = admin.get(f"{API}/auth/tokens/", {"user": world.liaison_a.pk}).json()["results"]
    assert [t["prefix"] for t in listed] == [token[:8]]
    assert admin.delete(f"{API}/auth/tokens/{listed[0]['id']}/").status_code == 204
    assert not opens(token)


def test_an_admin_signs_a_user_out_everywhere_from_their_page(world, signed_in):
    admin = APIClient()
    admin.force_login(world.admin)
    page = admin.get(reverse("user_detail", args=[world.liaison_a.pk]))
    assert "1 个 API 令牌正在使用" in page.content.decode()
    response = admin.post(reverse("user_sign_out", args=[world.liaison_a.pk]))
    assert response.status_code == 302
    assert not opens(signed_in)
    other = APIClient()
    other.force_login(world.liaison_b)
    assert other.post(reverse("user_sign_out", args=[world.liaison_a.pk])).status_code == 403


def test_logging_in_again_after_a_reset_gives_a_working_token(world, signed_in):
    services.user_set_password(actor=world.admin, user=world.liaison_a, password="New-pass-2026!")
    assert opens(obtain_token(APIClient(), "liaison-a", password="New-pass-2026!"))
    assert PASSWORD != "New-pass-2026!"
