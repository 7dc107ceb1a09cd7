"""Divisions and their members, managed by a bureau admin through the pages."""

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils.translation import override

from duties import access
from duties import services as duty_services
from duties.models import Division, DivisionKind, DivisionMembership, MemberRole
from portal import services as portal_services

User = get_user_model()


def fresh(user):
    """The user as a new request would load it (no cached roles)."""
    return User.objects.get(pk=user.pk)


def in_group(user, division):
    return User.objects.filter(pk=user.pk, groups=division.group_id).exists()


def division_data(division, **changes):
    data = {
        "name": division.name,
        "kind": division.kind,
        "description": division.description,
        "phone": division.phone,
        "email": division.email,
        "version": type(division).objects.get(pk=division.pk).version if division.pk else None,
    }
    if division.is_active:
        data["is_active"] = "on"
    data.update(changes)
    return {k: v for k, v in data.items() if v is not None}


def messages_of(client, response):
    """(level, text) of the messages shown on the page the response leads to."""
    page = client.get(response["Location"]) if response.status_code == 302 else response
    return [(m.level_tag, str(m)) for m in page.context["messages"]]


def newest(history):
    return history.order_by("-history_date", "-pk").first()


@pytest.fixture
def bureau_user(world):
    return portal_services.user_create(
        actor=world.admin, username="zhou-wen", password="Lh-portal-2026", full_name="周文"
    )


def test_admin_manages_a_division_and_its_members(world, login, bureau_user):
    client = login(world.admin)

    # Create.
    response = client.post(
        reverse("duties:division_create"),
        {
            "name": "环境卫生管理处",
            "kind": DivisionKind.LIAISON,
            "description": "归口联系环境卫生类社会组织。",
            "phone": "021-52567788",
            "email": "hw@lhsr.sh.gov.cn",
            "is_active": "on",
        },
    )
    assert response.status_code == 302
    division = Division.objects.get(name="环境卫生管理处")
    assert response["Location"] == reverse("duties:division_detail", kwargs={"pk": division.pk})
    assert division.kind == DivisionKind.LIAISON
    assert division.is_active
    assert Group.objects.filter(pk=division.group_id).exists()
    created = division.history.get()
    assert created.history_type == "+"
    assert created.history_user == world.admin

    # Edit.
    edit = reverse("duties:division_edit", kwargs={"pk": division.pk})
    assert client.get(edit).status_code == 200
    response = client.post(
        edit, division_data(division, description="归口联系环境卫生、垃圾分类类社会组织。")
    )
    assert response.status_code == 302
    division.refresh_from_db()
    assert division.description == "归口联系环境卫生、垃圾分类类社会组织。"
    changed = newest(division.history)
    assert changed.history_type == "~"
    assert changed.history_user == world.admin

    # Add a member as staff.
    assert not in_group(bureau_user, division)
    response = client.post(
        reverse("duties:membership_add", kwargs={"pk": division.pk}),
        {"user": bureau_user.pk, "role": MemberRole.STAFF},
    )
    assert response.status_code == 302
    membership = DivisionMembership.objects.get(division=division, user=bureau_user)
    assert membership.role == MemberRole.STAFF
    assert in_group(bureau_user, division)
    r = access.roles(fresh(bureau_user))
    assert r.is_liaison
    assert division.pk in r.division_ids
    assert division.pk not in r.head_of
    added = membership.history.get()
    assert added.history_type == "+"
    assert added.history_user == world.admin

    # Change the role to head.
    response = client.post(
        reverse("duties:membership_role", kwargs={"pk": membership.pk}), {"role": MemberRole.HEAD}
    )
    assert response.status_code == 302
    membership.refresh_from_db()
    assert membership.role == MemberRole.HEAD
    assert in_group(bureau_user, division)
    assert division.pk in access.roles(fresh(bureau_user)).head_of
    role_row = newest(membership.history)
    assert role_row.history_type == "~"
    assert role_row.role == MemberRole.HEAD
    assert role_row.history_user == world.admin

    # The detail page shows the member and the history.
    page = client.get(reverse("duties:division_detail", kwargs={"pk": division.pk}))
    assert "周文" in page.content.decode()
    assert page.context["history"]

    # Remove.
    membership_pk = membership.pk
    response = client.post(reverse("duties:membership_remove", kwargs={"pk": membership_pk}))
    assert response.status_code == 302
    assert not DivisionMembership.objects.filter(pk=membership_pk).exists()
    assert not in_group(bureau_user, division)
    r = access.roles(fresh(bureau_user))
    assert not r.division_ids
    assert not r.is_bureau_staff
    rows = DivisionMembership.history.filter(id=membership_pk).order_by("history_date", "pk")
    assert [row.history_type for row in rows] == ["+", "~", "-"]
    assert {row.history_user for row in rows} == {world.admin}


