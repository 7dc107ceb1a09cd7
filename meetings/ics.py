"""iCalendar (.ics) files for meetings, with the Asia/Shanghai time zone carried inside."""

import zoneinfo

from django.conf import settings
from django.urls import reverse
from django.utils import timezone
from icalendar import Calendar, Event

from .models import Meeting, MeetingStatus


def meeting_ics(meeting, *, base_url=""):
    tz = zoneinfo.ZoneInfo(settings.TIME_ZONE)
    cal = Calendar()
    cal.add(
        "prodid", "-//Shanghai Greening and City Appearance Bureau//Social Organization Portal//ZH"
    )
    cal.add("version", "2.0")
    cal.add("method", "CANCEL" if meeting.status == MeetingStatus.CANCELLED else "PUBLISH")
    event = Event()
    event.add("uid", f"meeting-{meeting.pk}@portal.lhsr.sh.gov.cn")
    event.add("sequence", meeting.version)
    event.add("dtstamp", timezone.now())
    event.add("dtstart", meeting.starts_at.astimezone(tz))
    event.add("dtend", meeting.ends_at.astimezone(tz))
    event.add("summary", meeting.title)
    event.add("location", meeting.place)
    description = meeting.agenda
    if meeting.reading:
        description += "\n\n" + meeting.reading
    event.add("description", description)
    if base_url:
        event.add(
            "url", base_url.rstrip("/") + reverse("meetings:meeting_detail", args=[meeting.pk])
        )
    event.add("status", "CANCELLED" if meeting.status == MeetingStatus.CANCELLED else "CONFIRMED")
    cal.add_component(event)
    cal.add_missing_timezones()
    return cal.to_ical()


def meeting_attachment(meeting_id):
    """The .ics file an email about meeting ``meeting_id`` carries (``portal.notifications``)."""
    meeting = Meeting.objects.filter(pk=meeting_id).first()
    if meeting is None:
        return None
    return (
        "meeting.ics",
        meeting_ics(meeting, base_url=getattr(settings, "PORTAL_BASE_URL", "")),
        "text/calendar",
    )
