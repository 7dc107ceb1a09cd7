"""Reads of filings that depend on who asks; all start from ``duties.access``."""

from django.db.models import Q
from django.utils import timezone

from duties import access
from portal import calendar, generations
from portal.pagination import bounded_count

from .models import OPEN_STATES, Filing, FilingState, Opinion, OpinionState
from .services import DUE_SOON_WORKDAYS


def deadline_marks():
    today = timezone.localdate()
    return today, calendar.add_workdays(today, DUE_SOON_WORKDAYS)


LEAD, OPINION = "lead", "opinion"


def review_queue(user, tab=LEAD):
    """A division's work, in two lists that each read one index:

    - ``lead``: open filings the user's divisions lead (index ``filing_open_queue_idx``);
    - ``opinion``: filings in review waiting for their divisions' opinion.

    Both are exactly what ``duties.access`` lets the division see (a lead sees its filings, a
    division asked for an opinion sees that filing; restricted filings ask nobody), so neither
    needs the general visibility filter.
    """
    r = access.roles(user)
    if not r.division_ids:
        return Filing.objects.none()
    if tab == OPINION:
        waiting = Opinion.objects.filter(
            division_id__in=r.division_ids, state=OpinionState.PENDING
        ).values("filing_id")
        qs = Filing.objects.filter(pk__in=waiting, state=FilingState.IN_REVIEW, restricted=False)
    else:
        qs = Filing.objects.filter(lead_division_id__in=r.division_ids, state__in=OPEN_STATES)
    return qs.select_related("organization", "matter", "lead_division").order_by(
        "review_due_on", "pk"
    )


def queue_audience(user):
    """Users of the same divisions share the same review queue (``review_queue`` reads nothing
    else of the user), so its listings are cached per set of divisions."""
    return "divisions-" + "-".join(str(d) for d in sorted(access.roles(user).division_ids))


def queue_summary(user):
    """The home page's view of the queue: counts and the first filings due, cached per set of
    divisions until a filing or an organization changes (``portal.generations``)."""
    today, soon_by = deadline_marks()

    def build():
        queue = review_queue(user)
        return {
            "queue_count": bounded_count(queue),
            "queue_overdue": bounded_count(queue.filter(review_due_on__lt=today)),
            "queue_due_soon": bounded_count(
                queue.filter(review_due_on__gte=today, review_due_on__lte=soon_by)
            ),
            "queue_top": list(queue[:8]),
            "opinion_count": bounded_count(review_queue(user, OPINION)),
        }

    return generations.cached(
        f"portal:queue-summary:{queue_audience(user)}:{today}:{soon_by}",
        build,
        generations.FILINGS,
        generations.REGISTRY,
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
