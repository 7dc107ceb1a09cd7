from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MeetingsConfig(AppConfig):
    name = "meetings"
    verbose_name = _("Meetings")

    def ready(self):
        # Django's hook for registering with other apps once every model is loaded.
        from portal import notifications

        from .ics import meeting_attachment

        notifications.register_attachment("meeting", meeting_attachment)
