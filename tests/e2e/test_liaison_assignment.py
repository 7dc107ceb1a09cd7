"""An admin moves an organization to another liaison division, in a real browser.

Elements are found by URL and form field name, not by their (translated) text. The browser asks
for Chinese (``locale="zh-CN"``), as the bureau's browsers do.
Set ``E2E_SCREENSHOTS=/some/dir`` to keep screenshots of the registry pages seen on the way.
"""

import os
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from duties.models import LiaisonAssignment
from tests.conftest import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

REASON = "职责调整：移交市容景观管理处联系"


def screenshot(page: Page, name: str):
    folder = os.environ.get("E2E_SCREENSHOTS")
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(folder) / f"{name}.png"), full_page=True)


def log_in(new_context, live_server, username) -> Page:
    """A fresh browser context (own cookies) with ``username`` logged in through the form."""
    page = new_context(base_url=live_server.url, locale="zh-CN").new_page()
    page.goto("/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.click("main form button[type=submit]")
    expect(page).to_have_url(f"{live_server.url}/")
    return page


def org_link(page: Page, org):
    return page.locator(f'main table a[href="/orgs/{org.pk}/"]')


def test_admin_reassigns_liaison_and_access_follows(new_context, live_server, world):
    org_a, div_b = world.org_a, world.div_b
    detail = f"{live_server.url}/orgs/{org_a.pk}/"

    # The admin opens org A from the registry and reassigns it to division B.
    admin = log_in(new_context, live_server, "admin")
    admin.goto("/orgs/")
    org_link(admin, org_a).click()
    expect(admin).to_have_url(detail)
    admin.click(f'a[href="/orgs/{org_a.pk}/assign/"]')
    expect(admin).to_have_url(f"{detail}assign/")
    admin.select_option("select[name=division]", value=str(div_b.pk))
    admin.fill("textarea[name=reason]", REASON)
    admin.click("main form button[type=submit]")
    expect(admin).to_have_url(detail)
    expect(admin.locator(".alert-success")).to_contain_text(div_b.name)
    expect(admin.locator("main")).to_contain_text(REASON)

    org_a.refresh_from_db()
    assert org_a.liaison_division_id == div_b.pk
    current = LiaisonAssignment.objects.get(organization=org_a, ended_at__isnull=True)
    assert (current.division_id, current.reason, current.assigned_by_id) == (
        div_b.pk,
        REASON,
        world.admin.pk,
    )

    admin.goto("/orgs/")
    screenshot(admin, "registry-admin")

    # Division B's staff now find org A in their registry and can open its profile.
    liaison_b = log_in(new_context, live_server, "liaison-b")
    liaison_b.goto("/orgs/")
    expect(org_link(liaison_b, org_a)).to_be_visible()
    expect(org_link(liaison_b, world.org_b)).to_be_visible()
    screenshot(liaison_b, "registry")
    org_link(liaison_b, org_a).click()
    expect(liaison_b).to_have_url(detail)
    expect(liaison_b.locator("main h1")).to_have_text(org_a.name)

    # Division A's staff no longer see it, neither in the list nor by its address.
    liaison_a = log_in(new_context, live_server, "liaison-a")
    liaison_a.goto("/orgs/")
    expect(liaison_a.locator("main table")).to_be_visible()
    expect(org_link(liaison_a, org_a)).to_have_count(0)
    expect(liaison_a.locator('main table a[href^="/orgs/"]')).to_have_count(0)
    response = liaison_a.goto(f"/orgs/{org_a.pk}/")
    assert response is not None and response.status == 404
    assert org_a.name not in liaison_a.content()
