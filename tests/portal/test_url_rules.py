"""Every URL declares an access rule, and each role gets what the rule says.

A new URL without a rule, or without a row in MATRIX below, fails this module.
"""

import datetime

import pytest
from django.core.files.base import ContentFile
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone

from meetings import services as meeting_services
from portal.models import CalendarDay
from portal.rules import RULES, rule_of
from reports import services
from reports.models import MatterType
from supervision import credit as supervision_credit
from supervision import services as supervision_services
from tests.conftest import ROLES
from tests.factories import filing_fields
from tests.reports.helpers import PDF

# Namespaces whose views keep their own access rules (the Django admin checks is_staff itself).
FOREIGN = {"admin"}


def walk(patterns, namespace=None):
    for p in patterns:
        if isinstance(p, URLResolver):
            ns = p.namespace or namespace
            if ns in FOREIGN:
                continue
            yield from walk(p.url_patterns, ns)
        elif isinstance(p, URLPattern):
            name = f"{namespace}:{p.name}" if namespace else p.name
            yield name, p.callback


def all_urls():
    return list(walk(get_resolver().url_patterns))


def test_every_url_declares_a_known_rule():
    missing = [name for name, cb in all_urls() if rule_of(cb) not in RULES]
    assert not missing, f"URLs without an access rule: {missing}"


# URL name -> (kwargs builder, {role: expected GET status}); roles not listed get `default`.
OK, REDIRECT, FORBIDDEN, NOT_FOUND, NOT_ALLOWED = 200, 302, 403, 404, 405
STAFF = {
    "admin",
    "leader",
    "policy",
    "policy_head",
    "office",
    "personnel",
    "finance",
    "discipline",
    "liaison_a",
    "liaison_b",
}
ORG_USERS = {"org_a1", "org_b1"}
SUPERVISION_A = {"admin", "leader", "policy", "policy_head", "discipline", "liaison_a", "org_a1"}


def everyone(status):
    return {role: status for role in ROLES}


def only(allowed, ok=OK, other=FORBIDDEN):
    return {role: (ok if role in allowed else other) for role in ROLES}


