"""Meetings: scheduling, changes, answers, attendance and special meeting requests.

Each function runs in one transaction, takes the acting user and records history in their name.
Scheduling, moving and cancelling queue a reminder sweep after the commit, so the invitees hear of
it at once rather than at the next beat.
"""

import datetime
import logging

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from duties import access
from duties.models import DivisionKind, DivisionMembership
from orgs.models import Organization
from portal.models import Reminder, ReminderStatus, User
from portal.notifications import notify
from portal.services import (
    UNCHANGED,
    Unchanged,
    editable_fields,
    given,
    lock_versioned,
    save_with_history,
)
from portal.tasks import run_reminders

from .models import (
    InvitationAnswer,
    Meeting,
    MeetingInvitation,
    MeetingKind,
    MeetingStatus,
    RequestStatus,
    SpecialMeetingRequest,
)

logger = logging.getLogger(__name__)


def _require_organizer(actor):
    if not access.is_meeting_organizer(actor):
        raise PermissionDenied


def quarter_of(moment):
    local = timezone.localtime(moment)
    return local.year, (local.month - 1) // 3 + 1


def _after_commit_sweep():
    """Run the reminder sweep soon, so that invitations go out now rather than at the next beat."""

    def kick():
        try:
            run_reminders.delay()
        except Exception:  # broker unreachable: beat's next sweep does it
            logger.warning("could not queue the reminder sweep", exc_info=True)

    transaction.on_commit(kick)


def _check_times(starts_at, ends_at):
    if ends_at <= starts_at:
        raise ValidationError({"ends_at": _("The meeting must end after it starts.")})


@transaction.atomic
def meeting_schedule(
    *,
    actor,
    kind,
    title,
    starts_at,
    ends_at,
    place,
    agenda,
    reading="",
    organizations=None,
    divisions=(),
    special_request=None,
):
    """Schedule a meeting and invite organizations (all active ones by default) and divisions.

    A quarterly meeting belongs to the quarter of its start; one per quarter. Scheduling the
    meeting a special meeting request asked for (``special_request``) marks it scheduled.
    """
    _require_organizer(actor)
    _check_times(starts_at, ends_at)
    meeting = Meeting(
        kind=kind,
        title=title,
        starts_at=starts_at,
        ends_at=ends_at,
        place=place,
        agenda=agenda,
        reading=reading,
        scheduled_by=actor,
    )
    if kind == MeetingKind.QUARTERLY:
        meeting.year, meeting.quarter = quarter_of(starts_at)
        clash = Meeting.objects.filter(
            kind=MeetingKind.QUARTERLY, year=meeting.year, quarter=meeting.quarter
        ).exclude(status=MeetingStatus.CANCELLED)
        if clash.exists():
            raise ValidationError(
                {
                    "starts_at": _(
                        "The quarterly meeting of %(year)d Q%(quarter)d is already scheduled."
                    )
                    % {"year": meeting.year, "quarter": meeting.quarter}
                }
            )
    try:
        with transaction.atomic():
            save_with_history(meeting, actor=actor, reason="schedule")
    except IntegrityError as exc:  # someone scheduled this quarter's meeting at the same moment
        raise ValidationError(
            {
                "starts_at": _(
                    "The quarterly meeting of %(year)d Q%(quarter)d is already scheduled."
                )
                % {"year": meeting.year, "quarter": meeting.quarter}
            }
        ) from exc
    meeting.invited_divisions.set(divisions)
    if organizations is None:
        organizations = Organization.objects.active()
    MeetingInvitation.objects.bulk_create(
        [MeetingInvitation(meeting=meeting, organization=org) for org in organizations]
    )
    if special_request is not None:
        special_request = SpecialMeetingRequest.objects.select_for_update().get(
            pk=special_request.pk
        )
        if special_request.status != RequestStatus.OPEN:
            raise ValidationError(_("This request has already been handled."))
        special_request.status = RequestStatus.SCHEDULED
        special_request.meeting = meeting
        save_with_history(special_request, actor=actor)
    _after_commit_sweep()
    return meeting


def cancel_pending_reminders(subject_type, subject_id, kinds=None):
    """Cancel the reminders of a subject not yet sent (all kinds, or only ``kinds``)."""
    qs = Reminder.objects.filter(
        subject_type=subject_type, subject_id=subject_id, status=ReminderStatus.PENDING
    )
    if kinds:
        qs = qs.filter(kind__in=kinds)
    return qs.update(status=ReminderStatus.CANCELLED)


