"""Reads of filings that depend on who asks; all start from ``duties.access``."""

from django.db.models import Q
from django.utils import timezone

from duties import access
from duties.models import Division
from orgs.models import Organization
from portal import generations
from portal.pagination import bounded_count

from . import workflow
from .models import Filing, FilingState, MatterType, Opinion

LEAD, OPINION = access.LEAD, access.OPINION


def deadline_marks():
    return workflow.deadline_marks(timezone.localdate())


def review_queue(user, tab=LEAD):
    """The review queue of ``user``'s divisions (``duties.access.review_queue``), by deadline."""
    return (
        access.review_queue(user, tab)
        .select_related("organization", "matter", "lead_division")
        .order_by("review_due_on", "pk")
    )


queue_audience = access.queue_audience


def queue_summary(user):
    """The home page's view of the queue: counts and the first filings due, cached per set of
    divisions until a filing or an organization changes (``portal.generations``)."""
    today, soon_by = deadline_marks()

    def build():
        queue = review_queue(user)
        return {
            "queue_count": bounded_count(queue),
            "queue_overdue": bounded_count(queue.filter(workflow.overdue_q(today))),
            "queue_due_soon": bounded_count(queue.filter(workflow.due_soon_q(today, soon_by))),
            "queue_top": list(queue[:8]),
            "opinion_count": bounded_count(review_queue(user, OPINION)),
        }

    return generations.cached(
        f"portal:queue-summary:{queue_audience(user)}:{today}:{soon_by}",
        build,
        reads=(Filing, Opinion, Organization, MatterType, Division),
    )


def org_filings(user, org):
    """The filings of ``org`` that ``user`` may see, newest first."""
    return (
        access.visible_filings(user)
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
        access.restrict_filings(Filing.objects.all(), user, access.F_AUTHOR)
        .filter(
            Q(state=FilingState.RETURNED)
            | Q(summary_due_on__isnull=False, summary_submitted_at__isnull=True)
        )
        .select_related("matter")
        .order_by("summary_due_on", "-pk")
    )


def home_follow_ups(user):
    """An organization user's home page: what waits for them."""
    if not access.roles(user).is_org_user:
        return None
    return {"follow_ups": follow_ups(user)[:10]}


def home_queue(user):
    """A division member's home page: the review queue in brief."""
    if not access.roles(user).division_ids:
        return None
    return queue_summary(user)


def moving_with_liaison(org):
    """The filings in progress of ``org`` that follow its liaison division when it is
    reassigned (``reports.services.reroute_open_filings``): those the division leads and those
    waiting for its opinion."""
    old = org.liaison_division_id
    if old is None:
        return Filing.objects.none()
    waiting = Opinion.objects.filter(division_id=old, state=workflow.OpinionState.PENDING)
    return (
        Filing.objects.filter(organization=org, state__in=workflow.IN_PROGRESS)
        .filter(Q(lead_division_id=old) | Q(pk__in=waiting.values("filing_id")))
        .select_related("matter")
        .order_by("review_due_on", "pk")
    )