MATRIX = {
    "home": (lambda w: {}, everyone(OK)),
    "healthz": (lambda w: {}, everyone(OK)),
    "login": (lambda w: {}, everyone(REDIRECT)),  # authenticated users go home
    "logout": (lambda w: {}, everyone(NOT_ALLOWED)),  # POST only
    "set_language": (lambda w: {}, everyone(REDIRECT)),
    "user_list": (lambda w: {}, only({"admin"})),
    "user_create": (lambda w: {}, only({"admin"})),
    "user_detail": (lambda w: {"pk": w.policy.pk}, only({"admin"})),
    "user_sign_out": (lambda w: {"pk": w.policy.pk}, only({"admin"}, ok=NOT_ALLOWED)),
    "orgs:list": (lambda w: {}, only(STAFF)),
    "orgs:create": (lambda w: {}, only({"admin", "policy", "policy_head"})),
    "orgs:mine": (lambda w: {}, only(ORG_USERS, ok=REDIRECT)),
    "orgs:detail": (
        lambda w: {"pk": w.org_a.pk},
        {**only(STAFF | {"org_a1"}), "liaison_b": NOT_FOUND, "org_b1": NOT_FOUND},
    ),
    "orgs:edit": (lambda w: {"pk": w.org_a.pk}, only({"admin", "policy", "policy_head"})),
    "orgs:contacts": (
        lambda w: {"pk": w.org_a.pk},
        {**only({"admin", "policy", "policy_head", "org_a1"}, other=NOT_FOUND)},
    ),
    "orgs:assign": (lambda w: {"pk": w.org_a.pk}, only({"admin"})),
    "orgs:user_create": (lambda w: {"pk": w.org_a.pk}, only({"admin"})),
    "inbox": (lambda w: {}, everyone(OK)),
    "calendar": (lambda w: {}, only({"admin", "policy", "policy_head"})),
    "calendar_remove": (
        lambda w: {"pk": CalendarDay.objects.order_by("pk").first().pk},
        only({"admin", "policy", "policy_head"}, ok=NOT_ALLOWED),
    ),
    "inbox_read": (lambda w: {}, everyone(NOT_ALLOWED)),
    "reports:mine": (lambda w: {}, only(ORG_USERS)),
    "reports:create": (
        lambda w: {},
        # Organization users choose a matter; bureau staff are sent to pick an organization first.
        {**only(ORG_USERS), **{role: REDIRECT for role in STAFF}},
    ),
    "reports:queue": (lambda w: {}, only(STAFF)),
    "reports:matters": (lambda w: {}, only(STAFF)),
    "reports:matter_edit": (lambda w: {"pk": w.matter("major_matter").pk}, only({"admin"})),
    "reports:detail": (
        lambda w: {"pk": w.filing_a.pk},
        # A submitted major matter report of org A: led by its liaison division, Office gives an
        # opinion; Policy and the leading group see everything that is not restricted.
        {
            **only(
                {"admin", "leader", "policy", "policy_head", "office", "liaison_a", "org_a1"},
                other=NOT_FOUND,
            )
        },
    ),
    "reports:edit": (lambda w: {"pk": w.draft_a.pk}, only({"org_a1"}, other=NOT_FOUND)),
    "reports:transition": (lambda w: {"pk": w.filing_a.pk}, everyone(NOT_ALLOWED)),
    "reports:comment": (lambda w: {"pk": w.filing_a.pk}, everyone(NOT_ALLOWED)),
    "reports:opinion": (lambda w: {"pk": w.filing_a.pk}, only(STAFF, ok=NOT_ALLOWED)),
    "reports:attach": (lambda w: {"pk": w.filing_a.pk}, everyone(NOT_ALLOWED)),
    "reports:summary": (lambda w: {"pk": w.filing_a.pk}, everyone(NOT_ALLOWED)),
    "reports:restriction": (lambda w: {"pk": w.filing_a.pk}, everyone(NOT_ALLOWED)),
    "reports:attachment": (
        lambda w: {"pk": w.attachment_a.pk},
        {
            **only(
                {"admin", "leader", "policy", "policy_head", "office", "liaison_a", "org_a1"},
                other=NOT_FOUND,
            )
        },
    ),
    "reports:attachment_remove": (lambda w: {"pk": w.attachment_a.pk}, everyone(NOT_ALLOWED)),
    "meetings:meeting_list": (lambda w: {}, everyone(OK)),
    "meetings:meeting_create": (lambda w: {}, only({"admin", "policy", "policy_head"})),
    "meetings:meeting_detail": (
        lambda w: {"pk": w.meeting_b.pk},
        # Only org B is invited: org A's user does not find it.
        {**everyone(OK), "org_a1": NOT_FOUND},
    ),
    "meetings:meeting_edit": (
        lambda w: {"pk": w.meeting_b.pk},
        only({"admin", "policy", "policy_head"}),
    ),
    "meetings:meeting_cancel": (
        lambda w: {"pk": w.meeting_b.pk},
        only({"admin", "policy", "policy_head"}, ok=NOT_ALLOWED),
    ),
    "meetings:meeting_respond": (lambda w: {"pk": w.meeting_b.pk}, only(ORG_USERS, ok=NOT_ALLOWED)),
    "meetings:meeting_attendance": (
        lambda w: {"pk": w.meeting_b.pk},
        only({"admin", "policy", "policy_head"}, ok=NOT_ALLOWED),
    ),
    "meetings:meeting_ics": (
        lambda w: {"pk": w.meeting_b.pk},
        {**everyone(OK), "org_a1": NOT_FOUND},
    ),
    "meetings:meeting_minutes": (
        lambda w: {"pk": w.meeting_b.pk},
        # No minutes uploaded yet: 404 for whoever may see the meeting.
        everyone(NOT_FOUND),
    ),
    "meetings:special_request_create": (lambda w: {}, only({"leader"})),
    "meetings:special_request_decline": (
        lambda w: {"pk": w.special_request.pk},
        only({"admin", "policy", "policy_head"}, ok=NOT_ALLOWED),
    ),
    "duties:division_list": (lambda w: {}, only(STAFF)),
    "duties:division_create": (lambda w: {}, only({"admin"})),
    "duties:division_detail": (lambda w: {"pk": w.div_a.pk}, only(STAFF)),
    "duties:division_edit": (lambda w: {"pk": w.div_a.pk}, only({"admin"})),
    "duties:membership_add": (lambda w: {"pk": w.div_a.pk}, only({"admin"}, ok=NOT_ALLOWED)),
    "duties:membership_role": (
        lambda w: {"pk": w.liaison_a.division_memberships.get().pk},
        only({"admin"}, ok=NOT_ALLOWED),
    ),
    "duties:membership_remove": (
        lambda w: {"pk": w.liaison_a.division_memberships.get().pk},
        only({"admin"}, ok=NOT_ALLOWED),
    ),
    "supervision:rectification_list": (lambda w: {}, everyone(OK)),
    # Without ?org= the page has nothing to open a rectification on.
    "supervision:rectification_create": (lambda w: {}, {**only(STAFF, ok=400)}),
    "supervision:rectification": (
        lambda w: {"pk": w.rectification_a.pk},
        # Org A's, opened by its liaison division: Policy, the discipline commission and the
        # leading group see every rectification; other divisions and organizations do not.
        only(SUPERVISION_A, other=NOT_FOUND),
    ),
    "supervision:rectification_step": (
        lambda w: {"pk": w.rectification_a.pk, "step": "report"},
        everyone(NOT_ALLOWED),
    ),
    "supervision:rectification_file": (
        lambda w: {"pk": w.rectification_file_a.pk},
        only(SUPERVISION_A, other=NOT_FOUND),
    ),
    "supervision:rules": (lambda w: {}, only({"admin"})),
    "supervision:cases": (lambda w: {}, everyone(OK)),
    "supervision:case_create": (lambda w: {}, only(STAFF, ok=400)),
    "supervision:case": (
        lambda w: {"pk": w.case_a.pk},
        only(
            {"admin", "leader", "policy", "policy_head", "discipline", "liaison_a", "org_a1"},
            other=NOT_FOUND,
        ),
    ),
    "supervision:case_step": (
        lambda w: {"pk": w.case_a.pk, "step": "step"},
        only(STAFF, ok=NOT_ALLOWED),
    ),
    "supervision:case_file": (
        lambda w: {"pk": w.case_file_a.pk},
        # An internal step's document: bureau staff who see the case, not the organization.
        only(
            {"admin", "leader", "policy", "policy_head", "discipline", "liaison_a"}, other=NOT_FOUND
        ),
    ),
    "supervision:inspections": (lambda w: {}, only(STAFF)),
    "supervision:inspection_open": (lambda w: {}, only(STAFF, ok=NOT_ALLOWED)),
    "supervision:inspection": (lambda w: {"year": w.campaign.year}, only(STAFF)),
    "supervision:inspection_export": (lambda w: {"year": w.campaign.year}, only(STAFF)),
    "supervision:credit": (lambda w: {}, everyone(OK)),
    # Credit lists are the bureau's: all staff read them; an organization only its own.
    "supervision:credit_entry": (
        lambda w: {"pk": w.entry_a.pk},
        only(STAFF | {"org_a1"}, other=NOT_FOUND),
    ),
    "supervision:credit_entry_step": (
        lambda w: {"pk": w.entry_a.pk, "step": "confirm"},
        everyone(NOT_ALLOWED),
    ),
    "supervision:credit_entry_create": (lambda w: {}, {**only(STAFF, ok=400)}),
    "supervision:credit_record_create": (lambda w: {}, {**only(STAFF, ok=400)}),
}
# The addresses meetings had under /divisions/meetings/ (stored in inbox messages, reminders and
# emails) answer a permanent redirect to the new address for everyone, signed in or not: the new
# address applies its own rule.
MOVED_PERMANENTLY = 301
MOVED = {
    name.replace("meetings:", "meetings_moved:", 1): name
    for name in MATRIX
    if name.startswith("meetings:")
}
MATRIX.update({old: (MATRIX[new][0], everyone(MOVED_PERMANENTLY)) for old, new in MOVED.items()})


