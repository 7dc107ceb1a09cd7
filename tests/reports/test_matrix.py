"""The duty matrix: every seeded matter is routed to the right lead and opinion divisions.

"liaison" stands for the organization's own liaison division, which differs per organization.
"""

import datetime

import pytest
from django.contrib.messages import get_messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from duties import access
from orgs.models import AnnualInspection, ManagementMode
from portal import calendar
from reports import services
from reports.matrix import DEFAULT_MATRIX
from reports.models import Filing, FilingEvent, FilingState, MatterType, Opinion
from tests.conftest import ROLES

from .helpers import (
    create,
    fresh,
    matter,
    member_of,
    new_org,
    snapshot,
    start_review,
    submit,
    submitted,
)

LIAISON = "liaison"

# code -> (lead, opinion divisions, who files it)
EXPECTED = {
    "pre_registration": ("policy_div", {LIAISON}, "org"),
    "registration": ("policy_div", {LIAISON}, "org"),
    "term_renewal": ("policy_div", {LIAISON}, "org"),
    "change": ("policy_div", {LIAISON}, "org"),
    "annual_inspection": ("policy_div", {LIAISON}, "org"),
    "major_matter": (LIAISON, {"office_div"}, "org"),
    "immediate_report": (LIAISON, {"office_div", "policy_div"}, "org"),
    "bureau_activity": ("office_div", {LIAISON}, "org"),
    "seminar_foreign": ("office_div", {LIAISON}, "org"),
    "cadre_post": ("personnel_div", {LIAISON}, "both"),
    "award": ("personnel_div", {LIAISON}, "org"),
    "service_project": ("finance_div", {LIAISON}, "org"),
    "work_plan": (LIAISON, {"policy_div"}, "org"),
    "fees_training": (LIAISON, {"policy_div"}, "org"),
    "grade_dereg": ("policy_div", {LIAISON}, "org"),
    "petition": ("office_div", {LIAISON}, "staff"),
    "audit": ("finance_div", set(), "staff"),
    "violation": ("discipline_div", {LIAISON, "policy_div"}, "staff"),
    "spot_check": ("policy_div", {LIAISON}, "staff"),
}
LIAISON_LED = ["major_matter", "work_plan", "fees_training", "immediate_report"]
# Who files the staff matters (a member of the division that leads them).
STAFF_FILER = {
    "petition": "office",
    "audit": "finance",
    "violation": "discipline",
    "spot_check": "policy",
}


def division(world, key, org):
    return org.liaison_division if key == LIAISON else getattr(world, key)


def expected_for(world, code, org):
    lead, opinions, _by = EXPECTED[code]
    return division(world, lead, org), {division(world, k, org) for k in opinions}


@pytest.fixture
def dual(world):
    """A dual-management organization (the bureau is its business supervisory unit) of div_a."""
    org, user = new_org(
        world,
        "上海市园林设计协会",
        liaison=world.div_a,
        username="org-dual1",
        management_mode=ManagementMode.DUAL,
    )
    world.org_dual, world.org_dual1 = org, user
    return world


def filer(world, code, org):
    if EXPECTED[code][2] == "staff":
        return getattr(world, STAFF_FILER[code])
    return world.org_a1 if org == world.org_a else world.org_b1


def test_the_table_covers_every_seeded_matter(world):
    seeded = set(MatterType.objects.values_list("code", flat=True))
    assert seeded == {row[0] for row in DEFAULT_MATRIX}
    assert seeded == set(EXPECTED)


# Loops rather than parametrization: one world serves every matter, which keeps the suite fast;
# each assertion names the matter.


def test_seeded_matter_flags(world):
    for code, (lead, opinions, by) in EXPECTED.items():
        m = matter(code)
        assert m.lead_is_liaison == (lead == LIAISON), code
        assert (m.lead_division is None) == (lead == LIAISON), code
        assert m.opinion_from_liaison == (LIAISON in opinions), code
        fixed = {getattr(world, k) for k in opinions if k != LIAISON}
        assert set(m.opinion_divisions.all()) == fixed, code
        assert m.submitted_by == by, code
        assert m.management_modes == (["dual"] if code == "pre_registration" else []), code


