"""Query budgets: each key page and API list runs a fixed number of queries, whatever the rows.

Each test renders the page with 5 and with 50 rows behind it and asserts the same count, within
the budget. A page that needs more must say why here.

These counts are those of a page built from the database: inside the test's transaction, which
changed the data, nothing is cached (``portal.generations``). Served from the cache, the
registry and the review queues run no query at all (the last test, on committed data).
"""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from duties import services as duty_services
from reports import services
from reports.models import MatterType
from tests.factories import OrganizationFactory, filing_fields


def grow(world, n):
    """``n`` more organizations in liaison division A, each with a submitted filing in review
    waiting for the Office's opinion, with comments and a history."""
    matter = MatterType.objects.get(code="major_matter")
    start = timezone.localdate() + datetime.timedelta(days=30)
    for i in range(n):
        org = OrganizationFactory()
        duty_services.org_assign_liaison(
            actor=world.admin, org=org, division=world.div_a, reason="测试"
        )
        filing = services.filing_create(
            actor=world.org_a1,
            organization=world.org_a,
            matter=matter,
            **filing_fields(
                matter,
                title=f"重大活动{i}",
                event_start=start,
                event_end=start,
                details={"category": "major_activity"},
            ),
        )
        filing = services.filing_submit(
            actor=world.org_a1, filing=filing, expected_version=filing.version
        )
        filing = services.filing_start_review(
            actor=world.liaison_a, filing=filing, expected_version=filing.version
        )
        services.filing_comment(
            actor=world.liaison_a, filing=filing, body="内部意见", internal=True
        )
        services.filing_comment(actor=world.liaison_a, filing=filing, body="请补充")


PAGES = [
    # (name, role, url builder, budget)
    # Staff home pages: the panels of every app, the rectification counts among them.
    ("home_policy", "policy", lambda w: "/", 21),
    ("home_liaison_a", "liaison_a", lambda w: "/", 21),
    ("home_org_a1", "org_a1", lambda w: "/", 14),
    ("registry", "policy", lambda w: "/orgs/", 10),
    ("registry_search", "policy", lambda w: "/orgs/?q=测试", 10),
    ("registry_division", "policy", lambda w: f"/orgs/?liaison_division={w.div_a.pk}", 10),
    # The profile's change log resolves each changed foreign key once (bounded by 50 entries).
    ("org_profile", "policy", lambda w: f"/orgs/{w.org_a.pk}/", 25),
    ("queue_liaison_a", "liaison_a", lambda w: "/filings/queue/", 12),
    ("queue_office_opinions", "office", lambda w: "/filings/queue/?tab=opinion", 12),
    ("my_filings", "org_a1", lambda w: "/filings/", 12),
    ("inbox", "liaison_a", lambda w: "/inbox/", 8),
    ("api_filings", "liaison_a", lambda w: "/api/v1/filings/", 8),
    ("api_organizations", "policy", lambda w: "/api/v1/organizations/", 8),
]


def count_queries(client, url):
    client.get(url)  # warm caches (roles, calendar) the same way for both sizes
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    return len(ctx.captured_queries)


@pytest.mark.parametrize("name, role, url, budget", PAGES, ids=[p[0] for p in PAGES])
def test_queries_do_not_grow_with_rows(world, login, name, role, url, budget):
    client = login(getattr(world, role))
    grow(world, 5)
    small = count_queries(client, url(world))
    grow(world, 45)
    large = count_queries(client, url(world))
    assert small == large, f"{name}: {small} queries with 5 rows, {large} with 50"
    assert large <= budget, f"{name}: {large} queries, budget {budget}"


def test_filing_page_queries_do_not_grow_with_its_timeline(world, login):
    matter = MatterType.objects.get(code="major_matter")
    filing = services.filing_create(
        actor=world.org_a1,
        organization=world.org_a,
        matter=matter,
        **filing_fields(matter, title="时间线", details={"category": "major_activity"}),
    )
    filing = services.filing_submit(actor=world.org_a1, filing=filing, expected_version=1)
    client = login(world.liaison_a)
    url = f"/filings/{filing.pk}/"
    for i in range(5):
        services.filing_comment(actor=world.liaison_a, filing=filing, body=f"意见{i}")
    small = count_queries(client, url)
    for i in range(45):
        services.filing_comment(actor=world.liaison_a, filing=filing, body=f"意见{i}")
    large = count_queries(client, url)
    assert small == large
    assert large <= 25


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize(
    "role, url",
    [
        ("policy", "/orgs/"),
        ("policy", "/orgs/?q=测试"),
        ("liaison_a", "/orgs/"),
        ("liaison_a", "/filings/queue/"),
        ("office", "/filings/queue/?tab=opinion"),
    ],
)
def test_cached_listings_run_no_query(world, login, role, url):
    client = login(getattr(world, role))
    grow(world, 5)
    client.get(url)  # builds and caches the session's user, roles, badge and listing
    assert count_queries(client, url) == 0
