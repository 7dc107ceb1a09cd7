"""The rectification clock on the working-day calendar: reminded before the deadline, and once
when it passes, across the 2026 Spring Festival (15–23 February) and its adjusted Saturday
workday (14 February)."""

import datetime

import pytest
from django.utils import timezone

from portal import clock
from portal.models import Reminder
from supervision import services
from supervision.models import Rectification, SupervisionRules

pytestmark = pytest.mark.django_db

D = datetime.date


def at(day, hour=10):
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour)))


@pytest.fixture
def due_after_the_festival(world):
    """Org A owes a rectification due Wednesday 25 February 2026."""
    r = services.rectification_open(
        actor=world.liaison_a, organization=world.org_a, items="整改事项"
    )
    Rectification.objects.filter(pk=r.pk).update(due_on=D(2026, 2, 25))
    return Rectification.objects.get(pk=r.pk)


def reminders(kind):
    return list(Reminder.objects.filter(kind=kind).values_list("recipient_id", "due_at"))


def test_reminded_three_working_days_before_across_the_festival(world, due_after_the_festival):
    assert SupervisionRules.current().rectification_remind_days == 3
    # Three working days before 25 February: 24 (1), the festival skipped, Saturday 14 (2, an
    # adjusted workday), Friday 13 (3).
    clock.run(at(D(2026, 2, 12)))
    assert reminders("rectification_due_soon") == []
    clock.run(at(D(2026, 2, 13)))
    due = reminders("rectification_due_soon")
    assert due == [(world.org_a1.pk, clock.at_send_hour(D(2026, 2, 13)))]
    clock.run(at(D(2026, 2, 14)))  # the next sweep sends nothing twice
    assert len(reminders("rectification_due_soon")) == 1


def test_overdue_once_to_the_organization_and_the_division(world, due_after_the_festival):
    clock.run(at(D(2026, 2, 25), hour=20))
    assert reminders("rectification_overdue") == []
    clock.run(at(D(2026, 2, 26)))
    clock.run(at(D(2026, 2, 27)))
    recipients = sorted(r for r, _due in reminders("rectification_overdue"))
    assert recipients == sorted([world.org_a1.pk, world.liaison_a.pk, world.head_a.pk])


def test_a_closed_rectification_is_not_reminded(world, due_after_the_festival):
    r = due_after_the_festival
    Rectification.objects.filter(pk=r.pk).update(state="closed")
    clock.run(at(D(2026, 2, 13)))
    clock.run(at(D(2026, 2, 26)))
    assert not Reminder.objects.filter(subject_type="rectification").exists()


def test_the_default_deadline_counts_working_days_across_the_festival(world, monkeypatch):
    monkeypatch.setattr(services, "_today", lambda: D(2026, 2, 12))
    # 20 working days from Thursday 12 February: 13 and 14 (adjusted), the festival skipped,
    # 24–27 and Saturday 28 (adjusted), 2–6 and 9–13 March, 16–18 March.
    assert services.default_due_on() == D(2026, 3, 18)


def test_policy_is_reminded_of_a_proposal_not_confirmed_in_five_working_days(world):
    from supervision import credit
    from supervision.models import ListEntry

    entry = credit.entry_propose(
        actor=world.liaison_a,
        organization=world.org_a,
        credit_list="abnormal",
        ground="unreachable",
    )
    # Proposed on Thursday 12 February 2026: five working days are 13, 14 (adjusted Saturday),
    # then after the festival 24, 25 and 26 February.
    ListEntry.objects.filter(pk=entry.pk).update(proposed_at=at(D(2026, 2, 12)))
    clock.run(at(D(2026, 2, 25)))
    assert reminders("credit_proposal_late") == []
    clock.run(at(D(2026, 2, 26)))
    clock.run(at(D(2026, 2, 27)))
    assert sorted(r for r, _ in reminders("credit_proposal_late")) == sorted(
        [world.policy.pk, world.policy_head.pk]
    )
