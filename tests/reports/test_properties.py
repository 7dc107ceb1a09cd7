"""Random sequences of workflow actions by random people keep the filing invariants.

A hypothesis state machine builds a fresh world for every example (inside a savepoint that is
rolled back at the end), then applies actions (submit, resubmit, withdraw, start review, return,
opinion, decide either way, internal or visible comments) by random users, with the version read
from the database as the page would carry it. Refusals (ValidationError, PermissionDenied) are
expected and swallowed; after every step the invariants are checked.

Half the time the action is the one that moves the filing on from its state, and two times in
three the acting user is the one who plausibly may act (the organization for submit, the lead
division for review, ...), so that examples reach decisions instead of only refusals.
"""

import datetime
import itertools

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.test import Client
from django.urls import reverse
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule, run_state_machine_as_test

from portal.models import Notification
from portal.services import StaleVersion
from reports import services
from reports.models import (
    Filing,
    FilingEvent,
    FilingState,
    Opinion,
    OpinionState,
)
from reports.workflow import DECIDED as DECIDED_STATES
from reports.workflow import FINAL as FINAL_STATES

from .helpers import add_member, create, shared_world, version

ACTORS = [
    "org_a1",
    "org_b1",
    "liaison_a",
    "head_a",
    "liaison_b",
    "office",
    "office_head",
    "policy",
    "policy_head",
]
ACTIONS = [
    "submit",
    "resubmit",
    "withdraw",
    "start_review",
    "return",
    "opinion",
    "decide_positive",
    "decide_negative",
    "comment_internal",
    "comment_visible",
]
# Three filings: org A's major matter report (div_a leads, Office's opinion), org A's request
# for an activity in the bureau's name (Office leads, div_a's opinion) and org B's registration
# (Policy leads, div_b's opinion).
FILINGS = [
    ("major_matter", "org_a", "org_a1"),
    ("bureau_activity", "org_a", "org_a1"),
    ("registration", "org_b", "org_b1"),
]
# Who plausibly does what on each filing: (author, reviewer, decider, opinion giver).
PLAUSIBLE = {
    "major_matter": ("org_a1", "liaison_a", "head_a", "office"),
    "bureau_activity": ("org_a1", "office", "office_head", "liaison_a"),
    "registration": ("org_b1", "policy", "policy_head", "liaison_b"),
}


def plausible_actor(code, action):
    author, reviewer, decider, opiner = PLAUSIBLE[code]
    if action in ("submit", "resubmit", "withdraw", "comment_visible"):
        return author
    if action in ("start_review", "return", "comment_internal"):
        return reviewer
    if action == "opinion":
        return opiner
    return decider


def build_world():
    """The shared world (as the ``world`` fixture builds it) with the two heads the actors need."""
    w = shared_world()
    w.head_a = add_member(w, w.div_a, "head-a", role="head")
    w.office_head = add_member(w, w.office_div, "office-head", role="head")
    return w


def natural_next(filing):
    """The action that moves ``filing`` on from its current state (None: the filing is done)."""
    f = Filing.objects.get(pk=filing.pk)
    if f.state == FilingState.IN_REVIEW:
        pending = Opinion.objects.filter(filing=f, state=OpinionState.PENDING).exists()
        return "opinion" if pending else "decide_positive"
    return {
        FilingState.DRAFT: "submit",
        FilingState.SUBMITTED: "start_review",
        FilingState.RESUBMITTED: "start_review",
        FilingState.RETURNED: "resubmit",
    }.get(f.state, "comment_visible")


