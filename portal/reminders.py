"""The portal's clock: what is due, for whom, sent exactly once.

``run(now)`` is called by one periodic Celery task (``portal.tasks.run_reminders``). It *plans*
every reminder whose due time lies in the look-back window ``(now - LOOKBACK, now]`` as a
``Reminder`` row with a unique key, inserting nothing that exists, and then *sends* each pending row
that is due: a conditional UPDATE (pending → sent) claims the row inside the transaction that
writes the inbox message, so a retry, a second worker or a beat firing twice finds nothing left to
claim, and a worker that dies mid-way rolls back and leaves the row pending for the next run.
Emails follow from the inbox messages after commit (``portal.notifications``).

All times are Asia/Shanghai; the lead times are settings (``REMINDERS``).
"""

import datetime
import logging
from dataclasses import dataclass

from dateutil.relativedelta import relativedelta
from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from . import calendar
from .models import Reminder, ReminderStatus
from .notifications import notify, retry_stale_emails

logger = logging.getLogger(__name__)

DEFAULTS = {
    "lookback_days": 7,
    "meeting_days_before": [7, 1],
    "quarter_schedule_by_day": 15,
    "review_due_soon_workdays": 2,
    "returned_waiting_days": 5,
    "summary_days_before": 3,
    "annual_inspection_dates": ["03-01", "03-20"],
    "term_months_before": [6, 2],
    "certificate_months_before": 3,
    "grade_months_before": 3,
    "send_hour": 9,
    "batch": 500,
}


def conf(name):
    return {**DEFAULTS, **getattr(settings, "REMINDERS", {})}[name]


@dataclass(frozen=True)
class Plan:
    kind: str
    recipient_id: int
    subject_type: str
    subject_id: int
    due_at: datetime.datetime
    title: str
    body: str = ""
    url: str = ""

    @property
    def key(self):
        return (
            f"{self.kind}:{self.subject_type}:{self.subject_id}:{self.recipient_id}:"
            f"{self.due_at.astimezone(datetime.UTC):%Y%m%dT%H%M}"
        )


def at_send_hour(day):
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(conf("send_hour"))))


def _in_window(due_at, now):
    return now - datetime.timedelta(days=conf("lookback_days")) < due_at <= now


# --- recipients ----------------------------------------------------------------------------


def _org_user_ids(org_ids):
    """{org_id: [user ids]} of the active users of active organizations."""
    from orgs.models import OrganizationUser

    result = {}
    for org_id, user_id in OrganizationUser.objects.filter(
        organization_id__in=org_ids,
        organization__status__in=["active", "preparing"],
        user__is_active=True,
    ).values_list("organization_id", "user_id"):
        result.setdefault(org_id, []).append(user_id)
    return result


def _division_user_ids(division_ids, heads_only=False):
    from duties.models import DivisionMembership

    qs = DivisionMembership.objects.filter(
        division_id__in=division_ids, division__is_active=True, user__is_active=True
    )
    if heads_only:
        qs = qs.filter(role="head")
    result = {}
    for division_id, user_id in qs.values_list("division_id", "user_id"):
        result.setdefault(division_id, []).append(user_id)
    return result


# --- what is due ---------------------------------------------------------------------------


