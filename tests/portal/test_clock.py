"""The portal's clock (portal.clock) and the reminders the apps register with it: what falls due,
for whom, delivered exactly once.

Every test drives ``portal.clock.run(now)`` (or a planner) with explicit ``now`` values;
nothing sleeps. Times are Asia/Shanghai. Services still stamp their own actions with the real
clock (``scheduled_at``, ``rescheduled_at``, ``cancelled_at``), so meeting tests count from the
real ``timezone.now()``; the calendar tests use fixed dates.
"""

import datetime
import os
import threading
import zoneinfo

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django.core.mail.backends.base import BaseEmailBackend
from django.db import connection
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from icalendar import Calendar

from meetings import services
from meetings.models import MeetingKind
from meetings.reminders import plan_meetings, plan_quarterly_meeting
from orgs import services as org_services
from orgs.models import Organization, OrganizationUser, OrgStatus, OrgType
from orgs.reminders import plan_organizations
from portal import clock
from portal.celery import app
from portal.clock import run
from portal.models import Notification, Reminder, ReminderStatus
from portal.notifications import MAX_EMAIL_ATTEMPTS
from portal.tasks import send_notification_email
from reports.models import Filing, FilingState, MatterType
from reports.reminders import plan_filings
from supervision.credit import sweep as credit_sweep
from supervision.reminders import plan_credit_proposals, plan_rectifications
from tests.factories import OrganizationFactory

pytestmark = pytest.mark.django_db

SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")
MIN = datetime.timedelta(minutes=1)
HOUR = datetime.timedelta(hours=1)
DAY = datetime.timedelta(days=1)
SENT, PENDING, CANCELLED = ReminderStatus.SENT, ReminderStatus.PENDING, ReminderStatus.CANCELLED


def local(year, month, day, hour=9, minute=0):
    return datetime.datetime(year, month, day, hour, minute, tzinfo=SHANGHAI)


REAL_SWEEP = services._after_commit_sweep


@pytest.fixture(autouse=True)
def _no_sweep_after_commit(monkeypatch):
    """Scheduling queues a sweep (``run()`` with the real clock) after commit; the tests here
    call ``run(now)`` themselves."""
    monkeypatch.setattr(services, "_after_commit_sweep", lambda: None)


def soon():
    """The real clock, to the minute (services stamp their actions with it)."""
    return timezone.now().replace(second=0, microsecond=0)


def schedule(world, start, *, organizations=None, divisions=(), kind=MeetingKind.SPECIAL):
    return services.meeting_schedule(
        actor=world.policy,
        kind=kind,
        title="绿化行业专题会议",
        starts_at=start,
        ends_at=start + 2 * HOUR,
        place="局机关三楼会议室",
        agenda="议程",
        organizations=organizations,
        divisions=divisions,
    )


def about(meeting):
    """The inbox messages about ``meeting`` (the subject their reminders name)."""
    return {"subject_type": "meeting", "subject_id": meeting.pk}


def meeting_reminders(meeting, kind=None, status=None):
    qs = Reminder.objects.filter(subject_type="meeting", subject_id=meeting.pk)
    if kind:
        qs = qs.filter(kind=kind)
    if status:
        qs = qs.filter(status=status)
    return qs


def recipients(qs):
    return set(qs.values_list("recipient_id", flat=True))


def kinds_sent_to(user, subject_type=None):
    qs = Reminder.objects.filter(recipient=user, status=SENT)
    if subject_type:
        qs = qs.filter(subject_type=subject_type)
    return sorted(qs.values_list("kind", flat=True))


def ids(*users):
    return {u.pk for u in users}


def delivered(kind, status=SENT):
    """{recipient id: [due_at, ...]} of the reminders of ``kind`` with ``status``."""
    result = {}
    for user_id, due_at in Reminder.objects.filter(kind=kind, status=status).values_list(
        "recipient_id", "due_at"
    ):
        result.setdefault(user_id, []).append(due_at)
    return {user_id: sorted(dues) for user_id, dues in result.items()}


def add_org_user(org, username, email=""):
    """An organization login, made directly (the services' own path is tested elsewhere)."""
    user = get_user_model().objects.create(username=username, email=email)
    OrganizationUser.objects.create(user=user, organization=org)
    return user


