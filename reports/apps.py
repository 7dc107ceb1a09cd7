from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReportsConfig(AppConfig):
    name = "reports"
    verbose_name = _("Matters and filings")

    def ready(self):
        # Django's hook for registering with the portal once every model is loaded.
        from portal import clock, home
        from portal import history as change_history

        from . import history, reminders, selectors
        from .models import Filing, MatterType

        clock.register(reminders.plan_filings)
        change_history.register_reasons(history.REASONS)
        change_history.register_field(Filing, "details", history.filing_details)
        change_history.register_field(MatterType, "management_modes", history.management_modes)
        home.register(
            order=20, template="reports/_home_follow_ups.html", data=selectors.home_follow_ups
        )
        home.register(order=40, template="reports/_home_queue.html", data=selectors.home_queue)
