"""The change history shows labels in the reader's language, a filing's details field by field
with the schema's labels and values as the page shows them, and never a code or a dict."""

import pytest
from django.conf import settings
from django.urls import reverse

from reports import services
from reports.models import MatterType
from tests.factories import filing_fields

CODES = ["create", "submit", "start_review", "default duty matrix", "{", "'category'", "True"]


@pytest.fixture
def filing(world):
    matter = MatterType.objects.get(code="major_matter")
    data = filing_fields(matter, title="行业峰会", details={"category": "major_activity"})
    filing = services.filing_create(
        actor=world.org_a1, organization=world.org_a, matter=matter, **data
    )
    filing = services.filing_update(
        actor=world.org_a1,
        filing=filing,
        expected_version=filing.version,
        details={
            "category": "major_event",
            "foreign_involved": True,
            "foreign_details": "香港合作方",
        },
    )
    filing = services.filing_submit(
        actor=world.org_a1, filing=filing, expected_version=filing.version
    )
    return services.filing_transition(
        actor=world.liaison_a, filing=filing, action="start_review", expected_version=filing.version
    )


def _history(html):
    return html[html.index("history-table") :]


def test_filing_history_in_chinese_field_by_field(world, login, filing):
    html = _history(login(world.liaison_a).get(reverse("reports:detail", args=[filing.pk])).text)
    for code in CODES:
        assert code not in html, code
    assert "受理审核" in html and "提交" in html and "创建了草稿" in html
    assert "类别" in html and "重大活动" in html and "重大事件" in html  # label, old and new
    assert "<del>否</del> → <ins>是</ins>" in html
    assert "：" in html  # full-width separator


def test_filing_history_in_english(world, login, filing):
    client = login(world.liaison_a)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    html = _history(client.get(reverse("reports:detail", args=[filing.pk])).text)
    assert "Start review" in html and "Major event" in html
    assert "<del>No</del> → <ins>Yes</ins>" in html


def test_matter_history_names_the_default_matrix_in_chinese(world, login):
    matter = MatterType.objects.get(code="major_matter")
    html = login(world.admin).get(reverse("reports:matter_edit", args=[matter.pk])).text
    assert "载入默认职责分工" in html
    assert "default duty matrix" not in html


def test_matrix_page_names_management_modes(world, login):
    html = login(world.policy).get(reverse("reports:matters")).text
    assert "(dual)" not in html and "dual" not in html.replace("双重", "")