class FilingWorkflow(RuleBasedStateMachine):
    def __init__(self):
        super().__init__()
        self._atomic = transaction.atomic()
        self._atomic.__enter__()
        self.w = build_world()
        start = services._today() + datetime.timedelta(days=90)
        self.filings = [
            create(getattr(self.w, user), getattr(self.w, org), code, event_start=start)
            for code, org, user in FILINGS
        ]
        self.org_user = {
            f.pk: getattr(self.w, user)
            for f, (_c, _o, user) in zip(self.filings, FILINGS, strict=True)
        }
        self.clients = {}
        self.counter = itertools.count(1)
        self.secrets = []  # bodies of internal comments, opinions and internal review comments
        self.seen = {f.pk: self._observe(f) for f in self.filings}
        self.touched = None

    def teardown(self):
        transaction.set_rollback(True)
        self._atomic.__exit__(None, None, None)

    # --- helpers --------------------------------------------------------------------------

    def _observe(self, filing):
        f = Filing.objects.get(pk=filing.pk)
        transitions = FilingEvent.objects.filter(filing=f, kind="transition").exclude(to_state="")
        return {
            "state": f.state,
            "version": f.version,
            "transitions": transitions.count(),
        }

    def _token(self, kind):
        token = f"{kind}{next(self.counter)}X"
        if kind == "SECRET":
            self.secrets.append(token)
        return token

    def _client(self, user):
        if user.pk not in self.clients:
            client = Client()
            client.force_login(user)
            self.clients[user.pk] = client
        return self.clients[user.pk]

    # --- the one rule: someone tries something ----------------------------------------------

    @rule(
        index=st.integers(0, len(FILINGS) - 1),
        action=st.sampled_from([None] * len(ACTIONS) + ACTIONS),
        actor=st.sampled_from([None] * 2 * len(ACTORS) + ACTORS),
        blank=st.booleans(),
    )
    def act(self, index, action, actor, blank):
        filing = self.filings[index]
        code = FILINGS[index][0]
        action = action or natural_next(filing)
        user = getattr(self.w, actor or plausible_actor(code, action))
        v = version(filing)
        reason = "" if blank else self._token("PUBLIC")
        events = FilingEvent.objects.filter(filing=filing).count()
        try:
            with transaction.atomic():
                if action == "submit":
                    services.filing_submit(actor=user, filing=filing, expected_version=v)
                elif action == "resubmit":
                    services.filing_resubmit(actor=user, filing=filing, expected_version=v)
                elif action == "withdraw":
                    services.filing_withdraw(actor=user, filing=filing, expected_version=v)
                elif action == "start_review":
                    services.filing_start_review(
                        actor=user, filing=filing, expected_version=v, comment=self._token("SECRET")
                    )
                elif action == "return":
                    services.filing_return(
                        actor=user, filing=filing, expected_version=v, comment=reason
                    )
                elif action == "opinion":
                    services.opinion_give(
                        actor=user, filing=filing, stance="agree", body=self._token("SECRET")
                    )
                elif action in ("decide_positive", "decide_negative"):
                    services.filing_decide(
                        actor=user,
                        filing=filing,
                        expected_version=v,
                        positive=action == "decide_positive",
                        comment=reason,
                    )
                elif action == "comment_internal":
                    internal = self._token("SECRET") if _is_staff(user) else self._token("PUBLIC")
                    services.filing_comment(actor=user, filing=filing, body=internal, internal=True)
                elif action == "comment_visible":
                    services.filing_comment(
                        actor=user, filing=filing, body=self._token("PUBLIC"), internal=False
                    )
        except StaleVersion as exc:  # the version was read from the database just now
            raise AssertionError("stale version with a fresh expected_version") from exc
        except (ValidationError, PermissionDenied):
            pass
        # Only a step that recorded something can have changed what the organization reads.
        changed = FilingEvent.objects.filter(filing=filing).count() != events
        self.touched = filing if changed else None

    # --- invariants -----------------------------------------------------------------------

    @invariant()
    def state_changes_are_recorded(self):
        for filing in self.filings:
            before, now = self.seen[filing.pk], self._observe(filing)
            f = Filing.objects.get(pk=filing.pk)
            assert now["version"] >= before["version"]
            assert f.version == f.history.count(), "every version has its history row"
            last = (
                FilingEvent.objects.filter(filing=f, kind="transition")
                .exclude(to_state="")
                .order_by("-pk")
                .first()
            )
            assert last is not None and last.to_state == f.state
            if now["state"] != before["state"]:
                assert now["transitions"] == before["transitions"] + 1
                assert last.from_state == before["state"]
                assert now["version"] > before["version"]
                assert f.history.order_by("-history_id").first().history_user_id == last.actor_id
            else:
                assert now["transitions"] == before["transitions"]
            if before["state"] in FINAL_STATES:
                assert now["state"] == before["state"], "a final state never changes"
            self.seen[filing.pk] = now

    @invariant()
    def decisions_follow_a_review(self):
        for filing in self.filings:
            f = Filing.objects.get(pk=filing.pk)
            if f.state not in DECIDED_STATES:
                continue
            decide = FilingEvent.objects.get(filing=f, action="decide")
            assert FilingEvent.objects.filter(
                filing=f, action="start_review", pk__lt=decide.pk
            ).exists(), "decided without a review"
            assert not Opinion.objects.filter(filing=f, state=OpinionState.PENDING).exists()
            assert f.decided_by_id == decide.actor_id
            assert f.decided_by.division_memberships.filter(
                division=f.lead_division, role="head"
            ).exists(), "decided by someone who is not a head of the lead division"
            assert f.state in (f.matter.positive_state, FilingState.REFUSED)

    @invariant()
    def organizations_never_read_internal_text(self):
        if not self.secrets or self.touched is None:
            return
        filing = self.touched
        user = self.org_user[filing.pk]
        response = self._client(user).get(reverse("reports:detail", kwargs={"pk": filing.pk}))
        assert response.status_code in (200, 404)
        html = response.content.decode()
        leaked = [s for s in self.secrets if s in html]
        assert not leaked, f"{user} reads {leaked}"
        for n in Notification.objects.filter(recipient__in=list(self.org_user.values())):
            assert not [s for s in self.secrets if s in n.title or s in n.body], n.title


def _is_staff(user):
    from duties import access

    return access.sees_internal(user)


SETTINGS = settings(
    max_examples=30,
    stateful_step_count=15,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)


@pytest.mark.django_db
def test_random_workflows_keep_the_invariants():
    run_state_machine_as_test(FilingWorkflow, settings=SETTINGS)


@pytest.mark.django_db
def test_the_machine_reaches_decisions():
    """The plausible-actor bias works: a scripted run through the machine's own rule decides."""
    machine = FilingWorkflow()
    try:
        for action in ("submit", "start_review", "opinion", "decide_positive"):
            machine.act(index=0, action=action, actor=None, blank=False)
            machine.state_changes_are_recorded()
            machine.decisions_follow_a_review()
            machine.organizations_never_read_internal_text()
        assert Filing.objects.get(pk=machine.filings[0].pk).state == FilingState.ACKNOWLEDGED
        assert machine.secrets  # the review comment and the opinion
    finally:
        machine.teardown()
