"""The inbox badge clears when the user opens what a message is about by any way, not only
through the inbox: the page the message links to reads it."""

import pytest
from django.urls import reverse

from portal.models import Notification
from portal.notifications import unread_count
from tests.reports.helpers import create, submit


@pytest.fixture
def filing(world):
    return submit(world.org_a1, create(world.org_a1, world.org_a, "major_matter"))


def test_opening_the_filing_from_the_queue_reads_its_message(world, login, filing):
    url = reverse("reports:detail", args=[filing.pk])
    message = Notification.objects.get(recipient=world.liaison_a, url=url)
    assert message.read_at is None
    client = login(world.liaison_a)
    before = unread_count(world.liaison_a)
    client.get(reverse("reports:queue"))
    assert unread_count(world.liaison_a) == before  # the queue is not the message's page
    html = client.get(url).text
    message.refresh_from_db()
    assert message.read_at is not None
    assert unread_count(world.liaison_a) == before - 1
    if before == 1:
        assert 'id="unread-count"' not in html  # already gone on that very page


def test_another_users_messages_stay_unread(world, login, filing):
    url = reverse("reports:detail", args=[filing.pk])
    login(world.liaison_a).get(url)
    others = Notification.objects.filter(url=url).exclude(recipient=world.liaison_a)
    assert all(n.read_at is None for n in others)
