"""What the clock sends about rectifications (registered in ``SupervisionConfig.ready()``)."""

import datetime

from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from duties.access import division_user_ids, org_user_ids
from duties.models import Division, DivisionKind
from portal import calendar
from portal.clock import Plan, at_send_hour, conf, in_window

from .models import RECTIFICATION_RUNNING, EntryState, ListEntry, Rectification, SupervisionRules


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
            title = _("Rectification due by %(date)s") % {
                "date": date_format(r.due_on, "DATE_FORMAT")
            }
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
            title = _("Rectification overdue since %(date)s") % {
                "date": date_format(r.due_on, "DATE_FORMAT")
            }
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


def plan_credit_proposals(now):
    """A list entry proposed and not confirmed within the rules' working days (a credit entry is
    recorded within five working days of its source): Policy is reminded, once."""
    today = timezone.localdate(now)
    days = SupervisionRules.current().credit_record_days
    lookback = now - datetime.timedelta(days=conf("lookback_days") + days * 2 + 14)
    proposals = list(
        ListEntry.objects.filter(state=EntryState.PROPOSED, proposed_at__gte=lookback)
        .select_related("organization")
        .order_by("pk")
    )
    if not proposals:
        return
    keepers = [
        user_id
        for ids in division_user_ids(
            list(Division.objects.filter(kind=DivisionKind.POLICY).values_list("pk", flat=True))
        ).values()
        for user_id in ids
    ]
    for entry in proposals:
        due_at = at_send_hour(calendar.add_workdays(timezone.localdate(entry.proposed_at), days))
        if due_at.date() > today or not in_window(due_at, now):
            continue
        title = (
            _("A credit list proposal is waiting for confirmation") + f"：{entry.organization.name}"
        )
        url = reverse("supervision:credit_entry", args=[entry.pk])
        for user_id in keepers:
            yield Plan(
                "credit_proposal_late", user_id, "list_entry", entry.pk, due_at, title, "", url
            )
