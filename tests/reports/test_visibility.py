"""Who sees which filing, through the pages: the filing page (200 or 404), the review queue, the
organization's own list and the organization page's filings section.

Five filings: a submitted major matter report of org A (led by its liaison division, Office gives
an opinion), a restricted seminar / foreign exchange filing of org A (Office leads; only Office,
the leading group and org A see it), a draft of org A, a petition the Office filed about org A
(the organization must not read it) and a violation case Discipline filed about org B.
"""

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from duties import access
from duties import services as duty_services
from orgs import services as org_services
from portal.models import Notification
from reports import services
from reports.models import Attachment, Filing, FilingEvent, FilingState, MatterType, Opinion
from tests.conftest import PASSWORD

from .helpers import (
    attach,
    create,
    decide,
    fresh,
    give_all_opinions,
    opine,
    resubmit,
    return_,
    start_review,
    submit,
    submitted,
)

TITLES = {
    "major": "MAJOR-A 行业峰会",
    "seminar": "SEMINAR-A 境外交流",
    "draft": "DRAFT-A 草稿",
    "petition": "PETITION-A 信访件",
    "violation": "VIOLATION-B 违规案件",
}
USERS = [
    "admin",
    "leader",
    "policy",
    "policy_head",
    "office",
    "office_head",
    "personnel",
    "finance",
    "discipline",
    "discipline_head",
    "liaison_a",
    "head_a",
    "liaison_b",
    "head_b",
    "org_a1",
    "org_a2",
    "org_b1",
]
STAFF = set(USERS) - {"org_a1", "org_a2", "org_b1"}
SEES = {
    "major": {
        "admin",
        "leader",
        "policy",
        "policy_head",
        "office",
        "office_head",
        "liaison_a",
        "head_a",
        "org_a1",
        "org_a2",
    },
    "seminar": {"leader", "office", "office_head", "org_a1", "org_a2"},
    "draft": {"org_a1", "org_a2"},
    "petition": {
        "admin",
        "leader",
        "policy",
        "policy_head",
        "office",
        "office_head",
        "liaison_a",
        "head_a",
    },
    "violation": {
        "admin",
        "leader",
        "policy",
        "policy_head",
        "discipline",
        "discipline_head",
        "liaison_b",
        "head_b",
        "org_b1",
    },
}
# Open filings each user's divisions lead, while all five are only submitted.
QUEUE_SUBMITTED = {
    "liaison_a": {"major"},
    "head_a": {"major"},
    "office": {"seminar", "petition"},
    "office_head": {"seminar", "petition"},
    "discipline": {"violation"},
    "discipline_head": {"violation"},
}


@pytest.fixture
def scene(world):
    w = world
    w.org_a2 = org_services.org_user_create(
        actor=w.admin, org=w.org_a, username="org-a2", password=PASSWORD
    )
    major = create(w.org_a1, w.org_a, "major_matter", title=TITLES["major"])
    w.public_file = attach(w.org_a1, major, name="活动方案.pdf")
    w.major = submit(w.org_a1, major)
    w.seminar = submitted(
        w,
        w.org_a1,
        w.org_a,
        "seminar_foreign",
        title=TITLES["seminar"],
        restricted_reason="涉外事项，限定知悉范围",
    )
    w.draft = create(w.org_a1, w.org_a, "major_matter", title=TITLES["draft"])
    w.petition = submitted(w, w.office, w.org_a, "petition", title=TITLES["petition"])
    w.violation = submitted(w, w.discipline, w.org_b, "violation", title=TITLES["violation"])
    w.filings = {k: getattr(w, k) for k in TITLES}
    return w


def detail(client, filing):
    return client.get(reverse("reports:detail", kwargs={"pk": filing.pk}))


def titles(rows):
    found = {f.title for f in rows}
    return {key for key, title in TITLES.items() if title in found}


def test_filing_page_visibility_matrix(scene, login):
    wrong = []
    for user in USERS:
        client = login(getattr(scene, user))
        for key, filing in scene.filings.items():
            expected = 200 if user in SEES[key] else 404
            got = detail(client, filing).status_code
            if got != expected:
                wrong.append(f"{user} → {key}: got {got}, expected {expected}")
    assert not wrong, wrong


