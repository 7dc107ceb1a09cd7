"""What the supervision pages and the home page read, each through ``duties.access``."""

from django.db.models import Count, Q
from django.utils import timezone

from duties import access
from portal import calendar

from .models import (
    RECTIFICATION_RUNNING,
    RECTIFICATION_UNFINISHED,
    RectificationState,
    SupervisionRules,
)

#: The tabs of the rectification list, each a condition on the rows the user may see.
TABS = ("unfinished", "due_soon", "overdue", "reported", "closed")


def due_soon_by(today=None):
    """The last deadline that counts as due soon today: the rules' reminder lead time."""
    today = today or timezone.localdate()
    return calendar.add_workdays(today, SupervisionRules.current().rectification_remind_days)


def tab_q(tab, today=None):
    today = today or timezone.localdate()
    return {
        "unfinished": Q(state__in=RECTIFICATION_UNFINISHED),
        "due_soon": Q(state__in=RECTIFICATION_RUNNING, due_on__gte=today)
        & Q(due_on__lte=due_soon_by(today)),
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
    return access.visible_rectifications(user).aggregate(
        **{tab: Count("pk", filter=tab_q(tab, today)) for tab in TABS}
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
