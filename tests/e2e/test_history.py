"""The change history as a reader sees it in a real browser: steps and fields by their Chinese
labels, values as the page shows them, no code and no dict."""

import pytest
from playwright.sync_api import expect

from reports import services
from tests.conftest import PASSWORD
from tests.reports.helpers import create, submit

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_history_shows_labels(world, live_server, new_context):
    filing = create(world.org_a1, world.org_a, "major_matter")
    filing = services.filing_update(
        actor=world.org_a1,
        filing=filing,
        expected_version=filing.version,
        details={"category": "major_event"},
    )
    submit(world.org_a1, filing)

    page = new_context(base_url=live_server.url, locale="zh-CN").new_page()
    page.goto("/login/")
    page.fill("input[name=username]", "liaison-a")
    page.fill("input[name=password]", PASSWORD)
    page.click("main form button[type=submit]")
    expect(page).to_have_url(f"{live_server.url}/")
    page.goto(f"/filings/{filing.pk}/")

    history = page.locator(".history-table")
    expect(history).to_contain_text("创建了草稿")
    expect(history).to_contain_text("提交")
    expect(history).to_contain_text("类别：")
    expect(history.locator("ins", has_text="重大事件")).to_have_count(1)
    text = history.inner_text()
    for code in ("create", "submit", "{", "category", "major_event", "True"):
        assert code not in text, code
