"""The review queues, the filing page and the services agree by construction.

A hypothesis state machine applies random sequences of duty-matrix edits (a matter's lead moves
between the liaison division and a fixed division), liaison reassignments, membership changes
and workflow transitions. After every step it checks, for every user:

- every filing in their queues (to review, opinions requested) opens for them;
- the three copies of "who is responsible for an organization" (the assignment history, the
  foreign key and guardian's rows) agree;

and for the user and filing the step draws: every action ``duties.access.filing_actions`` offers
is accepted by its service, and every action it does not offer is refused.
"""

import datetime
import itertools

import pytest
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.test import Client
from django.urls import reverse
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule, run_state_machine_as_test

from duties import access
from duties import services as duty_services
from duties.models import DivisionMembership, LiaisonAssignment
from orgs.models import Organization, OrganizationGroupObjectPermission
from portal.services import StaleVersion
from reports import services, workflow
from reports.models import Filing, MatterType

from .helpers import PDF, add_member, create, shared_world, version

USERS = [
    "org_a1",
    "org_b1",
    "liaison_a",
    "head_a",
    "liaison_b",
    "head_b",
    "office",
    "office_head",
    "policy",
    "policy_head",
    "leader",
    "admin",
]
# org A's major matter report (its liaison division leads, the Office gives an opinion), org A's
# activity in the bureau's name (the Office leads, the liaison division gives an opinion) and
# org B's registration (Policy leads, the liaison division gives an opinion).
FILINGS = [
    ("major_matter", "org_a", "org_a1"),
    ("bureau_activity", "org_a", "org_a1"),
    ("registration", "org_b", "org_b1"),
]
ACTIONS = list(workflow.ACTIONS)


def fresh_user(user):
    """The user as a new request sees them (no roles remembered on the object)."""
    return get_user_model().objects.get(pk=user.pk)


def fresh(filing):
    return Filing.objects.select_related("matter", "organization").get(pk=filing.pk)


def attempt(name, user, filing, keep=False):
    """Take ``name`` through its service, with valid input, and undo it unless ``keep``. True if
    the service accepted it."""
    f = fresh(filing)
    v = version(f)
    try:
        with transaction.atomic():
            if name in workflow.TRANSITIONS:
                services.filing_transition(
                    actor=user, filing=f, action=name, expected_version=v, comment="理由"
                )
            elif name == "opine":
                services.opinion_give(actor=user, filing=f, stance="agree", body="同意")
            elif name == "comment":
                services.filing_comment(actor=user, filing=f, body="请说明", internal=False)
            elif name == "attach":
                services.attachment_add(
                    actor=user, filing=f, upload=ContentFile(PDF, name="report.pdf")
                )
            elif name == "summary":
                services.summary_submit(actor=user, filing=f, expected_version=v, summary="总结")
            elif name == "edit":
                services.filing_update(
                    actor=user,
                    filing=f,
                    expected_version=v,
                    title=f.title,
                    event_start=f.event_start,
                    event_end=f.event_end,
                    details=f.details,
                )
            else:
                raise AssertionError(f"no service tried for {name}")
            if not keep:
                transaction.set_rollback(True)
    except StaleVersion as exc:
        raise AssertionError("stale version with a fresh expected_version") from exc
    except (ValidationError, PermissionDenied):
        return False
    return True


