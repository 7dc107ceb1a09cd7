from celery import shared_task

from .clock import run
from .models import Notification
from .notifications import MAX_EMAIL_ATTEMPTS, deliver_email


@shared_task(bind=True, max_retries=MAX_EMAIL_ATTEMPTS - 1, acks_late=True)
def send_notification_email(self, notification_id):
    """Email one inbox message; on failure retry with exponential back-off, then stay 'failed'."""
    try:
        return deliver_email(notification_id)
    except Exception as exc:
        attempts = (
            Notification.objects.filter(pk=notification_id)
            .values_list("email_attempts", flat=True)
            .first()
            or 0
        )
        if attempts >= MAX_EMAIL_ATTEMPTS:
            return False
        raise self.retry(exc=exc, countdown=60 * 2**attempts) from exc


@shared_task(acks_late=True)
def run_reminders():
    """The periodic sweep (Celery beat): plan what is due and send it, each reminder once."""
    return run()