@transaction.atomic
def meeting_update(
    *,
    actor: User,
    meeting: Meeting,
    expected_version: int,
    title: str | Unchanged = UNCHANGED,
    starts_at: datetime.datetime | Unchanged = UNCHANGED,
    ends_at: datetime.datetime | Unchanged = UNCHANGED,
    place: str | Unchanged = UNCHANGED,
    agenda: str | Unchanged = UNCHANGED,
    reading: str | Unchanged = UNCHANGED,
) -> Meeting:
    """Change a scheduled meeting (what is not given stays). Moving it cancels the reminders
    planned for the old time; the invitees are told of the new one."""
    _require_organizer(actor)
    fields = given(
        title=title,
        starts_at=starts_at,
        ends_at=ends_at,
        place=place,
        agenda=agenda,
        reading=reading,
    )
    meeting = lock_versioned(
        Meeting.objects.all(), pk=meeting.pk, expected_version=expected_version
    )
    if meeting.status != MeetingStatus.SCHEDULED:
        raise ValidationError(_("Only a scheduled meeting can be changed."))
    old_start = meeting.starts_at
    for name, value in fields.items():
        setattr(meeting, name, value)
    _check_times(meeting.starts_at, meeting.ends_at)
    if meeting.kind == MeetingKind.QUARTERLY:
        year, quarter = quarter_of(meeting.starts_at)
        if (year, quarter) != (meeting.year, meeting.quarter):
            raise ValidationError(
                {
                    "starts_at": _(
                        "A quarterly meeting stays within its quarter; cancel it and "
                        "schedule the next quarter's instead."
                    )
                }
            )
    if meeting.starts_at != old_start:
        meeting.rescheduled_at = timezone.now()
    meeting.version += 1
    save_with_history(meeting, actor=actor, reason="update")
    if meeting.starts_at != old_start:
        cancel_pending_reminders("meeting", meeting.pk)
        _after_commit_sweep()
    return meeting


#: What ``meeting_update`` changes: the meeting form's fields.
MEETING_EDITABLE = editable_fields(meeting_update, besides=("actor", "meeting"))


@transaction.atomic
def meeting_cancel(*, actor, meeting, expected_version, reason):
    """Cancel a meeting: no further reminders; every invitee is told."""
    _require_organizer(actor)
    if not (reason or "").strip():
        raise ValidationError({"reason": _("Give the reason for cancelling.")})
    meeting = lock_versioned(
        Meeting.objects.all(), pk=meeting.pk, expected_version=expected_version
    )
    if meeting.status != MeetingStatus.SCHEDULED:
        raise ValidationError(_("Only a scheduled meeting can be cancelled."))
    meeting.status = MeetingStatus.CANCELLED
    meeting.cancelled_at = timezone.now()
    meeting.cancel_reason = reason
    meeting.version += 1
    save_with_history(meeting, actor=actor, reason=reason)
    cancel_pending_reminders("meeting", meeting.pk)
    _after_commit_sweep()
    return meeting


@transaction.atomic
def invitation_respond(*, actor, invitation, response, attendees=""):
    """The invited organization says whether it comes, and who."""
    r = access.roles(actor)
    invitation = (
        MeetingInvitation.objects.select_for_update()
        .select_related("meeting")
        .get(pk=invitation.pk)
    )
    if r.org_id != invitation.organization_id:
        raise PermissionDenied
    meeting = invitation.meeting
    if meeting.status != MeetingStatus.SCHEDULED or meeting.starts_at <= timezone.now():
        raise ValidationError(_("Answers are taken until the meeting starts."))
    if response == InvitationAnswer.ATTENDING and not (attendees or "").strip():
        raise ValidationError({"attendees": _("Name who will attend.")})
    invitation.response = response
    invitation.attendees = attendees if response == InvitationAnswer.ATTENDING else ""
    invitation.responded_by = actor
    invitation.responded_at = timezone.now()
    return save_with_history(invitation, actor=actor)


@transaction.atomic
def attendance_record(*, actor, meeting, attended_org_ids, minutes="", minutes_file=None):
    """After the meeting: who actually came, and the minutes. The meeting counts as held."""
    _require_organizer(actor)
    meeting = Meeting.objects.select_for_update().get(pk=meeting.pk)
    if meeting.status == MeetingStatus.CANCELLED:
        raise ValidationError(_("This meeting was cancelled."))
    if meeting.starts_at > timezone.now():
        raise ValidationError(_("Attendance is recorded after the meeting has started."))
    attended = set(attended_org_ids)
    for invitation in meeting.invitations.select_for_update():
        value = invitation.organization_id in attended
        if invitation.attended != value:
            invitation.attended = value
            save_with_history(invitation, actor=actor, reason="attendance")
    meeting.status = MeetingStatus.HELD
    if minutes:
        meeting.minutes = minutes
    if minutes_file is not None:
        meeting.minutes_file.save(minutes_file.name, minutes_file, save=False)
    meeting.version += 1
    save_with_history(meeting, actor=actor, reason="attendance")
    return meeting


@transaction.atomic
def special_request_create(*, actor, topic, reason):
    """A leading group member asks for a special meeting; the Policy division is told."""
    if not access.roles(actor).is_leader:
        raise PermissionDenied
    if not (topic or "").strip() or not (reason or "").strip():
        raise ValidationError(_("Give the topic and the reason."))
    special_request = SpecialMeetingRequest(topic=topic, reason=reason, requested_by=actor)
    save_with_history(special_request, actor=actor)
    policy_members = [
        m.user
        for m in DivisionMembership.objects.filter(
            division__kind=DivisionKind.POLICY, division__is_active=True, user__is_active=True
        ).select_related("user")
    ]
    notify(
        policy_members,
        title=_("Special meeting requested: %(topic)s") % {"topic": topic},
        body=reason,
        url=reverse("meetings:meeting_list"),
    )
    return special_request


@transaction.atomic
def special_request_decline(*, actor, special_request, reason):
    """The Policy division will not schedule the requested meeting; the reason is kept."""
    _require_organizer(actor)
    special_request = SpecialMeetingRequest.objects.select_for_update().get(pk=special_request.pk)
    if special_request.status != RequestStatus.OPEN:
        raise ValidationError(_("This request has already been handled."))
    special_request.status = RequestStatus.DECLINED
    return save_with_history(special_request, actor=actor, reason=reason)