def assert_each_sent_once(qs):
    """Every reminder in ``qs`` was sent, with its own inbox message, and nothing else was."""
    rows = list(qs)
    assert rows
    assert {r.status for r in rows} == {SENT}
    assert all(r.sent_at is not None and r.notification_id for r in rows)
    notification_ids = [r.notification_id for r in rows]
    assert len(set(notification_ids)) == len(rows)
    for r in rows:
        n = Notification.objects.get(pk=r.notification_id)
        assert (n.recipient_id, n.title) == (r.recipient_id, r.title)


# --- exactly once ----------------------------------------------------------------------------


def test_running_twice_sends_each_reminder_once(world):
    start = soon() + 10 * DAY
    meeting = schedule(world, start, divisions=[world.office_div])
    now = timezone.now() + MIN

    first = run(now)
    second = run(now)

    expected = ids(world.org_a1, world.org_b1, world.office)
    invites = meeting_reminders(meeting, "meeting_invite")
    assert recipients(invites) == expected
    assert_each_sent_once(invites)
    assert first["sent"] == 3
    assert second["sent"] == 0
    for user_id in expected:
        assert Notification.objects.filter(recipient_id=user_id, **about(meeting)).count() == 1
    assert Notification.objects.filter(**about(meeting)).count() == 3


def require_postgres():
    if connection.vendor == "postgresql":
        return
    url = os.environ.get("DATABASE_URL", "")
    if os.environ.get("CI", "").lower() == "true" and url.startswith(("postgres", "pgsql")):
        pytest.fail("DATABASE_URL is PostgreSQL in CI, yet the test database is not")
    pytest.skip(
        "two workers at once need PostgreSQL (row locks under concurrent UPDATEs); SQLite "
        "serializes every writer, so there is no race to test. Set DATABASE_URL=postgres://..."
    )


def in_two_workers(fn):
    """Call ``fn()`` in two threads released together; each closes its own connection."""
    barrier = threading.Barrier(2)
    results, errors = [], []

    def worker():
        try:
            barrier.wait(timeout=10)
            results.append(fn())
        except BaseException as exc:  # reported below, in the test thread
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert not any(t.is_alive() for t in threads), "a worker hung"
    assert not errors, errors
    return results


@pytest.fixture
def postgres_only():
    """Decided before the (transactional, slower) world is built."""
    require_postgres()


@pytest.mark.django_db(transaction=True)
def test_two_workers_at_once_deliver_each_reminder_once(postgres_only, world):
    for i in range(4):
        org = OrganizationFactory()
        for j in range(10):
            add_org_user(org, f"race-{i}-{j}")
    divisions = [
        world.policy_div,
        world.office_div,
        world.personnel_div,
        world.finance_div,
        world.discipline_div,
        world.div_a,
        world.div_b,
    ]
    start = soon() + 10 * DAY
    meeting = schedule(world, start, divisions=divisions)
    expected = 2 + 40 + 8  # org A and B users, the new org users, every division member

    # Both plan and send at once.
    now = timezone.now() + MIN
    results = in_two_workers(lambda: run(now))
    invites = meeting_reminders(meeting, "meeting_invite")
    assert invites.count() == expected
    assert sum(r["sent"] for r in results) == expected
    assert_each_sent_once(invites)

    # The same pending rows in front of both dispatchers: each claims a row or finds it gone.
    clock.plan(start - 7 * DAY)
    week = meeting_reminders(meeting, "meeting_7d")
    assert week.filter(status=PENDING).count() == expected
    results = in_two_workers(lambda: clock.dispatch(start - 7 * DAY))
    assert sum(results) == expected
    assert_each_sent_once(week)

    per_user = Notification.objects.filter(**about(meeting)).values_list("recipient_id", flat=True)
    assert len(per_user) == 2 * expected
    assert len(set(per_user)) == expected


def test_worker_killed_between_claim_and_send_leaves_the_reminder_pending(world, monkeypatch):
    start = soon() + 10 * DAY
    meeting = schedule(world, start, divisions=[world.office_div])
    now = timezone.now() + MIN
    real_notify = clock.notify
    calls = []

    def dies_on_second(*args, **kwargs):
        calls.append(1)
        if len(calls) == 2:
            raise RuntimeError("worker killed")
        return real_notify(*args, **kwargs)

    monkeypatch.setattr(clock, "notify", dies_on_second)
    # The failing one is logged and skipped; the sweep goes on with the others.
    assert run(now)["sent"] == 2

    invites = meeting_reminders(meeting, "meeting_invite")
    assert invites.count() == 3
    assert invites.filter(status=SENT).count() == 2
    pending = invites.filter(status=PENDING)
    assert pending.count() == 1
    # The claim of the failed one was rolled back with its inbox message.
    assert all(r.sent_at is None and r.notification_id is None for r in pending)
    assert Notification.objects.filter(**about(meeting)).count() == 2

    monkeypatch.setattr(clock, "notify", real_notify)
    assert run(now)["sent"] == 1
    assert run(now)["sent"] == 0
    assert_each_sent_once(invites)
    assert Notification.objects.filter(**about(meeting)).count() == 3