@pytest.mark.parametrize("org_name", ["org_a", "org_b"])
def test_resolve_lead_and_opinions(world, org_name):
    org = getattr(world, org_name)
    for code in EXPECTED:
        m = matter(code)
        lead, opinions = expected_for(world, code, org)
        assert access.lead_division_for(m, org) == lead, code
        resolved = services.resolve_opinion_divisions(m, org, lead)
        assert set(resolved) == opinions, code
        assert len(resolved) == len(opinions), f"{code}: a division is asked twice"
        assert lead not in resolved, f"{code}: the lead is asked for its own opinion"


def test_submit_and_start_review_route_every_matter(dual):
    world = dual
    # Last year's annual inspection on record, so that org A may apply for a grade evaluation.
    today = datetime.date.today()
    AnnualInspection.objects.create(
        organization=world.org_a, year=today.year - 1, result="pass", decided_on=today
    )
    for code in EXPECTED:
        # Pre-registration review exists only for dual management; the rest use org A.
        org = world.org_dual if code == "pre_registration" else world.org_a
        actor = world.org_dual1 if code == "pre_registration" else filer(world, code, org)
        lead, opinions = expected_for(world, code, org)

        filing = submitted(world, actor, org, code)
        assert filing.state == FilingState.SUBMITTED, code
        assert filing.lead_division == lead, code
        assert not filing.restricted, code  # restriction is chosen per filing
        assert not Opinion.objects.filter(filing=filing).exists(), f"{code}: asked before review"

        start_review(member_of(lead), filing)
        filing = fresh(filing)
        assert filing.state == FilingState.IN_REVIEW, code
        assert filing.lead_division == lead, code
        asked = Opinion.objects.filter(filing=filing)
        if filing.restricted:
            opinions = set()  # restricted to the lead division: nobody else is asked
        assert {o.division for o in asked} == opinions, code
        assert all(o.state == "pending" for o in asked), code


@pytest.mark.parametrize(
    "org_name, user_name, liaison", [("org_a", "org_a1", "div_a"), ("org_b", "org_b1", "div_b")]
)
def test_liaison_led_matters_go_to_the_orgs_liaison_division(world, org_name, user_name, liaison):
    org, user, div = getattr(world, org_name), getattr(world, user_name), getattr(world, liaison)
    other = world.div_b if div == world.div_a else world.div_a
    for code in LIAISON_LED:
        filing = submitted(world, user, org, code)
        assert filing.lead_division == div, code
        assert access.lead_division_for(matter(code), org) == div, code
        with pytest.raises(PermissionDenied):
            start_review(member_of(other), filing)
        start_review(member_of(div), filing)
        assert fresh(filing).state == FilingState.IN_REVIEW, code
        assert div not in {o.division for o in Opinion.objects.filter(filing=filing)}, code


# --- management modes ------------------------------------------------------------------------


@pytest.mark.parametrize("mode", [ManagementMode.DIRECT, ManagementMode.REFERENCE])
def test_pre_registration_is_refused_for_organizations_not_under_dual_management(world, mode):
    org, user = new_org(world, "上海市直接登记协会", liaison=world.div_a, username="org-c1")
    org.management_mode = mode
    org.save()
    filings, events = Filing.objects.count(), FilingEvent.objects.count()
    with pytest.raises(ValidationError) as exc:
        create(user, org, "pre_registration")
    assert exc.value.code == "mode"
    assert "登记前置审查" in exc.value.messages[0]
    assert Filing.objects.count() == filings
    assert FilingEvent.objects.count() == events


def test_pre_registration_is_not_offered_to_a_direct_organization(world, login):
    client = login(world.org_a1)
    page = client.get(reverse("reports:create"))
    assert page.status_code == 200
    codes = {m.code for m in page.context["matters"]}
    assert "pre_registration" not in codes
    assert "major_matter" in codes
    filings = Filing.objects.count()
    response = client.post(
        reverse("reports:create") + "?matter=pre_registration",
        {"matter": "pre_registration", "title": "筹备", "submit": "1"},
    )
    assert response.status_code == 200  # back to the choice of matters
    assert Filing.objects.count() == filings


