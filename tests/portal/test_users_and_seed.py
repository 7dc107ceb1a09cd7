"""Bureau users created by an admin, the demo data, and the home page of each role."""

import pytest
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client
from django.urls import reverse
from django.utils.html import escape

from duties import access
from duties import services as duty_services
from duties.models import DivisionKind, LiaisonAssignment
from orgs.credit_code import parse
from orgs.models import (
    ManagementMode,
    Organization,
    OrganizationGroupObjectPermission,
    OrganizationUser,
    OrgStatus,
    OrgType,
)
from orgs.services import org_user_create
from portal import services as portal_services
from tests.factories import OrganizationFactory

User = get_user_model()

DEMO_PASSWORD = "demo-pass-2026"
DEMO_USERS = [
    "admin",
    "leader",
    "policy",
    "policy-head",
    "office",
    "personnel",
    "finance",
    "discipline",
    "liaison-a",
    "liaison-b",
    "org-a1",
    "org-b1",
]
STRONG_PASSWORD = "Lvhua-Shirong-2026!"


# --- user management -------------------------------------------------------------------------


def create_user(client, **fields):
    data = {"username": "chen-jing", "full_name": "陈静", "password": STRONG_PASSWORD}
    data.update(fields)
    return client.post(reverse("user_create"), data)


def test_admin_creates_a_bureau_user(world, login):
    client = login(world.admin)
    assert client.get(reverse("user_create")).status_code == 200
    response = create_user(client, email="chenjing@lhsr.sh.gov.cn", is_leader="on")
    assert response.status_code == 302
    user = User.objects.get(username="chen-jing")
    assert response["Location"] == reverse("user_detail", kwargs={"pk": user.pk})
    assert user.full_name == "陈静"
    assert user.is_leader is True
    assert user.is_bureau_admin is False
    assert user.check_password(STRONG_PASSWORD)
    created = user.history.get()
    assert created.history_type == "+"
    assert created.history_user == world.admin
    assert access.roles(user).is_leader
    assert Client().login(username="chen-jing", password=STRONG_PASSWORD)


def test_weak_password_is_refused_with_a_message(world, login):
    client = login(world.admin)
    before = User.objects.count()
    for password, expected in [
        ("12345678", "这个密码太常见了。"),
        ("20260101", "密码只包含数字。"),
        ("chen-jing-2026", "太相似"),
    ]:
        response = create_user(client, password=password)
        assert response.status_code == 200, password
        errors = response.context["form"].errors["password"]
        assert any(expected in e for e in errors), errors
        assert escape(errors[0]) in response.content.decode()
    assert User.objects.count() == before
    assert not User.objects.filter(username="chen-jing").exists()


def test_duplicate_username_is_refused(world, login):
    client = login(world.admin)
    before = User.objects.count()
    for username, expected in [
        ("policy", "已存在一位使用该名字的用户。"),  # the model's unique check, in the form
        ("POLICY", "该用户名已存在。"),  # the service's case-insensitive check
        (" Liaison-A ", "该用户名已存在。"),
    ]:
        response = create_user(client, username=username)
        assert response.status_code == 200, username
        assert response.context["form"].errors["username"] == [expected], username
    assert User.objects.count() == before
    assert User.objects.get(username="policy").check_password("test-pass-2026")


def test_only_admins_create_users(world, login):
    before = User.objects.count()
    for role in ["policy", "policy_head", "leader", "liaison_a", "org_a1"]:
        client = login(getattr(world, role))
        assert client.get(reverse("user_create")).status_code == 403, role
        assert create_user(client, is_bureau_admin="on").status_code == 403, role
    assert User.objects.count() == before


def user_row(user):
    return User.objects.filter(pk=user.pk).values().get(), user.history.count()


NON_ADMINS = ["leader", "policy", "policy_head", "liaison_a", "org_a1"]


@pytest.mark.parametrize("role", NON_ADMINS)
def test_the_user_services_refuse_an_actor_who_is_not_an_admin(world, role):
    actor = getattr(world, role)
    before = User.objects.count(), user_row(world.office), user_row(actor)
    with pytest.raises(PermissionDenied):
        portal_services.user_create(
            actor=actor, username="chen-jing", password=STRONG_PASSWORD, is_bureau_admin=True
        )
    with pytest.raises(PermissionDenied):
        org_user_create(
            actor=actor, org=world.org_a, username="chen-jing", password=STRONG_PASSWORD
        )
    for user in (world.office, actor):  # another user, and the actor themselves
        with pytest.raises(PermissionDenied):
            portal_services.user_update(actor=actor, user=user, is_bureau_admin=True)
        with pytest.raises(PermissionDenied):
            portal_services.user_set_password(actor=actor, user=user, password=STRONG_PASSWORD)
    assert (User.objects.count(), user_row(world.office), user_row(actor)) == before


