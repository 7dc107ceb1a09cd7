"""Demo supervision records, written through the services like real use: an overdue
rectification (the clock then proposes its abnormal-list entry), an organization on the abnormal
list, and a rectification reported and waiting for verification."""

import datetime

from django.contrib.auth import get_user_model
from django.core.files.base import ContentFile
from django.utils import timezone

from orgs.models import OrganizationUser
from reports.demo import DEMO_PDF

from . import credit, services
from .models import Rectification, RectificationSource


def _u(username):
    return get_user_model().objects.get(username=username)


def _org_of(username):
    return (
        OrganizationUser.objects.select_related("organization")
        .get(user__username=username)
        .organization
    )


def seed_demo_supervision():
    today = timezone.localdate()
    org_a, org_b, org_c = _org_of("org-a1"), _org_of("org-b1"), _org_of("org-c1")

    # Org B: a violation's rectification, verified by the discipline commission, now overdue.
    r = services.rectification_open(
        actor=_u("discipline"),
        organization=org_b,
        items="退还超标准收取的会员费，修订会费标准并报会员大会审议。",
        source=RectificationSource.VIOLATION,
    )
    Rectification.objects.filter(pk=r.pk).update(due_on=today - datetime.timedelta(days=6))

    # Org A: reported, waiting for its liaison division to verify.
    r = services.rectification_open(
        actor=_u("liaison-a"),
        organization=org_a,
        items="补报2026年第三季度重大活动总结，完善活动报告制度。",
    )
    services.rectification_report(
        actor=_u("org-a1"),
        rectification=r,
        expected_version=r.version,
        body="已补报活动总结，并修订《重大事项报告制度》。",
        files=[ContentFile(DEMO_PDF, name="整改情况报告.pdf")],
    )

    # Org C: unreachable at its address, on the abnormal activity list.
    entry = credit.entry_propose(
        actor=_u("liaison-c"),
        organization=org_c,
        credit_list="abnormal",
        ground="unreachable",
        details="三次按登记住所实地走访均无法联系。",
    )
    credit.entry_confirm(actor=_u("policy"), entry=entry, expected_version=entry.version)
