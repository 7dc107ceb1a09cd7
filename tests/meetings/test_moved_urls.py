"""Meetings moved from /divisions/meetings/ to /meetings/: links already sent keep working.

Inbox messages, reminders and emails of before the move link to the old addresses. Each old
address answers a permanent redirect to its new one (GET and HEAD only), and a data migration
rewrites the links stored in the inbox and in reminders.
"""

import datetime
import importlib

import pytest
from django.apps import apps
from django.urls import reverse
from django.utils import timezone

from meetings import services
from meetings.urls import urlpatterns
from portal.models import Notification, Reminder

pytestmark = pytest.mark.django_db

relink = importlib.import_module("meetings.migrations.0002_moved_links")


@pytest.fixture(autouse=True)
def _no_sweep_after_commit(monkeypatch):
    monkeypatch.setattr(services, "_after_commit_sweep", lambda: None)


@pytest.fixture
def meeting(world):
    start = timezone.now() + datetime.timedelta(days=10)
    return services.meeting_schedule(
        actor=world.policy,
        kind="special",
        title="专题会议",
        starts_at=start,
        ends_at=start + datetime.timedelta(hours=2),
        place="会议室",
        agenda="议程",
        organizations=[world.org_a],
    )


def test_every_meeting_address_has_its_old_one():
    for p in urlpatterns:
        kwargs = {"pk": 7} if "<int:pk>" in str(p.pattern) else {}
        new = reverse(f"meetings:{p.name}", kwargs=kwargs)
        assert new.startswith("/meetings/")
        assert reverse(f"meetings_moved:{p.name}", kwargs=kwargs) == "/divisions" + new


def test_old_detail_address_redirects_permanently_and_keeps_the_query(client, world, meeting):
    client.force_login(world.org_a1)

    response = client.get(f"/divisions/meetings/{meeting.pk}/?from=email")

    assert response.status_code == 301
    assert response["Location"] == f"/meetings/{meeting.pk}/?from=email"
    assert client.get(response["Location"]).status_code == 200


def test_old_addresses_redirect_before_login_and_the_new_one_asks_for_it(client, meeting):
    response = client.get(f"/divisions/meetings/{meeting.pk}/meeting.ics", follow=True)

    (first, status), (second, login_status) = response.redirect_chain
    assert (first, status) == (f"/meetings/{meeting.pk}/meeting.ics", 301)
    assert login_status == 302
    assert second.startswith(reverse("login"))
    assert f"next=/meetings/{meeting.pk}/meeting.ics" in second


def test_old_list_and_head_redirect(client, world):
    client.force_login(world.policy)
    assert client.get("/divisions/meetings/")["Location"] == "/meetings/"
    head = client.head("/divisions/meetings/new/")
    assert (head.status_code, head["Location"]) == (301, "/meetings/new/")


@pytest.mark.parametrize("method", ["post", "put", "delete", "options"])
def test_old_addresses_take_no_other_method(client, world, meeting, method):
    client.force_login(world.policy)
    response = getattr(client, method)(f"/divisions/meetings/{meeting.pk}/cancel/")
    assert response.status_code == 405
    meeting.refresh_from_db()
    assert meeting.status == "scheduled"


def test_division_pages_stay_where_they_were(client, world):
    client.force_login(world.admin)
    assert client.get(f"/divisions/{world.div_a.pk}/").status_code == 200
    assert client.get("/divisions/").status_code == 200


def test_stored_links_move_to_the_new_addresses_and_back(world):
    old_links = ["/divisions/meetings/3/", "/divisions/meetings/new/", "/divisions/meetings/"]
    others = ["/filings/5/", "/divisions/4/", "", "/orgs/1/?next=/divisions/meetings/3/"]
    for url in old_links + others:
        Notification.objects.create(recipient=world.policy, title="t", url=url)
        Reminder.objects.create(
            key=f"k:{url}",
            kind="meeting_invite",
            recipient=world.policy,
            subject_type="meeting",
            subject_id=3,
            due_at=timezone.now(),
            title="t",
            url=url,
        )

    relink.forwards(apps, None)

    moved = ["/meetings/3/", "/meetings/new/", "/meetings/"]
    for model in (Notification, Reminder):
        assert sorted(model.objects.values_list("url", flat=True)) == sorted(moved + others)

    relink.backwards(apps, None)

    for model in (Notification, Reminder):
        assert sorted(model.objects.values_list("url", flat=True)) == sorted(old_links + others)
