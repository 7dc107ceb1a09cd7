"""Shared pieces of the API tests: token-authenticated clients, a clean cache, known filings."""

import pytest
from django.core.cache import cache
from rest_framework.test import APIClient

from tests.conftest import PASSWORD
from tests.factories import filing_fields

API = "/api/v1"


@pytest.fixture(autouse=True)
def _clean_cache():
    """Lockout counters live in the cache (Redis when REDIS_URL is set): no test sees another's."""
    cache.clear()
    yield
    cache.clear()


def obtain_token(client, username, password=PASSWORD):
    response = client.post(
        f"{API}/auth/token/", {"username": username, "password": password}, format="json"
    )
    assert response.status_code == 200, response.content
    return response.json()["token"]


@pytest.fixture
def api(world):
    """``api(user)``: an APIClient that sends ``Authorization: Token <key>`` of ``user``,
    the key obtained through POST /api/v1/auth/token/. ``api(None)`` stays anonymous."""
    clients = {}

    def _api(user, **headers):
        if user is None:
            return APIClient(**headers)
        key = (user.pk, tuple(sorted(headers.items())))
        if key not in clients:
            client = APIClient(**headers)
            token = obtain_token(client, user.username)
            client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
            clients[key] = client
        return clients[key]

    return _api


# --- filings set up through the services, as the pages would -----------------------------

PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << >>\n%%EOF\n"


def matter(code):
    from reports.models import MatterType

    return MatterType.objects.get(code=code)


def version(obj):
    return type(obj).objects.values_list("version", flat=True).get(pk=obj.pk)


def major_matter_details(**changes):
    """Every field of reports.matter_forms.MajorMatterForm but the title, as the API takes them."""
    import datetime

    start = datetime.date.today() + datetime.timedelta(days=60)
    details = {
        "category": "major_activity",
        "description": "举办年度行业峰会，邀请会员单位参加。",
        "event_start": start.isoformat(),
        "event_end": (start + datetime.timedelta(days=1)).isoformat(),
        "location": "上海国际会议中心",
        "participants": 300,
        "foreign_involved": False,
        "foreign_details": "",
        "funding_source": "会费",
        "contact_person": "张三",
        "contact_phone": "13800000000",
    }
    details.update(changes)
    return details


def submitted_filing(
    world, code="major_matter", title=None, org=None, actor=None, restricted_reason="", **details
):
    """A filing submitted by ``actor`` (org A's user by default), with one public file;
    restricted when a reason is given."""
    from django.core.files.base import ContentFile

    from reports import services

    org = org or world.org_a
    actor = actor or world.org_a1
    filing = services.filing_create(
        actor=actor,
        organization=org,
        matter=matter(code),
        **filing_fields(
            matter(code),
            title=title or f"{code} of {org.name}",
            details=details or {"category": "major_activity"},
        ),
        restricted=bool(restricted_reason),
        restricted_reason=restricted_reason,
    )
    services.attachment_add(actor=actor, filing=filing, upload=ContentFile(PDF, name="report.pdf"))
    return services.filing_submit(actor=actor, filing=filing, expected_version=version(filing))


def results(response):
    assert response.status_code == 200, response.content
    return response.json()["results"]