def test_pre_registration_is_accepted_for_dual_management(dual):
    world = dual
    filing = create(world.org_dual1, world.org_dual, "pre_registration")
    filing = submit(world.org_dual1, filing)
    assert filing.lead_division == world.policy_div
    start_review(world.policy, filing)
    assert {o.division for o in Opinion.objects.filter(filing=filing)} == {world.div_a}


def test_pre_registration_draft_is_refused_when_the_mode_changes_before_submission(dual):
    world = dual
    filing = create(world.org_dual1, world.org_dual, "pre_registration")
    world.org_dual.management_mode = ManagementMode.DIRECT
    world.org_dual.save()
    before = snapshot(filing)
    with pytest.raises(ValidationError) as exc:
        submit(world.org_dual1, filing)
    assert exc.value.code == "mode"
    assert snapshot(filing) == before


# --- no liaison division yet -----------------------------------------------------------------


@pytest.fixture
def orphan(world):
    world.org_c, world.org_c1 = new_org(world, "上海市新成立协会", username="org-c1")
    assert world.org_c.liaison_division is None
    return world


def test_liaison_led_matter_without_liaison_division_is_refused(orphan):
    world = orphan
    for code in LIAISON_LED:
        filing = create(world.org_c1, world.org_c, code)
        before = snapshot(filing)
        with pytest.raises(ValidationError) as exc:
            submit(world.org_c1, filing)
        assert exc.value.code == "no_lead", code
        message = exc.value.messages[0]
        assert "liaison division" in message or "归口" in message, message
        assert snapshot(filing) == before, code
        assert fresh(filing).state == FilingState.DRAFT, code


def test_liaison_led_matter_without_liaison_division_is_refused_on_the_page(orphan, login):
    world = orphan
    client = login(world.org_c1)
    response = client.post(
        reverse("reports:create") + "?matter=work_plan",
        {
            "matter": "work_plan",
            "title": "2027年度工作计划",
            "year": 2027,
            "plan": "计划",
            "submit": "1",
        },
    )
    filing = Filing.objects.get(organization=world.org_c)
    assert response.status_code == 302
    assert response["Location"] == reverse("reports:detail", kwargs={"pk": filing.pk})
    assert filing.state == FilingState.DRAFT  # the draft is kept, the submission refused
    shown = [str(m) for m in get_messages(response.wsgi_request)]
    assert any("liaison division" in m or "归口" in m for m in shown), shown


def test_policy_led_matter_without_liaison_division_asks_no_liaison_opinion(orphan):
    world = orphan
    filing = submitted(world, world.org_c1, world.org_c, "registration")
    assert filing.lead_division == world.policy_div
    start_review(world.policy, filing)
    assert not Opinion.objects.filter(filing=filing).exists()


# --- an admin edits the duty matrix ----------------------------------------------------------

FLAGS = ("lead_is_liaison", "opinion_from_liaison", "restricted", "visible_to_org", "is_active")


def matter_post_data(m, **changes):
    """What the matter_edit form posts for ``m`` unchanged, then ``changes`` applied."""
    values = {
        "name_zh": m.name_zh,
        "name_en": m.name_en,
        "description": m.description,
        "submitted_by": m.submitted_by,
        "lead_division": m.lead_division_id or "",
        "opinion_divisions": [d.pk for d in m.opinion_divisions.all()],
        "report_class": m.report_class,
        "lead_time_days": m.lead_time_days if m.lead_time_days is not None else "",
        "review_days": m.review_days,
        "summary_days": m.summary_days if m.summary_days is not None else "",
        "management_modes": list(m.management_modes),
        "sort_order": m.sort_order,
        "decision_effect": m.decision_effect,
        "version": type(m).objects.get(pk=m.pk).version,
        **{flag: getattr(m, flag) for flag in FLAGS},
    }
    values.update(changes)
    return {k: ("on" if v is True else v) for k, v in values.items() if v is not False}


