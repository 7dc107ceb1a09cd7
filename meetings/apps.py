from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MeetingsConfig(AppConfig):
    name = "meetings"
    verbose_name = _("Meetings")

    def ready(self):
        # Django's hook for registering with the portal once every model is loaded.
        from portal import clock, notifications

        from . import reminders
        from .ics import meeting_attachment

        clock.register(reminders.plan_meetings)
        clock.register(reminders.plan_quarterly_meeting)
        notifications.register_attachment("meeting", meeting_attachment)
