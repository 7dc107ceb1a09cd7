"""The .ics download: a calendar file that other programs read at the right local time."""

import datetime
import zoneinfo

import pytest
from django.urls import reverse
from django.utils import timezone
from icalendar import Calendar

from meetings import services
from meetings.models import MeetingKind

pytestmark = pytest.mark.django_db

SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")


@pytest.fixture(autouse=True)
def _no_sweep_after_commit(monkeypatch):
    monkeypatch.setattr(services, "_after_commit_sweep", lambda: None)


@pytest.fixture
def meeting(world):
    day = timezone.localdate() + datetime.timedelta(days=30)
    start = datetime.datetime.combine(day, datetime.time(14, 30), tzinfo=SHANGHAI)
    return services.meeting_schedule(
        actor=world.policy,
        kind=MeetingKind.SPECIAL,
        title="垃圾分类专题会议",
        starts_at=start,
        ends_at=start + datetime.timedelta(hours=2),
        place="大沽路100号 1201会议室",
        agenda="一、通报情况\n二、讨论",
        reading="《条例》第十条",
        organizations=[world.org_a],
    )


def download(client, meeting):
    response = client.get(reverse("meetings:meeting_ics", args=[meeting.pk]))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/calendar")
    assert response["Content-Disposition"] == f'attachment; filename="meeting-{meeting.pk}.ics"'
    return Calendar.from_ical(response.content)


def test_ics_has_one_event_at_shanghai_local_time(world, login, meeting):
    cal = download(login(world.org_a1), meeting)

    events = cal.walk("VEVENT")
    assert len(events) == 1
    event = events[0]
    start = event.decoded("DTSTART")
    end = event.decoded("DTEND")
    assert start.tzinfo is not None
    assert getattr(start.tzinfo, "key", None) == "Asia/Shanghai"
    assert (start.date(), start.hour, start.minute) == (
        timezone.localdate(meeting.starts_at),
        14,
        30,
    )
    assert start == meeting.starts_at
    assert end == meeting.ends_at
    assert str(event["SUMMARY"]) == "垃圾分类专题会议"
    assert str(event["LOCATION"]) == "大沽路100号 1201会议室"
    assert "《条例》第十条" in str(event["DESCRIPTION"])
    assert str(event["UID"]) == f"meeting-{meeting.pk}@portal.lhsr.sh.gov.cn"
    assert str(event["STATUS"]) == "CONFIRMED"
    assert str(event["URL"]) == f"http://testserver/meetings/{meeting.pk}/"

    zones = cal.walk("VTIMEZONE")
    assert [str(z["TZID"]) for z in zones] == ["Asia/Shanghai"]
    assert event["DTSTART"].params["TZID"] == "Asia/Shanghai"
    assert str(cal["METHOD"]) == "PUBLISH"


def test_ics_of_a_cancelled_meeting_says_cancelled(world, login, meeting):
    services.meeting_cancel(
        actor=world.policy, meeting=meeting, expected_version=meeting.version, reason="改期"
    )
    meeting.refresh_from_db()

    cal = download(login(world.liaison_a), meeting)

    (event,) = cal.walk("VEVENT")
    assert str(event["STATUS"]) == "CANCELLED"
    assert str(cal["METHOD"]) == "CANCEL"
    # The sequence goes up with each change, so calendars replace the earlier copy.
    assert int(event["SEQUENCE"]) == meeting.version == 2


def test_ics_is_not_served_to_an_org_that_is_not_invited(world, login, meeting):
    response = login(world.org_b1).get(reverse("meetings:meeting_ics", args=[meeting.pk]))
    assert response.status_code == 404
