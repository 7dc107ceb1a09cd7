"""The filing state machine: what is refused changes nothing; what is allowed leaves a record."""

import datetime

import pytest
from django.contrib.messages import get_messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils.formats import date_format

from portal import calendar
from portal.models import Notification
from portal.services import StaleVersion
from reports import services
from reports.models import FilingEvent, FilingState

from .helpers import (
    PDF,
    add_member,
    attach,
    create,
    decide,
    fresh,
    give_all_opinions,
    opine,
    resubmit,
    return_,
    snapshot,
    start_review,
    submit,
    submitted,
    version,
    withdraw,
)

S = FilingState


def far(days):
    return services._today() + datetime.timedelta(days=days)


# --- filings in each state (a major matter report of org A: div_a leads, Office's opinion) ----


def make(w, state):
    filing = create(w.org_a1, w.org_a, "major_matter", event_start=far(60), event_end=far(61))
    if state == "draft":
        return filing
    submit(w.org_a1, filing)
    if state == "submitted":
        return filing
    if state == "withdrawn":
        withdraw(w.org_a1, filing)
        return filing
    if state == "returned":
        return_(w.liaison_a, filing)
        return filing
    if state == "resubmitted":
        return_(w.liaison_a, filing)
        resubmit(w.org_a1, filing)
        return filing
    start_review(w.liaison_a, filing)
    if state == "in_review":  # Office's opinion still pending
        return filing
    give_all_opinions(filing)
    if state == "ready":  # in review, every opinion in
        return filing
    if state == "returned_in_review":  # returned while Office's opinion was still pending
        return filing
    decide(w.head_a, filing, positive=state == "acknowledged", comment="理由")
    return filing


