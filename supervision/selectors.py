"""What the supervision pages and the home page read, each through ``duties.access``."""

from django.db.models import Count, Q
from django.utils import timezone

from duties import access
from portal import calendar

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
    }