def test_the_querysets_agree_with_the_pages(scene):
    wrong = []
    for user in USERS:
        visible = titles(access.visible_filings(getattr(scene, user)))
        expected = {key for key in TITLES if user in SEES[key]}
        if visible != expected:
            wrong.append(f"{user}: {sorted(visible)} != {sorted(expected)}")
    assert not wrong, wrong


def queued(client, tab="lead"):
    """The titles keys on one tab of the review queue (all pages: the lists here are short)."""
    response = client.get(reverse("reports:queue"), {"tab": tab})
    assert response.status_code == 200
    assert response.context["tab"] == tab
    return titles(response.context["page"].object_list)


def test_review_queue(scene, login):
    wrong = []
    for user in USERS:
        client = login(getattr(scene, user))
        if user not in STAFF:
            status = client.get(reverse("reports:queue")).status_code
            if status != 403:
                wrong.append(f"{user}: queue status {status}")
            continue
        lead, opinion = queued(client), queued(client, "opinion")
        if lead != QUEUE_SUBMITTED.get(user, set()):
            wrong.append(f"{user} lead tab: {sorted(lead)}")
        if opinion:  # nothing is in review yet
            wrong.append(f"{user} opinion tab: {sorted(opinion)}")
    assert not wrong, wrong


def test_review_queue_after_review_starts_lists_the_opinions_asked(scene, login):
    w = scene
    for key in ("major", "petition", "violation", "seminar"):
        start_review(
            getattr(w, {"major": "liaison_a", "violation": "discipline"}.get(key, "office")),
            w.filings[key],
        )
    lead = {
        "liaison_a": {"major"},
        "head_a": {"major"},
        "office": {"seminar", "petition"},
        "office_head": {"seminar", "petition"},
        "discipline": {"violation"},
        "discipline_head": {"violation"},
    }
    opinion = {
        "liaison_a": {"petition"},  # not the restricted seminar filing: nobody is asked there
        "head_a": {"petition"},
        "office": {"major"},
        "office_head": {"major"},
        "liaison_b": {"violation"},
        "head_b": {"violation"},
        "policy": {"violation"},
        "policy_head": {"violation"},
    }
    wrong = []
    for user in sorted(STAFF):
        client = login(getattr(w, user))
        for tab, expected in (("lead", lead), ("opinion", opinion)):
            listed = queued(client, tab)
            if listed != expected.get(user, set()):
                wrong.append(f"{user} {tab}: {sorted(listed)} != {sorted(expected.get(user, ()))}")
            # Whatever a queue lists, the user can open.
            for key in listed:
                if user not in SEES[key]:
                    wrong.append(f"{user} {tab}: lists {key} but may not open it")
    assert not wrong, wrong


def test_my_filings(scene, login):
    expected = {
        "org_a1": {"major", "seminar", "draft"},
        "org_a2": {"major", "seminar", "draft"},
        "org_b1": {"violation"},
    }
    for user, keys in expected.items():
        response = login(getattr(scene, user)).get(reverse("reports:mine"))
        assert response.status_code == 200
        assert titles(response.context["page"].object_list) == keys, user
        html = response.content.decode()
        for key, title in TITLES.items():
            assert (title in html) == (key in keys), (user, key)
    for user in STAFF:
        assert login(getattr(scene, user)).get(reverse("reports:mine")).status_code == 403, user


def test_organization_page_filings_section(scene, login):
    wrong = []
    for user in USERS:
        client = login(getattr(scene, user))
        for org, keys in (
            (scene.org_a, TITLES.keys() - {"violation"}),
            (scene.org_b, {"violation"}),
        ):
            response = client.get(reverse("orgs:detail", kwargs={"pk": org.pk}))
            if response.status_code != 200:
                continue  # the organization itself is out of this user's scope
            listed = titles(response.context["filings"])
            expected = {k for k in keys if user in SEES[k]}
            if listed != expected:
                wrong.append(f"{user} on {org}: {sorted(listed)} != {sorted(expected)}")
            html = response.content.decode()
            leaked = [k for k in TITLES if k not in expected and TITLES[k] in html]
            if leaked:
                wrong.append(f"{user} on {org}: page shows {leaked}")
    assert not wrong, wrong


