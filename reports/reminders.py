"""What the clock sends about filings (registered in ``ReportsConfig.ready()``)."""

import datetime

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from duties.access import division_user_ids, org_user_ids
from portal import calendar
from portal.clock import Plan, at_send_hour, conf, in_window

from . import workflow
from .models import Filing, FilingState


def plan_filings(now):
    """Reviews due soon and overdue (to the lead division), returned filings waiting for their
    revision and summaries due after an event (to the organization)."""
    today = timezone.localdate(now)
    lookback_day = today - datetime.timedelta(days=conf("lookback_days"))
    soon = workflow.due_soon_workdays()
    soon_by = calendar.add_workdays(today, soon)
    open_filings = Filing.objects.filter(
        state__in=workflow.AWAITING_REVIEW, lead_division__isnull=False
    )

    by_division = {}
    rows = []
    for filing in open_filings.filter(review_due_on__gte=lookback_day, review_due_on__lte=soon_by):
        if filing.review_due_on >= today:
            kind = "review_due_soon"
            due_at = at_send_hour(calendar.add_workdays(filing.review_due_on, -soon))
            title = _("Review due by %(date)s") % {"date": filing.review_due_on}
        else:
            kind = "review_overdue"
            due_at = at_send_hour(filing.review_due_on + datetime.timedelta(days=1))
            title = _("Review overdue since %(date)s") % {"date": filing.review_due_on}
        rows.append((filing, kind, due_at, title))
        by_division.setdefault(filing.lead_division_id, None)
    members = division_user_ids(list(by_division))
    for filing, kind, due_at, title in rows:
        if not in_window(due_at, now):
            continue
        url = reverse("reports:detail", args=[filing.pk])
        for user_id in members.get(filing.lead_division_id, []):
            yield Plan(
                kind, user_id, "filing", filing.pk, due_at, f"{title}：{filing.title}", "", url
            )

    wait = datetime.timedelta(days=conf("returned_waiting_days"))
    lookback = datetime.timedelta(days=conf("lookback_days"))
    returned = list(
        Filing.objects.filter(
            state=FilingState.RETURNED,
            state_changed_at__lte=now - wait,
            state_changed_at__gt=now - wait - lookback,
        )
    )
    org_users = org_user_ids({f.organization_id for f in returned})
    for filing in returned:
        due_at = filing.state_changed_at + wait
        url = reverse("reports:detail", args=[filing.pk])
        for user_id in org_users.get(filing.organization_id, []):
            yield Plan(
                "returned_waiting",
                user_id,
                "filing",
                filing.pk,
                due_at,
                _("Waiting for your revision: %(title)s") % {"title": filing.title},
                "",
                url,
            )

    before = datetime.timedelta(days=conf("summary_days_before"))
    summaries = list(
        Filing.objects.filter(
            summary_due_on__isnull=False,
            summary_submitted_at__isnull=True,
            summary_due_on__gte=lookback_day - datetime.timedelta(days=1),
            summary_due_on__lte=today + before,
        )
    )
    org_users = org_user_ids({f.organization_id for f in summaries})
    for filing in summaries:
        url = reverse("reports:detail", args=[filing.pk])
        for kind, day, title in (
            (
                "summary_due",
                filing.summary_due_on - before,
                _("Summary due by %(date)s: %(title)s"),
            ),
            (
                "summary_overdue",
                filing.summary_due_on + datetime.timedelta(days=1),
                _("Summary overdue since %(date)s: %(title)s"),
            ),
        ):
            due_at = at_send_hour(day)
            if not in_window(due_at, now):
                continue
            for user_id in org_users.get(filing.organization_id, []):
                yield Plan(
                    kind,
                    user_id,
                    "filing",
                    filing.pk,
                    due_at,
                    title % {"date": filing.summary_due_on, "title": filing.title},
                    "",
                    url,
                )