@pytest.fixture
def world(world):
    """The shared world plus one draft and one submitted filing (with a file) of org A."""

    def matter(code):
        return MatterType.objects.get(code=code)

    world.matter = matter
    data = filing_fields(
        matter("major_matter"), title="行业峰会", details={"category": "major_activity"}
    )
    world.draft_a = services.filing_create(
        actor=world.org_a1, organization=world.org_a, matter=matter("major_matter"), **data
    )
    filing = services.filing_create(
        actor=world.org_a1, organization=world.org_a, matter=matter("major_matter"), **data
    )
    world.attachment_a = services.attachment_add(
        actor=world.org_a1, filing=filing, upload=ContentFile(PDF, name="a.pdf")
    )
    world.filing_a = services.filing_submit(
        actor=world.org_a1, filing=filing, expected_version=filing.version
    )
    start = timezone.now() + datetime.timedelta(days=20)
    world.meeting_b = meeting_services.meeting_schedule(
        actor=world.policy,
        kind="special",
        title="专题会议",
        starts_at=start,
        ends_at=start + datetime.timedelta(hours=2),
        place="会议室",
        agenda="议程",
        organizations=[world.org_b],
    )
    world.special_request = meeting_services.special_request_create(
        actor=world.leader, topic="专题", reason="理由"
    )
    world.rectification_a = supervision_services.rectification_open(
        actor=world.liaison_a, organization=world.org_a, items="整改事项"
    )
    supervision_services.rectification_report(
        actor=world.org_a1,
        rectification=world.rectification_a,
        expected_version=world.rectification_a.version,
        body="已整改",
        files=[ContentFile(PDF, name="report.pdf")],
    )
    world.rectification_file_a = world.rectification_a.files.get()
    world.case_a = supervision_services.case_open(
        actor=world.discipline,
        organization=world.org_a,
        source="petition",
        title="案件",
        facts="事实",
    )
    supervision_services.case_add_step(
        actor=world.discipline,
        case=world.case_a,
        expected_version=world.case_a.version,
        on=timezone.localdate(),
        what="调查",
        files=[ContentFile(PDF, name="note.pdf")],
    )
    world.case_file_a = world.case_a.steps.get().files.get()
    world.campaign = supervision_services.inspection_open(
        actor=world.policy, year=timezone.localdate().year - 1
    )
    world.entry_a = supervision_credit.entry_propose(
        actor=world.liaison_a,
        organization=world.org_a,
        credit_list="abnormal",
        ground="unreachable",
    )
    return world