# --- the quarterly meeting -----------------------------------------------------------------


def quarterly(now):
    return list(plan_quarterly_meeting(now))


def test_quarterly_reminder_on_the_15th_day_at_9(world):
    assert quarterly(local(2027, 1, 15, 8, 59)) == []

    plans = quarterly(local(2027, 1, 15, 9, 0))
    assert {p.recipient_id for p in plans} == ids(world.policy, world.policy_head)
    assert {(p.kind, p.subject_type, p.subject_id) for p in plans} == {
        ("quarterly_unscheduled", "quarter", 20271)
    }
    assert {p.due_at for p in plans} == {local(2027, 1, 15, 9, 0)}
    assert {p.url for p in plans} == {reverse("meetings:meeting_create")}

    # Still due a week later (a sweep missed meanwhile), then no more.
    assert len(quarterly(local(2027, 1, 22, 8, 59))) == 2
    assert quarterly(local(2027, 1, 22, 9, 0)) == []
    # Other quarters: their own 15th day.
    assert {p.subject_id for p in quarterly(local(2027, 4, 15, 9, 0))} == {20272}
    assert {p.due_at for p in quarterly(local(2027, 7, 16, 10, 0))} == {local(2027, 7, 15)}
    assert quarterly(local(2027, 10, 14, 23, 59)) == []
    assert {p.subject_id for p in quarterly(local(2027, 10, 15, 9, 0))} == {20274}

    run(local(2027, 1, 15, 9, 0))
    run(local(2027, 1, 15, 9, 5))
    assert delivered("quarterly_unscheduled") == {
        world.policy.pk: [local(2027, 1, 15)],
        world.policy_head.pk: [local(2027, 1, 15)],
    }
    assert Notification.objects.filter(url=reverse("meetings:meeting_create")).count() == 2


def test_no_quarterly_reminder_when_the_quarter_has_its_meeting(world):
    start = local(2027, 2, 20, 14, 0)
    meeting = schedule(world, start, kind=MeetingKind.QUARTERLY)
    assert (meeting.year, meeting.quarter) == (2027, 1)

    assert quarterly(local(2027, 1, 15, 9, 0)) == []

    # A cancelled one does not count.
    services.meeting_cancel(
        actor=world.policy, meeting=meeting, expected_version=meeting.version, reason="改期"
    )
    assert len(quarterly(local(2027, 1, 15, 9, 0))) == 2


@override_settings(REMINDERS={"quarter_schedule_by_day": 1, "send_hour": 0, "lookback_days": 92})
def test_quarter_of_new_years_eve_and_new_years_day_in_shanghai(world):
    """23:30 on 31 Dec and 00:30 on 1 Jan in Shanghai are the same UTC day (15:30 and 16:30 on
    31 Dec): the quarter follows the local date. (A due day of 1 and a 92-day look-back put
    both quarters' due times in the window.)"""
    eve, new_year = local(2026, 12, 31, 23, 30), local(2027, 1, 1, 0, 30)
    assert eve.astimezone(datetime.UTC).date() == new_year.astimezone(datetime.UTC).date()
    assert services.quarter_of(eve) == (2026, 4)
    assert services.quarter_of(new_year) == (2027, 1)

    assert {(p.subject_id, p.due_at) for p in quarterly(eve)} == {(20264, local(2026, 10, 1, 0))}
    assert {(p.subject_id, p.due_at) for p in quarterly(new_year)} == {
        (20271, local(2027, 1, 1, 0))
    }

    # A quarterly meeting at 23:30 on New Year's Eve belongs to Q4 and silences Q4 only; one at
    # 00:30 on New Year's Day is Q1's, so both can be scheduled.
    q4 = schedule(world, eve, kind=MeetingKind.QUARTERLY)
    assert (q4.year, q4.quarter) == (2026, 4)
    assert quarterly(eve) == []
    assert {p.subject_id for p in quarterly(new_year)} == {20271}
    q1 = schedule(world, new_year, kind=MeetingKind.QUARTERLY)
    assert (q1.year, q1.quarter) == (2027, 1)
    assert quarterly(new_year) == []


