"""Reads for the home dashboards; every organization count goes through duties.access."""

import datetime

from django.db.models import Count
from django.utils import timezone

from duties.access import roles, visible_orgs
from orgs.models import OrgStatus

EXPIRY_WINDOW_DAYS = 180


def dashboard(user):
    r = roles(user)
    today = timezone.localdate()
    horizon = today + datetime.timedelta(days=EXPIRY_WINDOW_DAYS)
    orgs = visible_orgs(user)
    active = orgs.filter(status=OrgStatus.ACTIVE)
    data = {"roles": r, "today": today}
    if r.is_org_user:
        data["my_org"] = orgs.select_related("liaison_division").filter(pk=r.org_id).first()
    if r.is_bureau_staff:
        data["status_counts"] = {
            row["status"]: row["n"]
            for row in orgs.values("status").annotate(n=Count("pk")).order_by()
        }
        data["org_total"] = sum(data["status_counts"].values())
        data["terms_ending"] = (
            active.filter(term_end__gte=today, term_end__lte=horizon)
            .select_related("liaison_division")
            .order_by("term_end")[:10]
        )
        data["terms_expired"] = active.filter(term_end__lt=today).count()
        data["certificates_ending"] = (
            active.filter(certificate_valid_until__lte=horizon)
            .select_related("liaison_division")
            .order_by("certificate_valid_until")[:10]
        )
        data["unconfirmed_codes"] = orgs.filter(credit_code_check_failed=True).count()
    if r.is_admin:
        data["unassigned"] = (
            orgs.filter(liaison_division__isnull=True)
            .exclude(status__in=[OrgStatus.DEREGISTERED, OrgStatus.REVOKED])
            .order_by("name")[:10]
        )
        data["unassigned_count"] = (
            orgs.filter(liaison_division__isnull=True)
            .exclude(status__in=[OrgStatus.DEREGISTERED, OrgStatus.REVOKED])
            .count()
        )
    if r.is_liaison:
        data["my_division_orgs"] = orgs.filter(liaison_division_id__in=r.division_ids).order_by(
            "name"
        )[:15]
        data["my_division_org_count"] = orgs.filter(liaison_division_id__in=r.division_ids).count()
    return data
