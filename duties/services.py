"""Divisions, their members, and who is responsible for which organization.

Each function runs in one transaction, takes the acting user and records history in their name.
"""

import logging
import uuid

from django.contrib.auth.models import Group
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from guardian.shortcuts import assign_perm

from orgs.models import Organization, OrganizationGroupObjectPermission
from portal.services import lock_versioned, save_with_history
from reports.services import reroute_open_filings

from . import access
from .models import (
    Division,
    DivisionKind,
    DivisionMembership,
    LiaisonAssignment,
    Meeting,
    MeetingInvitation,
    MeetingKind,
    MeetingStatus,
    MemberRole,
    RequestStatus,
    Response,
    SpecialMeetingRequest,
)

logger = logging.getLogger(__name__)

DIVISION_FIELDS = ("name", "kind", "description", "phone", "email", "is_active")


def _require_admin(actor):
    if not access.is_bureau_admin(actor):
        raise PermissionDenied


def _check_unique_name(name, exclude_pk=None):
    if Division.objects.exclude(pk=exclude_pk).filter(name=name).exists():
        raise ValidationError({"name": _("A division with this name already exists.")})


@transaction.atomic
def division_create(*, actor, name, kind, description="", phone="", email="", is_active=True):
    """Create a division and the group that carries its object permissions."""
    _require_admin(actor)
    _check_unique_name(name)
    group = Group.objects.create(name=f"division-{uuid.uuid4().hex}")
    division = Division(
        name=name,
        kind=kind,
        description=description,
        phone=phone,
        email=email,
        group=group,
        is_active=is_active,
    )
    division.full_clean(exclude=["group"])
    return save_with_history(division, actor=actor)


@transaction.atomic
def division_update(*, actor, division, **fields):
    """Change a division. A liaison division that still has organizations keeps its kind."""
    _require_admin(actor)
    unknown = set(fields) - set(DIVISION_FIELDS)
    if unknown:
        raise ValueError(f"not division fields: {sorted(unknown)}")
    division = Division.objects.select_for_update().get(pk=division.pk)
    if "name" in fields:
        _check_unique_name(fields["name"], exclude_pk=division.pk)
    leaves_liaison = division.kind == DivisionKind.LIAISON and (
        fields.get("kind", division.kind) != DivisionKind.LIAISON
        or fields.get("is_active", True) is False
    )
    if leaves_liaison and division.organizations.exists():
        raise ValidationError(
            _(
                "This division is still the liaison division of %(count)d organizations; assign "
                "them to another division first."
            )
            % {"count": division.organizations.count()}
        )
    for name, value in fields.items():
        setattr(division, name, value)
    division.full_clean(exclude=["group"])
    return save_with_history(division, actor=actor)


@transaction.atomic
def membership_add(*, actor, division, user, role=MemberRole.STAFF):
    """Put a bureau user into a division as staff or head."""
    _require_admin(actor)
    if hasattr(user, "org_link"):
        raise ValidationError(
            {"user": _("An organization user cannot be a member of a bureau division.")}
        )
    if DivisionMembership.objects.filter(division=division, user=user).exists():
        raise ValidationError({"user": _("This user is already a member of the division.")})
    membership = DivisionMembership(division=division, user=user, role=role)
    save_with_history(membership, actor=actor)
    user.groups.add(division.group)
    access.forget_roles(user)
    return membership


@transaction.atomic
def membership_set_role(*, actor, membership, role):
    _require_admin(actor)
    membership = DivisionMembership.objects.select_for_update().get(pk=membership.pk)
    membership.role = role
    return save_with_history(membership, actor=actor)


@transaction.atomic
def membership_remove(*, actor, membership):
    """Take a user out of a division; the history keeps that they were a member."""
    _require_admin(actor)
    membership = DivisionMembership.objects.select_related("division", "user").get(pk=membership.pk)
    membership._history_user = actor
    membership.user.groups.remove(membership.division.group)
    membership.delete()
    access.forget_roles(membership.user)