# --- meetings ------------------------------------------------------------------------------


def test_invitation_then_7_and_1_days_before_to_invited_orgs_and_divisions(world):
    start = soon() + 10 * DAY
    meeting = schedule(
        world, start, organizations=[world.org_a], divisions=[world.div_a, world.office_div]
    )
    invited = ids(world.org_a1, world.liaison_a, world.office)

    run(timezone.now() + MIN)
    invites = meeting_reminders(meeting, "meeting_invite")
    assert recipients(invites) == invited
    assert_each_sent_once(invites)
    assert {r.due_at for r in invites} == {meeting.scheduled_at}

    run(start - 7 * DAY - MIN)
    assert not meeting_reminders(meeting, "meeting_7d").exists()
    run(start - 7 * DAY)
    week = meeting_reminders(meeting, "meeting_7d")
    assert recipients(week) == invited
    assert {r.due_at for r in week} == {start - 7 * DAY}
    assert_each_sent_once(week)

    run(start - DAY - MIN)
    assert not meeting_reminders(meeting, "meeting_1d").exists()
    run(start - DAY + MIN)
    day = meeting_reminders(meeting, "meeting_1d")
    assert recipients(day) == invited
    assert {r.due_at for r in day} == {start - DAY}
    assert_each_sent_once(day)

    for user in (world.org_a1, world.liaison_a, world.office):
        assert kinds_sent_to(user) == ["meeting_1d", "meeting_7d", "meeting_invite"]
        notes = Notification.objects.filter(recipient=user, **about(meeting))
        assert notes.count() == 3
        assert {n.url for n in notes} == {reverse("meetings:meeting_detail", args=[meeting.pk])}
    for user in (world.org_b1, world.policy, world.liaison_b, world.leader):
        assert not Notification.objects.filter(recipient=user).exists()


def test_no_7_day_reminder_when_scheduled_less_than_7_days_ahead(world):
    start = soon() + 3 * DAY
    meeting = schedule(world, start, organizations=[world.org_a])

    run(timezone.now() + MIN)
    run(start - DAY)
    run(start - MIN)

    assert kinds_sent_to(world.org_a1) == ["meeting_1d", "meeting_invite"]
    assert not meeting_reminders(meeting, "meeting_7d").exists()


def test_moved_meeting_cancels_old_reminders_and_announces_the_new_time(world):
    old_start = soon() + 20 * DAY
    meeting = schedule(world, old_start, organizations=[world.org_a], divisions=[world.div_a])
    invited = ids(world.org_a1, world.liaison_a)
    run(timezone.now() + MIN)
    # The week-before reminders for the old time are planned but not yet sent.
    clock.plan(old_start - 7 * DAY + MIN)
    old_week = list(meeting_reminders(meeting, "meeting_7d", PENDING))
    assert recipients(meeting_reminders(meeting, "meeting_7d", PENDING)) == invited

    new_start = old_start + 10 * DAY
    meeting = services.meeting_update(
        actor=world.policy,
        meeting=meeting,
        expected_version=meeting.version,
        starts_at=new_start,
        ends_at=new_start + 2 * HOUR,
    )

    assert set(
        Reminder.objects.filter(pk__in=[r.pk for r in old_week]).values_list("status", flat=True)
    ) == {CANCELLED}
    run(timezone.now() + MIN)
    moved = meeting_reminders(meeting, "meeting_moved")
    assert recipients(moved) == invited
    assert {r.due_at for r in moved} == {meeting.rescheduled_at}
    assert_each_sent_once(moved)
    new_when = date_format(timezone.localtime(new_start), "SHORT_DATETIME_FORMAT")
    assert all(new_when in r.title for r in moved)

    # Nothing more at the old times.
    for now in (old_start - 7 * DAY + MIN, old_start - DAY + MIN, old_start):
        assert run(now)["sent"] == 0
    assert not meeting_reminders(meeting, "meeting_7d", SENT).exists()
    assert not meeting_reminders(meeting, "meeting_1d").exists()

    # The new ones fall due at the new times.
    run(new_start - 7 * DAY - MIN)
    assert not meeting_reminders(meeting, "meeting_7d", SENT).exists()
    run(new_start - 7 * DAY)
    week = meeting_reminders(meeting, "meeting_7d", SENT)
    assert recipients(week) == invited
    assert {r.due_at for r in week} == {new_start - 7 * DAY}
    assert all(new_when in r.title for r in week)
    run(new_start - DAY)
    day = meeting_reminders(meeting, "meeting_1d", SENT)
    assert {r.due_at for r in day} == {new_start - DAY}
    assert recipients(day) == invited
    for user in (world.org_a1, world.liaison_a):
        assert kinds_sent_to(user) == [
            "meeting_1d",
            "meeting_7d",
            "meeting_invite",
            "meeting_moved",
        ]