ILLEGAL = "illegal_transition"
CASES = [
    # (state, description, action, expected: "illegal" | PermissionDenied | ValidationError)
    ("submitted", "decide a submitted filing", lambda w, f: decide(w.head_a, f), ILLEGAL),
    ("draft", "resubmit a draft", lambda w, f: resubmit(w.org_a1, f), ILLEGAL),
    ("draft", "review a draft", lambda w, f: start_review(w.liaison_a, f), PermissionDenied),
    ("draft", "decide a draft", lambda w, f: decide(w.head_a, f), PermissionDenied),
    ("submitted", "submit twice", lambda w, f: submit(w.org_a1, f), ILLEGAL),
    ("submitted", "resubmit a submitted", lambda w, f: resubmit(w.org_a1, f), ILLEGAL),
    ("submitted", "review by org user", lambda w, f: start_review(w.org_a1, f), PermissionDenied),
    (
        "submitted",
        "review by opinion div",
        lambda w, f: start_review(w.office, f),
        PermissionDenied,
    ),
    (
        "submitted",
        "review by other liaison",
        lambda w, f: start_review(w.head_b, f),
        PermissionDenied,
    ),
    (
        "submitted",
        "review by policy",
        lambda w, f: start_review(w.policy_head, f),
        PermissionDenied,
    ),
    (
        "submitted",
        "return by office (not lead)",
        lambda w, f: return_(w.office, f),
        PermissionDenied,
    ),
    ("submitted", "return by the org", lambda w, f: return_(w.org_a1, f), PermissionDenied),
    (
        "submitted",
        "return without comment",
        lambda w, f: return_(w.liaison_a, f, ""),
        ValidationError,
    ),
    (
        "submitted",
        "return, blank comment",
        lambda w, f: return_(w.liaison_a, f, "  "),
        ValidationError,
    ),
    ("submitted", "withdraw by other org", lambda w, f: withdraw(w.org_b1, f), PermissionDenied),
    ("submitted", "withdraw by reviewer", lambda w, f: withdraw(w.liaison_a, f), PermissionDenied),
    ("submitted", "opinion before review", lambda w, f: opine(w.office, f), PermissionDenied),
    ("in_review", "review twice", lambda w, f: start_review(w.liaison_a, f), ILLEGAL),
    ("in_review", "decide, opinion pending", lambda w, f: decide(w.head_a, f), "opinions_pending"),
    ("in_review", "opinion, division not asked", lambda w, f: opine(w.policy, f), PermissionDenied),
    ("in_review", "opinion by the lead", lambda w, f: opine(w.liaison_a, f), PermissionDenied),
    ("in_review", "opinion by the org", lambda w, f: opine(w.org_a1, f), PermissionDenied),
    (
        "in_review",
        "opinion without body",
        lambda w, f: opine(w.office, f, body=" "),
        ValidationError,
    ),
    ("in_review", "resubmit in review", lambda w, f: resubmit(w.org_a1, f), ILLEGAL),
    ("ready", "decide by non-head staff", lambda w, f: decide(w.liaison_a, f), PermissionDenied),
    ("ready", "decide by opinion head", lambda w, f: decide(w.office_head, f), PermissionDenied),
    ("ready", "decide by other head", lambda w, f: decide(w.head_b, f), PermissionDenied),
    ("ready", "decide by policy head", lambda w, f: decide(w.policy_head, f), PermissionDenied),
    ("ready", "decide by the leader", lambda w, f: decide(w.leader, f), PermissionDenied),
    ("ready", "decide by admin", lambda w, f: decide(w.admin, f), PermissionDenied),
    ("ready", "decide by the org", lambda w, f: decide(w.org_a1, f), PermissionDenied),
    (
        "ready",
        "refuse without reason",
        lambda w, f: decide(w.head_a, f, positive=False, comment=""),
        ValidationError,
    ),
    ("ready", "opinion twice", lambda w, f: opine(w.office, f), PermissionDenied),
    ("returned", "return twice", lambda w, f: return_(w.liaison_a, f), ILLEGAL),
    ("returned", "decide returned", lambda w, f: decide(w.head_a, f), ILLEGAL),
    ("returned", "review returned", lambda w, f: start_review(w.liaison_a, f), ILLEGAL),
    ("returned", "submit returned", lambda w, f: submit(w.org_a1, f), ILLEGAL),
    ("resubmitted", "resubmit twice", lambda w, f: resubmit(w.org_a1, f), ILLEGAL),
    ("resubmitted", "decide resubmitted", lambda w, f: decide(w.head_a, f), ILLEGAL),
    ("acknowledged", "withdraw a decided filing", lambda w, f: withdraw(w.org_a1, f), ILLEGAL),
    ("acknowledged", "decide twice", lambda w, f: decide(w.head_a, f), ILLEGAL),
    (
        "acknowledged",
        "refuse after acknowledging",
        lambda w, f: decide(w.head_a, f, False, "x"),
        ILLEGAL,
    ),
    ("acknowledged", "return a decided filing", lambda w, f: return_(w.liaison_a, f), ILLEGAL),
    ("acknowledged", "review a decided filing", lambda w, f: start_review(w.liaison_a, f), ILLEGAL),
    ("acknowledged", "resubmit a decided filing", lambda w, f: resubmit(w.org_a1, f), ILLEGAL),
    ("acknowledged", "opinion after decision", lambda w, f: opine(w.office, f), PermissionDenied),
    ("refused", "withdraw a refused filing", lambda w, f: withdraw(w.org_a1, f), ILLEGAL),
    ("refused", "resubmit a refused filing", lambda w, f: resubmit(w.org_a1, f), ILLEGAL),
    ("refused", "decide a refused filing", lambda w, f: decide(w.head_a, f), ILLEGAL),
    ("withdrawn", "withdraw twice", lambda w, f: withdraw(w.org_a1, f), ILLEGAL),
    ("withdrawn", "submit a withdrawn", lambda w, f: submit(w.org_a1, f), ILLEGAL),
    ("withdrawn", "review a withdrawn", lambda w, f: start_review(w.liaison_a, f), ILLEGAL),
    ("withdrawn", "resubmit a withdrawn", lambda w, f: resubmit(w.org_a1, f), ILLEGAL),
    (
        "submitted",
        "edit a submitted filing",
        lambda w, f: services.filing_update(
            actor=w.org_a1, filing=f, expected_version=version(f), title="改"
        ),
        "not_editable",
    ),
    (
        "draft",
        "edit someone else's draft",
        lambda w, f: services.filing_update(
            actor=w.liaison_a, filing=f, expected_version=version(f), title="改"
        ),
        PermissionDenied,
    ),
    (
        "draft",
        "comment on a draft",
        lambda w, f: services.filing_comment(actor=w.org_a1, filing=f, body="评论"),
        ValidationError,
    ),
    (
        "submitted",
        "comment by an outsider",
        lambda w, f: services.filing_comment(actor=w.org_b1, filing=f, body="评论"),
        PermissionDenied,
    ),
    (
        "submitted",
        "summary before a decision",
        lambda w, f: services.summary_submit(
            actor=w.org_a1, filing=f, expected_version=version(f), summary="总结"
        ),
        ValidationError,
    ),
    (
        "acknowledged",
        "summary by a reviewer",
        lambda w, f: services.summary_submit(
            actor=w.liaison_a, filing=f, expected_version=version(f), summary="总结"
        ),
        PermissionDenied,
    ),
    (
        "refused",
        "summary after a refusal",
        lambda w, f: services.summary_submit(
            actor=w.org_a1, filing=f, expected_version=version(f), summary="总结"
        ),
        ValidationError,
    ),
    (
        "submitted",
        "org adds a file after submission",
        lambda w, f: attach(w.org_a1, f),
        ValidationError,
    ),
    (
        "acknowledged",
        "reviewer adds a file when closed",
        lambda w, f: attach(w.liaison_a, f),
        ValidationError,
    ),
    ("submitted", "outsider adds a file", lambda w, f: attach(w.liaison_b, f), PermissionDenied),
]