def test_a_draft_is_only_for_the_authors_organization(scene, login):
    w = scene
    assert detail(login(w.org_a2), w.draft).status_code == 200
    edit = reverse("reports:edit", kwargs={"pk": w.draft.pk})
    assert login(w.org_a2).get(edit).status_code == 200
    assert login(w.liaison_a).get(edit).status_code == 404
    # A staff draft stays with its author: not the colleagues, not the organization.
    staff_draft = create(w.discipline, w.org_b, "violation", title="VIOLATION-DRAFT")
    assert detail(login(w.discipline), staff_draft).status_code == 200
    for user in ("discipline_head", "org_b1", "liaison_b", "leader", "admin", "policy"):
        assert detail(login(getattr(w, user)), staff_draft).status_code == 404, user


@pytest.mark.parametrize("user, code", [("discipline", "violation"), ("office", "petition")])
def test_a_staff_author_can_open_their_own_draft(scene, login, user, code):
    w = scene
    client = login(getattr(w, user))
    fields = {
        "violation": {
            "description": "事实",
            "event_start": "2026-03-02",
            "basis": "条例",
            "event_end": "2026-04-30",
            "rectification": "整改",
        },
        "petition": {
            "petitioner": "市民",
            "event_start": "2026-03-02",
            "channel": "来信",
            "content": "内容",
        },
    }[code]
    response = client.post(
        reverse("reports:create") + f"?org={w.org_a.pk}&matter={code}",
        {"org": w.org_a.pk, "matter": code, "title": "STAFF-DRAFT", **fields},
    )
    assert response.status_code == 302, response.context["form"].errors
    draft = Filing.objects.get(title="STAFF-DRAFT")
    assert draft.state == FilingState.DRAFT
    assert client.get(response["Location"]).status_code == 200


# --- internal matters never reach the organization -----------------------------------------

SECRETS = (
    "INTERNAL-START",
    "OPINION-SECRET",
    "INTERNAL-COMMENT",
    "内部备忘.pdf",
)


@pytest.fixture
def discussed(scene):
    """The major matter taken into review with an internal comment, an opinion, an internal file
    and a visible comment, then acknowledged."""
    w = scene
    start_review(w.liaison_a, w.major, comment="INTERNAL-START")
    services.filing_comment(
        actor=w.liaison_a, filing=w.major, body="INTERNAL-COMMENT", internal=True
    )
    services.filing_comment(
        actor=w.liaison_a, filing=w.major, body="PUBLIC-COMMENT", internal=False
    )
    w.internal_file = attach(w.liaison_a, w.major, name="内部备忘.pdf", internal=True)
    opine(w.office, w.major, body="OPINION-SECRET")
    return w


def test_staff_see_the_internal_record(discussed, login):
    html = detail(login(discussed.liaison_a), discussed.major).content.decode()
    for text in SECRETS + ("PUBLIC-COMMENT",):
        assert text in html, text
    dl = reverse("reports:attachment", kwargs={"pk": discussed.internal_file.pk})
    assert login(discussed.office).get(dl).status_code == 200


def test_organization_never_sees_internal_comments_opinions_or_files(discussed, login):
    w = discussed
    for user in (w.org_a1, w.org_a2):
        client = login(user)
        response = detail(client, w.major)
        assert response.status_code == 200
        html = response.content.decode()
        for secret in SECRETS:
            assert secret not in html, secret
        assert "PUBLIC-COMMENT" in html
        assert "活动方案.pdf" in html
        assert response.context["opinions"] is None
        assert response.context["history"] is None
        assert all(not e.internal for e in response.context["timeline"])
        internal_dl = reverse("reports:attachment", kwargs={"pk": w.internal_file.pk})
        public_dl = reverse("reports:attachment", kwargs={"pk": w.public_file.pk})
        assert client.get(internal_dl).status_code == 404
        assert client.get(public_dl).status_code == 200
    # Acknowledged: the decision and its comment reach the organization, nothing internal does.
    decide(w.head_a, w.major, comment="PUBLIC-DECISION")
    client = login(w.org_a1)
    html = detail(client, w.major).content.decode()
    assert "PUBLIC-DECISION" in html
    inbox = client.get(reverse("inbox")).content.decode()
    assert TITLES["major"] in inbox  # the decision was notified
    for secret in SECRETS:
        assert secret not in inbox, secret
        assert not Notification.objects.filter(recipient=w.org_a1, body__contains=secret).exists()
        assert not Notification.objects.filter(recipient=w.org_a1, title__contains=secret).exists()


