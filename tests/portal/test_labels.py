"""Labels read as what they are: a decision button as the act, each box by its own name, the
attachment field as 附件, a returned filing saved, not drafted, required fields marked."""

import pytest
from django.urls import reverse
from django.utils import translation

from reports import workflow
from reports.forms import AttachmentForm, CommentForm, TransitionForm
from reports.models import FilingState, MatterType
from tests.reports.helpers import add_heads, create, in_review, return_


@pytest.fixture
def world(world):
    return add_heads(world)


def zh(text):
    with translation.override("zh-hans"):
        return str(text)


@pytest.mark.parametrize(
    ("code", "label"), [("major_matter", "予以备案"), ("pre_registration", "予以批准")]
)
def test_the_positive_decision_reads_as_an_act(code, label, db, world):
    filing = create(world.org_a1, world.org_a, "major_matter")
    filing.matter = MatterType.objects.get(code=code)
    assert zh(workflow.label(workflow.ACTIONS["approve"], filing)) == label
    assert zh(workflow.ACTIONS["refuse"].label) == "不予同意"
    assert zh(FilingState(filing.matter.positive_state).label) != label


def test_the_head_sees_the_act_on_the_button(world, login):
    filing = in_review(world, world.org_a1, world.org_a, "major_matter")
    html = login(world.head_a).get(reverse("reports:detail", args=[filing.pk])).text
    assert 'value="approve"' in html and "予以备案</button>" in html


def test_boxes_have_distinct_names_and_the_file_is_an_attachment():
    labels = {
        zh(TransitionForm().fields["comment"].label),
        zh(CommentForm().fields["body"].label),
    }
    assert len(labels) == 2 and "说明" not in labels
    assert zh(AttachmentForm().fields["file"].label) == "附件"


def test_a_returned_filing_is_saved_not_drafted(world, login):
    filing = in_review(world, world.org_a1, world.org_a, "major_matter")
    return_(world.liaison_a, filing)
    html = login(world.org_a1).get(reverse("reports:edit", args=[filing.pk])).text
    assert "保存修改" in html and "保存草稿" not in html


def test_a_draft_is_still_saved_as_a_draft(world, login):
    filing = create(world.org_a1, world.org_a, "major_matter")
    assert "保存草稿" in login(world.org_a1).get(reverse("reports:edit", args=[filing.pk])).text


def test_required_fields_are_marked(world, login):
    html = login(world.org_a1).get(reverse("reports:create") + "?matter=major_matter").text
    assert 'class="mb-3 required"' in html
    assert "标有 * 的为必填项" in html