def test_cancelled_meeting_tells_invitees_and_reminds_no_more(world):
    start = soon() + 20 * DAY
    meeting = schedule(world, start, divisions=[world.office_div])
    invited = ids(world.org_a1, world.org_b1, world.office)
    run(timezone.now() + MIN)
    clock.plan(start - 7 * DAY)
    assert meeting_reminders(meeting, "meeting_7d", PENDING).count() == 3

    services.meeting_cancel(
        actor=world.policy, meeting=meeting, expected_version=meeting.version, reason="台风预警"
    )

    assert not meeting_reminders(meeting, status=PENDING).exists()
    assert meeting_reminders(meeting, "meeting_7d", CANCELLED).count() == 3
    run(timezone.now() + MIN)
    told = meeting_reminders(meeting, "meeting_cancelled")
    assert recipients(told) == invited
    assert {r.body for r in told} == {"台风预警"}
    assert_each_sent_once(told)

    count = Notification.objects.count()
    for now in (start - 7 * DAY + MIN, start - DAY + MIN, start + MIN):
        assert run(now)["sent"] == 0
    assert Notification.objects.count() == count
    assert not meeting_reminders(meeting, "meeting_1d").exists()
    assert not meeting_reminders(meeting, "meeting_7d", SENT).exists()


def test_deregistered_org_gets_no_more_reminders(world):
    start = soon() + 10 * DAY
    meeting = schedule(world, start)
    run(timezone.now() + MIN)
    assert recipients(meeting_reminders(meeting, "meeting_invite")) == ids(
        world.org_a1, world.org_b1
    )
    clock.plan(start - 7 * DAY)
    assert recipients(meeting_reminders(meeting, "meeting_7d", PENDING)) == ids(
        world.org_a1, world.org_b1
    )

    org_services.org_update(
        actor=world.policy,
        org=world.org_a,
        expected_version=world.org_a.version,
        status=OrgStatus.DEREGISTERED,
    )

    assert recipients(meeting_reminders(meeting, "meeting_7d", CANCELLED)) == ids(world.org_a1)
    run(start - 7 * DAY)
    run(start - DAY)
    assert kinds_sent_to(world.org_a1) == ["meeting_invite"]
    assert kinds_sent_to(world.org_b1) == ["meeting_1d", "meeting_7d", "meeting_invite"]
    assert Notification.objects.filter(recipient=world.org_a1).count() == 1


# --- filings -------------------------------------------------------------------------------


def filing(world, org, state, *, matter="major_matter", **fields):
    user = OrganizationUser.objects.filter(organization=org).first().user
    return Filing.objects.create(
        organization=org,
        matter=MatterType.objects.get(code=matter),
        state=state,
        title=f"{org.name} {state}",
        created_by=user,
        **fields,
    )


def test_review_due_soon_then_overdue_to_the_lead_division(world):
    # Thursday 12 November 2026; two working days before is Tuesday the 10th.
    due = datetime.date(2026, 11, 12)
    f = filing(world, world.org_a, FilingState.SUBMITTED, lead_division=world.div_a)
    Filing.objects.filter(pk=f.pk).update(review_due_on=due)
    decided = filing(world, world.org_a, FilingState.APPROVED, lead_division=world.div_a)
    Filing.objects.filter(pk=decided.pk).update(review_due_on=due)

    run(local(2026, 11, 10, 8, 59))
    assert delivered("review_due_soon") == {}
    run(local(2026, 11, 10, 9, 0))
    run(local(2026, 11, 12, 17, 0))
    assert delivered("review_due_soon") == {world.liaison_a.pk: [local(2026, 11, 10)]}
    assert delivered("review_overdue") == {}

    run(local(2026, 11, 13, 8, 59))
    assert delivered("review_overdue") == {}
    run(local(2026, 11, 13, 9, 0))
    run(local(2026, 11, 16, 9, 0))
    assert delivered("review_overdue") == {world.liaison_a.pk: [local(2026, 11, 13)]}
    assert set(Reminder.objects.values_list("subject_id", flat=True)) == {f.pk}
    note = Notification.objects.get(reminder__kind="review_overdue")
    assert note.url == reverse("reports:detail", args=[f.pk])