def test_admin_edits_review_days_on_the_page_and_history_keeps_it(world, login):
    m = matter("major_matter")
    assert m.review_days == 15
    client = login(world.admin)
    url = reverse("reports:matter_edit", kwargs={"pk": m.pk})
    assert client.get(url).status_code == 200
    response = client.post(url, matter_post_data(m, review_days=7))
    assert response.status_code == 302, response.context["form"].errors
    assert response["Location"] == reverse("reports:matters")
    m.refresh_from_db()
    assert m.review_days == 7
    latest, previous = m.history.order_by("-history_id")[:2]
    assert latest.review_days == 7 and latest.history_user == world.admin
    assert previous.review_days == 15
    # The next filing is due 7 working days after it arrives.
    filing = submitted(world, world.org_a1, world.org_a, "major_matter")
    assert filing.review_due_on == calendar.add_workdays(services._today(), 7)


def test_admin_changes_routing_on_the_page(world, login):
    """Registration without the liaison opinion, with Finance's instead: the next review asks
    Finance only; a filing already in review keeps what it asked."""
    m = matter("registration")
    old = submitted(world, world.org_a1, world.org_a, "registration")
    start_review(world.policy, old)
    client = login(world.admin)
    data = matter_post_data(m, opinion_from_liaison=False, opinion_divisions=[world.finance_div.pk])
    response = client.post(reverse("reports:matter_edit", kwargs={"pk": m.pk}), data)
    assert response.status_code == 302
    m.refresh_from_db()
    assert m.opinion_from_liaison is False
    assert set(m.opinion_divisions.all()) == {world.finance_div}
    latest = m.history.order_by("-history_id").first()
    assert latest.opinion_from_liaison is False and latest.history_user == world.admin
    new = submitted(world, world.org_a1, world.org_a, "registration")
    start_review(world.policy, new)
    assert {o.division for o in Opinion.objects.filter(filing=new)} == {world.finance_div}
    assert {o.division for o in Opinion.objects.filter(filing=old)} == {world.div_a}


def test_a_matter_without_lead_is_refused_on_the_page(world, login):
    m = matter("audit")
    history = m.history.count()
    response = login(world.admin).post(
        reverse("reports:matter_edit", kwargs={"pk": m.pk}),
        matter_post_data(m, lead_division="", lead_is_liaison=False),
    )
    assert response.status_code == 200
    assert response.context["form"].errors
    m.refresh_from_db()
    assert m.lead_division == world.finance_div
    assert m.history.count() == history


def test_matter_update_service_records_history_and_routes_new_filings(world):
    m = matter("major_matter")
    old = submitted(world, world.org_a1, world.org_a, "major_matter")
    start_review(world.liaison_a, old)
    services.matter_update(
        actor=world.admin, matter=m, review_days=7, opinion_divisions=[world.policy_div]
    )
    m.refresh_from_db()
    assert m.review_days == 7
    latest = m.history.order_by("-history_id").first()
    assert latest.review_days == 7
    assert latest.history_user == world.admin
    assert m.history.filter(review_days=15).exists()
    new = submitted(world, world.org_a1, world.org_a, "major_matter")
    assert new.review_due_on == calendar.add_workdays(services._today(), 7)
    start_review(world.liaison_a, new)
    assert {o.division for o in Opinion.objects.filter(filing=new)} == {world.policy_div}
    # A filing already in review keeps the opinions it asked for.
    assert {o.division for o in Opinion.objects.filter(filing=old)} == {world.office_div}


def test_matter_update_refuses_a_matter_without_lead(world):
    m = matter("audit")
    with pytest.raises(ValidationError):
        services.matter_update(actor=world.admin, matter=m, lead_division=None)
    m.refresh_from_db()
    assert m.lead_division == world.finance_div


def test_non_admins_cannot_edit_the_matrix(world, login):
    m = matter("major_matter")
    history = m.history.count()
    url = reverse("reports:matter_edit", kwargs={"pk": m.pk})
    for role in [r for r in ROLES if r != "admin"] + ["head_a", "office_head"]:
        client = login(getattr(world, role))
        assert client.get(url).status_code == 403, role
        assert client.post(url, matter_post_data(m, review_days=1)).status_code == 403, role
        with pytest.raises(PermissionDenied):
            services.matter_update(actor=getattr(world, role), matter=m, review_days=1)
    m.refresh_from_db()
    assert m.review_days == 15
    assert m.history.count() == history
