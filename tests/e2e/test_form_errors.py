"""A form sent back keeps what was typed, says which chosen file must be chosen again, and sums
up the errors at the top, in a real browser."""

import pytest
from playwright.sync_api import expect

from tests.conftest import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_refused_form_keeps_the_text_and_names_the_chosen_file(world, live_server, new_context):
    page = new_context(base_url=live_server.url, locale="zh-CN").new_page()
    page.goto("/login/")
    page.fill("input[name=username]", "org-a1")
    page.fill("input[name=password]", PASSWORD)
    page.click("main form button[type=submit]")
    expect(page).to_have_url(f"{live_server.url}/")

    page.goto("/filings/new/?matter=major_matter")
    page.fill("textarea[name=description]", "第十届园林绿化行业技能竞赛")
    page.set_input_files(
        "input[name=file]",
        files=[{"name": "活动方案.pdf", "mimeType": "application/pdf", "buffer": b"%PDF-1.4 x"}],
    )
    with page.expect_navigation():
        page.click("button[name=save]")

    expect(page.locator(".form-errors")).to_be_visible()
    expect(page.locator(".form-errors a[href='#id_title']")).to_be_visible()
    expect(page.locator("textarea[name=description]")).to_have_value("第十届园林绿化行业技能竞赛")
    expect(page.locator(".file-again")).to_contain_text("活动方案.pdf")
    expect(page.locator(".is-valid")).to_have_count(0)
