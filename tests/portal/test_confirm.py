"""Every irreversible button carries the shared confirm (data-confirm, handled by the portal's own
static script); no page holds an inline script or loads one from elsewhere."""

import datetime
import re

from django.urls import reverse
from django.utils import timezone

from meetings import services as meeting_services
from tests.reports.helpers import create, submit


def test_withdraw_asks(world, login):
    filing = submit(world.org_a1, create(world.org_a1, world.org_a, "major_matter"))
    html = login(world.org_a1).get(reverse("reports:detail", args=[filing.pk])).text
    button = re.search(r'<button[^>]*value="withdraw"[^>]*>', html).group(0)
    assert 'data-confirm="确定撤回本申报吗' in button
    assert '<script src="/static/portal/portal.js"></script>' in html
    assert not re.search(r"<script(?![^>]*\ssrc=\"/static/)", html)  # no inline or foreign script
    assert "onclick" not in html


def test_cancelling_a_meeting_and_sending_invitations_ask(world, login):
    start = timezone.now() + datetime.timedelta(days=20)
    meeting = meeting_services.meeting_schedule(
        actor=world.policy,
        kind="special",
        title="专题会议",
        starts_at=start,
        ends_at=start + datetime.timedelta(hours=2),
        place="会议室",
        agenda="议程",
        organizations=[world.org_a, world.org_b],
    )
    client = login(world.policy)
    html = client.get(reverse("meetings:meeting_detail", args=[meeting.pk])).text
    assert "将立即通知已邀请的2家社会组织" in html
    html = client.get(reverse("meetings:meeting_create")).text
    assert re.search(r'id="form-save" data-confirm="[^"]*通知2家社会组织', html)
