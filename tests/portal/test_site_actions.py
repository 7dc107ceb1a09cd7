"""What the navigation and page buttons offer (``access.site_actions``) is what the pages allow."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from duties import access
from meetings import services
from tests.conftest import ROLES

PAGES = {
    "registry": "orgs:list",
    "divisions": "duties:division_list",
    "duty_matrix": "reports:matters",
    "my_filings": "reports:mine",
    "my_org": "orgs:mine",
    "manage_users": "user_list",
    "register_orgs": "orgs:create",
    "schedule_meetings": "meetings:meeting_create",
    "request_special_meeting": "meetings:special_request_create",
}


@pytest.mark.django_db
@pytest.mark.parametrize("role", [r for r in ROLES if r != "anonymous"])
def test_offered_exactly_where_the_page_opens(world, login, role):
    user = getattr(world, role)
    client = login(user)
    offered = access.site_actions(user)
    wrong = []
    for action, name in PAGES.items():
        status = client.get(reverse(name)).status_code
        opens = status in (200, 302)
        if opens != (action in offered):
            wrong.append(f"{action}: offered={action in offered}, page {status}")
    # The queue is linked for members of a division (who have one); any bureau staff may open it.
    if "review_queue" in offered:
        assert client.get(reverse("reports:queue")).status_code == 200
    assert not wrong, wrong


@pytest.mark.django_db
def test_meeting_actions_follow_its_state_and_time(world):
    start = timezone.now() + datetime.timedelta(days=10)
    meeting = services.meeting_schedule(
        actor=world.policy,
        kind="quarterly",
        title="季度例会",
        starts_at=start,
        ends_at=start + datetime.timedelta(hours=2),
        place="会议室",
        agenda="议程",
    )
    now = timezone.now()
    assert access.meeting_actions(world.policy, meeting, now) == {"edit", "cancel"}
    assert access.meeting_actions(world.org_a1, meeting, now) == {"respond"}
    assert access.meeting_actions(world.liaison_a, meeting, now) == frozenset()
    later = start + datetime.timedelta(hours=1)
    assert access.meeting_actions(world.policy, meeting, later) == {
        "edit",
        "cancel",
        "record_attendance",
    }
    assert access.meeting_actions(world.org_a1, meeting, later) == frozenset()
