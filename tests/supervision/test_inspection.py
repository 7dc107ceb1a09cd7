"""The annual inspection as a yearly campaign: who takes part (the exemption computed), where
each stands live, late past the due date, Excel out, and a missed inspection proposed for the
abnormal list once."""

import datetime
import io

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from openpyxl import load_workbook

from orgs.models import OrgType
from portal import clock
from reports import services as report_services
from supervision import credit, selectors, services
from supervision.models import ListEntry, ListGround
from tests.factories import OrganizationFactory
from tests.reports.helpers import attach, create, give_all_opinions, start_review, submit

pytestmark = pytest.mark.django_db

D = datetime.date
YEAR = datetime.date.today().year - 1


@pytest.fixture
def campaign(world):
    return services.inspection_open(actor=world.policy, year=YEAR)


def inspection_filing(world, org=None, user=None):
    org, user = org or world.org_a, user or world.org_a1
    filing = create(user, org, "annual_inspection", details={"year": YEAR})
    attach(user, filing)
    return submit(user, filing)


def test_policy_opens_it_once_and_the_organizations_are_told(world, campaign):
    assert campaign.due_on == D(YEAR + 1, 3, 31)
    assert world.org_a1.notifications.filter(title__contains=str(YEAR)).exists()
    with pytest.raises(ValidationError):
        services.inspection_open(actor=world.policy, year=YEAR)
    with pytest.raises(PermissionDenied):
        services.inspection_open(actor=world.liaison_a, year=YEAR - 1)
    with pytest.raises(ValidationError):
        services.inspection_open(actor=world.policy, year=datetime.date.today().year + 1)


def test_the_exemption_and_the_types_are_computed(world, campaign):
    late = OrganizationFactory(name="年底新登记协会", registered_on=D(YEAR, 7, 1))
    in_time = OrganizationFactory(name="年中登记协会", registered_on=D(YEAR, 6, 30))
    foundation = OrganizationFactory(name="某基金会", org_type=OrgType.FOUNDATION)
    names = {o.name for o in selectors.campaign_rows(world.policy, campaign)}
    assert in_time.name in names and world.org_a.name in names
    assert late.name not in names and foundation.name not in names


def test_where_each_organization_stands(world, campaign):
    filing = inspection_filing(world)
    rows = {o.pk: o for o in selectors.campaign_rows(world.policy, campaign)}
    assert rows[world.org_a.pk].inspection_status == "in_review"
    assert rows[world.org_b.pk].inspection_status == "not_submitted"
    filing = start_review(world.policy, filing)
    give_all_opinions(filing)
    report_services.filing_decide(
        actor=world.policy_head,
        filing=filing,
        expected_version=type(filing).objects.get(pk=filing.pk).version,
        positive=True,
        decision={"inspection_result": "pass"},
    )
    rows = {o.pk: o for o in selectors.campaign_rows(world.policy, campaign)}
    assert (rows[world.org_a.pk].inspection_status, rows[world.org_a.pk].result) == (
        "passed",
        "pass",
    )
    OrganizationFactory(name="上海市另一参检协会")  # counts hold with several in one state
    counts = selectors.campaign_counts(world.policy, campaign)
    assert counts["total"] == selectors.campaign_rows(world.policy, campaign).count() >= 3
    assert counts["passed"] == 1 and counts["not_submitted"] == counts["total"] - 1


def test_late_past_the_due_date(world, campaign):
    after = campaign.due_on + datetime.timedelta(days=1)
    before = campaign.due_on
    assert not selectors.campaign_rows(world.policy, campaign, late=True, today=before).exists()
    late = selectors.campaign_rows(world.policy, campaign, late=True, today=after)
    assert world.org_b.pk in set(late.values_list("pk", flat=True))


def test_a_liaison_division_sees_its_own_organizations(world, campaign, login):
    names = {o.name for o in selectors.campaign_rows(world.liaison_a, campaign)}
    assert names == {world.org_a.name}
    assert login(world.org_a1).get(reverse("supervision:inspection", args=[YEAR])).status_code in (
        302,
        403,
    )


def test_the_page_and_its_excel(world, campaign, login):
    inspection_filing(world)
    client = login(world.policy)
    page = client.get(reverse("supervision:inspection", args=[YEAR]), {"status": "in_review"})
    assert [o.pk for o in page.context["page"]] == [world.org_a.pk]
    response = client.get(reverse("supervision:inspection_export", args=[YEAR]))
    assert response["Cache-Control"] == "private, no-store"
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert len(rows) == 1 + selectors.campaign_counts(world.policy, campaign)["total"]
    names = [r[0] for r in rows[1:]]
    assert world.org_a.name in names
    assert client.get(reverse("supervision:inspection", args=[1999])).status_code == 404


def test_a_missed_inspection_is_proposed_once(world, campaign):
    inspection_filing(world)
    after = clock.at_send_hour(campaign.due_on + datetime.timedelta(days=1))
    credit.sweep(after)
    credit.sweep(after)
    entries = ListEntry.objects.filter(ground=ListGround.NO_INSPECTION)
    assert set(entries.values_list("organization_id", flat=True)) == {world.org_b.pk}
    assert entries.get().source_campaign == campaign
