"""Every transition tells who must act next: inbox rows in the transaction, emails after commit.

Celery runs eagerly here (``task_always_eager`` on the portal's app), so the email task queued
by ``transaction.on_commit`` runs inline when pytest-django's capture executes the callbacks.
"""

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.db import transaction
from django.test import override_settings
from django.urls import reverse

from portal.celery import app as celery_app
from portal.models import Notification
from portal.notifications import deliver_email, notify
from portal.tasks import send_notification_email
from reports import services

from .helpers import (
    add_member,
    create,
    decide,
    opine,
    resubmit,
    return_,
    start_review,
    submit,
    withdraw,
)


@pytest.fixture
def eager():
    conf = celery_app.conf
    saved = conf.task_always_eager, conf.task_eager_propagates
    conf.task_always_eager = True
    conf.task_eager_propagates = True
    yield
    conf.task_always_eager, conf.task_eager_propagates = saved


@pytest.fixture
def mailing(world, eager):
    """Everyone in the world has an email address."""
    for value in vars(world).values():
        if hasattr(value, "email") and hasattr(value, "username"):
            value.email = f"{value.username}@example.org"
            value.save(update_fields=["email"])
    return world


def recipients(since, title_part=None):
    """Usernames notified after the notification id ``since``."""
    qs = Notification.objects.filter(pk__gt=since)
    if title_part:
        qs = qs.filter(title__contains=title_part)
    return sorted(qs.values_list("recipient__username", flat=True))


def last_id():
    return Notification.objects.order_by("-pk").values_list("pk", flat=True).first() or 0


def test_each_step_notifies_who_acts_next(world):
    w = world
    filing = create(w.org_a1, w.org_a, "major_matter", title="NOTIFY-ME")
    url = reverse("reports:detail", kwargs={"pk": filing.pk})

    mark = last_id()
    submit(w.org_a1, filing)
    assert recipients(mark) == ["head-a", "liaison-a"]  # the lead division
    assert set(Notification.objects.filter(pk__gt=mark).values_list("url", flat=True)) == {url}
    assert all("NOTIFY-ME" in n.title for n in Notification.objects.filter(pk__gt=mark))

    mark = last_id()
    start_review(w.liaison_a, filing)
    assert recipients(mark) == ["office", "office-head"]  # the opinion division

    mark = last_id()
    return_(w.liaison_a, filing, comment="请补充预算")
    assert recipients(mark) == ["org-a1"]  # the organization
    assert Notification.objects.get(pk__gt=mark).body == "请补充预算"

    mark = last_id()
    resubmit(w.org_a1, filing)
    assert recipients(mark) == ["head-a", "liaison-a"]

    start_review(w.liaison_a, filing)  # Office was asked already: asked once only
    mark = last_id()
    opine(w.office, filing)
    assert recipients(mark) == ["head-a"]  # all opinions in: the heads of the lead division

    mark = last_id()
    decide(w.head_a, filing, comment="同意备案")
    assert recipients(mark) == ["org-a1"]
    assert Notification.objects.get(pk__gt=mark).body == "同意备案"


def test_the_opinion_divisions_are_told_once_all_of_them(world):
    w = world
    filing = create(w.org_a1, w.org_a, "immediate_report", title="TWO-OPINIONS")
    submit(w.org_a1, filing)
    mark = last_id()
    start_review(w.liaison_a, filing)
    assert recipients(mark) == ["office", "office-head", "policy", "policy-head"]
    mark = last_id()
    opine(w.office, filing)
    assert recipients(mark) == []  # Policy's opinion is still pending
    opine(w.policy, filing)
    assert recipients(mark) == ["head-a"]


def test_withdrawal_and_comments(world):
    w = world
    filing = create(w.org_a1, w.org_a, "major_matter", title="COMMENTS")
    mark = last_id()
    withdraw(w.org_a1, create(w.org_a1, w.org_a, "major_matter", title="DRAFT-GONE"))
    assert recipients(mark) == []  # a draft concerned nobody yet
    filing = submit(w.org_a1, filing)

    mark = last_id()
    services.filing_comment(actor=w.liaison_a, filing=filing, body="内部讨论", internal=True)
    assert recipients(mark) == []
    services.filing_comment(actor=w.liaison_a, filing=filing, body="请注意时间", internal=False)
    assert recipients(mark) == ["org-a1"]
    mark = last_id()
    services.filing_comment(actor=w.org_a1, filing=filing, body="收到")
    assert recipients(mark) == ["head-a", "liaison-a"]

    mark = last_id()
    withdraw(w.org_a1, filing)
    assert recipients(mark) == ["head-a", "liaison-a"]


