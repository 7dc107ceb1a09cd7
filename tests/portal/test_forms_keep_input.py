"""Nothing a user typed or chose is lost on an error: a refused decision or a version conflict
shows the page again with the comment as typed; a file chosen on a form sent back is named and
asked for again; the errors are summed up at the top of the form."""

import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from reports.models import MatterType, Opinion
from tests.reports.helpers import add_heads, in_review, version

COMMENT = "请补充参会人员名单和经费预算。"


@pytest.fixture
def world(world):
    return add_heads(world)


def _comment_box(html):
    return re.search(r'<textarea name="comment"[^>]*>(.*?)</textarea>', html, re.S).group(1)


def test_a_return_comment_survives_a_version_conflict(world, login):
    filing = in_review(world, world.org_a1, world.org_a, "major_matter")
    stale = version(filing) - 1
    response = login(world.liaison_a).post(
        reverse("reports:transition", args=[filing.pk]),
        {"action": "return", "version": stale, "comment": COMMENT},
    )
    assert response.status_code == 200
    html = response.text
    assert COMMENT in _comment_box(html)
    assert f'name="version" value="{version(filing)}"' in html  # can be sent again at once
    assert "alert-danger" in html


def test_a_refused_decision_keeps_its_comment(world, login):
    filing = in_review(world, world.org_a1, world.org_a, "major_matter")
    assert Opinion.objects.filter(filing=filing, state="pending").exists()
    response = login(world.head_a).post(
        reverse("reports:transition", args=[filing.pk]),
        {"action": "approve", "version": version(filing), "comment": "同意备案。"},
    )
    assert response.status_code == 200
    assert "同意备案。" in _comment_box(response.text)
    assert "alert-danger" in response.text


def test_a_chosen_file_is_named_and_asked_for_again(world, login):
    MatterType.objects.get(code="major_matter")
    response = login(world.org_a1).post(
        reverse("reports:create") + "?matter=major_matter",
        {
            "matter": "major_matter",
            "title": "",
            "file": SimpleUploadedFile("活动方案.pdf", b"%PDF-1.4 x", "application/pdf"),
        },
    )
    assert response.status_code == 200
    html = response.text
    assert "file-again" in html and "活动方案.pdf" in html and "请重新选择" in html
    summary = html.index("form-errors")
    assert summary < html.index('name="title"')  # the summary leads the form
    assert 'href="#id_title"' in html