def page_urls():
    """The portal's pages; the API under api: has its own matrix in tests/api."""
    return [(name, cb) for name, cb in all_urls() if not (name or "").startswith("api:")]


def test_matrix_covers_every_url():
    names = {name for name, _cb in page_urls()}
    assert names - set(MATRIX) == set(), "add the new URLs to MATRIX"
    assert set(MATRIX) - names == set(), "MATRIX names URLs that no longer exist"


@pytest.mark.parametrize("name", sorted(MATRIX))
def test_anonymous_is_sent_to_login(client, world, name):
    kwargs_of, _expected = MATRIX[name]
    url = reverse(name, kwargs=kwargs_of(world))
    response = client.get(url)
    if name in {"login", "set_language", "healthz"}:
        assert response.status_code in (OK, REDIRECT)
    elif name in MOVED:
        assert response.status_code == MOVED_PERMANENTLY
        assert response["Location"] == reverse(MOVED[name], kwargs=kwargs_of(world))
    elif name == "logout":
        assert response.status_code == NOT_ALLOWED
    else:
        assert response.status_code == REDIRECT
        assert response["Location"].startswith(reverse("login"))


@pytest.mark.parametrize("role", ROLES)
def test_each_role_gets_what_the_rule_says(world, login, role):
    client = login(getattr(world, role))
    wrong = []
    for name, (kwargs_of, expected) in MATRIX.items():
        url = reverse(name, kwargs=kwargs_of(world))
        status = client.get(url).status_code
        if status != expected[role]:
            wrong.append(f"{name}: got {status}, expected {expected[role]}")
    assert not wrong, wrong