def refusal_problem(world, filing, action, expected):
    """None if ``action`` is refused as expected and changes nothing, else what went wrong."""
    before = snapshot(filing)
    notifications = Notification.objects.count()
    attachments = filing.attachments.count()
    try:
        action(world, filing)
    except PermissionDenied:
        if expected is not PermissionDenied:
            return f"PermissionDenied, expected {expected}"
    except ValidationError as exc:
        if isinstance(exc, StaleVersion):
            return "StaleVersion"
        if expected is PermissionDenied:
            return f"ValidationError {exc.messages}, expected PermissionDenied"
        if isinstance(expected, str) and exc.code != expected:
            return f"code {exc.code!r}, expected {expected!r}"
    else:
        return "allowed"
    if snapshot(filing) != before:
        return f"changed {before} → {snapshot(filing)}"
    if Notification.objects.count() != notifications:
        return "notified someone"
    if filing.attachments.count() != attachments:
        return "stored a file"
    return None


# One world per source state, every refused action of that state in its own savepoint (a wrongly
# allowed action cannot spoil the next one); a case per test would take four times as long.
@pytest.mark.parametrize("state", sorted({case[0] for case in CASES}))
def test_illegal_actions_are_refused_and_change_nothing(world, state):
    filing = make(world, state)
    assert fresh(filing).state == {"ready": S.IN_REVIEW}.get(state, state)
    wrong = []
    for source, description, action, expected in CASES:
        if source != state:
            continue
        with transaction.atomic():
            problem = refusal_problem(world, filing, action, expected)
            transaction.set_rollback(True)
        if problem:
            wrong.append(f"{description}: {problem}")
    assert not wrong, wrong


def test_returned_while_an_opinion_is_pending_refuses_the_opinion(world):
    filing = make(world, "in_review")
    return_(world.liaison_a, filing)
    before = snapshot(filing)
    with pytest.raises(ValidationError):
        opine(world.office, filing)
    assert snapshot(filing) == before


def test_illegal_actions_through_the_page(world, login):
    filing = make(world, "ready")
    before = snapshot(filing)
    url = reverse("reports:transition", kwargs={"pk": filing.pk})
    v = version(filing)
    # The liaison staff member may review but not decide; the org may not review.
    assert login(world.liaison_a).post(url, {"action": "approve", "version": v}).status_code == 403
    assert (
        login(world.org_a1)
        .post(url, {"action": "return", "version": v, "comment": "x"})
        .status_code
        == 403
    )
    # A source state that does not allow the action: the page says so (shown again, not
    # redirected, so that a comment typed with the action is kept).
    response = login(world.org_a1).post(url, {"action": "resubmit", "version": v})
    assert response.status_code == 200
    shown = [str(m) for m in response.context["messages"]]
    assert len(shown) == 1, shown
    assert "暂不能重新提交" in shown[0] or "cannot be resubmitted" in shown[0], shown
    # Outsiders do not find the filing at all.
    assert login(world.org_b1).post(url, {"action": "withdraw", "version": v}).status_code == 404
    assert snapshot(filing) == before