@transaction.atomic
def org_assign_liaison(*, actor, org, division, reason, expected_version=None):
    """Make ``division`` the liaison division of ``org`` from now on.

    Ends the open assignment, opens a new one with the reason, and moves the object permissions
    from the old division's group to the new one, all in this transaction. Reassigning to the
    current division is refused, so every history row is a real change.
    """
    _require_admin(actor)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Give the reason for this assignment.")})
    division = Division.objects.select_for_update().get(pk=division.pk)
    if division.kind != DivisionKind.LIAISON or not division.is_active:
        raise ValidationError(
            {"division": _("Only an active liaison division can be assigned to an organization.")}
        )
    org = lock_versioned(Organization.objects.all(), pk=org.pk, expected_version=expected_version)
    previous = access.liaison_division_of(org)
    if previous is not None and previous.pk == division.pk:
        raise ValidationError(
            {
                "division": _("%(division)s is already the liaison division of this organization.")
                % {"division": division}
            }
        )
    now = timezone.now()
    open_rows = LiaisonAssignment.objects.select_for_update().filter(
        organization=org, ended_at__isnull=True
    )
    for row in open_rows:
        row.ended_at = now
        row.ended_by = actor
        save_with_history(row, actor=actor, reason=reason)
    assignment = LiaisonAssignment(
        organization=org, division=division, started_at=now, reason=reason, assigned_by=actor
    )
    save_with_history(assignment, actor=actor, reason=reason)

    _derive_responsibility(org, actor=actor, reason=reason)
    reroute_open_filings(actor=actor, org=org, old_division=previous, new_division=division)

    # Re-check inside the transaction: the actor must still be allowed to make this change.
    if not access.can(actor, access.ASSIGN_LIAISON, org):
        raise PermissionDenied
    return assignment


def _derive_responsibility(org, *, actor, reason):
    """Make the copies of "who is responsible for ``org``" say what its assignment history says:
    ``Organization.liaison_division`` (read to route filings and reminders) and the liaison
    permissions on guardian's rows (read by the access rules). The open assignment decides;
    this is the only code that writes either copy."""
    current = (
        LiaisonAssignment.objects.filter(organization=org, ended_at__isnull=True)
        .select_related("division__group")
        .first()
    )
    division = current.division if current else None
    stale = OrganizationGroupObjectPermission.objects.filter(
        content_object=org, permission__codename__in=access.LIAISON_PERMS
    )
    if division is not None:
        stale = stale.exclude(group=division.group)
    for row in stale:
        row.delete()
    if division is not None:
        for perm in access.LIAISON_PERMS:
            assign_perm(perm, division.group, org)
    if org.liaison_division_id != (division.pk if division else None):
        org.liaison_division = division
        org.version += 1
        save_with_history(org, actor=actor, reason=reason)
    return division


# --- meetings ------------------------------------------------------------------------------

MEETING_FIELDS = ("title", "starts_at", "ends_at", "place", "agenda", "reading")


def _require_organizer(actor):
    if not access.is_meeting_organizer(actor):
        raise PermissionDenied


def quarter_of(moment):
    local = timezone.localtime(moment)
    return local.year, (local.month - 1) // 3 + 1


def _after_commit_sweep():
    """Run the reminder sweep soon, so that invitations go out now rather than at the next beat."""
    from portal.tasks import run_reminders

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
    request=None,
):
    """Schedule a meeting and invite organizations (all active ones by default) and divisions.

    A quarterly meeting belongs to the quarter of its start; one per quarter.
    """
    from orgs.models import Organization

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
    if request is not None:
        request = SpecialMeetingRequest.objects.select_for_update().get(pk=request.pk)
        if request.status != RequestStatus.OPEN:
            raise ValidationError(_("This request has already been handled."))
        request.status = RequestStatus.SCHEDULED
        request.meeting = meeting
        save_with_history(request, actor=actor)
    _after_commit_sweep()
    return meeting


def cancel_pending_reminders(subject_type, subject_id, kinds=None):
    from portal.models import Reminder, ReminderStatus

    qs = Reminder.objects.filter(
        subject_type=subject_type, subject_id=subject_id, status=ReminderStatus.PENDING
    )
    if kinds:
        qs = qs.filter(kind__in=kinds)
    return qs.update(status=ReminderStatus.CANCELLED)


@transaction.atomic
def meeting_update(*, actor, meeting, expected_version, **fields):
    """Change a scheduled meeting. Moving it cancels the reminders planned for the old time;
    the invitees are told of the new one."""
    _require_organizer(actor)
    unknown = set(fields) - set(MEETING_FIELDS)
    if unknown:
        raise ValueError(f"not meeting fields: {sorted(unknown)}")
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
    if response == Response.ATTENDING and not (attendees or "").strip():
        raise ValidationError({"attendees": _("Name who will attend.")})
    invitation.response = response
    invitation.attendees = attendees if response == Response.ATTENDING else ""
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
    from portal.notifications import notify

    if not access.roles(actor).is_leader:
        raise PermissionDenied
    if not (topic or "").strip() or not (reason or "").strip():
        raise ValidationError(_("Give the topic and the reason."))
    request = SpecialMeetingRequest(topic=topic, reason=reason, requested_by=actor)
    save_with_history(request, actor=actor)
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
        url=reverse("duties:meeting_list"),
    )
    return request


@transaction.atomic
def special_request_decline(*, actor, request, reason):
    _require_organizer(actor)
    request = SpecialMeetingRequest.objects.select_for_update().get(pk=request.pk)
    if request.status != RequestStatus.OPEN:
        raise ValidationError(_("This request has already been handled."))
    request.status = RequestStatus.DECLINED
    return save_with_history(request, actor=actor, reason=reason)