def test_returned_filing_waiting_5_days_reminds_the_org(world):
    returned_at = local(2026, 11, 2, 10, 30)
    f = filing(world, world.org_a, FilingState.RETURNED, lead_division=world.div_a)
    Filing.objects.filter(pk=f.pk).update(state_changed_at=returned_at)

    run(returned_at + 5 * DAY - MIN)
    assert delivered("returned_waiting") == {}
    run(returned_at + 5 * DAY)
    run(returned_at + 6 * DAY)
    assert delivered("returned_waiting") == {world.org_a1.pk: [returned_at + 5 * DAY]}


def test_summary_due_and_overdue_remind_the_org(world):
    f = filing(world, world.org_a, FilingState.ACKNOWLEDGED, lead_division=world.div_a)
    Filing.objects.filter(pk=f.pk).update(summary_due_on=datetime.date(2026, 11, 20))
    done = filing(world, world.org_b, FilingState.ACKNOWLEDGED, lead_division=world.div_b)
    Filing.objects.filter(pk=done.pk).update(
        summary_due_on=datetime.date(2026, 11, 20), summary_submitted_at=local(2026, 11, 1)
    )

    run(local(2026, 11, 17, 8, 59))
    assert delivered("summary_due") == {}
    run(local(2026, 11, 17, 9, 0))
    assert delivered("summary_due") == {world.org_a1.pk: [local(2026, 11, 17)]}
    run(local(2026, 11, 21, 9, 0))
    assert delivered("summary_overdue") == {world.org_a1.pk: [local(2026, 11, 21)]}
    assert not Reminder.objects.filter(recipient=world.org_b1).exists()


# --- the organization calendar -------------------------------------------------------------


def test_annual_inspection_reminders_on_1_and_20_march(world):
    def org(name, org_type=OrgType.SOCIAL_GROUP, registered_on=None):
        o = OrganizationFactory(name=name, org_type=org_type, registered_on=registered_on)
        return o, add_org_user(o, f"user-{o.pk}")

    _, foundation = org("上海市绿化基金会", OrgType.FOUNDATION, datetime.date(2010, 1, 1))
    _, late = org("上海市新设协会", registered_on=datetime.date(2026, 7, 1))
    _, in_time = org("上海市老牌协会", registered_on=datetime.date(2026, 6, 30))
    _, unit = org("上海市绿化研究院", OrgType.PRIVATE_NON_ENTERPRISE, datetime.date(2015, 5, 5))
    drafted_org, drafted = org("上海市草稿协会", registered_on=datetime.date(2015, 1, 1))
    last_year_org, last_year = org("上海市去年协会", registered_on=datetime.date(2015, 1, 1))
    gone_org, gone = org("上海市注销协会", registered_on=datetime.date(2015, 1, 1))
    Organization.objects.filter(pk=gone_org.pk).update(status=OrgStatus.DEREGISTERED)
    # Org B submitted this year's; a draft does not count, nor last year's.
    submitted = filing(world, world.org_b, FilingState.SUBMITTED, matter="annual_inspection")
    draft = filing(world, drafted_org, FilingState.DRAFT, matter="annual_inspection")
    old = filing(world, last_year_org, FilingState.APPROVED, matter="annual_inspection")
    Filing.objects.filter(pk=draft.pk).update(created_at=local(2027, 2, 20))
    Filing.objects.filter(pk=submitted.pk).update(
        created_at=local(2027, 2, 20), first_submitted_at=local(2027, 2, 20)
    )
    Filing.objects.filter(pk=old.pk).update(
        created_at=local(2026, 3, 10), first_submitted_at=local(2026, 3, 10)
    )

    expected = ids(world.org_a1, in_time, unit, drafted, last_year)

    run(local(2027, 3, 1, 8, 59))
    assert delivered("annual_inspection") == {}
    run(local(2027, 3, 1, 9, 0))
    first = delivered("annual_inspection")
    assert set(first) == expected
    assert set(map(tuple, first.values())) == {(local(2027, 3, 1),)}

    run(local(2027, 3, 20, 9, 0))
    run(local(2027, 3, 20, 9, 5))
    second = delivered("annual_inspection")
    assert set(second) == expected
    assert set(map(tuple, second.values())) == {(local(2027, 3, 1), local(2027, 3, 20))}
    for user in (foundation, late, world.org_b1, gone):
        assert not Reminder.objects.filter(recipient=user).exists()
    assert Notification.objects.filter(recipient=world.org_a1).count() == 2