def test_decided_page_offers_no_actions(world, login):
    filing = make(world, "acknowledged")
    for user in (world.org_a1, world.liaison_a, world.head_a):
        response = login(user).get(reverse("reports:detail", kwargs={"pk": filing.pk}))
        assert response.context["buttons"] == [], user


# --- the whole way through --------------------------------------------------------------------


def test_happy_path_records_events_and_history(world, login):
    w = world
    filing = create(
        w.org_a1, w.org_a, "major_matter", title="年会", event_start=far(60), event_end=far(62)
    )
    attach(w.org_a1, filing)
    submit(w.org_a1, filing, comment="请审核")
    start_review(w.liaison_a, filing)
    opine(w.office, filing, body="办公室无意见", stance="no_objection")
    return_(w.liaison_a, filing, comment="补充预算")
    services.filing_update(
        actor=w.org_a1,
        filing=filing,
        expected_version=version(filing),
        title="年会（修订）",
        event_start=far(60),
        event_end=far(62),
    )
    resubmit(w.org_a1, filing, comment="已补充")
    start_review(w.head_a, filing)
    decide(w.head_a, filing, comment="同意备案")
    filing = fresh(filing)
    assert filing.state == S.ACKNOWLEDGED
    assert filing.decided_by == w.head_a and filing.decided_at is not None
    assert filing.title == "年会（修订）"
    assert filing.first_submitted_at <= filing.submitted_at

    transitions = list(
        FilingEvent.objects.filter(filing=filing, kind="transition").values_list(
            "action", "from_state", "to_state", "actor__username"
        )
    )
    assert transitions == [
        ("create", "", S.DRAFT, "org-a1"),
        ("submit", S.DRAFT, S.SUBMITTED, "org-a1"),
        ("start_review", S.SUBMITTED, S.IN_REVIEW, "liaison-a"),
        ("return", S.IN_REVIEW, S.RETURNED, "liaison-a"),
        ("resubmit", S.RETURNED, S.RESUBMITTED, "org-a1"),
        ("start_review", S.RESUBMITTED, S.IN_REVIEW, "head-a"),
        ("decide", S.IN_REVIEW, S.ACKNOWLEDGED, "head-a"),
    ]
    kinds = list(FilingEvent.objects.filter(filing=filing).values_list("kind", "action"))
    assert ("attachment", "attach") in kinds and ("opinion", "opinion") in kinds
    opinion_event = FilingEvent.objects.get(filing=filing, kind="opinion")
    assert opinion_event.internal and opinion_event.division == w.office_div
    assert opinion_event.body == "办公室无意见"
    assert FilingEvent.objects.get(filing=filing, action="return").body == "补充预算"
    # The opinion asked the first time is not asked again after the resubmission.
    assert filing.opinions.count() == 1

    history = list(filing.history.order_by("history_id"))
    assert len(history) == filing.version
    assert [h.version for h in history] == list(range(1, filing.version + 1))
    assert [h.history_user.username for h in history] == [
        "org-a1",  # create
        "org-a1",  # submit
        "liaison-a",  # start_review
        "office",  # opinion
        "liaison-a",  # return
        "org-a1",  # edit
        "org-a1",  # resubmit
        "head-a",  # start_review
        "head-a",  # decide
    ]
    assert [h.history_change_reason for h in history] == [
        "create",
        "submit",
        "start_review",
        "opinion",
        "return",
        "edit",
        "resubmit",
        "start_review",
        "decide",
    ]
    assert [h.state for h in history][-1] == S.ACKNOWLEDGED
    # Staff see the timeline and the change history on the page.
    response = login(w.liaison_a).get(reverse("reports:detail", kwargs={"pk": filing.pk}))
    assert len(response.context["timeline"]) == FilingEvent.objects.filter(filing=filing).count()
    assert response.context["history"]


def test_refusal_and_withdrawal_are_final(world):
    refused = make(world, "refused")
    assert fresh(refused).state == S.REFUSED
    assert FilingEvent.objects.get(filing=refused, action="decide").body == "理由"
    withdrawn = make(world, "in_review")
    withdraw(world.org_a1, withdrawn, comment="活动取消")
    event = FilingEvent.objects.filter(filing=withdrawn).last()
    assert (event.action, event.from_state, event.to_state) == (
        "withdraw",
        S.IN_REVIEW,
        S.WITHDRAWN,
    )