class Agreement(RuleBasedStateMachine):
    def __init__(self):
        super().__init__()
        self._atomic = transaction.atomic()
        self._atomic.__enter__()
        w = self.w = shared_world()
        w.head_a = add_member(w, w.div_a, "head-a", role="head")
        w.head_b = add_member(w, w.div_b, "head-b", role="head")
        w.office_head = add_member(w, w.office_div, "office-head", role="head")
        start = services._today() + datetime.timedelta(days=90)
        self.filings = [
            create(getattr(w, user), getattr(w, org), code, event_start=start)
            for code, org, user in FILINGS
        ]
        self.counter = itertools.count(1)
        self.client = Client()

    def teardown(self):
        transaction.set_rollback(True)
        self._atomic.__exit__(None, None, None)

    def user(self, name):
        return fresh_user(getattr(self.w, name))

    # --- what happens ----------------------------------------------------------------------

    @rule(
        index=st.integers(0, len(FILINGS) - 1),
        action=st.sampled_from(list(workflow.TRANSITIONS) + ["opine", "attach"]),
        name=st.sampled_from(USERS),
    )
    def someone_acts(self, index, action, name):
        attempt_for_real(action, self.user(name), self.filings[index])

    @rule(index=st.integers(0, len(FILINGS) - 1))
    def the_work_moves_on(self, index):
        """Whoever may take the filing's next step takes it (so that examples reach reviews,
        opinions and decisions instead of only refusals)."""
        filing = self.filings[index]
        for name in USERS:
            user = self.user(name)
            offered = [
                a for a, why in access.filing_actions(user, fresh(filing)).items() if not why
            ]
            for action in ("submit", "resubmit", "start_review", "opine", "approve"):
                if action in offered:
                    attempt_for_real(action, user, filing)
                    return

    @rule(org=st.sampled_from(["org_a", "org_b"]))
    def reassign(self, org):
        organization = Organization.objects.get(pk=getattr(self.w, org).pk)
        target = (
            self.w.div_b if organization.liaison_division_id == self.w.div_a.pk else self.w.div_a
        )
        duty_services.org_assign_liaison(
            actor=self.w.admin, org=organization, division=target, reason="调整归口"
        )

    @rule(
        code=st.sampled_from([code for code, _o, _u in FILINGS]),
        fixed=st.sampled_from(["policy_div", "office_div"]),
    )
    def edit_the_matrix(self, code, fixed):
        """A matter's lead moves between the organization's liaison division and a fixed one."""
        matter = MatterType.objects.get(code=code)
        if matter.lead_is_liaison:
            changes = {"lead_is_liaison": False, "lead_division": getattr(self.w, fixed)}
        else:
            changes = {"lead_is_liaison": True, "lead_division": None}
        services.matter_update(actor=self.w.admin, matter=matter, **changes)

    @rule(
        name=st.sampled_from(["liaison_b", "office", "policy"]),
        division=st.sampled_from(["div_a", "div_b", "office_div"]),
        head=st.booleans(),
    )
    def membership_changes(self, name, division, head):
        """Someone joins a division (as staff or head), or leaves it if they were in it."""
        user = self.user(name)
        division = getattr(self.w, division)
        membership = DivisionMembership.objects.filter(division=division, user=user).first()
        if membership is None:
            duty_services.membership_add(
                actor=self.w.admin, division=division, user=user, role="head" if head else "staff"
            )
        elif DivisionMembership.objects.filter(user=user).count() > 1:
            duty_services.membership_remove(actor=self.w.admin, membership=membership)
        else:
            duty_services.membership_set_role(
                actor=self.w.admin, membership=membership, role="head" if head else "staff"
            )

    @rule(index=st.integers(0, len(FILINGS) - 1), name=st.sampled_from(USERS))
    def offered_is_accepted(self, index, name):
        """The check itself: what the page offers, the service accepts, and nothing else."""
        filing = self.filings[index]
        user = self.user(name)
        offered = access.filing_actions(user, fresh(filing))
        for action in ACTIONS:
            may = action in offered and offered[action] is None
            accepted = attempt(action, fresh_user(user), filing)
            assert may == accepted, (
                f"{name} / {FILINGS[index][0]} ({fresh(filing).state}) / {action}: offered "
                f"{offered.get(action, 'no')!r}, service {'accepts' if accepted else 'refuses'}"
            )

    # --- what must always hold -------------------------------------------------------------

    @invariant()
    def every_queued_filing_opens(self):
        for name in USERS:
            user = self.user(name)
            visible = set(access.visible_filings(user).values_list("pk", flat=True))
            for tab in (access.LEAD, access.OPINION):
                queued = set(access.review_queue(user, tab).values_list("pk", flat=True))
                assert queued <= visible, (name, tab, queued - visible)
                assert queued <= {f.pk for f in self.filings}

    @invariant()
    def a_queued_filing_opens_on_its_page(self):
        for name in ("liaison_a", "liaison_b", "office", "policy"):
            user = self.user(name)
            first = access.review_queue(user).order_by("pk").first()
            if first is not None:
                self.client.force_login(user)
                response = self.client.get(reverse("reports:detail", kwargs={"pk": first.pk}))
                assert response.status_code == 200, (name, first.title)

    @invariant()
    def responsibility_has_one_answer(self):
        for org in Organization.objects.all():
            open_rows = list(
                LiaisonAssignment.objects.filter(organization=org, ended_at__isnull=True)
            )
            assert len(open_rows) <= 1
            division_id = open_rows[0].division_id if open_rows else None
            assert org.liaison_division_id == division_id, org
            groups = set(
                OrganizationGroupObjectPermission.objects.filter(content_object=org).values_list(
                    "group__division", flat=True
                )
            )
            assert groups == ({division_id} if division_id else set()), org

    @invariant()
    def filings_in_progress_follow_the_matrix(self):
        for filing in self.filings:
            f = fresh(filing)
            if f.state in workflow.IN_PROGRESS:
                assert f.lead_division == access.lead_division_for(f.matter, f.organization)


def attempt_for_real(action, user, filing):
    """Take ``action`` and keep its effect if the service accepts it."""
    attempt(action, user, filing, keep=True)


SETTINGS = settings(
    max_examples=20,
    stateful_step_count=12,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)


@pytest.mark.django_db
def test_queues_pages_and_services_agree():
    run_state_machine_as_test(Agreement, settings=SETTINGS)


@pytest.mark.django_db
def test_moving_a_matter_to_policy_moves_its_open_filing():
    """The bug this guards: an admin moves a matter's lead division to Policy; the open filing
    stayed in the liaison division's queue, whose staff could "review" it while its page answered
    404. It now moves to Policy's queue, and every queue's filing opens."""
    machine = Agreement()
    try:
        w = machine.w
        major = machine.filings[0]
        attempt_for_real("submit", machine.user("org_a1"), major)
        assert fresh(major).lead_division == w.div_a
        machine.edit_the_matrix(code="major_matter", fixed="policy_div")
        assert fresh(major).lead_division == w.policy_div
        assert major.pk in set(
            access.review_queue(machine.user("policy")).values_list("pk", flat=True)
        )
        assert major.pk not in set(
            access.review_queue(machine.user("liaison_a")).values_list("pk", flat=True)
        )
        machine.every_queued_filing_opens()
        machine.a_queued_filing_opens_on_its_page()
        machine.offered_is_accepted(index=0, name="policy")
        machine.offered_is_accepted(index=0, name="liaison_a")
    finally:
        machine.teardown()