def test_term_certificate_and_grade_reminders(world):
    Organization.objects.filter(pk=world.org_a.pk).update(
        term_start=datetime.date(2022, 10, 1),
        term_end=datetime.date(2027, 9, 30),
        certificate_valid_until=datetime.date(2027, 6, 15),
        grade="3A",
        grade_valid_until=datetime.date(2027, 7, 10),
    )
    # Org B has ended: nothing for it, whatever its dates.
    Organization.objects.filter(pk=world.org_b.pk).update(
        status=OrgStatus.DEREGISTERED,
        term_end=datetime.date(2027, 9, 30),
        certificate_valid_until=datetime.date(2027, 6, 15),
    )
    to = ids(world.org_a1, world.liaison_a)

    for kind, due in [
        ("certificate_expiry_3m", local(2027, 3, 15)),
        ("term_expiry_6m", local(2027, 3, 30)),
        ("grade_expiry_3m", local(2027, 4, 10)),
        ("term_expiry_2m", local(2027, 7, 30)),
    ]:
        run(due - MIN)
        assert delivered(kind) == {}, kind
        run(due)
        run(due + HOUR)
        assert delivered(kind) == {user_id: [due] for user_id in to}, kind
        assert Notification.objects.filter(reminder__kind=kind).count() == 2

    assert not Reminder.objects.filter(recipient=world.org_b1).exists()
    assert not Reminder.objects.filter(recipient=world.liaison_b).exists()


def test_term_end_reminder_at_a_month_end_is_sent_on_its_day(world):
    Organization.objects.filter(pk=world.org_a.pk).update(term_end=datetime.date(2027, 8, 31))

    run(local(2027, 2, 28, 9, 0))

    assert delivered("term_expiry_6m") == {
        world.org_a1.pk: [local(2027, 2, 28)],
        world.liaison_a.pk: [local(2027, 2, 28)],
    }


# --- emails --------------------------------------------------------------------------------


@pytest.fixture
def eager_celery():
    """Celery runs tasks in-process (retries too, without waiting), then is put back."""
    saved = app.conf.task_always_eager
    app.conf.task_always_eager = True
    yield app
    app.conf.task_always_eager = saved


class RefusingBackend(BaseEmailBackend):
    """An SMTP relay that is down."""

    def send_messages(self, email_messages):
        raise ConnectionRefusedError("relay smtp.example.org:25 refused the connection")


class FlakyBackend(BaseEmailBackend):
    """Down for the first message, then delivers into django.core.mail.outbox."""

    failures_left = 1

    def send_messages(self, email_messages):
        if FlakyBackend.failures_left:
            FlakyBackend.failures_left -= 1
            raise TimeoutError("relay timed out")
        for message in email_messages:
            message.message()
            mail.outbox.append(message)
        return len(email_messages)


def set_email(user, address):
    get_user_model().objects.filter(pk=user.pk).update(email=address)


def test_reminder_emails_follow_the_inbox_with_the_meeting_ics(
    world, eager_celery, django_capture_on_commit_callbacks, mailoutbox
):
    set_email(world.org_a1, "a1@example.org")
    set_email(world.policy, "policy@example.org")
    meeting = schedule(world, soon() + 10 * DAY, organizations=[world.org_a])

    with django_capture_on_commit_callbacks(execute=True):
        run(timezone.now() + MIN)

    assert len(mailoutbox) == 1
    message = mailoutbox[0]
    note = Notification.objects.get(recipient=world.org_a1, **about(meeting))
    assert message.to == ["a1@example.org"]
    assert message.subject == note.title
    assert message.body.startswith(note.body)
    ((filename, content, mimetype),) = message.attachments
    assert filename == "meeting.ics"
    assert mimetype.startswith("text/calendar")
    (event,) = Calendar.from_ical(content).walk("VEVENT")
    assert str(event["UID"]) == f"meeting-{meeting.pk}@portal.lhsr.sh.gov.cn"
    parts = [p.get_content_type() for p in message.message().walk()]
    assert "text/calendar" in parts
    note.refresh_from_db()
    assert (note.email_status, note.email_attempts, note.email_error) == ("sent", 1, "")
    assert note.emailed_at is not None

    # Other reminders are plain messages; a user without an address gets the inbox only.
    with django_capture_on_commit_callbacks(execute=True):
        run(local(2027, 1, 15, 9, 0))
    assert len(mailoutbox) == 2
    assert mailoutbox[1].to == ["policy@example.org"]
    assert mailoutbox[1].attachments == []
    quiet = Notification.objects.get(recipient=world.policy_head, reminder__isnull=False)
    assert quiet.email_status == "none"