def plan_meetings(now):
    from meetings.models import Meeting, MeetingInvitation, MeetingStatus

    lookback = datetime.timedelta(days=conf("lookback_days"))
    days_before = conf("meeting_days_before")
    horizon = now + datetime.timedelta(days=max(days_before) + 1)
    meetings = Meeting.objects.filter(
        Q(status=MeetingStatus.SCHEDULED, starts_at__gt=now - lookback, starts_at__lte=horizon)
        | Q(status=MeetingStatus.SCHEDULED, scheduled_at__gt=now - lookback)
        | Q(status=MeetingStatus.SCHEDULED, rescheduled_at__gt=now - lookback)
        | Q(status=MeetingStatus.CANCELLED, cancelled_at__gt=now - lookback)
    ).prefetch_related("invited_divisions")
    for meeting in meetings:
        org_ids = list(
            MeetingInvitation.objects.filter(meeting=meeting).values_list(
                "organization_id", flat=True
            )
        )
        recipients = set()
        for ids in _org_user_ids(org_ids).values():
            recipients.update(ids)
        for ids in _division_user_ids([d.pk for d in meeting.invited_divisions.all()]).values():
            recipients.update(ids)
        url = reverse("meetings:meeting_detail", args=[meeting.pk])
        when = timezone.localtime(meeting.starts_at).strftime("%Y-%m-%d %H:%M")
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
            if not _in_window(due_at, now):
                continue
            if kind in before_kinds and due_at < announced:
                continue  # the invitation (or the notice of the move) already said it
            for user_id in recipients:
                yield Plan(kind, user_id, "meeting", meeting.pk, due_at, title, body, url)


