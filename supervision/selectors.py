"""What the supervision pages and the home page read, each through ``duties.access``."""

import datetime

from django.db.models import (
    BooleanField,
    Case,
    CharField,
    Count,
    ExpressionWrapper,
    OuterRef,
    Q,
    Subquery,
    Value,
    When,
)
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from duties import access
from orgs.models import AnnualInspection
from portal import calendar
from reports.models import Filing, FormKind
from reports.workflow import AWAITING_REVIEW, DECIDED, FilingState

from .models import (
    RECTIFICATION_RUNNING,
    RECTIFICATION_UNFINISHED,
    EntryState,
    RectificationState,
    SupervisionRules,
)

#: The tabs of the rectification list, each a condition on the rows the user may see.
TABS = ("unfinished", "due_soon", "overdue", "reported", "closed")


def due_soon_by(today=None):
    """The last deadline that counts as due soon today: the rules' reminder lead time."""
    today = today or timezone.localdate()
    return calendar.add_workdays(today, SupervisionRules.current().rectification_remind_days)


def tab_q(tab, today=None, soon_by=None):
    today = today or timezone.localdate()
    soon_by = soon_by or due_soon_by(today)
    return {
        "unfinished": Q(state__in=RECTIFICATION_UNFINISHED),
        "due_soon": Q(state__in=RECTIFICATION_RUNNING, due_on__gte=today) & Q(due_on__lte=soon_by),
        "overdue": Q(state__in=RECTIFICATION_RUNNING, due_on__lt=today),
        "reported": Q(state=RectificationState.REPORTED),
        "closed": Q(state__in=(RectificationState.CLOSED, RectificationState.WITHDRAWN)),
    }[tab]


def rectifications(user, tab="unfinished", organization_id=None):
    rows = access.visible_rectifications(user).filter(tab_q(tab))
    if organization_id is not None:
        rows = rows.filter(organization_id=organization_id)
    return rows.select_related("organization", "division").order_by("due_on", "pk")


def counts(user):
    """How many of the rectifications ``user`` may see are in each tab: one query."""
    today = timezone.localdate()
    soon_by = due_soon_by(today)
    return access.visible_rectifications(user).aggregate(
        **{tab: Count("pk", filter=tab_q(tab, today, soon_by)) for tab in TABS}
    )


def home_rectifications(user):
    """The organization's unfinished rectifications; for bureau staff who follow them, the
    counts."""
    if access.is_org_user(user):
        rows = list(rectifications(user)[:10])
        return (
            {"my_rectifications": rows, "rectifications_today": timezone.localdate()}
            if rows
            else None
        )
    if access.roles(user).division_ids or access.sees_all_supervision(user):
        numbers = counts(user)
        if numbers["unfinished"]:
            return {"rectification_counts": numbers}
    return None


ENTRY_TABS = ("proposed", "abnormal", "serious", "blacklist", "exited")


def _entry_tab_q(tab):
    if tab == "proposed":
        return Q(state=EntryState.PROPOSED)
    if tab == "exited":
        return Q(state__in=(EntryState.EXITED, EntryState.DISMISSED))
    return Q(state=EntryState.ACTIVE, credit_list=tab)


def list_entries(user, tab="proposed", organization_id=None):
    rows = access.visible_list_entries(user).filter(_entry_tab_q(tab))
    if organization_id is not None:
        rows = rows.filter(organization_id=organization_id)
    return rows.select_related("organization").order_by("-proposed_at", "-pk")


def entry_counts(user):
    return access.visible_list_entries(user).aggregate(
        **{tab: Count("pk", filter=_entry_tab_q(tab)) for tab in ENTRY_TABS}
    )


def credit_records(user, organization_id=None):
    rows = access.visible_credit_records(user)
    if organization_id is not None:
        rows = rows.filter(organization_id=organization_id)
    return rows.select_related("organization", "recorded_by")