def test_member_of_a_liaison_division_sees_its_organizations(world, bureau_user):
    assert not access.visible_orgs(bureau_user).exists()
    membership = duty_services.membership_add(
        actor=world.admin, division=world.div_a, user=bureau_user
    )
    assert set(access.visible_orgs(fresh(bureau_user))) == {world.org_a}
    duty_services.membership_remove(actor=world.admin, membership=membership)
    assert not access.visible_orgs(fresh(bureau_user)).exists()
    assert not in_group(bureau_user, world.div_a)


def test_division_created_inactive_when_active_is_unticked(world, login):
    client = login(world.admin)
    form = client.get(reverse("duties:division_create")).context["form"]
    assert "is_active" in form.fields  # the box is offered ...
    response = client.post(
        reverse("duties:division_create"), {"name": "筹建中处室", "kind": DivisionKind.OFFICE}
    )
    assert response.status_code == 302
    # ... and what it says is what is stored.
    assert Division.objects.get(name="筹建中处室").is_active is False


def test_duplicate_division_name_is_refused(world, login):
    client = login(world.admin)
    before = Division.objects.count()
    response = client.post(
        reverse("duties:division_create"),
        {"name": world.div_a.name, "kind": DivisionKind.LIAISON, "is_active": "on"},
    )
    assert response.status_code == 200
    assert response.context["form"].errors["name"]
    assert Division.objects.count() == before
    with pytest.raises(ValidationError):
        duty_services.division_create(
            actor=world.admin, name=world.div_a.name, kind=DivisionKind.LIAISON
        )


def test_liaison_division_with_organizations_keeps_kind_and_stays_active(world, login):
    client = login(world.admin)
    division = world.div_a
    history_before = division.history.count()
    for changes in [
        {"kind": DivisionKind.POLICY},
        {"kind": DivisionKind.OFFICE},
        {"is_active": None},
        {"kind": DivisionKind.FINANCE, "is_active": None},
    ]:
        response = client.post(
            reverse("duties:division_edit", kwargs={"pk": division.pk}),
            division_data(division, **changes),
        )
        assert response.status_code == 200, changes
        errors = response.context["form"].non_field_errors()
        assert any("仍是1家社会组织的归口联系处室" in e for e in errors), changes
        division.refresh_from_db()
        assert division.kind == DivisionKind.LIAISON
        assert division.is_active
    assert division.history.count() == history_before
    # The organization is still supervised by it.
    assert set(access.visible_orgs(fresh(world.liaison_a))) == {world.org_a}


def test_liaison_division_with_organizations_refused_by_the_service(world):
    with pytest.raises(ValidationError):
        duty_services.division_update(
            actor=world.admin, division=world.div_b, kind=DivisionKind.FINANCE
        )
    with pytest.raises(ValidationError):
        duty_services.division_update(actor=world.admin, division=world.div_b, is_active=False)
    world.div_b.refresh_from_db()
    assert world.div_b.kind == DivisionKind.LIAISON
    assert world.div_b.is_active


def test_liaison_division_without_organizations_can_change(world, login):
    client = login(world.admin)
    empty = duty_services.division_create(
        actor=world.admin, name="林业和野生动植物保护处", kind=DivisionKind.LIAISON
    )
    response = client.post(
        reverse("duties:division_edit", kwargs={"pk": empty.pk}),
        division_data(empty, is_active=None),
    )
    assert response.status_code == 302
    empty.refresh_from_db()
    assert empty.is_active is False
    # Once its organizations are reassigned, div_a may go as well.
    duty_services.org_assign_liaison(
        actor=world.admin, org=world.org_a, division=world.div_b, reason="处室撤并"
    )
    duty_services.division_update(actor=world.admin, division=world.div_a, is_active=False)
    world.div_a.refresh_from_db()
    assert world.div_a.is_active is False
    assert newest(world.div_a.history).history_user == world.admin


def test_organization_user_cannot_be_added_to_a_division(world, login):
    client = login(world.admin)
    response = client.post(
        reverse("duties:membership_add", kwargs={"pk": world.div_a.pk}),
        {"user": world.org_a1.pk, "role": MemberRole.STAFF},
    )
    assert response.status_code == 302
    shown = messages_of(client, response)
    assert shown
    assert {level for level, _text in shown} == {"error"}
    assert not DivisionMembership.objects.filter(user=world.org_a1).exists()
    assert not in_group(world.org_a1, world.div_a)

    with override("zh-hans"), pytest.raises(ValidationError) as exc_info:
        duty_services.membership_add(actor=world.admin, division=world.div_a, user=world.org_a1)
    assert exc_info.value.message_dict == {"user": ["社会组织用户不能成为局内处室成员。"]}
    assert not DivisionMembership.objects.filter(user=world.org_a1).exists()
    assert not in_group(world.org_a1, world.div_a)
    assert access.roles(fresh(world.org_a1)).division_ids == frozenset()


