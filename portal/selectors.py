"""Reads for the home dashboards; every organization count goes through duties.access."""

import datetime

from django.db.models import Count
from django.utils import timezone

from duties.access import org_audience, roles, visible_meetings, visible_orgs
from meetings.models import MeetingInvitation, MeetingStatus, SpecialMeetingRequest
from meetings.selectors import orgs_missing_two_quarterlies
from orgs.models import OrgStatus

from . import calendar, generations

EXPIRY_WINDOW_DAYS = 180


def registry_stats(user, orgs, today):
    """The registry figures of a home page: a few aggregate queries over every organization the
    user sees, identical for everyone who sees the same organizations, so cached per audience
    until an organization changes (``portal.generations``)."""

    def build():
        horizon = today + datetime.timedelta(days=EXPIRY_WINDOW_DAYS)
        active = orgs.filter(status=OrgStatus.ACTIVE)
        fields = ("pk", "name", "term_end", "certificate_valid_until")
        status_counts = {
            row["status"]: row["n"]
            for row in orgs.values("status").annotate(n=Count("pk")).order_by()
        }
        return {
            "status_counts": status_counts,
            "org_total": sum(status_counts.values()),
            "terms_ending": list(
                active.filter(term_end__gte=today, term_end__lte=horizon)
                .order_by("term_end")
                .values(*fields)[:10]
            ),
            "terms_expired": active.filter(term_end__lt=today).count(),
            "certificates_ending": list(
                active.filter(certificate_valid_until__lte=horizon)
                .order_by("certificate_valid_until")
                .values(*fields)[:10]
            ),
            "unconfirmed_codes": orgs.filter(credit_code_check_failed=True).count(),
        }

    return generations.cached(
        f"portal:dashboard:{org_audience(user)}:{today.isoformat()}", build, generations.REGISTRY
    )


def division_stats(user, r, orgs):
    """The organizations in a liaison user's own divisions, cached like ``registry_stats``."""

    def build():
        own = orgs.filter(liaison_division_id__in=r.liaison_division_ids)
        return {
            "my_division_orgs": list(own.order_by("name").values("pk", "name")[:15]),
            "my_division_org_count": own.count(),
        }

    return generations.cached(
        f"portal:dashboard:division:{org_audience(user)}", build, generations.REGISTRY
    )


def dashboard(user):
    r = roles(user)
    today = timezone.localdate()
    orgs = visible_orgs(user)
    data = {"roles": r, "today": today}
    if r.is_org_user:
        data["my_org"] = orgs.select_related("liaison_division").filter(pk=r.org_id).first()
    if r.is_bureau_staff:
        data.update(registry_stats(user, orgs, today))
    if r.is_admin:
        data["unassigned"] = (
            orgs.filter(liaison_division__isnull=True)
            .exclude(status__in=[OrgStatus.DEREGISTERED, OrgStatus.REVOKED])
            .order_by("name")[:10]
        )
        data["unassigned_count"] = (
            orgs.filter(liaison_division__isnull=True)
            .exclude(status__in=[OrgStatus.DEREGISTERED, OrgStatus.REVOKED])
            .count()
        )
    if r.is_liaison:
        data.update(division_stats(user, r, orgs))
    if r.division_ids:
        from reports.selectors import queue_summary

        data.update(queue_summary(user))
    if r.is_org_user:
        from reports.selectors import follow_ups

        data["follow_ups"] = follow_ups(user)[:10]
    upcoming = (
        visible_meetings(user)
        .filter(status=MeetingStatus.SCHEDULED, starts_at__gte=timezone.now())
        .order_by("starts_at")
    )
    data["upcoming_meetings"] = upcoming[:5]
    if r.is_org_user:
        data["unanswered_invitations"] = MeetingInvitation.objects.filter(
            organization_id=r.org_id,
            response="pending",
            meeting__status=MeetingStatus.SCHEDULED,
            meeting__starts_at__gte=timezone.now(),
        ).select_related("meeting")
    if r.is_admin or r.is_policy:
        data["missed_two"] = orgs_missing_two_quarterlies(orgs.filter(status=OrgStatus.ACTIVE))[:20]
        data["open_requests"] = SpecialMeetingRequest.objects.filter(status="open").count()
        next_year = today.year + 1
        data["unconfirmed_years"] = [
            y for y in (today.year, next_year) if not calendar.year_confirmed(y)
        ]
    return data
