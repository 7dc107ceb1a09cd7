from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MeetingsConfig(AppConfig):
    name = "meetings"
    verbose_name = _("Meetings")

    def ready(self):
        # Django's hook for registering with the portal once every model is loaded.
        from duties import access
        from portal import clock, history, home, notifications, rules
        from portal import demo as portal_demo

        from . import demo, reminders, selectors
        from .ics import meeting_attachment

        rules.register("meeting_organizer", access.is_meeting_organizer)
        history.register_reasons(
            {
                "schedule": _("scheduled the meeting"),
                "update": _("changed the meeting"),
                "attendance": _("recorded the attendance"),
            }
        )
        portal_demo.register(demo.seed_demo_meetings)

        clock.register(reminders.plan_meetings)
        clock.register(reminders.plan_quarterly_meeting)
        notifications.register_attachment("meeting", meeting_attachment)
        home.register(
            order=30, template="meetings/_home_invitations.html", data=selectors.home_invitations
        )
        home.register(
            order=50, template="meetings/_home_upcoming.html", data=selectors.home_upcoming
        )
        home.register(
            order=70, template="meetings/_home_absences.html", data=selectors.home_absences
        )
