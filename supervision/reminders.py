"""What the clock sends about rectifications (registered in ``SupervisionConfig.ready()``)."""

import datetime

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from duties.access import division_user_ids, org_user_ids
from portal import calendar
from portal.clock import Plan, at_send_hour, conf, in_window

from .models import RECTIFICATION_RUNNING, Rectification, SupervisionRules


def plan_rectifications(now):
    """Before a rectification's deadline (to the organization) and the day after it passes (to
    the organization and the responsible division)."""
    today = timezone.localdate(now)
    lead = SupervisionRules.current().rectification_remind_days
    lookback = today - datetime.timedelta(days=conf("lookback_days") + 1)
    rows = list(
        Rectification.objects.filter(
            state__in=RECTIFICATION_RUNNING,
            due_on__gte=lookback,
            due_on__lte=calendar.add_workdays(today, lead),
        ).select_related("organization")
    )
    org_users = org_user_ids({r.organization_id for r in rows})
    members = division_user_ids({r.division_id for r in rows})
    for r in rows:
        url = reverse("supervision:rectification", args=[r.pk])
        name = r.organization.name
        soon_at = at_send_hour(calendar.add_workdays(r.due_on, -lead)) if lead else None
        if soon_at is not None and in_window(soon_at, now):
            title = _("Rectification due by %(date)s") % {"date": r.due_on.isoformat()}
            for user_id in org_users.get(r.organization_id, []):
                yield Plan(
                    "rectification_due_soon",
                    user_id,
                    "rectification",
                    r.pk,
                    soon_at,
                    f"{title}：{name}",
                    "",
                    url,
                )
        over_at = at_send_hour(r.due_on + datetime.timedelta(days=1))
        if in_window(over_at, now):
            title = _("Rectification overdue since %(date)s") % {"date": r.due_on.isoformat()}
            for user_id in org_users.get(r.organization_id, []) + members.get(r.division_id, []):
                yield Plan(
                    "rectification_overdue",
                    user_id,
                    "rectification",
                    r.pk,
                    over_at,
                    f"{title}：{name}",
                    "",
                    url,
                )
