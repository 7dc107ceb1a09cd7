"""Who sees which organization: organization users, liaison divisions, functional divisions.

Outside a user's scope an organization does not exist (404); inside it, only the actions the
user's duties give are allowed. Reassigning the liaison division moves all of it at once.
"""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from duties import access
from duties import services as duty_services
from duties.models import Division, DivisionKind, LiaisonAssignment
from orgs import services as org_services
from orgs.models import Organization, OrganizationGroupObjectPermission
from tests.factories import OrganizationFactory

FUNCTIONAL = ["office", "personnel", "finance", "discipline"]
LIAISONS = [("liaison_a", "org_a", "org_b"), ("liaison_b", "org_b", "org_a")]


def listed(client, **params):
    response = client.get(reverse("orgs:list"), params)
    assert response.status_code == 200
    return [org.name for org in response.context["page"].object_list]


def grants(org):
    """(group, codename) pairs the divisions' groups hold on ``org``."""
    return set(
        OrganizationGroupObjectPermission.objects.filter(content_object=org).values_list(
            "group_id", "permission__codename"
        )
    )


def liaison_grants(division):
    return {(division.group_id, codename) for codename in access.LIAISON_PERMS}


def snapshot(org):
    org = Organization.objects.get(pk=org.pk)
    return {f.attname: getattr(org, f.attname) for f in Organization._meta.concrete_fields}


def detail(org):
    return reverse("orgs:detail", kwargs={"pk": org.pk})


def contacts(org):
    return reverse("orgs:contacts", kwargs={"pk": org.pk})


# --- organization users ----------------------------------------------------------------------


def test_org_user_sees_own_organization(world, login):
    client = login(world.org_a1)
    response = client.get(detail(world.org_a))
    assert response.status_code == 200
    assert world.org_a.name in response.content.decode()
    assert client.get(contacts(world.org_a)).status_code == 200
    assert client.get(reverse("orgs:mine"))["Location"] == detail(world.org_a)


def test_org_user_gets_404_for_another_organization(world, login):
    for user, other in [("org_a1", "org_b"), ("org_b1", "org_a")]:
        client = login(getattr(world, user))
        org = getattr(world, other)
        before = snapshot(org)
        assert client.get(detail(org)).status_code == 404, user
        assert client.get(contacts(org)).status_code == 404, user
        response = client.post(
            contacts(org),
            {"contact_name": "冒名者", "contact_phone": "13800000000", "version": org.version},
        )
        assert response.status_code == 404, user
        assert snapshot(org) == before
        assert org.name not in client.get(reverse("home")).content.decode(), user


def test_org_user_service_calls_on_another_organization_are_denied(world):
    before = snapshot(world.org_b)
    with pytest.raises(PermissionDenied):
        org_services.org_update_contacts(
            actor=world.org_a1, org=world.org_b, expected_version=None, contact_name="冒名者"
        )
    assert snapshot(world.org_b) == before
    assert not access.can(world.org_a1, access.VIEW, world.org_b)
    assert list(access.visible_orgs(world.org_a1)) == [world.org_a]


def test_org_user_has_no_registry(world, login):
    client = login(world.org_a1)
    assert client.get(reverse("orgs:list")).status_code == 403
    assert client.get(reverse("orgs:list"), {"q": world.org_b.name}).status_code == 403


# --- liaison divisions -----------------------------------------------------------------------


def test_liaison_registry_lists_only_own_organizations(world, login):
    for user, own, _other in LIAISONS:
        client = login(getattr(world, user))
        assert listed(client) == [getattr(world, own).name], user


@pytest.mark.parametrize("user, own, other", LIAISONS)
def test_liaison_search_does_not_find_other_division_organizations(world, login, user, own, other):
    client = login(getattr(world, user))
    own, other = getattr(world, own), getattr(world, other)
    # The searches work (they find the user's own organization) ...
    assert listed(client, q=own.name) == [own.name]
    assert listed(client, q=own.credit_code) == [own.name]
    # ... but never the other division's, whichever way it is asked.
    assert listed(client, q=other.name) == []
    assert listed(client, q=other.name[3:7]) == []
    assert listed(client, q=other.credit_code) == []
    assert listed(client, q=f" {other.credit_code.lower()} ") == []
    assert listed(client, q=other.credit_code[:17]) == []
    assert listed(client, q=other.credit_code[:8]) == [own.name]  # a shared prefix
    assert listed(client, liaison_division=other.liaison_division_id) == []
    assert listed(client, org_type=other.org_type) == [own.name]


