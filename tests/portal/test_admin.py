"""The Django admin shows what the services write and writes none of it (portal.admin).

For every model that a service writes, a superuser can list, search, open and trace it, and every
add, change, delete or history revert is refused with 403 and changes nothing. The calendar, which
no service writes, stays editable.
"""

import datetime

import pytest
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.urls import reverse

from duties.models import Division, DivisionMembership, LiaisonAssignment
from orgs.models import Organization, OrganizationUser
from portal import services as portal_services
from portal.admin import ReadOnlyAdmin
from portal.models import ApiToken, CalendarDay, Notification, Reminder
from reports.models import Filing, MatterType
from tests.reports.helpers import create

User = get_user_model()
PASSWORD = "Admin-Pass-2026!"

# model -> (the world's instance, a change a form would post)
READ_ONLY = {
    Organization: (lambda w: w.org_a, {"name": "改名协会", "credit_code": "bad"}),
    OrganizationUser: (lambda w: w.org_a1.org_link, {"position": "会长"}),
    Division: (lambda w: w.div_a, {"name": "改名处", "kind": "policy"}),
    DivisionMembership: (
        lambda w: w.liaison_a.division_memberships.get(),
        {"role": "head"},
    ),
    LiaisonAssignment: (
        lambda w: LiaisonAssignment.objects.filter(organization=w.org_a).first(),
        {"reason": "改"},
    ),
    MatterType: (lambda w: MatterType.objects.get(code="major_matter"), {"review_days": "1"}),
    Filing: (lambda w: w.filing, {"title": "改标题", "state": "approved"}),
    User: (lambda w: w.policy, {"username": "policy", "is_bureau_admin": "on"}),
    Group: (lambda w: w.div_a.group, {"name": "renamed"}),
    ApiToken: (lambda w: w.token, {"revoked_at": ""}),
    Reminder: (lambda w: w.reminder, {"status": "sent"}),
    Notification: (lambda w: w.notification, {"title": "改"}),
}


@pytest.fixture
def site(world, client):
    from portal.notifications import notify

    world.superuser = User.objects.create_superuser("root", "root@example.gov.cn", PASSWORD)
    world.filing = create(world.org_a1, world.org_a, "major_matter", title="admin-filing")
    world.token = portal_services.token_issue(user=world.liaison_a)[0]
    world.notification = notify([world.policy], title="请查收")[0]
    world.reminder = Reminder.objects.create(
        key="admin-test",
        kind="test",
        recipient=world.policy,
        subject_type="test",
        subject_id=1,
        due_at=datetime.datetime(2026, 1, 5, 9, tzinfo=datetime.UTC),
        title="提醒",
    )
    client.force_login(world.superuser)
    return world


def url(model, view, *args):
    opts = model._meta
    return reverse(f"admin:{opts.app_label}_{opts.model_name}_{view}", args=args)


def snapshot(model, obj):
    """The row's stored values and the number of its history rows."""
    pk = getattr(obj, model._meta.pk.attname)  # a token's admin URL names its user instead
    row = model._default_manager.filter(pk=pk).values().get()
    history = obj.history.count() if hasattr(model, "history") else None
    return row, history, model._default_manager.count()


@pytest.mark.parametrize("model", list(READ_ONLY), ids=lambda m: m._meta.label)
def test_the_admin_shows_what_a_service_writes(site, client, model):
    get_obj, _change = READ_ONLY[model]
    obj = get_obj(site)
    assert client.get(url(model, "changelist")).status_code == 200
    assert client.get(url(model, "changelist"), {"q": "上海"}).status_code == 200
    response = client.get(url(model, "change", obj.pk))
    assert response.status_code == 200
    assert b'type="submit"' not in response.content.split(b'id="content-main"')[-1]
    assert client.get(url(model, "history", obj.pk)).status_code == 200
    if hasattr(model, "history"):
        version = obj.history.order_by("history_id").first()
        response = client.get(url(model, "simple_history", obj.pk, version.history_id))
        assert response.status_code == 200


@pytest.mark.parametrize("model", list(READ_ONLY), ids=lambda m: m._meta.label)
def test_the_admin_refuses_every_write_of_a_superuser(site, client, model):
    get_obj, change = READ_ONLY[model]
    obj = get_obj(site)
    before = snapshot(model, obj)
    assert client.post(url(model, "add"), change).status_code == 403
    assert client.post(url(model, "change", obj.pk), change).status_code == 403
    assert client.post(url(model, "delete", obj.pk), {"post": "yes"}).status_code == 403
    client.post(
        url(model, "changelist"),
        {"action": "delete_selected", "_selected_action": [obj.pk], "post": "yes"},
    )
    if hasattr(model, "history"):
        version = obj.history.order_by("history_id").first()
        response = client.post(url(model, "simple_history", obj.pk, version.history_id), change)
        assert response.status_code == 403
    assert snapshot(model, obj) == before


def test_the_password_hash_is_not_shown(site, client):
    html = client.get(url(User, "change", site.policy.pk)).content.decode()
    assert site.policy.password not in html
    password_url = reverse("admin:auth_user_password_change", args=[site.policy.pk])
    assert client.get(password_url).status_code == 403
    assert (
        client.post(password_url, {"password1": PASSWORD, "password2": PASSWORD}).status_code == 403
    )


def test_every_registered_admin_is_read_only_unless_it_says_otherwise():
    editable = {
        model._meta.label
        for model, model_admin in admin.site._registry.items()
        if not isinstance(model_admin, ReadOnlyAdmin)
    }
    assert editable == {"portal.CalendarDay"}
    assert admin.site._registry[CalendarDay].edited_in_admin


def test_the_calendar_stays_editable(site, client):
    response = client.post(
        url(CalendarDay, "add"), {"date": "2027-10-01", "kind": "holiday", "name": "国庆节"}
    )
    assert response.status_code == 302
    day = CalendarDay.objects.get(date=datetime.date(2027, 10, 1))
    response = client.post(
        url(CalendarDay, "change", day.pk),
        {"date": "2027-10-01", "kind": "holiday", "name": "国庆"},
    )
    assert response.status_code == 302
    day.refresh_from_db()
    assert day.name == "国庆"
    assert day.history.first().history_user == site.superuser
    assert client.get(url(CalendarDay, "history", day.pk)).status_code == 200


def test_a_superuser_logs_in_to_the_admin(site, client):
    client.logout()
    response = client.post(
        reverse("admin:login"),
        {"username": "root", "password": PASSWORD, "next": reverse("admin:index")},
    )
    assert response.status_code == 302
    assert client.get(reverse("admin:index")).status_code == 200
