"""The portal's clock: what is due, for whom, sent exactly once.

``run(now)`` is called by one periodic Celery task (``portal.tasks.run_reminders``). It *plans*,
by asking the planners that the apps registered (``register``, from their ``AppConfig.ready()``;
each app's ``reminders.py``), every reminder whose due time lies in the look-back window
``(now - LOOKBACK, now]`` as a
``Reminder`` row with a unique key, inserting nothing that exists, and then *sends* each pending row
that is due: a conditional UPDATE (pending → sent) claims the row inside the transaction that
writes the inbox message, so a retry, a second worker or a beat firing twice finds nothing left to
claim, and a worker that dies mid-way rolls back and leaves the row pending for the next run.
Emails follow from the inbox messages after commit (``portal.notifications``).

All times are Asia/Shanghai; the lead times are settings (``REMINDERS``), every key of which is
in ``DEFAULTS`` below, whichever app reads it.
"""

import datetime
import logging
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.utils import timezone, translation

from . import lockout
from .models import Reminder, ReminderStatus
from .notifications import notify, retry_stale_emails

logger = logging.getLogger(__name__)

DEFAULTS = {
    "lookback_days": 7,
    "meeting_days_before": [7, 1],
    "quarter_schedule_by_day": 15,
    "review_due_soon_workdays": 2,
    "returned_waiting_days": 5,
    "summary_days_before": 3,
    "annual_inspection_dates": ["03-01", "03-20"],
    "term_months_before": [6, 2],
    "certificate_months_before": 3,
    "grade_months_before": 3,
    "send_hour": 9,
    "batch": 500,
}


def conf(name):
    return {**DEFAULTS, **getattr(settings, "REMINDERS", {})}[name]


@dataclass(frozen=True)
class Plan:
    kind: str
    recipient_id: int
    subject_type: str
    subject_id: int
    due_at: datetime.datetime
    title: str
    body: str = ""
    url: str = ""

    @property
    def key(self):
        return (
            f"{self.kind}:{self.subject_type}:{self.subject_id}:{self.recipient_id}:"
            f"{self.due_at.astimezone(datetime.UTC):%Y%m%dT%H%M}"
        )


def at_send_hour(day):
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(conf("send_hour"))))


def in_window(due_at, now):
    """Whether a reminder due at ``due_at`` is to be planned at ``now``: due, and not longer ago
    than the look-back (a sweep missed meanwhile still sends it; an older one is let go)."""
    return now - datetime.timedelta(days=conf("lookback_days")) < due_at <= now


# --- what is due: each app registers its planners -------------------------------------------

PLANNERS = []


def register(planner):
    """Add ``planner(now)``, which yields the ``Plan`` of every reminder of its app due in the
    look-back window (``in_window``); called from the app's ``AppConfig.ready()``."""
    if planner not in PLANNERS:
        PLANNERS.append(planner)
    return planner


SWEEPS = []


def register_sweep(sweep):
    """Add ``sweep(now)``, which changes records on the clock (a credit list's entries and
    exits) idempotently: run before planning, by any number of workers, any number of times."""
    if sweep not in SWEEPS:
        SWEEPS.append(sweep)
    return sweep


def sweep(now):
    """Run every registered sweep; one that fails is logged and does not stop the others."""
    done = {}
    for step in SWEEPS:
        try:
            done[step.__module__] = step(now)
        except Exception:
            logger.exception("sweep %s failed; the next run tries again", step.__module__)
    return done


def each(rows, plans_of):
    """The plans of every row, by ``plans_of(row)``, for a planner's loop: a row that cannot be
    planned (a date out of range, a bug) is logged and skipped, as a failing reminder is, and
    the others are planned."""
    for row in rows:
        try:
            plans = list(plans_of(row))
        except Exception:
            logger.exception("the reminders of %r could not be planned; it is skipped", row)
            continue
        yield from plans


def plan(now):
    """Insert the reminders due in the look-back window; existing keys are left alone. A planner
    that fails is logged; the other planners and the sending go on."""
    plans = []
    with translation.override(settings.LANGUAGE_CODE):
        for planner in PLANNERS:
            try:
                plans.extend(planner(now))
            except Exception:
                logger.exception("planner %s failed; the others go on", planner.__qualname__)
    rows = [
        Reminder(
            key=p.key,
            kind=p.kind,
            recipient_id=p.recipient_id,
            subject_type=p.subject_type,
            subject_id=p.subject_id,
            due_at=p.due_at,
            title=p.title[:255],
            body=p.body,
            url=p.url,
        )
        for p in plans
    ]
    Reminder.objects.bulk_create(rows, ignore_conflicts=True, batch_size=500)
    return len(rows)


def send_one(reminder_id, now=None):
    """Deliver one reminder if it is still pending. True if this call delivered it."""
    now = now or timezone.now()
    with transaction.atomic():
        claimed = Reminder.objects.filter(
            pk=reminder_id, status=ReminderStatus.PENDING, due_at__lte=now
        ).update(status=ReminderStatus.SENT, sent_at=now)
        if not claimed:
            return False
        reminder = Reminder.objects.select_related("recipient").get(pk=reminder_id)
        created = notify(
            [reminder.recipient],
            title=reminder.title,
            body=reminder.body,
            url=reminder.url,
            subject_type=reminder.subject_type,
            subject_id=reminder.subject_id,
        )
        if not created:  # the recipient was deactivated meanwhile
            Reminder.objects.filter(pk=reminder_id).update(status=ReminderStatus.CANCELLED)
            return False
        Reminder.objects.filter(pk=reminder_id).update(notification=created[0])
    return True


def dispatch(now):
    """Send every pending reminder that is due. Returns how many this call sent.

    One reminder that fails (a deleted recipient, a bug) is logged and left pending; it does not
    hold up the others.
    """
    ids = list(
        Reminder.objects.filter(status=ReminderStatus.PENDING, due_at__lte=now)
        .order_by("due_at", "pk")
        .values_list("pk", flat=True)[: conf("batch")]
    )
    sent = 0
    for pk in ids:
        try:
            sent += send_one(pk, now)
        except Exception:
            logger.exception("reminder %s could not be sent; it stays pending", pk)
    return sent


def run(now=None):
    """One cycle of the clock: plan, send, and retry emails whose task was lost.

    Safe to run at any time, any number of times.
    """
    now = now or timezone.now()
    swept = sweep(now)
    planned = plan(now)
    sent = dispatch(now)
    emails = retry_stale_emails(now)
    lockout.purge_expired(now)
    return {"swept": swept, "planned": planned, "sent": sent, "emails_retried": emails}


def cancel_for_user_ids(user_ids):
    return Reminder.objects.filter(recipient_id__in=user_ids, status=ReminderStatus.PENDING).update(
        status=ReminderStatus.CANCELLED
    )