def test_liaison_gets_404_for_other_division_organization(world, login):
    for user, own, other in LIAISONS:
        client = login(getattr(world, user))
        own, other = getattr(world, own), getattr(world, other)
        assert client.get(detail(own)).status_code == 200, user
        assert client.get(detail(other)).status_code == 404, user
        assert client.get(contacts(other)).status_code == 404, user
        assert client.get(contacts(own)).status_code == 404, user  # not theirs to edit


def test_liaison_pages_do_not_leak_other_organizations(world, login):
    for user, own, other in LIAISONS:
        client = login(getattr(world, user))
        own, other = getattr(world, own), getattr(world, other)
        home = client.get(reverse("home")).content.decode()
        assert own.name in home, user
        assert other.name not in home, user
        other_div = Organization.objects.get(pk=other.pk).liaison_division
        page = client.get(reverse("duties:division_detail", kwargs={"pk": other_div.pk}))
        assert page.status_code == 200
        assert other.name not in page.content.decode(), user
        assert page.context["org_count"] == 0


def test_liaison_access_answers(world):
    assert set(access.visible_orgs(world.liaison_a)) == {world.org_a}
    assert set(access.visible_orgs(world.liaison_b)) == {world.org_b}
    assert access.can(world.liaison_a, access.SUPERVISE, world.org_a)
    assert not access.can(world.liaison_a, access.SUPERVISE, world.org_b)
    for action in (access.EDIT, access.EDIT_CONTACT, access.ASSIGN_LIAISON):
        assert not access.can(world.liaison_a, action, world.org_a)


def test_new_unassigned_organization_is_invisible_to_liaisons(world, login):
    orphan = OrganizationFactory(name="上海市尚未归口协会")
    for user in (world.liaison_a, world.liaison_b):
        client = login(user)
        assert orphan.name not in listed(client)
        assert client.get(detail(orphan)).status_code == 404
    client = login(world.policy)
    assert orphan.name in listed(client)


def test_full_name_of_eighteen_characters_is_found(world, login):
    name = "上海市野生动植物保护与湿地研究促进会"
    assert len(name) == 18
    OrganizationFactory(name=name)
    client = login(world.policy)
    assert listed(client, q=name[:10]) == [name]  # a part of the name finds it
    assert listed(client, q=name) == [name]


# --- functional divisions --------------------------------------------------------------------


def test_functional_divisions_see_both(world, login):
    for role in [*FUNCTIONAL, "leader"]:
        client = login(getattr(world, role))
        assert sorted(listed(client)) == sorted([world.org_a.name, world.org_b.name]), role
        assert listed(client, q=world.org_b.credit_code) == [world.org_b.name], role
        assert listed(client, q=world.org_a.name) == [world.org_a.name], role
        for org in (world.org_a, world.org_b):
            assert client.get(detail(org)).status_code == 200, role


def test_functional_divisions_cannot_edit_pages(world, login):
    org = world.org_a
    before = snapshot(org)
    edit = reverse("orgs:edit", kwargs={"pk": org.pk})
    assign = reverse("orgs:assign", kwargs={"pk": org.pk})
    for role in [*FUNCTIONAL, "leader"]:
        client = login(getattr(world, role))
        statuses = [
            client.get(edit).status_code,
            client.post(edit, {"name": "改名", "version": org.version}).status_code,
            client.get(contacts(org)).status_code,
            client.post(contacts(org), {"contact_name": "改", "version": org.version}).status_code,
            client.get(assign).status_code,
            client.post(
                assign, {"division": world.div_b.pk, "reason": "越权", "version": org.version}
            ).status_code,
            client.get(reverse("orgs:create")).status_code,
        ]
        assert statuses == [403, 403, 404, 404, 403, 403, 403], role
        page = client.get(detail(org))
        assert page.context["can_edit"] is False
        assert page.context["can_edit_contact"] is False
        assert page.context["can_assign"] is False
    assert snapshot(org) == before