def test_inactive_users_are_not_notified(world):
    w = world
    w.head_a.is_active = False
    w.head_a.save()
    mark = last_id()
    submit(w.org_a1, create(w.org_a1, w.org_a, "major_matter"))
    assert recipients(mark) == ["liaison-a"]


def test_ready_for_decision_goes_to_heads_of_the_lead_division_only(world):
    from duties import services as duty_services

    w = world
    # liaison_a is staff in div_a and, say, acting head of a task force division.
    from tests.factories import division

    task_force = division(w.admin, "专项工作组")
    duty_services.membership_add(actor=w.admin, division=task_force, user=w.liaison_a, role="head")
    filing = create(w.org_a1, w.org_a, "major_matter")
    submit(w.org_a1, filing)
    start_review(w.liaison_a, filing)
    mark = last_id()
    opine(w.office, filing)
    assert recipients(mark) == ["head-a"]


# --- email after commit ------------------------------------------------------------------------


def test_emails_are_sent_only_after_commit(mailing, django_capture_on_commit_callbacks):
    w = mailing
    filing = create(w.org_a1, w.org_a, "major_matter", title="MAIL-ME")
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        submit(w.org_a1, filing)
        assert mail.outbox == [], "sent before the commit"
        rows = list(Notification.objects.filter(title__contains="MAIL-ME"))
        assert {n.email_status for n in rows} == {"pending"}
    # One callback queues the emails; the others retire cached answers (portal.generations).
    assert [c.__qualname__ for c in callbacks].count("notify.<locals>.<lambda>") == 1
    assert sorted(m.to[0] for m in mail.outbox) == ["head-a@example.org", "liaison-a@example.org"]
    assert all("MAIL-ME" in m.subject for m in mail.outbox)
    assert all(reverse("reports:detail", kwargs={"pk": filing.pk}) in m.body for m in mail.outbox)
    for n in Notification.objects.filter(title__contains="MAIL-ME"):
        assert n.email_status == "sent" and n.emailed_at and n.email_attempts == 1


def test_without_a_commit_nothing_is_mailed(mailing):
    w = mailing
    submit(w.org_a1, create(w.org_a1, w.org_a, "major_matter", title="NO-COMMIT"))
    assert Notification.objects.filter(title__contains="NO-COMMIT").count() == 2
    assert mail.outbox == []


def test_a_rolled_back_transition_tells_nobody(mailing, django_capture_on_commit_callbacks):
    w = mailing
    filing = create(w.org_a1, w.org_a, "major_matter", title="ROLLED-BACK")
    mark = last_id()
    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        submit(w.org_a1, filing)
        assert recipients(mark) == ["head-a", "liaison-a"]
        raise RuntimeError("something after the submission failed")
    assert callbacks == []
    assert mail.outbox == []
    assert recipients(mark) == []
    assert filing.__class__.objects.get(pk=filing.pk).state == "draft"


def test_a_refused_transition_tells_nobody(mailing, django_capture_on_commit_callbacks):
    w = mailing
    filing = create(w.org_a1, w.org_a, "major_matter")
    submit(w.org_a1, filing)
    start_review(w.liaison_a, filing)
    mark = last_id()
    with (
        django_capture_on_commit_callbacks(execute=True),
        pytest.raises(ValidationError) as exc,
    ):
        decide(w.head_a, filing)  # Office's opinion is pending
    assert exc.value.code == "opinions_pending"
    assert recipients(mark) == []
    assert mail.outbox == []


