"""The clock end to end: a real Celery beat and worker on Redis deliver a meeting invitation.

Beat fires ``portal.tasks.run_reminders`` every 2 seconds; the worker plans the invitation, writes
the inbox message and, after that commit, emails it in a second task. The worker runs in its own
process against the test database, so the test watches the database (``Notification.email_status``
and ``emailed_at``): ``portal.settings_test`` sets the locmem email backend whatever the
environment says, and ``portal.settings`` does not read ``EMAIL_FILE_PATH``, so a file outbox is
checked only if the settings ever honour it.

Runs only with Redis (``REDIS_URL``) and PostgreSQL (``DATABASE_URL``); skipped otherwise, and
never skipped when ``CI=true`` and both are configured.
"""

import datetime
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import quote, urlsplit

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import connection
from django.utils import timezone

from meetings import services
from meetings.models import MeetingKind
from portal.models import Notification, Reminder

pytestmark = pytest.mark.django_db(transaction=True)

POLL_SECONDS = 40
STOP_SECONDS = 8
IN_CI = os.environ.get("CI", "").lower() == "true"


def _redis_db_number(url):
    path = urlsplit(url).path.strip("/")
    return int(path) if path.isdigit() else 0


@pytest.fixture
def redis_broker():
    """The test's Redis database, emptied before and after (only databases 7 and up)."""
    url = settings.REDIS_URL
    if not url:
        pytest.skip("REDIS_URL is not set: the Celery worker and beat need a Redis broker")
    if connection.vendor != "postgresql":
        pytest.skip(
            "the worker runs in another process and must share the test database: needs "
            "PostgreSQL (DATABASE_URL=postgres://...), not SQLite"
        )
    import redis

    client = redis.Redis.from_url(url)
    try:
        client.ping()
    except redis.RedisError as exc:
        if IN_CI:
            pytest.fail(f"REDIS_URL={url} is configured but unreachable: {exc}", pytrace=False)
        pytest.skip(f"REDIS_URL={url} is unreachable: {exc}")
    flush = _redis_db_number(url) >= 7
    if flush:
        client.flushdb()
    yield url
    if flush:
        client.flushdb()
    client.close()


def _test_database_url():
    """The URL of the test database pytest-django created (its NAME has the test_ prefix)."""
    d = connection.settings_dict
    user = quote(d.get("USER") or "", safe="")
    password = quote(d.get("PASSWORD") or "", safe="")
    auth = f"{user}:{password}@" if password else (f"{user}@" if user else "")
    host = d.get("HOST") or "localhost"
    port = d.get("PORT") or 5432
    return f"postgres://{auth}{host}:{port}/{quote(d['NAME'], safe='')}"


def _celery():
    venv = Path(settings.BASE_DIR) / ".venv" / "bin" / "celery"
    if venv.exists():
        return str(venv)
    return str(Path(sys.executable).with_name("celery"))


class Processes:
    """Subprocesses in their own sessions, their output in files; stopped SIGTERM-then-kill."""

    def __init__(self, folder, env):
        self.folder, self.env, self.procs = folder, env, {}

    def start(self, name, *args):
        log = open(self.folder / f"{name}.log", "wb")  # noqa: SIM115 - closed in stop()
        proc = subprocess.Popen(
            [_celery(), "-A", "portal", *args],
            cwd=settings.BASE_DIR,
            env=self.env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        self.procs[name] = (proc, log)
        return proc

    def output(self, name):
        return (self.folder / f"{name}.log").read_text(errors="replace")

    def check_alive(self):
        for name, (proc, _log) in self.procs.items():
            if proc.poll() is not None:
                raise AssertionError(f"celery {name} exited early with code {proc.returncode}")

    def stop(self):
        for proc, _log in self.procs.values():
            if proc.poll() is None:
                os.killpg(proc.pid, signal.SIGTERM)
        deadline = time.monotonic() + STOP_SECONDS
        for proc, log in self.procs.values():
            try:
                proc.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait(timeout=5)
            log.close()

    def dump(self):
        for name in self.procs:
            print(f"----- celery {name} output -----\n{self.output(name)}")


def test_beat_and_worker_deliver_and_email_the_invitation(
    redis_broker, world, tmp_path, monkeypatch
):
    started = time.monotonic()
    get_user_model().objects.filter(pk=world.org_a1.pk).update(email="org-a1@example.org")
    # Only the beat may start the sweep: no sweep queued by the scheduling itself.
    monkeypatch.setattr(services, "_after_commit_sweep", lambda: None)
    start = timezone.now() + datetime.timedelta(days=10)
    meeting = services.meeting_schedule(
        actor=world.policy,
        kind=MeetingKind.SPECIAL,
        title="端到端测试会议",
        starts_at=start,
        ends_at=start + datetime.timedelta(hours=2),
        place="会议室",
        agenda="议程",
        organizations=[world.org_a],
    )

    mail_dir = tmp_path / "mail"
    mail_dir.mkdir()
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "portal.settings_test",
        "DATABASE_URL": _test_database_url(),
        "REDIS_URL": redis_broker,
        "REMINDER_SWEEP_SECONDS": "2",
        "CELERY_TASK_ALWAYS_EAGER": "false",
        "CELERY_DATA_DIR": str(tmp_path / "celery"),
        "EMAIL_BACKEND": "django.core.mail.backends.filebased.EmailBackend",
        "EMAIL_FILE_PATH": str(mail_dir),
        "PYTHONUNBUFFERED": "1",
    }
    procs = Processes(tmp_path, env)
    note = None
    passed = False
    try:
        procs.start(
            "worker",
            "worker",
            "--loglevel=INFO",
            "--pool=solo",
            "--without-gossip",
            "--without-mingle",
            "--without-heartbeat",
            f"--hostname=e2e-clock-{os.getpid()}@%h",
        )
        procs.start(
            "beat",
            "beat",
            "--loglevel=INFO",
            f"--schedule={tmp_path / 'beat-schedule'}",
            "--max-interval=1",
        )
        deadline = time.monotonic() + POLL_SECONDS
        while time.monotonic() < deadline:
            procs.check_alive()
            note = Notification.objects.filter(
                recipient=world.org_a1, subject_type="meeting", subject_id=meeting.pk
            ).first()
            if note is not None and note.email_status in ("sent", "failed"):
                break
            time.sleep(0.5)

        assert note is not None, f"no inbox message within {POLL_SECONDS}s"
        assert note.email_status == "sent", (note.email_status, note.email_error)
        assert note.emailed_at is not None
        assert note.email_attempts == 1
        reminder = Reminder.objects.get(recipient=world.org_a1, kind="meeting_invite")
        assert (reminder.status, reminder.notification_id) == ("sent", note.pk)
        assert Notification.objects.filter(recipient=world.org_a1).count() == 1
        assert "portal.tasks.run_reminders" in procs.output("beat")
        assert "portal.tasks.send_notification_email" in procs.output("worker")
        mail_files = list(mail_dir.iterdir())
        if mail_files:  # only if the settings honour EMAIL_BACKEND and EMAIL_FILE_PATH
            assert any("org-a1@example.org" in f.read_text(errors="replace") for f in mail_files)
        passed = True
    finally:
        procs.stop()
        if not passed:
            procs.dump()
    assert all(proc.poll() is not None for proc, _log in procs.procs.values())
    assert time.monotonic() - started < 60