def test_a_superuser_manages_users(world):
    root = User.objects.create_superuser("root", "root@example.gov.cn", STRONG_PASSWORD)
    user = portal_services.user_create(actor=root, username="chen-jing", password=STRONG_PASSWORD)
    portal_services.user_update(actor=root, user=user, full_name="陈静")
    portal_services.user_set_password(actor=root, user=user, password="Another-Pass-2026!")
    user.refresh_from_db()
    assert user.full_name == "陈静" and user.check_password("Another-Pass-2026!")
    assert user.history.first().history_user == root


def test_user_update_changes_only_what_it_is_given(world):
    world.office.email = "office@example.gov.cn"
    world.office.save()
    portal_services.user_update(actor=world.admin, user=world.office, is_leader=True)
    world.office.refresh_from_db()
    assert world.office.is_leader is True
    assert world.office.email == "office@example.gov.cn"
    assert world.office.full_name == "office"
    with pytest.raises(TypeError):
        portal_services.user_update(actor=world.admin, user=world.office, is_superuser=True)


def test_an_admin_keeps_their_own_role(world):
    with pytest.raises(ValidationError):
        portal_services.user_update(actor=world.admin, user=world.admin, is_bureau_admin=False)
    with pytest.raises(ValidationError):
        portal_services.user_update(actor=world.admin, user=world.admin, is_active=False)
    portal_services.user_update(actor=world.admin, user=world.admin, full_name="管理员甲")
    world.admin.refresh_from_db()
    assert world.admin.is_bureau_admin and world.admin.full_name == "管理员甲"


# --- demo data -------------------------------------------------------------------------------


@pytest.fixture
def seeded(db, settings):
    settings.DEBUG = True
    call_command("seed_demo")


def test_seed_demo_loads_the_registry(seeded):
    orgs = list(Organization.objects.all())
    assert 35 <= len(orgs) <= 45
    assert {o.org_type for o in orgs} == set(OrgType.values)
    assert {o.management_mode for o in orgs} == set(ManagementMode.values)
    assert OrgStatus.ACTIVE in {o.status for o in orgs}
    admin = User.objects.get(username="admin")
    for org in orgs:
        checked = parse(org.credit_code)
        assert checked.check_ok, org.credit_code
        assert checked.code == org.credit_code
        assert org.credit_code_check_failed is False
        assert org.history.filter(history_type="+", history_user=admin).exists()
    assert len({o.credit_code for o in orgs}) == len(orgs)


def test_seed_demo_assignments_match_permissions(seeded):
    for org in Organization.objects.select_related("liaison_division"):
        grants = set(
            OrganizationGroupObjectPermission.objects.filter(content_object=org).values_list(
                "group_id", "permission__codename"
            )
        )
        open_rows = LiaisonAssignment.objects.filter(organization=org, ended_at__isnull=True)
        if org.liaison_division is None:
            assert grants == set()
            assert not open_rows.exists()
        else:
            assert org.liaison_division.kind == DivisionKind.LIAISON
            assert grants == {
                (org.liaison_division.group_id, codename) for codename in access.LIAISON_PERMS
            }
            assert [row.division_id for row in open_rows] == [org.liaison_division_id]


def test_seed_demo_users_log_in_and_are_placed(seeded):
    for username in DEMO_USERS:
        assert Client().login(username=username, password=DEMO_PASSWORD), username
    assert not Client().login(username="liaison-a", password="wrong-pass-2026")

    def user(name):
        return User.objects.get(username=name)

    org_a = OrganizationUser.objects.get(user__username="org-a1").organization
    org_b = OrganizationUser.objects.get(user__username="org-b1").organization
    div_a = user("liaison-a").division_memberships.get().division
    div_b = user("liaison-b").division_memberships.get().division
    assert org_a.liaison_division == div_a
    assert org_b.liaison_division == div_b
    assert div_a != div_b
    assert org_a in access.visible_orgs(user("liaison-a"))
    assert org_b not in access.visible_orgs(user("liaison-a"))
    assert org_b in access.visible_orgs(user("liaison-b"))
    assert org_a not in access.visible_orgs(user("liaison-b"))
    assert list(access.visible_orgs(user("org-a1"))) == [org_a]

    expected_kinds = {
        "policy": DivisionKind.POLICY,
        "policy-head": DivisionKind.POLICY,
        "office": DivisionKind.OFFICE,
        "personnel": DivisionKind.PERSONNEL,
        "finance": DivisionKind.FINANCE,
        "discipline": DivisionKind.DISCIPLINE,
    }
    for name, kind in expected_kinds.items():
        assert access.roles(user(name)).division_kinds == {kind}, name
    assert access.roles(user("policy-head")).head_of
    assert access.roles(user("admin")).is_admin
    assert access.roles(user("leader")).is_leader
    total = Organization.objects.count()
    for name in ["admin", "leader", "policy", "office", "finance"]:
        assert access.visible_orgs(user(name)).count() == total, name