def org_standing(user, org):
    """The credit and supervision panel of an organization's profile, for who may see it."""
    if not access.can(user, access.VIEW, org):
        return None
    staff = access.is_bureau_staff(user)
    return {
        "entries": list(
            access.visible_list_entries(user)
            .filter(organization=org)
            .exclude(state=EntryState.DISMISSED)
            .order_by("-proposed_at")[:10]
        ),
        "records": list(credit_records(user, org.pk)[:10]),
        "rectifications": list(
            access.visible_rectifications(user)
            .filter(organization=org, state__in=RECTIFICATION_UNFINISHED)
            .select_related("division")[:10]
        ),
        "grade_refusals": access.grade_eligibility(org),
        "may_propose": staff and access.may_propose_entry(user, org),
        "may_open": staff and access.may_open_rectification(user, org),
        "may_open_case": access.keeps_cases(user),
    }


# --- the annual inspection campaign ----------------------------------------------------------

#: Where each organization of a campaign stands, in the order of the page's tabs.
INSPECTION_STATUSES = {
    "not_submitted": _("Not submitted"),
    "in_review": _("Submitted, in review"),
    "returned": _("Returned for revision"),
    "refused": _("Preliminary review not passed"),
    "passed": _("Preliminary review passed"),
}


def _campaign_filings(year):
    return Filing.objects.filter(
        organization=OuterRef("pk"),
        matter__form_kind=FormKind.ANNUAL_INSPECTION,
        details__year=year,
        first_submitted_at__isnull=False,
    ).exclude(state=FilingState.WITHDRAWN)


def campaign_rows(user, campaign, status=None, late=None, today=None):
    """The organizations of ``campaign`` that ``user`` may see, each with where it stands: its
    latest submitted filing's state, when it first came in, the year's result, and whether it
    is late (submitted after the due date, or not yet and the date has passed)."""
    today = today or timezone.localdate()
    filings = _campaign_filings(campaign.year).order_by("-first_submitted_at", "-pk")
    rows = (
        access.visible_orgs(user)
        .filter(access.inspection_population_q(campaign.year))
        .annotate(
            filing_id=Subquery(filings.values("pk")[:1]),
            filing_state=Subquery(filings.values("state")[:1]),
            submitted_at=Subquery(filings.values("first_submitted_at")[:1]),
            result=Subquery(
                AnnualInspection.objects.filter(
                    organization=OuterRef("pk"), year=campaign.year
                ).values("result")[:1]
            ),
        )
        .annotate(
            inspection_status=Case(
                When(result__isnull=False, then=Value("passed")),
                When(filing_state__in=AWAITING_REVIEW, then=Value("in_review")),
                When(filing_state=FilingState.RETURNED, then=Value("returned")),
                When(filing_state=FilingState.REFUSED, then=Value("refused")),
                When(filing_state__in=DECIDED, then=Value("passed")),
                default=Value("not_submitted"),
                output_field=CharField(),
            ),
        )
    )
    due_end = timezone.make_aware(
        datetime.datetime.combine(campaign.due_on + datetime.timedelta(days=1), datetime.time())
    )
    late_q = Q(submitted_at__gte=due_end)
    if today > campaign.due_on:
        late_q |= Q(submitted_at__isnull=True)
    rows = rows.annotate(late=ExpressionWrapper(late_q, output_field=BooleanField()))
    if status in INSPECTION_STATUSES:
        rows = rows.filter(inspection_status=status)
    if late:
        rows = rows.filter(late_q)
    return rows.select_related("liaison_division").order_by("name", "pk")


def campaign_counts(user, campaign):
    rows = campaign_rows(user, campaign)
    counts = {
        row["inspection_status"]: row["n"]
        for row in rows.order_by().values("inspection_status").annotate(n=Count("pk"))
    }
    return {
        "total": sum(counts.values()),
        "late": rows.filter(late=True).count(),
        **{name: counts.get(name, 0) for name in INSPECTION_STATUSES},
    }