def test_functional_divisions_are_denied_by_the_services(world):
    org = world.org_a
    before = snapshot(org)
    for role in [*FUNCTIONAL, "leader"]:
        user = getattr(world, role)
        with pytest.raises(PermissionDenied):
            org_services.org_update(actor=user, org=org, expected_version=org.version, name="改")
        with pytest.raises(PermissionDenied):
            org_services.org_update_contacts(
                actor=user, org=org, expected_version=org.version, contact_name="改"
            )
        with pytest.raises(PermissionDenied):
            duty_services.org_assign_liaison(
                actor=user, org=org, division=world.div_b, reason="越权"
            )
    assert snapshot(org) == before
    assert LiaisonAssignment.objects.filter(organization=org).count() == 1
    assert grants(org) == liaison_grants(world.div_a)


# --- reassignment ----------------------------------------------------------------------------


def test_reassignment_moves_visibility_both_ways(world, login):
    org = world.org_a
    assert grants(org) == liaison_grants(world.div_a)

    duty_services.org_assign_liaison(
        actor=world.admin, org=org, division=world.div_b, reason="职责调整，改由市容景观管理处归口"
    )

    assert grants(org) == liaison_grants(world.div_b)
    assert grants(world.org_b) == liaison_grants(world.div_b)
    assert set(access.visible_orgs(world.liaison_a)) == set()
    assert set(access.visible_orgs(world.liaison_b)) == {world.org_a, world.org_b}
    assert access.can(world.liaison_b, access.SUPERVISE, org)
    assert not access.can(world.liaison_a, access.SUPERVISE, org)

    client = login(world.liaison_a)
    assert client.get(detail(org)).status_code == 404
    assert listed(client) == []
    assert listed(client, q=org.credit_code) == []
    client = login(world.liaison_b)
    assert client.get(detail(org)).status_code == 200
    assert sorted(listed(client)) == sorted([world.org_a.name, world.org_b.name])
    # The organization's own user keeps seeing it.
    client = login(world.org_a1)
    assert client.get(detail(org)).status_code == 200


def test_reassignment_records_both_periods(world):
    org = world.org_a
    version = Organization.objects.get(pk=org.pk).version
    duty_services.org_assign_liaison(
        actor=world.admin, org=org, division=world.div_b, reason="职责调整"
    )
    first, second = LiaisonAssignment.objects.filter(organization=org).order_by("started_at", "pk")
    assert first.division == world.div_a
    assert first.reason == "初始归口"
    assert first.assigned_by == world.admin
    assert first.ended_at is not None
    assert first.ended_by == world.admin
    assert second.division == world.div_b
    assert second.reason == "职责调整"
    assert second.assigned_by == world.admin
    assert second.ended_at is None
    assert second.ended_by is None
    assert first.started_at <= first.ended_at == second.started_at

    org.refresh_from_db()
    assert org.liaison_division == world.div_b
    assert org.version == version + 1
    latest = org.history.order_by("-history_date", "-pk").first()
    assert latest.history_user == world.admin
    assert latest.history_change_reason == "职责调整"
    assert latest.liaison_division_id == world.div_b.pk
    ended = first.history.order_by("-history_date", "-pk").first()
    assert ended.history_user == world.admin
    assert ended.ended_at == first.ended_at


def test_reassignment_through_the_page(world, login):
    client = login(world.admin)
    org = Organization.objects.get(pk=world.org_b.pk)
    url = reverse("orgs:assign", kwargs={"pk": org.pk})
    assert client.get(url).status_code == 200
    response = client.post(
        url, {"division": world.div_a.pk, "reason": "业务划转", "version": org.version}
    )
    assert response.status_code == 302
    assert response["Location"] == detail(org)
    org.refresh_from_db()
    assert org.liaison_division == world.div_a
    assert grants(org) == liaison_grants(world.div_a)
    assert set(access.visible_orgs(world.liaison_b)) == set()
    page = client.get(response["Location"]).content.decode()
    assert "业务划转" in page
    assert "初始归口" in page


