"""Irreversible actions ask first, saying what will happen: declining the question changes
nothing, agreeing takes the action (the portal's own static/portal/portal.js, data-confirm)."""

import pytest
from django.utils import translation
from playwright.sync_api import expect

from reports import workflow
from reports.models import Filing, FilingState
from tests.conftest import PASSWORD
from tests.reports.helpers import create, submit

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_withdrawing_a_filing_asks_first(world, live_server, new_context):
    filing = submit(world.org_a1, create(world.org_a1, world.org_a, "major_matter"))
    page = new_context(base_url=live_server.url, locale="zh-CN").new_page()
    page.goto("/login/")
    page.fill("input[name=username]", "org-a1")
    page.fill("input[name=password]", PASSWORD)
    page.click("main form button[type=submit]")
    expect(page).to_have_url(f"{live_server.url}/")
    page.goto(f"/filings/{filing.pk}/")
    with translation.override("zh-hans"):
        question = str(workflow.CONFIRM["withdraw"])
    asked = []

    def decline(dialog):
        asked.append(dialog.message)
        dialog.dismiss()

    page.once("dialog", decline)
    page.click("#transition-form button[value=withdraw]")
    page.wait_for_timeout(300)
    assert asked == [question]
    assert Filing.objects.get(pk=filing.pk).state == FilingState.SUBMITTED

    page.once("dialog", lambda dialog: dialog.accept())
    with page.expect_navigation():
        page.click("#transition-form button[value=withdraw]")
    assert Filing.objects.get(pk=filing.pk).state == FilingState.WITHDRAWN
