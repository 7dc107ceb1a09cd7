"""A major matter report goes the whole way, in a real browser: filed with a PDF, returned for
revision, edited and resubmitted, reviewed with the Office's opinion, and acknowledged by the
head of the liaison division, while the organization never sees the bureau's internal notes.

Elements are found by URL, id and form field name, not by their (translated) text; state badges
are compared with the Chinese labels of ``FilingState``. The browser asks for Chinese, as the
bureau's browsers do. Set ``E2E_SCREENSHOTS=/some/dir`` to keep screenshots of the review queue
and of the organization's final view of the filing.
"""

import datetime
import os
import re
from pathlib import Path

import pytest
from django.utils import timezone, translation
from playwright.sync_api import Page, expect

from duties import services as duty_services
from duties.models import MemberRole
from portal import services as portal_services
from reports import workflow
from reports.models import Filing, FilingEvent, FilingState, Opinion, OpinionState
from tests.conftest import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

TITLE = "2026年上海市绿化行业技术交流大会"
NEW_TITLE = "2026年上海市绿化行业技术交流大会（修订）"
PDF_NAME = "活动方案.pdf"
VISIBLE_COMMENT = "请补充会场安全预案。"
INTERNAL_COMMENT = "内部备注：该会长曾有违规记录，请留意。"
RETURN_REASON = "请补充参会人员名单和经费预算。"
OPINION = "办公室无不同意见，建议做好安全保障。"


def screenshot(page: Page, name: str):
    folder = os.environ.get("E2E_SCREENSHOTS")
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(folder) / f"{name}.png"), full_page=True)


def zh(value) -> str:
    """The state's label as the (Chinese) pages render it."""
    with translation.override("zh-hans"):
        return str(FilingState(value).label)


def state(page: Page):
    return page.locator("#filing-state")