def test_seed_demo_again(seeded, settings):
    counts = (User.objects.count(), Organization.objects.count())
    call_command("seed_demo", "--if-empty")
    assert (User.objects.count(), Organization.objects.count()) == counts
    with pytest.raises(CommandError):
        call_command("seed_demo")
    assert (User.objects.count(), Organization.objects.count()) == counts


def test_seed_demo_if_empty_skips_a_database_with_only_users(db, settings):
    settings.DEBUG = True
    User.objects.create_user("someone", password=STRONG_PASSWORD)
    call_command("seed_demo", "--if-empty")
    assert not Organization.objects.exists()
    assert list(User.objects.values_list("username", flat=True)) == ["someone"]


@pytest.mark.parametrize("args", [[], ["--if-empty"]])
def test_seed_demo_refuses_when_debug_is_off(db, settings, args):
    settings.DEBUG = False
    with pytest.raises(CommandError) as exc_info:
        call_command("seed_demo", *args)
    assert "--force" in str(exc_info.value)
    assert not User.objects.exists()
    assert not Organization.objects.exists()


def test_seed_demo_with_force_runs_when_debug_is_off(db, settings):
    settings.DEBUG = False
    call_command("seed_demo", "--force")
    assert User.objects.filter(username="org-b1").exists()
    assert Organization.objects.count() >= 35


# --- home page per role ----------------------------------------------------------------------


def home(login, user):
    response = login(user).get(reverse("home"))
    assert response.status_code == 200
    return response, response.content.decode()


def test_home_of_an_org_user_shows_their_organization(world, login):
    for user, own, other in [("org_a1", "org_a", "org_b"), ("org_b1", "org_b", "org_a")]:
        own, other = getattr(world, own), getattr(world, other)
        response, html = home(login, getattr(world, user))
        assert response.context["my_org"] == own
        assert own.name in html
        assert reverse("orgs:contacts", kwargs={"pk": own.pk}) in html
        assert other.name not in html
        assert "org_total" not in response.context


def test_home_of_a_liaison_shows_their_divisions_organizations(world, login):
    extra = OrganizationFactory(name="上海市花卉协会")
    duty_services.org_assign_liaison(
        actor=world.admin, org=extra, division=world.div_a, reason="初始归口"
    )
    response, html = home(login, world.liaison_a)
    names = [o["name"] for o in response.context["my_division_orgs"]]
    assert names == sorted([extra.name, world.org_a.name])
    assert response.context["my_division_org_count"] == 2
    assert response.context["org_total"] == 2
    assert world.org_a.name in html
    assert extra.name in html
    assert world.org_b.name not in html
    assert "unassigned" not in response.context


def test_home_of_an_admin_shows_the_unassigned(world, login):
    waiting = OrganizationFactory(name="上海市园艺爱好者协会")
    preparing = OrganizationFactory(name="上海市城市森林研究会", status=OrgStatus.PREPARING)
    gone = OrganizationFactory(name="上海市已注销协会", status=OrgStatus.DEREGISTERED)
    response, html = home(login, world.admin)
    assert set(response.context["unassigned"]) == {waiting, preparing}
    assert response.context["unassigned_count"] == 2
    assert reverse("orgs:assign", kwargs={"pk": waiting.pk}) in html
    assert reverse("orgs:assign", kwargs={"pk": preparing.pk}) in html
    assert reverse("orgs:assign", kwargs={"pk": gone.pk}) not in html
    assert reverse("orgs:assign", kwargs={"pk": world.org_a.pk}) not in html
    assert response.context["org_total"] == 5


def test_home_of_other_bureau_staff(world, login):
    for role in ["office", "finance", "leader", "policy"]:
        response, html = home(login, getattr(world, role))
        assert response.context["org_total"] == 2, role
        assert "unassigned" not in response.context, role
        assert "my_division_orgs" not in response.context, role
        assert "my_org" not in response.context, role
        assert reverse("orgs:list") in html


def test_home_of_a_user_without_a_role_is_empty(world, login):
    nobody = User.objects.create_user("nobody", password=STRONG_PASSWORD)
    response, html = home(login, nobody)
    assert "org_total" not in response.context
    assert world.org_a.name not in html
    assert reverse("orgs:list") not in html
