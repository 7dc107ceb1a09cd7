"""An organization user follows a link to another organization's filing: the answer is the
portal's Chinese 404 page, inside the layout with its navigation and a way back."""

import pytest
from playwright.sync_api import expect

from reports import services
from reports.models import MatterType
from tests.conftest import PASSWORD
from tests.factories import filing_fields

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_out_of_scope_filing_link_is_the_chinese_404_page(world, live_server, new_context):
    matter = MatterType.objects.get(code="major_matter")
    data = filing_fields(matter, title="行业峰会", details={"category": "major_activity"})
    other = services.filing_create(
        actor=world.org_b1, organization=world.org_b, matter=matter, **data
    )

    page = new_context(base_url=live_server.url, locale="zh-CN").new_page()
    page.goto("/login/")
    page.fill("input[name=username]", "org-a1")
    page.fill("input[name=password]", PASSWORD)
    page.click("main form button[type=submit]")
    expect(page).to_have_url(f"{live_server.url}/")

    # The link is followed from the organization's own list of filings (an old inbox message).
    response = page.goto(f"/filings/{other.pk}/", referer=f"{live_server.url}/filings/")
    assert response.status == 404
    expect(page.locator("html")).to_have_attribute("lang", "zh-hans")
    expect(page.locator("#error-page h1")).to_have_text("页面不存在")
    expect(page.locator("#mainnav")).to_be_visible()
    expect(page.locator("#mainnav a[href='/filings/']")).to_be_visible()
    expect(page.locator("#error-home")).to_have_attribute("href", "/")
    page.click("#error-back")
    expect(page).to_have_url(f"{live_server.url}/filings/")
