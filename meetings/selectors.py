"""Reads about meetings that depend on who asks."""

from django.utils import timezone

from duties.access import is_meeting_organizer, roles, visible_meetings, visible_orgs
from orgs.models import OrgStatus

from .models import (
    InvitationAnswer,
    Meeting,
    MeetingInvitation,
    MeetingKind,
    MeetingStatus,
    RequestStatus,
    SpecialMeetingRequest,
)


def last_held_quarterlies(n=2):
    return list(
        Meeting.objects.filter(kind=MeetingKind.QUARTERLY, status=MeetingStatus.HELD)
        .order_by("-starts_at")
        .values_list("pk", flat=True)[:n]
    )


def orgs_missing_two_quarterlies(org_queryset):
    """Organizations (within ``org_queryset``) absent from both of the last two quarterly
    meetings that were held."""
    last_two = last_held_quarterlies(2)
    if len(last_two) < 2:
        return org_queryset.none()
    for meeting_id in last_two:
        absent = MeetingInvitation.objects.filter(meeting_id=meeting_id, attended=False)
        org_queryset = org_queryset.filter(pk__in=absent.values("organization_id"))
    return org_queryset


def missed_two_quarterlies(org):
    return orgs_missing_two_quarterlies(type(org).objects.filter(pk=org.pk)).exists()


def meetings_for(user):
    return visible_meetings(user).order_by("-starts_at")


def my_invitation(user, meeting):
    r = roles(user)
    if not r.is_org_user:
        return None
    return MeetingInvitation.objects.filter(meeting=meeting, organization_id=r.org_id).first()


def home_invitations(user):
    """An organization user's home page: the invitations still to answer."""
    r = roles(user)
    if not r.is_org_user:
        return None
    return {
        "unanswered_invitations": MeetingInvitation.objects.filter(
            organization_id=r.org_id,
            response=InvitationAnswer.PENDING,
            meeting__status=MeetingStatus.SCHEDULED,
            meeting__starts_at__gte=timezone.now(),
        ).select_related("meeting")
    }


def home_upcoming(user):
    """Everyone's home page: the next meetings the user may see."""
    upcoming = (
        visible_meetings(user)
        .filter(status=MeetingStatus.SCHEDULED, starts_at__gte=timezone.now())
        .order_by("starts_at")
    )
    return {"upcoming_meetings": upcoming[:5]}


def home_absences(user):
    """The organizers' home page: organizations absent from the last two quarterly meetings, and
    the special meeting requests waiting to be scheduled."""
    if not is_meeting_organizer(user):
        return None
    active = visible_orgs(user).filter(status=OrgStatus.ACTIVE)
    return {
        "missed_two": orgs_missing_two_quarterlies(active)[:20],
        "open_requests": SpecialMeetingRequest.objects.filter(status=RequestStatus.OPEN).count(),
    }
