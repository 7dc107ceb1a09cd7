from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SupervisionConfig(AppConfig):
    name = "supervision"
    verbose_name = _("Supervision")

    def ready(self):
        # Django's hook for registering with the portal once every model is loaded.
        from portal import clock, home
        from reports import services as report_services

        from . import reminders, selectors, services

        clock.register(reminders.plan_rectifications)
        home.register(
            order=15,
            template="supervision/_home_rectifications.html",
            data=selectors.home_rectifications,
        )
        if services.follow_decision not in report_services.ON_DECIDED:
            report_services.ON_DECIDED.append(services.follow_decision)