def test_an_organization_cannot_make_its_comment_internal(scene, login):
    w = scene
    event = services.filing_comment(
        actor=w.org_a1, filing=w.major, body="ORG-COMMENT", internal=True
    )
    assert event.internal is False
    assert "ORG-COMMENT" in detail(login(w.liaison_a), w.major).content.decode()


def test_an_organization_cannot_attach_an_internal_file(scene):
    w = scene
    filing = create(w.org_a1, w.org_a, "work_plan")
    attachment = attach(w.org_a1, filing, internal=True)
    assert attachment.internal is False


@pytest.mark.parametrize("user", ["org_b1", "liaison_b", "personnel", "finance"])
def test_outsiders_cannot_download_any_file_of_the_filing(discussed, login, user):
    client = login(getattr(discussed, user))
    for attachment in (discussed.public_file, discussed.internal_file):
        assert (
            client.get(reverse("reports:attachment", kwargs={"pk": attachment.pk})).status_code
            == 404
        )


@pytest.mark.parametrize("action", ["comment", "return", "decide", "review"])
def test_nothing_about_a_petition_reaches_the_organization(scene, login, action):
    w = scene
    petition = w.petition
    start_review(w.office, petition)
    opine(w.liaison_a, petition, body="PETITION-OPINION")
    if action == "comment":
        services.filing_comment(
            actor=w.office, filing=petition, body="PETITION-REPLY", internal=False
        )
    elif action == "return":
        return_(w.office, petition, comment="PETITION-REPLY")
    elif action == "decide":
        decide(w.office_head, petition, comment="PETITION-REPLY")
    client = login(w.org_a1)
    assert detail(client, petition).status_code == 404
    inbox = client.get(reverse("inbox")).content.decode()
    assert TITLES["petition"] not in inbox
    assert "PETITION-REPLY" not in inbox
    assert "PETITION-OPINION" not in inbox
    assert (
        not Notification.objects.filter(recipient__in=[w.org_a1, w.org_a2])
        .filter(title__contains=TITLES["petition"])
        .exists()
    )


def test_a_restricted_filing_asks_no_division_it_hides_from(scene, login):
    """Seminars and foreign exchanges are restricted to the lead (Office): no opinion is asked
    of the liaison division, which cannot see them, and the Office head decides alone."""
    w = scene
    start_review(w.office, w.seminar)
    problems = []
    for opinion in Opinion.objects.filter(filing=w.seminar).select_related("division"):
        for membership in opinion.division.memberships.select_related("user"):
            status = detail(login(membership.user), w.seminar).status_code
            if status != 200:
                problems.append(f"{membership.user} ({opinion.division}): {status}")
    assert not problems, problems
    assert not Notification.objects.filter(
        recipient__in=[w.liaison_a, w.head_a], title__contains=TITLES["seminar"]
    ).exists()
    decide(w.office_head, w.seminar)
    assert fresh(w.seminar).state == FilingState.ACKNOWLEDGED


def test_restricted_filing_stays_hidden_from_the_liaison_division(scene, login):
    w = scene
    start_review(w.office, w.seminar)
    for user in ("liaison_a", "head_a", "policy", "admin"):
        client = login(getattr(w, user))
        assert detail(client, w.seminar).status_code == 404, user
        if user in ("liaison_a", "head_a", "policy"):
            for tab in ("lead", "opinion"):
                assert "seminar" not in queued(client, tab), (user, tab)


# --- reassigning the liaison division ------------------------------------------------------