def test_approval_class_matter_ends_approved(world):
    w = world
    filing = submitted(w, w.org_a1, w.org_a, "bureau_activity", event_start=far(60))
    start_review(w.office, filing)
    give_all_opinions(filing)
    decide(w.office_head, filing)
    assert fresh(filing).state == S.APPROVED


def test_through_the_page(world, login):
    """The same transitions through reports:transition, with the version the page carries."""
    w = world
    filing = make(w, "submitted")
    client = login(w.liaison_a)
    page = client.get(reverse("reports:detail", kwargs={"pk": filing.pk}))
    assert {b["name"] for b in page.context["buttons"]} == {"start_review", "return"}
    v = page.context["transition_form"].initial["version"]
    url = reverse("reports:transition", kwargs={"pk": filing.pk})
    assert client.post(url, {"action": "start_review", "version": v}).status_code == 302
    assert fresh(filing).state == S.IN_REVIEW
    opine(w.office, filing)
    client = login(w.head_a)
    page = client.get(reverse("reports:detail", kwargs={"pk": filing.pk}))
    assert {"approve", "refuse"} <= {b["name"] for b in page.context["buttons"] if not b["reason"]}
    v = page.context["transition_form"].initial["version"]
    client.post(url, {"action": "refuse", "version": v, "comment": ""})
    assert fresh(filing).state == S.IN_REVIEW  # a refusal needs its reason
    client.post(url, {"action": "refuse", "version": v, "comment": "不符合规定"})
    assert fresh(filing).state == S.REFUSED


# --- late reports (迟报) ----------------------------------------------------------------------


def test_major_matter_three_days_ahead_is_late(world, login):
    filing = submitted(
        world, world.org_a1, world.org_a, "major_matter", event_start=far(3), event_end=far(3)
    )
    assert filing.late_days and filing.late_days > 0
    today = services._today()
    required_by = calendar.add_workdays(far(3), -filing.matter.lead_time_days)
    assert filing.late_days == max(1, calendar.workdays_between(required_by, today))
    html = login(world.liaison_a).get(reverse("reports:detail", kwargs={"pk": filing.pk}))
    assert f"迟报{filing.late_days}个工作日" in html.content.decode()
    late = login(world.liaison_a).get(reverse("reports:queue"), {"flag": "late"})
    assert filing.pk in [f.pk for f in late.context["page"].object_list]


def test_major_matter_forty_days_ahead_is_not_late(world, login):
    filing = submitted(
        world, world.org_a1, world.org_a, "major_matter", event_start=far(40), event_end=far(41)
    )
    assert filing.late_days is None
    late = login(world.liaison_a).get(reverse("reports:queue"), {"flag": "late"})
    assert filing.pk not in [f.pk for f in late.context["page"].object_list]


def test_lateness_is_judged_on_the_first_submission_only(world):
    filing = submitted(
        world, world.org_a1, world.org_a, "major_matter", event_start=far(3), event_end=far(3)
    )
    late = fresh(filing).late_days
    assert late
    return_(world.liaison_a, filing)
    resubmit(world.org_a1, filing)
    assert fresh(filing).late_days == late


def test_matter_without_lead_time_is_never_late(world):
    filing = submitted(world, world.org_a1, world.org_a, "work_plan", event_start=far(1))
    assert filing.late_days is None


def test_review_deadline_counts_working_days(world):
    filing = submitted(world, world.org_a1, world.org_a, "major_matter", event_start=far(60))
    assert filing.review_due_on == calendar.add_workdays(services._today(), 15)


# --- the summary after the event -------------------------------------------------------------


