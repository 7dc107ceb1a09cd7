"""A whole rectification in a real browser: a violation case opens it, the organization
reports, the discipline commission finds it insufficient, the organization reports again, it is
accepted, and the abnormal-list entry it caused is lifted.

Elements are found by URL and form field name, not by their (translated) text.
Set ``E2E_SCREENSHOTS=/some/dir`` to keep screenshots of the pages seen on the way.
"""

import datetime

import pytest
from playwright.sync_api import expect

from portal import calendar, clock
from reports import services as report_services
from supervision import credit
from supervision.models import EntryState, ListEntry, Rectification, RectificationState
from tests.factories import filing_fields
from tests.reports.helpers import PDF, add_heads, matter

from .test_liaison_assignment import log_in, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_rectification_followed_to_the_end(new_context, live_server, world, tmp_path):
    add_heads(world)
    violation = report_services.filing_create(
        actor=world.discipline,
        organization=world.org_a,
        matter=matter("violation"),
        **filing_fields(matter("violation"), title="违规收取会员费"),
    )

    # The discipline commission opens the rectification from the violation case.
    staff = log_in(new_context, live_server, "discipline")
    staff.goto(f"/supervision/rectifications/new/?org={world.org_a.pk}&filing={violation.pk}")
    staff.fill("textarea[name=items]", "退还多收会员费并修订会费标准")
    staff.fill("input[name=due_on]", calendar.add_workdays(datetime.date.today(), 5).isoformat())
    staff.click("main form button[type=submit]")
    r = Rectification.objects.get()
    assert (r.source, r.division) == ("violation", world.discipline_div)
    expect(staff).to_have_url(f"{live_server.url}/supervision/rectifications/{r.pk}/")

    # It runs past its deadline: the clock proposes an abnormal-list entry, Policy confirms it.
    Rectification.objects.filter(pk=r.pk).update(
        due_on=datetime.date.today() - datetime.timedelta(days=2)
    )
    clock.run()
    entry = ListEntry.objects.get()
    credit.entry_confirm(actor=world.policy, entry=entry, expected_version=entry.version)

    # The organization sees it on its home page and reports, with a file.
    org = log_in(new_context, live_server, "org-a1")
    expect(
        org.locator(f'#home-rectifications a[href="/supervision/rectifications/{r.pk}/"]')
    ).to_be_visible()
    org.click(f'#home-rectifications a[href="/supervision/rectifications/{r.pk}/"]')
    report = tmp_path / "整改报告.pdf"
    report.write_bytes(PDF)
    org.fill("#form-report textarea[name=body]", "已退还多收会员费")
    org.set_input_files("#form-report input[name=files]", str(report))
    org.click("#form-report button[type=submit]")
    expect(org.locator(".alert-success")).to_be_visible()
    screenshot(org, "rectification-reported")

    # The discipline commission finds it insufficient, with a new deadline.
    staff.reload()
    staff.check("#form-verify input[name=accepted][value='0']")
    staff.fill("#form-verify textarea[name=comment]", "会费标准尚未修订")
    staff.click("#form-verify button[type=submit]")
    expect(staff.locator(".alert-success")).to_be_visible()
    assert Rectification.objects.get(pk=r.pk).state == RectificationState.OPEN

    # The organization reports again; this time it is accepted.
    org.reload()
    org.fill("#form-report textarea[name=body]", "会费标准已修订并经会员大会通过")
    org.click("#form-report button[type=submit]")
    expect(org.locator(".alert-success")).to_be_visible()
    staff.reload()
    staff.check("#form-verify input[name=accepted][value='1']")
    staff.click("#form-verify button[type=submit]")
    expect(staff.locator(".alert-success")).to_be_visible()
    screenshot(staff, "rectification-closed")

    assert Rectification.objects.get(pk=r.pk).state == RectificationState.CLOSED
    entry.refresh_from_db()
    assert (entry.state, entry.exit_reason) == (EntryState.EXITED, "rectified")
    org.goto("/supervision/credit/?tab=exited")
    expect(org.locator(f'main a[href="/supervision/credit/{entry.pk}/"]')).to_be_visible()
    timeline = staff.locator("#rectification-timeline li")
    expect(timeline).to_have_count(5)
