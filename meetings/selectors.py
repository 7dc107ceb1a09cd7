"""Reads about meetings that depend on who asks."""

from duties.access import roles, visible_meetings

from .models import Meeting, MeetingInvitation, MeetingKind, MeetingStatus


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
