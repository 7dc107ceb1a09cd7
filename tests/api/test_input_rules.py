"""Input rules said once (portal.validators) and applied by the form and serializer bases: bounded
numbers and text, phone numbers and postal codes, strict versions, explained constraints, JSON
errors under /api/, and credit codes as people type them."""

import pytest
from django.test import override_settings

from orgs.credit_code import make_code
from orgs.models import Organization
from portal.validators import LONG_TEXT_MAX_LENGTH

from .conftest import API, major_matter_details, submitted_filing, version


def has_chinese(text):
    return any("\u4e00" <= ch <= "\u9fff" for ch in str(text))


def create_filing(client, **details):
    return client.post(
        f"{API}/filings/",
        {"matter": "major_matter", "title": "年会", "details": major_matter_details(**details)},
        format="json",
    )


@pytest.mark.parametrize(
    "details",
    [
        {"participants": 10**30},
        {"participants": -1},
        {"contact_phone": "call me maybe"},
        {"contact_phone": "<script>"},
        {"description": "长" * (LONG_TEXT_MAX_LENGTH + 1)},
    ],
    ids=["huge count", "negative count", "words for a phone", "markup for a phone", "long text"],
)
def test_a_filing_with_an_implausible_value_is_refused(world, api, details):
    response = create_filing(api(world.org_a1), **details)
    assert response.status_code == 400, response.content
    (field,) = details
    assert field in response.json(), response.json()


def test_ordinary_values_are_accepted(world, api):
    response = create_filing(api(world.org_a1), participants=300, contact_phone="021-12345678转123")
    assert response.status_code == 201, response.content


@pytest.mark.parametrize(
    "fields",
    [{"contact_phone": "not a phone"}, {"postal_code": "abcdef"}, {"postal_code": "2000"}],
)
def test_the_organization_api_refuses_a_bad_phone_or_postal_code(world, api, fields):
    org = world.org_a
    response = api(world.admin).patch(
        f"{API}/organizations/{org.pk}/", {"version": version(org), **fields}, format="json"
    )
    assert response.status_code == 400, response.content
    (field,) = fields
    assert has_chinese(response.json()[field])


def test_a_comment_over_the_limit_is_refused(world, api):
    filing = submitted_filing(world)
    response = api(world.liaison_a).post(
        f"{API}/filings/{filing.pk}/comment/",
        {"body": "字" * (LONG_TEXT_MAX_LENGTH + 1)},
        format="json",
    )
    assert response.status_code == 400, response.content
    assert "body" in response.json()


@pytest.mark.parametrize("value", [True, False, "1.5", None])
def test_a_version_that_is_not_a_whole_number_is_refused(world, api, value):
    filing = submitted_filing(world)
    client = api(world.liaison_a)
    response = client.post(
        f"{API}/filings/{filing.pk}/start-review/", {"version": value}, format="json"
    )
    assert response.status_code == 400, response.content
    assert "version" in response.json()


def test_true_is_not_version_one_on_a_filing_update(world, api):
    response = create_filing(api(world.org_a1))
    data = response.json()
    assert data["version"] == 1
    response = api(world.org_a1).patch(
        f"{API}/filings/{data['id']}/", {"version": True, "title": "改"}, format="json"
    )
    assert response.status_code == 400, response.content
    assert "version" in response.json()


def test_a_term_ending_before_it_starts_is_explained_not_named(world, api):
    org = world.org_a
    response = api(world.admin).patch(
        f"{API}/organizations/{org.pk}/",
        {"version": version(org), "term_start": "2026-06-01", "term_end": "2026-01-01"},
        format="json",
    )
    assert response.status_code == 400, response.content
    body = response.json()
    assert "org_term_end_after_start" not in str(body)
    assert body["term_end"] == ["届期结束日期不能早于开始日期。"]


@override_settings(DATA_UPLOAD_MAX_MEMORY_SIZE=1024)
def test_an_oversize_body_under_the_api_gets_json(world, api):
    response = api(world.org_a1).post(
        f"{API}/filings/",
        {"matter": "major_matter", "title": "x" * 4096},
        format="json",
    )
    assert response.status_code == 400
    assert response["Content-Type"].startswith("application/json")
    assert has_chinese(response.json()["detail"])


CODE = make_code("51310000MA1FL1234")


@pytest.mark.parametrize(
    "typed",
    [
        CODE.translate({ord(c): ord(c) + 0xFEE0 for c in CODE}),  # full-width
        f"{CODE[:6]} {CODE[6:12]} {CODE[12:]}",
        f"{CODE[:8]}-{CODE[8:]}",
        f"  {CODE.lower()}\u3000",
    ],
    ids=["full-width", "grouped by spaces", "hyphenated", "lower case, ideographic space"],
)
def test_a_credit_code_is_taken_as_people_type_it(world, api, typed):
    response = api(world.admin).post(
        f"{API}/organizations/",
        {
            "name": "上海市输入测试协会",
            "org_type": "social_group",
            "management_mode": "direct",
            "credit_code": typed,
        },
        format="json",
    )
    assert response.status_code == 201, response.content
    assert Organization.objects.get(pk=response.json()["id"]).credit_code == CODE


def test_an_invisible_character_in_a_credit_code_is_named(world, api):
    response = api(world.admin).post(
        f"{API}/organizations/",
        {
            "name": "上海市输入测试协会",
            "org_type": "social_group",
            "management_mode": "direct",
            "credit_code": CODE[:5] + "\u200b" + CODE[5:],
        },
        format="json",
    )
    assert response.status_code == 400, response.content
    assert "U+200B" in response.json()["credit_code"][0]
