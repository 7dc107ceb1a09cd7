"""Reads of the registry for the home page; every organization count goes through duties.access."""

import datetime

from django.contrib.auth.models import Permission
from django.db.models import Count
from django.utils import timezone

from duties.access import org_audience, roles, supervised_q, visible_orgs
from portal import generations

from .models import Organization, OrganizationGroupObjectPermission, OrgStatus

EXPIRY_WINDOW_DAYS = 180


def registry_stats(user, orgs, today):
    """The registry figures of a home page: a few aggregate queries over every organization the
    user sees, identical for everyone who sees the same organizations, so cached per audience
    until an organization changes (``portal.generations``)."""

    def build():
        horizon = today + datetime.timedelta(days=EXPIRY_WINDOW_DAYS)
        active = orgs.filter(status=OrgStatus.ACTIVE)
        fields = ("pk", "name", "term_end", "certificate_valid_until")
        status_counts = {
            row["status"]: row["n"]
            for row in orgs.values("status").annotate(n=Count("pk")).order_by()
        }
        return {
            "status_counts": status_counts,
            "org_total": sum(status_counts.values()),
            "terms_ending": list(
                active.filter(term_end__gte=today, term_end__lte=horizon)
                .order_by("term_end")
                .values(*fields)[:10]
            ),
            "terms_expired": active.filter(term_end__lt=today).count(),
            "certificates_ending": list(
                active.filter(certificate_valid_until__lte=horizon)
                .order_by("certificate_valid_until")
                .values(*fields)[:10]
            ),
            "unconfirmed_codes": orgs.filter(credit_code_check_failed=True).count(),
        }

    return generations.cached(
        f"portal:dashboard:{org_audience(user)}:{today.isoformat()}",
        build,
        reads=(Organization, OrganizationGroupObjectPermission, Permission),
    )


def division_stats(user, r, orgs):
    """The organizations in a liaison user's own divisions, cached like ``registry_stats``."""

    def build():
        own = orgs.filter(supervised_q(r.liaison_group_ids))
        return {
            "my_division_orgs": list(own.order_by("name").values("pk", "name")[:15]),
            "my_division_org_count": own.count(),
        }

    return generations.cached(
        f"portal:dashboard:division:{org_audience(user)}",
        build,
        reads=(Organization, OrganizationGroupObjectPermission, Permission),
    )


def home_my_org(user):
    """An organization user's home page: their organization's profile in brief."""
    r = roles(user)
    if not r.is_org_user:
        return None
    return {
        "my_org": visible_orgs(user).select_related("liaison_division").filter(pk=r.org_id).first(),
        "today": timezone.localdate(),
    }


def home_registry(user):
    """Bureau staff's home page: the registry's figures; for admins the organizations without a
    liaison division, for liaison staff their own division's."""
    r = roles(user)
    if not r.is_bureau_staff:
        return None
    orgs = visible_orgs(user)
    data = registry_stats(user, orgs, timezone.localdate())
    if r.is_admin:
        unassigned = orgs.filter(liaison_division__isnull=True).exclude(
            status__in=[OrgStatus.DEREGISTERED, OrgStatus.REVOKED]
        )
        data["unassigned"] = unassigned.order_by("name")[:10]
        data["unassigned_count"] = unassigned.count()
    if r.is_liaison:
        data.update(division_stats(user, r, orgs))
    return data
