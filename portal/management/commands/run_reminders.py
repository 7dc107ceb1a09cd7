from django.core.management.base import BaseCommand
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from portal.clock import run
from portal.models import Reminder


class Command(BaseCommand):
    help = "Run one reminder cycle by hand: plan what is due and send it (each reminder once)."

    def add_arguments(self, parser):
        parser.add_argument("--now", help="pretend it is this time (ISO 8601, Asia/Shanghai)")

    def handle(self, *args, now=None, **options):
        moment = timezone.now()
        if now:
            moment = parse_datetime(now)
            if moment is None:
                raise ValueError(f"not a date and time: {now!r}")
            if timezone.is_naive(moment):
                moment = timezone.make_aware(moment)
        result = run(moment)
        self.stdout.write(
            f"{timezone.localtime(moment):%Y-%m-%d %H:%M} planned {result['planned']} "
            f"(new or existing), sent {result['sent']}; "
            f"pending {Reminder.objects.filter(status='pending').count()}, "
            f"sent in all {Reminder.objects.filter(status='sent').count()}"
        )
