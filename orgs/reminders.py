"""What the clock sends about organizations (registered in ``OrgsConfig.ready()``)."""

import datetime

from dateutil.relativedelta import relativedelta
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from duties.access import division_user_ids, org_user_ids
from portal.clock import Plan, at_send_hour, conf, in_window
from reports.models import Filing, FilingState

from .models import ANNUAL_INSPECTION_TYPES, Organization, OrgStatus


def plan_organizations(now):
    """Annual inspection by 31 March; term expiry; certificate and grade validity."""
    today = timezone.localdate(now)
    lookback_day = today - datetime.timedelta(days=conf("lookback_days"))
    active = Organization.objects.filter(status=OrgStatus.ACTIVE)

    # Annual inspection: the types that take part (ANNUAL_INSPECTION_TYPES), registered at least
    # six months before the end of the year inspected.
    year = today.year
    for md in conf("annual_inspection_dates"):
        month, day = (int(x) for x in md.split("-"))
        due_at = at_send_hour(datetime.date(year, month, day))
        if not in_window(due_at, now):
            continue
        done = Filing.objects.filter(
            matter__code="annual_inspection", first_submitted_at__year=year
        ).exclude(state__in=[FilingState.DRAFT, FilingState.WITHDRAWN, FilingState.REFUSED])
        orgs = (
            active.filter(org_type__in=sorted(ANNUAL_INSPECTION_TYPES))
            .filter(
                Q(registered_on__isnull=True) | Q(registered_on__lte=datetime.date(year - 1, 6, 30))
            )
            .exclude(pk__in=done.values("organization_id"))
        )
        org_ids = list(orgs.values_list("pk", flat=True))
        title = _("Annual inspection of %(year)d: submit by 31 March") % {"year": year - 1}
        url = reverse("reports:mine")
        for org_id, user_ids in org_user_ids(org_ids).items():
            for user_id in user_ids:
                yield Plan(
                    "annual_inspection", user_id, "organization", org_id, due_at, title, "", url
                )

    checks = [
        ("term_end", "term_expiry", months, _("Term ends on %(date)s: prepare the renewal"))
        for months in conf("term_months_before")
    ]
    checks.append(
        (
            "certificate_valid_until",
            "certificate_expiry",
            conf("certificate_months_before"),
            _("Registration certificate valid until %(date)s"),
        )
    )
    checks.append(
        (
            "grade_valid_until",
            "grade_expiry",
            conf("grade_months_before"),
            _("Grade evaluation valid until %(date)s"),
        )
    )
    for field, kind, months, title in checks:
        delta = relativedelta(months=months)
        orgs = list(
            active.filter(
                # Month arithmetic is not reversible at month ends (31 Aug - 6 months = 28 Feb),
                # so select generously and let in_window decide on the exact due time.
                **{
                    f"{field}__gt": lookback_day + delta - datetime.timedelta(days=4),
                    f"{field}__lte": today + delta + datetime.timedelta(days=4),
                }
            ).values_list("pk", field, "liaison_division_id")
        )
        org_users = org_user_ids([o[0] for o in orgs])
        liaison = division_user_ids({o[2] for o in orgs if o[2]})
        for org_id, date, division_id in orgs:
            due_at = at_send_hour(date - delta)
            if not in_window(due_at, now):
                continue
            url = reverse("orgs:detail", args=[org_id])
            for user_id in set(org_users.get(org_id, [])) | set(liaison.get(division_id, [])):
                yield Plan(
                    f"{kind}_{months}m",
                    user_id,
                    "organization",
                    org_id,
                    due_at,
                    title % {"date": date},
                    "",
                    url,
                )