def test_reassigning_the_liaison_division_moves_visibility_and_open_work(scene, login):
    w = scene
    # A decided work plan, a returned fees filing, the major matter in review (Office's opinion
    # pending), a registration in review waiting for div_a's opinion, the petition likewise.
    plan = submitted(w, w.org_a1, w.org_a, "work_plan", title="PLAN-A")
    start_review(w.liaison_a, plan)
    give_all_opinions(plan)
    decide(w.head_a, plan)
    fees = submitted(w, w.org_a1, w.org_a, "fees_training", title="FEES-A")
    return_(w.liaison_a, fees)
    start_review(w.liaison_a, w.major)
    registration = submitted(w, w.org_a1, w.org_a, "registration", title="REG-A")
    start_review(w.policy, registration)
    start_review(w.office, w.petition)
    opine(w.liaison_a, w.petition, body="given before the move")
    everything = [plan, fees, w.major, registration, w.petition]

    for f in everything:
        assert detail(login(w.liaison_a), f).status_code == 200, f.title
        assert detail(login(w.liaison_b), f).status_code == 404, f.title

    duty_services.org_assign_liaison(
        actor=w.admin, org=w.org_a, division=w.div_b, reason="调整归口"
    )

    for f in everything:
        assert detail(login(w.liaison_a), f).status_code == 404, f.title
        assert detail(login(w.liaison_b), f).status_code == 200, f.title
    # Open liaison-led filings now lead from div_b; the decided one keeps its record.
    assert fresh(w.major).lead_division == w.div_b
    assert fresh(fees).lead_division == w.div_b
    assert fresh(plan).lead_division == w.div_a
    assert FilingEvent.objects.filter(filing=w.major, action="reroute", internal=True).exists()
    # Pending opinions moved; given ones stay with the division that gave them.
    assert Opinion.objects.get(filing=registration).division == w.div_b
    assert Opinion.objects.get(filing=w.petition).division == w.div_a
    # Queues follow.
    client_b = login(w.liaison_b)
    lead_b = client_b.get(reverse("reports:queue"), {"tab": "lead"}).context["page"].object_list
    assert {f.title for f in lead_b} == {TITLES["major"]}  # the fees filing is with the org
    opinion_b = client_b.get(reverse("reports:queue"), {"tab": "opinion"}).context["page"]
    assert {f.title for f in opinion_b.object_list} == {"REG-A"}
    client_a = login(w.liaison_a)
    for tab in ("lead", "opinion"):
        page = client_a.get(reverse("reports:queue"), {"tab": tab}).context["page"]
        assert not list(page.object_list), tab
    # The work goes on in div_b: the returned filing comes back to div_b, div_b's head decides.
    resubmit(w.org_a1, fees)
    assert fresh(fees).lead_division == w.div_b
    opine(w.liaison_b, registration, body="div_b opinion")
    assert fresh(registration).state == FilingState.IN_REVIEW
    give_all_opinions(w.major)
    with pytest.raises(PermissionDenied):
        decide(w.head_a, w.major)
    decide(w.head_b, w.major)
    assert fresh(w.major).decided_by == w.head_b


def test_reassignment_leaves_other_organizations_alone(scene, login):
    w = scene
    duty_services.org_assign_liaison(
        actor=w.admin, org=w.org_a, division=w.div_b, reason="调整归口"
    )
    assert fresh(w.violation).lead_division == w.discipline_div
    assert detail(login(w.liaison_b), w.violation).status_code == 200
    assert detail(login(w.liaison_a), w.violation).status_code == 404
    assert Attachment.objects.filter(filing=w.major).count() == 1


def test_reassignment_to_a_division_already_asked_for_an_opinion(world):
    w = world
    # An admin has Registration also ask 市容景观管理处 (div_b) for its opinion.
    services.matter_update(
        actor=w.admin,
        matter=MatterType.objects.get(code="registration"),
        opinion_divisions=[w.div_b],
    )
    filing = submitted(w, w.org_a1, w.org_a, "registration")
    start_review(w.policy, filing)
    assert {o.division for o in Opinion.objects.filter(filing=filing)} == {w.div_a, w.div_b}
    duty_services.org_assign_liaison(actor=w.admin, org=w.org_a, division=w.div_b, reason="调整")
    w.org_a.refresh_from_db()
    assert w.org_a.liaison_division == w.div_b
    assert Opinion.objects.filter(filing=filing, division=w.div_b).count() == 1
    assert not Opinion.objects.filter(filing=filing, division=w.div_a, state="pending").exists()


def test_reassignment_never_asks_the_new_lead_for_its_own_opinion(world):
    w = world
    services.matter_update(
        actor=w.admin,
        matter=MatterType.objects.get(code="major_matter"),
        opinion_divisions=[w.office_div, w.div_b],
    )
    filing = submitted(w, w.org_a1, w.org_a, "major_matter")
    start_review(w.liaison_a, filing)
    duty_services.org_assign_liaison(actor=w.admin, org=w.org_a, division=w.div_b, reason="调整")
    filing = fresh(filing)
    assert filing.lead_division == w.div_b
    pending = {o.division for o in Opinion.objects.filter(filing=filing, state="pending")}
    assert filing.lead_division not in pending
