"""The in-app inbox and its email copies.

``notify`` writes inbox rows inside the caller's transaction and queues the email for after the
commit, so a rolled-back action tells nobody. The email task claims the row with a conditional
UPDATE, so a retried or duplicated task sends at most once.
"""

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from .models import Notification

MAX_EMAIL_ATTEMPTS = 5


def notify(recipients, *, title, body="", url="", meeting_id=None):
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
                meeting_id=meeting_id,
                email_status="pending" if user.email else "none",
            )
        )
    created = Notification.objects.bulk_create(rows)
    ids = [n.pk for n in created if n.email_status == "pending"]
    if ids:
        from .tasks import send_notification_email

        transaction.on_commit(lambda: [send_notification_email.delay(pk) for pk in ids])
    return created


def deliver_email(notification_id):
    """Send one notification by email. Returns True if this call sent it.

    The row is claimed (pending/failed → sending) with a conditional UPDATE first; zero rows means
    another worker has it or it is already sent.
    """
    claimed = Notification.objects.filter(
        pk=notification_id, email_status__in=["pending", "failed"]
    ).update(email_status="sending", email_attempts=F("email_attempts") + 1)
    if not claimed:
        return False
    n = Notification.objects.select_related("recipient", "meeting").get(pk=notification_id)
    link = n.url
    if link and getattr(settings, "PORTAL_BASE_URL", ""):
        link = settings.PORTAL_BASE_URL.rstrip("/") + link
    message = n.body + (f"\n\n{link}" if link else "")
    email = EmailMessage(n.title, message, to=[n.recipient.email])
    if n.meeting_id:
        from duties.ics import meeting_ics

        email.attach(
            "meeting.ics",
            meeting_ics(n.meeting, base_url=getattr(settings, "PORTAL_BASE_URL", "")),
            "text/calendar; charset=utf-8",
        )
    try:
        email.send(fail_silently=False)
    except Exception as exc:
        Notification.objects.filter(pk=n.pk).update(email_status="failed", email_error=str(exc))
        raise
    Notification.objects.filter(pk=n.pk).update(
        email_status="sent", emailed_at=timezone.now(), email_error=""
    )
    return True


def unread_count(user):
    if not user.is_authenticated:
        return 0
    return Notification.objects.filter(recipient=user, read_at__isnull=True).count()


def mark_read(*, user, ids=None):
    qs = Notification.objects.filter(recipient=user, read_at__isnull=True)
    if ids is not None:
        qs = qs.filter(pk__in=ids)
    return qs.update(read_at=timezone.now())