def test_summary_due_after_positive_decision(world, login):
    w = world
    start, end = far(60), far(62)
    filing = create(
        w.org_a1, w.org_a, "major_matter", title="SUMMARY-ME", event_start=start, event_end=end
    )
    submit(w.org_a1, filing)
    start_review(w.liaison_a, filing)
    give_all_opinions(filing)
    decide(w.head_a, filing)
    filing = fresh(filing)
    assert filing.summary_due_on == calendar.add_workdays(end, filing.matter.summary_days)
    assert filing.summary_pending

    client = login(w.org_a1)
    mine = client.get(reverse("reports:mine"))
    assert filing.pk in [f.pk for f in mine.context["follow_ups"]]
    assert date_format(filing.summary_due_on) in mine.content.decode()
    page = client.get(reverse("reports:detail", kwargs={"pk": filing.pk}))
    assert page.context["summary_form"] is not None

    url = reverse("reports:summary", kwargs={"pk": filing.pk})
    v = version(filing)
    assert client.post(url, {"version": v, "summary": "活动圆满结束"}).status_code == 302
    filing = fresh(filing)
    assert filing.summary == "活动圆满结束" and filing.summary_submitted_at
    assert FilingEvent.objects.filter(filing=filing, kind="summary").count() == 1
    # Once only.
    before = snapshot(filing)
    response = client.post(url, {"version": version(filing), "summary": "第二次"})
    assert response.status_code == 302
    assert [str(m) for m in get_messages(response.wsgi_request)]
    assert fresh(filing).summary == "活动圆满结束"
    assert snapshot(filing) == before
    with pytest.raises(ValidationError):
        services.summary_submit(
            actor=w.org_a1, filing=filing, expected_version=version(filing), summary="第三次"
        )
    mine = client.get(reverse("reports:mine"))
    assert filing.pk not in [f.pk for f in mine.context["follow_ups"]]
    assert (
        client.get(reverse("reports:detail", kwargs={"pk": filing.pk})).context["summary_form"]
        is None
    )


def test_no_summary_after_a_refusal_or_for_matters_without_one(world):
    refused = make(world, "refused")
    assert fresh(refused).summary_due_on is None
    plan = submitted(world, world.org_a1, world.org_a, "work_plan")
    start_review(world.liaison_a, plan)
    give_all_opinions(plan)
    decide(world.head_a, plan)
    assert fresh(plan).summary_due_on is None


# --- stale versions --------------------------------------------------------------------------


def test_two_users_with_the_same_version_the_second_is_stale(world):
    filing = make(world, "submitted")
    seen = version(filing)
    services.filing_start_review(actor=world.liaison_a, filing=filing, expected_version=seen)
    before = snapshot(filing)
    with pytest.raises(StaleVersion):
        services.filing_return(
            actor=world.head_a, filing=filing, expected_version=seen, comment="退回"
        )
    assert snapshot(filing) == before


def test_two_heads_deciding_with_the_same_version(world):
    second_head = add_member(world, world.div_a, "head-a2", role="head")
    filing = make(world, "ready")
    seen = version(filing)
    services.filing_decide(actor=world.head_a, filing=filing, expected_version=seen, positive=True)
    before = snapshot(filing)
    with pytest.raises(StaleVersion):
        services.filing_decide(
            actor=second_head,
            filing=filing,
            expected_version=seen,
            positive=False,
            comment="不同意",
        )
    assert snapshot(filing) == before
    assert FilingEvent.objects.filter(filing=filing, action="decide").count() == 1


def test_two_org_users_editing_the_same_draft(world):
    from orgs import services as org_services
    from tests.conftest import PASSWORD

    org_a2 = org_services.org_user_create(
        actor=world.admin, org=world.org_a, username="org-a2", password=PASSWORD
    )
    filing = make(world, "draft")
    seen = version(filing)
    services.filing_update(actor=world.org_a1, filing=filing, expected_version=seen, title="甲")
    with pytest.raises(StaleVersion):
        services.filing_update(actor=org_a2, filing=filing, expected_version=seen, title="乙")
    assert fresh(filing).title == "甲"


def test_stale_version_through_the_page(world, login):
    filing = make(world, "submitted")
    stale = version(filing)
    start_review(world.liaison_a, filing)
    before = snapshot(filing)
    response = login(world.head_a).post(
        reverse("reports:transition", kwargs={"pk": filing.pk}),
        {"action": "return", "version": stale, "comment": "退回"},
    )
    assert response.status_code == 200  # the page again, with the comment as typed
    shown = " ".join(str(m) for m in response.context["messages"])
    assert "刷新页面" in shown or "reload the page" in shown, shown
    assert "退回" in response.context["transition_form"]["comment"].value()
    assert snapshot(filing) == before


def test_attachments_keep_their_bytes(world):
    filing = make(world, "draft")
    a = attach(world.org_a1, filing)
    with a.file.open("rb") as fh:
        assert fh.read() == PDF
