"""Reads of filings that depend on who asks; all start from ``duties.access``."""

from django.db.models import Exists, OuterRef, Q
from django.utils import timezone

from duties import access
from portal import calendar

from .models import OPEN_STATES, Filing, FilingState, Opinion, OpinionState
from .services import DUE_SOON_WORKDAYS


def deadline_marks():
    today = timezone.localdate()
    return today, calendar.add_workdays(today, DUE_SOON_WORKDAYS)


def review_queue(user):
    """Open filings the user's divisions lead, and those waiting for their division's opinion."""
    r = access.roles(user)
    if not r.division_ids:
        return Filing.objects.none()
    waiting_opinion = Exists(
        Opinion.objects.filter(
            filing=OuterRef("pk"), division_id__in=r.division_ids, state=OpinionState.PENDING
        )
    )
    return (
        Filing.objects.restrict(user)
        .filter(
            Q(lead_division_id__in=r.division_ids, state__in=OPEN_STATES)
            | (Q(state=FilingState.IN_REVIEW) & waiting_opinion)
        )
        .annotate(awaiting_my_opinion=waiting_opinion)
        .select_related("organization", "matter", "lead_division")
        .order_by("review_due_on", "pk")
    )


def org_filings(user, org):
    """The filings of ``org`` that ``user`` may see, newest first."""
    return (
        Filing.objects.restrict(user)
        .filter(organization=org)
        .select_related("matter", "lead_division")
        .order_by("-created_at", "-pk")
    )


def timeline(user, filing):
    events = filing.events.select_related("actor", "division")
    if not access.sees_internal(user):
        events = events.filter(internal=False)
    return events


def attachments(user, filing):
    qs = filing.attachments.filter(removed_at__isnull=True).select_related("uploaded_by")
    if not access.sees_internal(user):
        qs = qs.filter(internal=False)
    return qs


def follow_ups(user):
    """What an organization must do next: returned filings and summaries due."""
    r = access.roles(user)
    if not r.is_org_user:
        return Filing.objects.none()
    return (
        Filing.objects.restrict(user, access.F_AUTHOR)
        .filter(
            Q(state=FilingState.RETURNED)
            | Q(summary_due_on__isnull=False, summary_submitted_at__isnull=True)
        )
        .select_related("matter")
        .order_by("summary_due_on", "-pk")
    )