def test_reassignment_to_the_same_division_is_refused(world):
    org = world.org_a
    before = snapshot(org)
    with pytest.raises(ValidationError) as exc_info:
        duty_services.org_assign_liaison(
            actor=world.admin, org=org, division=world.div_a, reason="重复"
        )
    assert set(exc_info.value.message_dict) == {"division"}
    assert snapshot(org) == before
    assert LiaisonAssignment.objects.filter(organization=org).count() == 1
    assert grants(org) == liaison_grants(world.div_a)


def test_reassignment_to_the_same_division_through_the_page_shows_a_message(world, login):
    client = login(world.admin)
    org = world.org_a
    response = client.post(
        reverse("orgs:assign", kwargs={"pk": org.pk}),
        {"division": world.div_a.pk, "reason": "重复", "version": org.version},
    )
    assert response.status_code == 200
    (error,) = response.context["form"].errors["division"]
    assert world.div_a.name in error
    assert LiaisonAssignment.objects.filter(organization=org).count() == 1


def test_reassignment_needs_a_reason(world):
    for reason in ["", "   ", None]:
        with pytest.raises(ValidationError) as exc_info:
            duty_services.org_assign_liaison(
                actor=world.admin, org=world.org_a, division=world.div_b, reason=reason
            )
        assert set(exc_info.value.message_dict) == {"reason"}
    assert grants(world.org_a) == liaison_grants(world.div_a)


def test_only_an_active_liaison_division_can_be_assigned(world):
    closed = duty_services.division_create(
        actor=world.admin, name="已撤销处室", kind=DivisionKind.LIAISON
    )
    closed = duty_services.division_update(actor=world.admin, division=closed, is_active=False)
    for division in (world.policy_div, world.office_div, closed):
        with pytest.raises(ValidationError) as exc_info:
            duty_services.org_assign_liaison(
                actor=world.admin, org=world.org_a, division=division, reason="错误"
            )
        assert set(exc_info.value.message_dict) == {"division"}
    assert Organization.objects.get(pk=world.org_a.pk).liaison_division == world.div_a
    assert grants(world.org_a) == liaison_grants(world.div_a)


def test_division_deactivated_after_it_was_loaded_is_not_assigned(world):
    spare = duty_services.division_create(
        actor=world.admin, name="林业和野生动植物保护处", kind=DivisionKind.LIAISON
    )
    loaded = Division.objects.get(pk=spare.pk)  # e.g. the choice a form validated
    duty_services.division_update(actor=world.admin, division=spare, is_active=False)
    with pytest.raises(ValidationError):
        duty_services.org_assign_liaison(
            actor=world.admin, org=world.org_a, division=loaded, reason="调整"
        )
    assert not Organization.objects.filter(liaison_division=spare).exists()


def test_stale_reassignment_is_refused(world):
    org = world.org_a
    seen = org.version
    org_services.org_update_contacts(
        actor=world.org_a1, org=org, expected_version=seen, contact_name="新联系人"
    )
    with pytest.raises(ValidationError):
        duty_services.org_assign_liaison(
            actor=world.admin, org=org, division=world.div_b, reason="调整", expected_version=seen
        )
    assert grants(org) == liaison_grants(world.div_a)
    assert LiaisonAssignment.objects.filter(organization=org).count() == 1


def test_only_admins_assign(world, login):
    org = world.org_a
    before = snapshot(org)
    for role in ["policy", "policy_head", "leader", "office", "liaison_a", "liaison_b", "org_a1"]:
        user = getattr(world, role)
        with pytest.raises(PermissionDenied):
            duty_services.org_assign_liaison(
                actor=user, org=org, division=world.div_b, reason="越权"
            )
        response = login(user).post(
            reverse("orgs:assign", kwargs={"pk": org.pk}),
            {"division": world.div_b.pk, "reason": "越权", "version": org.version},
        )
        assert response.status_code == 403, role
    assert snapshot(org) == before
    assert grants(org) == liaison_grants(world.div_a)
    assert LiaisonAssignment.objects.filter(organization=org).count() == 1