def test_member_cannot_be_added_twice(world, login):
    client = login(world.admin)
    response = client.post(
        reverse("duties:membership_add", kwargs={"pk": world.div_a.pk}),
        {"user": world.liaison_a.pk, "role": MemberRole.HEAD},
    )
    assert response.status_code == 302
    assert messages_of(client, response) == [("error", "该用户已是本处室成员。")]
    membership = DivisionMembership.objects.get(user=world.liaison_a, division=world.div_a)
    assert membership.role == MemberRole.STAFF


NON_ADMINS = ["leader", "policy_head", "office", "liaison_a", "org_a1"]


def test_non_admins_get_403_on_posts(world, login, bureau_user):
    membership = DivisionMembership.objects.get(user=world.liaison_a)
    divisions_before = list(Division.objects.order_by("pk").values())
    memberships_before = list(DivisionMembership.objects.order_by("pk").values())
    posts = [
        (reverse("duties:division_create"), {"name": "新处室", "kind": DivisionKind.LIAISON}),
        (
            reverse("duties:division_edit", kwargs={"pk": world.div_a.pk}),
            division_data(world.div_a, name="改名处"),
        ),
        (
            reverse("duties:membership_add", kwargs={"pk": world.div_a.pk}),
            {"user": bureau_user.pk, "role": MemberRole.HEAD},
        ),
        (
            reverse("duties:membership_role", kwargs={"pk": membership.pk}),
            {"role": MemberRole.HEAD},
        ),
        (reverse("duties:membership_remove", kwargs={"pk": membership.pk}), {}),
    ]
    for role in NON_ADMINS:
        client = login(getattr(world, role))
        statuses = {url: client.post(url, data).status_code for url, data in posts}
        assert set(statuses.values()) == {403}, (role, statuses)
    assert list(Division.objects.order_by("pk").values()) == divisions_before
    assert list(DivisionMembership.objects.order_by("pk").values()) == memberships_before
    assert in_group(world.liaison_a, world.div_a)
    assert not in_group(bureau_user, world.div_a)


def test_non_admins_are_denied_by_the_services(world, bureau_user):
    membership = DivisionMembership.objects.get(user=world.liaison_a)
    for role in NON_ADMINS:
        actor = getattr(world, role)
        calls = {
            "division_create": lambda a=actor: duty_services.division_create(
                actor=a, name="新处室", kind=DivisionKind.LIAISON
            ),
            "division_update": lambda a=actor: duty_services.division_update(
                actor=a, division=world.div_a, name="改名处"
            ),
            "membership_add": lambda a=actor: duty_services.membership_add(
                actor=a, division=world.div_a, user=bureau_user
            ),
            "membership_set_role": lambda a=actor: duty_services.membership_set_role(
                actor=a, membership=membership, role=MemberRole.HEAD
            ),
            "membership_remove": lambda a=actor: duty_services.membership_remove(
                actor=a, membership=membership
            ),
        }
        for name, call in calls.items():
            try:
                call()
            except PermissionDenied:
                continue
            pytest.fail(f"{role} was allowed {name}")
    assert not Division.objects.filter(name__in=["新处室", "改名处"]).exists()
    membership.refresh_from_db()
    assert membership.role == MemberRole.STAFF
    assert not DivisionMembership.objects.filter(user=bureau_user).exists()


def test_a_reassignment_shows_the_filings_that_move_and_asks(world, login):
    from reports.models import Filing
    from tests.reports.helpers import submitted

    filing = submitted(world, world.org_a1, world.org_a, "major_matter")
    assert filing.lead_division == world.div_a
    client = login(world.admin)
    url = reverse("orgs:assign", kwargs={"pk": world.org_a.pk})
    page = client.get(url)
    assert [f.pk for f in page.context["moving"]] == [filing.pk]
    data = {"division": world.div_b.pk, "reason": "职责调整", "version": world.org_a.version}
    response = client.post(url, data)
    assert response.status_code == 200  # asked first: nothing moved
    assert Filing.objects.get(pk=filing.pk).lead_division == world.div_a
    response = client.post(url, {**data, "move_filings": "on"})
    assert response.status_code == 302
    assert Filing.objects.get(pk=filing.pk).lead_division == world.div_b
