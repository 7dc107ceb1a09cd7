"""One username rule for every way to create a user (portal.validators, applied by
portal.services.user_create, which the staff form, the organization-user form and the seed
commands call)."""

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

from orgs import services as org_services
from portal import services

User = get_user_model()

REFUSED = {
    "zero-width space": "ad\u200bmin2",
    "right-to-left override": "\u202eadmin2",
    "left-to-right mark": "admin2\u200e",
    "full-width look-alike of admin": "ａｄｍｉｎ",
    "Cyrillic a in admin": "\u0430dmin",
    "inner space": "ad min",
    "markup": "<b>boss</b>",
    "emoji": "boss😀",
    "quote": "o'brien",
    "digit one for l": "po1icy",
    "capitals of an existing name": "ADMIN",
    "underscore for hyphen": "org_a1",
}


@pytest.mark.parametrize("case", sorted(REFUSED))
def test_the_staff_form_refuses(world, login, case):
    username = REFUSED[case]
    response = login(world.admin).post(
        reverse("user_create"),
        {"username": username, "full_name": "某人", "password": "Some-pass-2026!"},
    )
    assert response.status_code == 200
    assert response.context["form"].errors["username"], case
    assert not User.objects.filter(full_name="某人").exists()


@pytest.mark.parametrize("case", sorted(REFUSED))
def test_the_organization_user_form_refuses(world, login, case):
    username = REFUSED[case]
    response = login(world.admin).post(
        reverse("orgs:user_create", args=[world.org_a.pk]),
        {"username": username, "full_name": "某人", "password": "Some-pass-2026!"},
    )
    assert response.status_code == 200
    assert response.context["form"].errors["username"], case
    assert not User.objects.filter(full_name="某人").exists()


@pytest.mark.parametrize("case", sorted(REFUSED))
def test_the_service_refuses_for_every_caller(world, case):
    with pytest.raises(Exception) as caught:
        org_services.org_user_create(
            actor=world.admin,
            org=world.org_a,
            username=REFUSED[case],
            password="Some-pass-2026!",
            full_name="某人",
        )
    assert "username" in caught.value.message_dict


def test_the_messages_name_the_invisible_and_foreign_characters(world):
    with pytest.raises(Exception) as caught:
        services.user_create(actor=world.admin, username="ad\u200bmin2", password="Pw-2026-xyz!")
    assert "U+200B" in caught.value.message_dict["username"][0]
    with pytest.raises(Exception) as caught:
        services.user_create(actor=world.admin, username="\u0430dmin", password="Pw-2026-xyz!")
    assert "U+0430" in caught.value.message_dict["username"][0]


@pytest.mark.parametrize("username", ["zhang.san", "org-c1", "li_si@lhsr", "张三", "user2026"])
def test_ordinary_usernames_are_accepted(world, username):
    user = services.user_create(actor=world.admin, username=username, password="Pw-2026-xyz!")
    assert user.username == username


def test_full_width_letters_are_stored_as_ascii(world):
    user = services.user_create(actor=world.admin, username="ｗａｎｇｗｕ", password="Pw-2026-xyz!")
    assert user.username == "wangwu"