def log_in(new_context, live_server, username) -> Page:
    """A fresh browser context (own cookies) with ``username`` logged in through the form."""
    page = new_context(base_url=live_server.url, locale="zh-CN").new_page()
    # Decisions ask first (data-confirm); this user agrees (tests/e2e/test_confirm.py declines).
    page.on("dialog", lambda dialog: dialog.accept())
    page.goto("/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.click("main form button[type=submit]")
    expect(page).to_have_url(f"{live_server.url}/")
    return page


def post(page: Page, selector: str):
    """Click a submit button and wait for the redirected page (often the same URL) to load."""
    with page.expect_navigation():
        page.click(selector)
    expect(page.locator(".alert-danger")).to_have_count(0)


def act(page: Page, action: str, note: str = ""):
    """Press a button of the filing's transition form, with an optional comment."""
    if note:
        page.fill("#transition-form textarea[name=comment]", note)
    post(page, f"#transition-form button[name=action][value={action}]")


def comment(page: Page, body: str, internal: bool):
    page.fill("#comment-form textarea[name=body]", body)
    checkbox = page.locator("#comment-form input[name=internal]")
    expect(checkbox).to_be_checked()  # internal unless the reviewer says otherwise
    checkbox.set_checked(internal)
    post(page, "#comment-form button[type=submit]")
    expect(page.locator("#timeline")).to_contain_text(body)


def test_major_matter_from_filing_to_acknowledgement(new_context, live_server, world, tmp_path):
    base = live_server.url
    start = timezone.localdate() + datetime.timedelta(days=60)  # well beyond the lead time
    pdf = tmp_path / PDF_NAME
    pdf.write_bytes(b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << >>\n%%EOF\n")

    # 1. The organization files the report with its PDF and submits it at once.
    org = log_in(new_context, live_server, "org-a1")
    org.goto("/filings/new/?matter=major_matter")
    org.fill("input[name=title]", TITLE)
    org.select_option("select[name=category]", value="major_activity")
    org.fill("textarea[name=description]", "面向全市会员单位的技术交流与成果展示。")
    org.fill("input[name=event_start]", start.isoformat())
    org.fill("input[name=event_end]", (start + datetime.timedelta(days=1)).isoformat())
    org.fill("input[name=location]", "上海市园林科学规划研究院报告厅")
    org.fill("input[name=participants]", "200")
    org.fill("input[name=funding_source]", "协会会费")
    org.fill("input[name=contact_person]", "王小明")
    org.fill("input[name=contact_phone]", "021-12345678")
    org.set_input_files("input[name=file]", str(pdf))
    org.click("button[name=submit]")
    expect(org).to_have_url(re.compile(rf"^{re.escape(base)}/filings/\d+/$"))
    filing = Filing.objects.get(title=TITLE)
    detail = f"{base}/filings/{filing.pk}/"
    expect(org).to_have_url(detail)
    expect(org.locator(".alert-success")).to_be_visible()
    expect(state(org)).to_have_text(zh(FilingState.SUBMITTED))
    expect(org.locator('main a[href^="/filings/files/"]')).to_have_text(PDF_NAME)
    filing.refresh_from_db()
    assert (filing.state, filing.lead_division_id, filing.late_days) == (
        FilingState.SUBMITTED,
        world.div_a.pk,
        None,
    )
    assert filing.attachments.get().content_type == "application/pdf"

    # 2. The liaison division finds it in its queue, comments (one internal note, one for the
    # organization) and returns it for revision.
    liaison = log_in(new_context, live_server, "liaison-a")
    liaison.goto("/filings/queue/")
    link = liaison.locator(f'main table a[href="/filings/{filing.pk}/"]')
    expect(link).to_have_text(TITLE)
    screenshot(liaison, "queue")
    link.click()
    expect(liaison).to_have_url(detail)
    expect(liaison.locator('main a[href^="/filings/files/"]')).to_have_text(PDF_NAME)
    comment(liaison, INTERNAL_COMMENT, internal=True)
    comment(liaison, VISIBLE_COMMENT, internal=False)
    act(liaison, "return", RETURN_REASON)
    expect(state(liaison)).to_have_text(zh(FilingState.RETURNED))
    assert set(
        FilingEvent.objects.filter(filing=filing, kind="comment").values_list("body", "internal")
    ) == {(INTERNAL_COMMENT, True), (VISIBLE_COMMENT, False)}

    # 3. The organization reads why, edits the filing and resubmits it.
    org.reload()
    expect(state(org)).to_have_text(zh(FilingState.RETURNED))
    expect(org.locator("#timeline")).to_contain_text(VISIBLE_COMMENT)
    expect(org.locator("#timeline")).to_contain_text(RETURN_REASON)
    assert INTERNAL_COMMENT not in org.content()
    org.click(f'main a[href="/filings/{filing.pk}/edit/"]')
    expect(org).to_have_url(f"{detail}edit/")
    expect(org.locator("input[name=title]")).to_have_value(TITLE)
    expect(org.locator("input[name=event_start]")).to_have_value(start.isoformat())
    org.fill("input[name=title]", NEW_TITLE)
    org.click("button[name=save]")
    expect(org).to_have_url(detail)
    expect(org.locator("main h1")).to_have_text(NEW_TITLE)
    act(org, "resubmit", "已补充参会人员名单和经费预算。")
    expect(state(org)).to_have_text(zh(FilingState.RESUBMITTED))

    # 4. The liaison division starts the review; the Office gives its opinion; a head of the
    # liaison division acknowledges the filing.
    liaison.reload()
    expect(liaison.locator("main h1")).to_have_text(NEW_TITLE)
    act(liaison, "start_review")
    expect(state(liaison)).to_have_text(zh(FilingState.IN_REVIEW))
    assert list(Opinion.objects.filter(filing=filing).values_list("division", "state")) == [
        (world.office_div.pk, OpinionState.PENDING)
    ]

    office = log_in(new_context, live_server, "office")
    office.goto(f"/filings/{filing.pk}/")
    opinion_form = office.locator(f'main form[action="/filings/{filing.pk}/opinion/"]')
    opinion_form.locator("select[name=stance]").select_option(value="no_objection")
    opinion_form.locator("textarea[name=body]").fill(OPINION)
    with office.expect_navigation():
        opinion_form.locator("button[type=submit]").click()
    expect(office.locator(".alert-danger")).to_have_count(0)
    expect(office.locator("main")).to_contain_text(OPINION)
    expect(opinion_form).to_have_count(0)

    head = portal_services.user_create(
        actor=world.admin, username="head-a", password=PASSWORD, full_name="绿化处处长"
    )
    duty_services.membership_add(
        actor=world.admin, division=world.div_a, user=head, role=MemberRole.HEAD
    )
    boss = log_in(new_context, live_server, "head-a")
    boss.goto(f"/filings/{filing.pk}/")
    # The button names the act (予以备案); the state it leads to is 已备案.
    with translation.override("zh-hans"):
        decision = str(workflow.DECISIONS[FilingState.ACKNOWLEDGED])
    expect(boss.locator("#transition-form button[name=action][value=approve]")).to_have_text(
        decision
    )
    act(boss, "approve")
    expect(state(boss)).to_have_text(zh(FilingState.ACKNOWLEDGED))
    filing.refresh_from_db()
    assert (filing.state, filing.decided_by_id) == (FilingState.ACKNOWLEDGED, head.pk)

    # 5. The organization sees the outcome, but none of the bureau's internal notes.
    org.reload()
    expect(state(org)).to_have_text(zh(FilingState.ACKNOWLEDGED))
    expect(org.locator("main h1")).to_have_text(NEW_TITLE)
    expect(org.locator('main a[href^="/filings/files/"]')).to_have_text(PDF_NAME)
    expect(org.locator("#timeline")).to_contain_text(VISIBLE_COMMENT)
    expect(org.locator(f'a[href="/filings/{filing.pk}/edit/"]')).to_have_count(0)
    expect(org.locator("#transition-form")).to_have_count(0)
    page_text = org.content()
    assert INTERNAL_COMMENT not in page_text
    assert OPINION not in page_text
    screenshot(org, "filing-final")
