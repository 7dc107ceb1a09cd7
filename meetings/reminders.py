"""What the clock sends about meetings (registered in ``MeetingsConfig.ready()``)."""

import datetime

from django.db.models import Q
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from duties.access import division_user_ids, org_user_ids
from duties.models import Division, DivisionKind
from portal.clock import Plan, at_send_hour, conf, each, in_window

from .models import Meeting, MeetingInvitation, MeetingKind, MeetingStatus
from .services import quarter_of


def plan_meetings(now):
    """The invitation, the reminders before the meeting, and notice of a move or cancellation,
    to the users of the invited organizations and the members of the invited divisions."""
    lookback = datetime.timedelta(days=conf("lookback_days"))
    days_before = conf("meeting_days_before")
    horizon = now + datetime.timedelta(days=max(days_before) + 1)
    meetings = Meeting.objects.filter(
        Q(status=MeetingStatus.SCHEDULED, starts_at__gt=now - lookback, starts_at__lte=horizon)
        | Q(status=MeetingStatus.SCHEDULED, scheduled_at__gt=now - lookback)
        | Q(status=MeetingStatus.SCHEDULED, rescheduled_at__gt=now - lookback)
        | Q(status=MeetingStatus.CANCELLED, cancelled_at__gt=now - lookback)
    ).prefetch_related("invited_divisions")

    def plans_of(meeting):
        org_ids = list(
            MeetingInvitation.objects.filter(meeting=meeting).values_list(
                "organization_id", flat=True
            )
        )
        recipients = set()
        for ids in org_user_ids(org_ids).values():
            recipients.update(ids)
        for ids in division_user_ids([d.pk for d in meeting.invited_divisions.all()]).values():
            recipients.update(ids)
        url = reverse("meetings:meeting_detail", args=[meeting.pk])
        when = formats.date_format(timezone.localtime(meeting.starts_at), "SHORT_DATETIME_FORMAT")
        dues = []
        if meeting.status == MeetingStatus.CANCELLED:
            dues.append(
                (
                    "meeting_cancelled",
                    meeting.cancelled_at,
                    _("Meeting cancelled: %(title)s") % {"title": meeting.title},
                    meeting.cancel_reason,
                )
            )
        else:
            dues.append(
                (
                    "meeting_invite",
                    meeting.scheduled_at,
                    _("Invitation: %(title)s, %(when)s") % {"title": meeting.title, "when": when},
                    meeting.agenda,
                )
            )
            if meeting.rescheduled_at:
                dues.append(
                    (
                        "meeting_moved",
                        meeting.rescheduled_at,
                        _("Meeting moved: %(title)s, now %(when)s")
                        % {"title": meeting.title, "when": when},
                        meeting.place,
                    )
                )
            for n in days_before:
                dues.append(
                    (
                        f"meeting_{n}d",
                        meeting.starts_at - datetime.timedelta(days=n),
                        _("Reminder: %(title)s on %(when)s")
                        % {"title": meeting.title, "when": when},
                        meeting.place,
                    )
                )
        announced = max(filter(None, [meeting.scheduled_at, meeting.rescheduled_at]))
        before_kinds = {f"meeting_{n}d" for n in days_before}
        for kind, due_at, title, body in dues:
            if not in_window(due_at, now):
                continue
            if kind in before_kinds and due_at < announced:
                continue  # the invitation (or the notice of the move) already said it
            for user_id in recipients:
                yield Plan(kind, user_id, "meeting", meeting.pk, due_at, title, body, url)

    # One meeting that cannot be planned (a date out of range) is logged and skipped.
    yield from each(meetings, plans_of)


def quarter_start(day):
    return datetime.date(day.year, 3 * ((day.month - 1) // 3) + 1, 1)


def plan_quarterly_meeting(now):
    """Remind the Policy division if this quarter has no quarterly meeting by its 15th day."""
    today = timezone.localdate(now)
    start = quarter_start(today)
    due_at = at_send_hour(start + datetime.timedelta(days=conf("quarter_schedule_by_day") - 1))
    if not in_window(due_at, now):
        return
    year, quarter = quarter_of(now)
    if (
        Meeting.objects.filter(kind=MeetingKind.QUARTERLY, year=year, quarter=quarter)
        .exclude(status=MeetingStatus.CANCELLED)
        .exists()
    ):
        return
    policy_ids = Division.objects.filter(kind=DivisionKind.POLICY, is_active=True).values_list(
        "pk", flat=True
    )
    title = _("No quarterly meeting is scheduled for %(year)d Q%(quarter)d yet") % {
        "year": year,
        "quarter": quarter,
    }
    for user_ids in division_user_ids(list(policy_ids)).values():
        for user_id in user_ids:
            yield Plan(
                "quarterly_unscheduled",
                user_id,
                "quarter",
                year * 10 + quarter,
                due_at,
                title,
                "",
                reverse("meetings:meeting_create"),
            )