def quarter_start(day):
    return datetime.date(day.year, 3 * ((day.month - 1) // 3) + 1, 1)


def plan_quarterly_meeting(now):
    """Remind the Policy division if this quarter has no quarterly meeting by its 15th day."""
    from duties.models import DivisionKind
    from meetings.models import Meeting, MeetingKind, MeetingStatus
    from meetings.services import quarter_of

    today = timezone.localdate(now)
    start = quarter_start(today)
    due_at = at_send_hour(start + datetime.timedelta(days=conf("quarter_schedule_by_day") - 1))
    if not _in_window(due_at, now):
        return
    year, quarter = quarter_of(now)
    if (
        Meeting.objects.filter(kind=MeetingKind.QUARTERLY, year=year, quarter=quarter)
        .exclude(status=MeetingStatus.CANCELLED)
        .exists()
    ):
        return
    from duties.models import Division

    policy_ids = Division.objects.filter(kind=DivisionKind.POLICY, is_active=True).values_list(
        "pk", flat=True
    )
    title = _("No quarterly meeting is scheduled for %(year)d Q%(quarter)d yet") % {
        "year": year,
        "quarter": quarter,
    }
    for user_ids in _division_user_ids(list(policy_ids)).values():
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


def plan_filings(now):
    from reports.models import OPEN_STATES, Filing, FilingState

    today = timezone.localdate(now)
    lookback_day = today - datetime.timedelta(days=conf("lookback_days"))
    soon = conf("review_due_soon_workdays")
    soon_by = calendar.add_workdays(today, soon)
    open_filings = Filing.objects.filter(state__in=OPEN_STATES, lead_division__isnull=False)

    by_division = {}
    rows = []
    for filing in open_filings.filter(review_due_on__gte=lookback_day, review_due_on__lte=soon_by):
        if filing.review_due_on >= today:
            kind = "review_due_soon"
            due_at = at_send_hour(calendar.add_workdays(filing.review_due_on, -soon))
            title = _("Review due by %(date)s") % {"date": filing.review_due_on}
        else:
            kind = "review_overdue"
            due_at = at_send_hour(filing.review_due_on + datetime.timedelta(days=1))
            title = _("Review overdue since %(date)s") % {"date": filing.review_due_on}
        rows.append((filing, kind, due_at, title))
        by_division.setdefault(filing.lead_division_id, None)
    members = _division_user_ids(list(by_division))
    for filing, kind, due_at, title in rows:
        if not _in_window(due_at, now):
            continue
        url = reverse("reports:detail", args=[filing.pk])
        for user_id in members.get(filing.lead_division_id, []):
            yield Plan(
                kind, user_id, "filing", filing.pk, due_at, f"{title}：{filing.title}", "", url
            )

    wait = datetime.timedelta(days=conf("returned_waiting_days"))
    lookback = datetime.timedelta(days=conf("lookback_days"))
    returned = list(
        Filing.objects.filter(
            state=FilingState.RETURNED,
            state_changed_at__lte=now - wait,
            state_changed_at__gt=now - wait - lookback,
        )
    )
    org_users = _org_user_ids({f.organization_id for f in returned})
    for filing in returned:
        due_at = filing.state_changed_at + wait
        url = reverse("reports:detail", args=[filing.pk])
        for user_id in org_users.get(filing.organization_id, []):
            yield Plan(
                "returned_waiting",
                user_id,
                "filing",
                filing.pk,
                due_at,
                _("Waiting for your revision: %(title)s") % {"title": filing.title},
                "",
                url,
            )

    before = datetime.timedelta(days=conf("summary_days_before"))
    summaries = list(
        Filing.objects.filter(
            summary_due_on__isnull=False,
            summary_submitted_at__isnull=True,
            summary_due_on__gte=lookback_day - datetime.timedelta(days=1),
            summary_due_on__lte=today + before,
        )
    )
    org_users = _org_user_ids({f.organization_id for f in summaries})
    for filing in summaries:
        url = reverse("reports:detail", args=[filing.pk])
        for kind, day, title in (
            (
                "summary_due",
                filing.summary_due_on - before,
                _("Summary due by %(date)s: %(title)s"),
            ),
            (
                "summary_overdue",
                filing.summary_due_on + datetime.timedelta(days=1),
                _("Summary overdue since %(date)s: %(title)s"),
            ),
        ):
            due_at = at_send_hour(day)
            if not _in_window(due_at, now):
                continue
            for user_id in org_users.get(filing.organization_id, []):
                yield Plan(
                    kind,
                    user_id,
                    "filing",
                    filing.pk,
                    due_at,
                    title % {"date": filing.summary_due_on, "title": filing.title},
                    "",
                    url,
                )


def plan_organizations(now):
    """Annual inspection by 31 March; term expiry; certificate and grade validity."""
    from orgs.models import Organization, OrgStatus, OrgType
    from reports.models import Filing, FilingState

    today = timezone.localdate(now)
    lookback_day = today - datetime.timedelta(days=conf("lookback_days"))
    active = Organization.objects.filter(status=OrgStatus.ACTIVE)

    # Annual inspection: social groups and private non-enterprise units registered at least six
    # months before the end of the year inspected.
    year = today.year
    for md in conf("annual_inspection_dates"):
        month, day = (int(x) for x in md.split("-"))
        due_at = at_send_hour(datetime.date(year, month, day))
        if not _in_window(due_at, now):
            continue
        done = Filing.objects.filter(
            matter__code="annual_inspection", first_submitted_at__year=year
        ).exclude(state__in=[FilingState.DRAFT, FilingState.WITHDRAWN, FilingState.REFUSED])
        orgs = (
            active.filter(
                org_type__in=[
                    OrgType.SOCIAL_GROUP,
                    OrgType.INDUSTRY_ASSOCIATION,
                    OrgType.SOCIETY,
                    OrgType.PRIVATE_NON_ENTERPRISE,
                ],
            )
            .filter(
                Q(registered_on__isnull=True) | Q(registered_on__lte=datetime.date(year - 1, 6, 30))
            )
            .exclude(pk__in=done.values("organization_id"))
        )
        org_ids = list(orgs.values_list("pk", flat=True))
        title = _("Annual inspection of %(year)d: submit by 31 March") % {"year": year - 1}
        url = reverse("reports:mine")
        for org_id, user_ids in _org_user_ids(org_ids).items():
            for user_id in user_ids:
                yield Plan(
                    "annual_inspection", user_id, "organization", org_id, due_at, title, "", url
                )

    checks = [
        ("term_end", "term_expiry", months, _("Term ends on %(date)s: prepare the renewal"))
        for months in conf("term_months_before")
    ]
    checks.append(
        (
            "certificate_valid_until",
            "certificate_expiry",
            conf("certificate_months_before"),
            _("Registration certificate valid until %(date)s"),
        )
    )
    checks.append(
        (
            "grade_valid_until",
            "grade_expiry",
            conf("grade_months_before"),
            _("Grade evaluation valid until %(date)s"),
        )
    )
    for field, kind, months, title in checks:
        delta = relativedelta(months=months)
        orgs = list(
            active.filter(
                # Month arithmetic is not reversible at month ends (31 Aug - 6 months = 28 Feb),
                # so select generously and let _in_window decide on the exact due time.
                **{
                    f"{field}__gt": lookback_day + delta - datetime.timedelta(days=4),
                    f"{field}__lte": today + delta + datetime.timedelta(days=4),
                }
            ).values_list("pk", field, "liaison_division_id")
        )
        org_users = _org_user_ids([o[0] for o in orgs])
        liaison = _division_user_ids({o[2] for o in orgs if o[2]})
        for org_id, date, division_id in orgs:
            due_at = at_send_hour(date - delta)
            if not _in_window(due_at, now):
                continue
            url = reverse("orgs:detail", args=[org_id])
            for user_id in set(org_users.get(org_id, [])) | set(liaison.get(division_id, [])):
                yield Plan(
                    f"{kind}_{months}m",
                    user_id,
                    "organization",
                    org_id,
                    due_at,
                    title % {"date": date},
                    "",
                    url,
                )


PLANNERS = [plan_meetings, plan_quarterly_meeting, plan_filings, plan_organizations]


def plan(now):
    """Insert the reminders due in the look-back window; existing keys are left alone."""
    with translation.override(settings.LANGUAGE_CODE):
        plans = [p for planner in PLANNERS for p in planner(now)]
    rows = [
        Reminder(
            key=p.key,
            kind=p.kind,
            recipient_id=p.recipient_id,
            subject_type=p.subject_type,
            subject_id=p.subject_id,
            due_at=p.due_at,
            title=p.title[:255],
            body=p.body,
            url=p.url,
        )
        for p in plans
    ]
    Reminder.objects.bulk_create(rows, ignore_conflicts=True, batch_size=500)
    return len(rows)


def send_one(reminder_id, now=None):
    """Deliver one reminder if it is still pending. True if this call delivered it."""
    now = now or timezone.now()
    with transaction.atomic():
        claimed = Reminder.objects.filter(
            pk=reminder_id, status=ReminderStatus.PENDING, due_at__lte=now
        ).update(status=ReminderStatus.SENT, sent_at=now)
        if not claimed:
            return False
        reminder = Reminder.objects.select_related("recipient").get(pk=reminder_id)
        created = notify(
            [reminder.recipient],
            title=reminder.title,
            body=reminder.body,
            url=reminder.url,
            subject_type=reminder.subject_type,
            subject_id=reminder.subject_id,
        )
        if not created:  # the recipient was deactivated meanwhile
            Reminder.objects.filter(pk=reminder_id).update(status=ReminderStatus.CANCELLED)
            return False
        Reminder.objects.filter(pk=reminder_id).update(notification=created[0])
    return True


def dispatch(now):
    """Send every pending reminder that is due. Returns how many this call sent.

    One reminder that fails (a deleted recipient, a bug) is logged and left pending; it does not
    hold up the others.
    """
    ids = list(
        Reminder.objects.filter(status=ReminderStatus.PENDING, due_at__lte=now)
        .order_by("due_at", "pk")
        .values_list("pk", flat=True)[: conf("batch")]
    )
    sent = 0
    for pk in ids:
        try:
            sent += send_one(pk, now)
        except Exception:
            logger.exception("reminder %s could not be sent; it stays pending", pk)
    return sent


def run(now=None):
    """One cycle of the clock: plan, send, and retry emails whose task was lost.

    Safe to run at any time, any number of times.
    """
    now = now or timezone.now()
    planned = plan(now)
    sent = dispatch(now)
    emails = retry_stale_emails(now)
    return {"planned": planned, "sent": sent, "emails_retried": emails}


def cancel_for_user_ids(user_ids):
    return Reminder.objects.filter(recipient_id__in=user_ids, status=ReminderStatus.PENDING).update(
        status=ReminderStatus.CANCELLED
    )
