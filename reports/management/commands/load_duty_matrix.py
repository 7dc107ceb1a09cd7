from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from reports.matrix import install_default_matrix


class Command(BaseCommand):
    help = "Create the default matters of the duty matrix that do not exist yet."

    def add_arguments(self, parser):
        parser.add_argument(
            "--as", dest="username", required=True, help="the admin recorded as actor"
        )

    def handle(self, *args, username, **options):
        actor = get_user_model().objects.filter(username=username).first()
        if actor is None:
            raise CommandError(f"no user {username!r}")
        created = install_default_matrix(actor=actor)
        self.stdout.write(f"{len(created)} matters created.")