def test_users_without_email_get_the_inbox_only(world, eager, django_capture_on_commit_callbacks):
    w = world
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        submit(w.org_a1, create(w.org_a1, w.org_a, "major_matter", title="NO-EMAIL"))
    assert "notify.<locals>.<lambda>" not in [c.__qualname__ for c in callbacks]
    assert mail.outbox == []
    statuses = Notification.objects.filter(title__contains="NO-EMAIL").values_list(
        "email_status", flat=True
    )
    assert set(statuses) == {"none"}


def test_deliver_email_twice_sends_once(mailing):
    [n] = notify([mailing.org_a1], title="ONCE", body="正文", url="/filings/1/")
    assert deliver_email(n.pk) is True
    assert deliver_email(n.pk) is False
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["org-a1@example.org"]
    n.refresh_from_db()
    assert n.email_status == "sent" and n.email_attempts == 1
    # The task (a retried or duplicated message) does not send it again either.
    assert send_notification_email.delay(n.pk).get() is False
    assert len(mail.outbox) == 1


def test_a_failed_email_is_retried_and_then_sent_once(mailing):
    [n] = notify([mailing.org_a1], title="RETRY")
    smtp_down = {
        "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
        "EMAIL_HOST": "127.0.0.1",
        "EMAIL_PORT": 9,  # discard: nothing listens
        "EMAIL_TIMEOUT": 2,
    }
    with override_settings(**smtp_down), pytest.raises(OSError):
        deliver_email(n.pk)
    n.refresh_from_db()
    assert n.email_status == "failed" and n.email_error and n.email_attempts == 1
    assert mail.outbox == []
    assert deliver_email(n.pk) is True
    assert deliver_email(n.pk) is False
    n.refresh_from_db()
    assert n.email_status == "sent" and n.email_attempts == 2 and n.email_error == ""
    assert len(mail.outbox) == 1


# --- the inbox page ----------------------------------------------------------------------------


def unread_badge(client):
    response = client.get(reverse("inbox"))
    assert response.status_code == 200
    return response.context["unread_count"], response.content.decode()


def test_inbox_shows_unread_count_and_marks_read(world, login):
    w = world
    for i in range(3):
        submit(w.org_a1, create(w.org_a1, w.org_a, "major_matter", title=f"INBOX-{i}"))
    client = login(w.liaison_a)
    count, html = unread_badge(client)
    assert count == 3
    assert 'id="unread-count">3<' in html
    for i in range(3):
        assert f"INBOX-{i}" in html

    first = Notification.objects.filter(recipient=w.liaison_a).order_by("pk").first()
    response = client.post(reverse("inbox_read"), {"id": first.pk, "next": first.url})
    assert response.status_code == 302 and response["Location"] == first.url
    count, html = unread_badge(client)
    assert count == 2 and 'id="unread-count">2<' in html
    unread_only = client.get(reverse("inbox"), {"unread": 1}).context["page"].object_list
    assert first.pk not in [n.pk for n in unread_only]

    # Someone else's message cannot be marked from here.
    theirs = Notification.objects.filter(recipient=w.head_a).first()
    client.post(reverse("inbox_read"), {"id": theirs.pk})
    theirs.refresh_from_db()
    assert theirs.read_at is None

    # A link elsewhere is not followed.
    second = Notification.objects.filter(recipient=w.liaison_a, read_at__isnull=True).first()
    response = client.post(
        reverse("inbox_read"), {"id": second.pk, "next": "https://evil.example/phish"}
    )
    assert response["Location"] == reverse("inbox")

    client.post(reverse("inbox_read"))  # mark all read
    count, html = unread_badge(client)
    assert count == 0 and 'id="unread-count"' not in html
    assert Notification.objects.filter(recipient=w.liaison_a, read_at__isnull=True).count() == 0
    # head_a's messages are untouched.
    assert Notification.objects.filter(recipient=w.head_a, read_at__isnull=True).count() == 3


def test_inbox_is_per_user(world, login):
    w = world
    second = add_member(w, w.div_b, "liaison-b2")
    submit(w.org_a1, create(w.org_a1, w.org_a, "major_matter", title="ONLY-DIV-A"))
    for user in (w.liaison_b, second, w.office, w.org_a1, w.org_b1):
        count, html = unread_badge(login(user))
        assert count == 0 and "ONLY-DIV-A" not in html, user
