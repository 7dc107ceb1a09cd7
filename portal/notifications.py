"""The in-app inbox and its email copies.

``notify`` writes inbox rows inside the caller's transaction and queues the email for after the
commit, so a rolled-back action tells nobody. The email task claims the row with a conditional
UPDATE, so a retried or duplicated task sends at most once.

A message may name its subject (type and id, as reminders do); an app that wants the emails about
its subjects to carry a file registers an attachment provider for that type
(``register_attachment``, from its ``AppConfig.ready()``).
"""

import datetime
import logging

from celery import current_app
from django.conf import settings
from django.core.mail import EmailMessage
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from . import generations
from .generations import Generation
from .models import Notification

logger = logging.getLogger(__name__)

MAX_EMAIL_ATTEMPTS = 5
SENDING_LEASE = datetime.timedelta(minutes=10)
STALE_AFTER = datetime.timedelta(minutes=5)

# subject type -> provider(subject_id) returning (filename, content, mimetype) or None.
ATTACHMENTS = {}


def register_attachment(subject_type, provider):
    """Emails of messages about a ``subject_type`` carry what ``provider(subject_id)`` returns."""
    ATTACHMENTS[subject_type] = provider


def notify(recipients, *, title, body="", url="", subject_type="", subject_id=None):
    """Put a message in each recipient's inbox; email it once the transaction commits."""
    seen = set()
    rows = []
    for user in recipients:
        if user is None or user.pk in seen or not user.is_active:
            continue
        seen.add(user.pk)
        rows.append(
            Notification(
                recipient=user,
                title=title[:255],
                body=body,
                url=url,
                subject_type=subject_type,
                subject_id=subject_id,
                email_status="pending" if user.email else "none",
            )
        )
    created = Notification.objects.bulk_create(rows)
    generations.bump(*(_inbox(user_id) for user_id in seen))
    ids = [n.pk for n in created if n.email_status == "pending"]
    if ids:
        transaction.on_commit(lambda: queue_emails(ids))
    return created


EMAIL_TASK = "portal.tasks.send_notification_email"


def queue_emails(ids):
    """Hand the emails to the workers. If the broker cannot be reached, the rows stay pending
    and the periodic sweep sends them (``retry_stale_emails``): the user's action has succeeded.

    The task is named, not imported: ``portal.tasks`` imports this module to do the work."""
    for pk in ids:
        try:
            current_app.signature(EMAIL_TASK, args=(pk,)).delay()
        except Exception:
            logger.warning("could not queue the email of notification %s", pk, exc_info=True)
            return


def deliver_email(notification_id):
    """Send one notification by email. Returns True if this call sent it.

    The row is claimed (pending/failed → sending) with a conditional UPDATE first; zero rows means
    another worker has it or it is already sent.
    """
    now = timezone.now()
    claimed = (
        Notification.objects.filter(pk=notification_id)
        .filter(
            Q(email_status__in=["pending", "failed"])
            # A worker that died mid-send leaves "sending"; after the lease it may be sent again.
            | Q(email_status="sending", email_claimed_at__lt=now - SENDING_LEASE)
        )
        .update(
            email_status="sending", email_claimed_at=now, email_attempts=F("email_attempts") + 1
        )
    )
    if not claimed:
        return False
    n = Notification.objects.select_related("recipient").get(pk=notification_id)
    link = n.url
    if link and getattr(settings, "PORTAL_BASE_URL", ""):
        link = settings.PORTAL_BASE_URL.rstrip("/") + link
    message = n.body + (f"\n\n{link}" if link else "")
    email = EmailMessage(n.title, message, to=[n.recipient.email])
    provider = ATTACHMENTS.get(n.subject_type)
    attachment = provider(n.subject_id) if provider and n.subject_id is not None else None
    if attachment is not None:
        email.attach(*attachment)
    try:
        email.send(fail_silently=False)
    except Exception as exc:
        Notification.objects.filter(pk=n.pk).update(email_status="failed", email_error=str(exc))
        raise
    Notification.objects.filter(pk=n.pk).update(
        email_status="sent", emailed_at=timezone.now(), email_error=""
    )
    return True


def _inbox(user_id):
    return Generation(f"inbox:{user_id}")


def unread_count(user):
    """The navigation's badge: cached per user until a message arrives or is read."""
    if not user.is_authenticated:
        return 0
    return generations.cached(
        f"portal:unread:{user.pk}",
        lambda: Notification.objects.filter(recipient=user, read_at__isnull=True).count(),
        _inbox(user.pk),
    )


def mark_read(*, user, ids=None):
    qs = Notification.objects.filter(recipient=user, read_at__isnull=True)
    if ids is not None:
        qs = qs.filter(pk__in=ids)
    changed = qs.update(read_at=timezone.now())
    _inbox(user.pk).bump()
    return changed


def unread_links(user):
    """The pages the user's unread messages link to; cached like the badge, so a page that is
    none of them costs no query."""
    return generations.cached(
        f"portal:unread-links:{user.pk}",
        lambda: set(
            Notification.objects.filter(recipient=user, read_at__isnull=True)
            .exclude(url="")
            .values_list("url", flat=True)
        ),
        _inbox(user.pk),
    )


def mark_read_linked(*, user, path):
    """Read the user's unread messages that link to ``path``: the user is on the page they point
    to, by whatever way they came (the inbox, the queue, a bookmark)."""
    changed = Notification.objects.filter(recipient=user, read_at__isnull=True, url=path).update(
        read_at=timezone.now()
    )
    if changed:
        _inbox(user.pk).bump()
    return changed


def retry_stale_emails(now, batch=200):
    """Emails whose task never ran (broker down at commit time) or whose worker died mid-send,
    and failed ones whose back-off has passed: sent here, by the periodic sweep."""
    stale = (
        Notification.objects.filter(
            Q(email_status="pending", created_at__lt=now - STALE_AFTER)
            | Q(email_status="sending", email_claimed_at__lt=now - SENDING_LEASE)
            | Q(
                email_status="failed",
                email_attempts__lt=MAX_EMAIL_ATTEMPTS,
                email_claimed_at__lt=now - STALE_AFTER,
            )
        )
        .order_by("created_at")
        .values_list("pk", flat=True)[:batch]
    )
    sent = 0
    for pk in list(stale):
        try:
            sent += deliver_email(pk)
        except Exception:
            logger.warning("email of notification %s failed again", pk, exc_info=True)
    return sent