def test_the_calendar_attachment_names_its_charset_once(
    world, eager_celery, django_capture_on_commit_callbacks, mailoutbox
):
    set_email(world.org_a1, "a1@example.org")
    schedule(world, soon() + 10 * DAY, organizations=[world.org_a])

    with django_capture_on_commit_callbacks(execute=True):
        run(timezone.now() + MIN)

    (part,) = [p for p in mailoutbox[0].message().walk() if p.get_content_type() == "text/calendar"]
    names = [name.lower() for name, _value in part.get_params()[1:]]
    assert names.count("charset") == 1, part["Content-Type"]


def test_scheduling_and_cancelling_sweep_at_once_after_commit(
    world, eager_celery, django_capture_on_commit_callbacks, mailoutbox, monkeypatch
):
    """No waiting for the next beat: the service queues a sweep once its transaction commits."""
    monkeypatch.setattr(services, "_after_commit_sweep", REAL_SWEEP)
    set_email(world.org_a1, "a1@example.org")

    with django_capture_on_commit_callbacks(execute=True):
        meeting = schedule(world, soon() + 10 * DAY, organizations=[world.org_a])
    assert recipients(meeting_reminders(meeting, "meeting_invite", SENT)) == ids(world.org_a1)
    assert [m.to for m in mailoutbox] == [["a1@example.org"]]

    with django_capture_on_commit_callbacks(execute=True):
        services.meeting_cancel(
            actor=world.policy, meeting=meeting, expected_version=meeting.version, reason="取消"
        )
    assert recipients(meeting_reminders(meeting, "meeting_cancelled", SENT)) == ids(world.org_a1)
    assert len(mailoutbox) == 2
    (event,) = Calendar.from_ical(mailoutbox[1].attachments[0][1]).walk("VEVENT")
    assert str(event["STATUS"]) == "CANCELLED"


def test_failing_email_backend_marks_failed_and_a_later_retry_sends(
    world, eager_celery, django_capture_on_commit_callbacks, mailoutbox
):
    set_email(world.org_a1, "a1@example.org")
    meeting = schedule(world, soon() + 10 * DAY, organizations=[world.org_a])

    with (
        override_settings(EMAIL_BACKEND=f"{__name__}.RefusingBackend"),
        django_capture_on_commit_callbacks(execute=True),
    ):
        run(timezone.now() + MIN)

    note = Notification.objects.get(recipient=world.org_a1, **about(meeting))
    assert note.email_status == "failed"
    assert "refused the connection" in note.email_error
    assert 1 <= note.email_attempts <= MAX_EMAIL_ATTEMPTS
    assert note.emailed_at is None
    assert mailoutbox == []
    # The inbox message and the reminder stand regardless.
    assert meeting_reminders(meeting, "meeting_invite", SENT).count() == 1

    send_notification_email.delay(note.pk)

    note.refresh_from_db()
    assert (note.email_status, note.email_error) == ("sent", "")
    assert note.emailed_at is not None
    assert [m.to for m in mailoutbox] == [["a1@example.org"]]
    # Sent is final: another retry sends nothing.
    send_notification_email.delay(note.pk)
    assert len(mailoutbox) == 1


def test_celery_retry_after_a_failure_sends_the_email(
    world, eager_celery, django_capture_on_commit_callbacks, mailoutbox
):
    set_email(world.org_a1, "a1@example.org")
    schedule(world, soon() + 10 * DAY, organizations=[world.org_a])
    FlakyBackend.failures_left = 1

    with (
        override_settings(EMAIL_BACKEND=f"{__name__}.FlakyBackend"),
        django_capture_on_commit_callbacks(execute=True),
    ):
        run(timezone.now() + MIN)

    note = Notification.objects.get(recipient=world.org_a1)
    assert (note.email_status, note.email_attempts, note.email_error) == ("sent", 2, "")
    assert len(mailoutbox) == 1


def test_the_clock_asks_the_planners_each_app_registered():
    assert set(clock.PLANNERS) == {
        plan_meetings,
        plan_quarterly_meeting,
        plan_filings,
        plan_organizations,
        plan_rectifications,
        plan_credit_proposals,
    }
    assert len(clock.PLANNERS) == 6  # registering twice adds nothing
    assert [credit_sweep] == clock.SWEEPS
