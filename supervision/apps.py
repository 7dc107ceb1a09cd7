from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SupervisionConfig(AppConfig):
    name = "supervision"
    verbose_name = _("Supervision")

    def ready(self):
        # Django's hook for registering with the portal once every model is loaded.
        from portal import clock, history, home
        from portal import demo as portal_demo
        from reports import services as report_services

        from . import credit, demo, reminders, selectors, services
        from .models import reason_labels

        portal_demo.register(demo.seed_demo_supervision)
        history.register_reasons(reason_labels())
        clock.register(reminders.plan_rectifications)
        clock.register(reminders.plan_credit_proposals)
        clock.register_sweep(credit.sweep)
        if credit.lift_for_rectification not in services.ON_CLOSED:
            services.ON_CLOSED.append(credit.lift_for_rectification)
        home.register(
            order=15,
            template="supervision/_home_rectifications.html",
            data=selectors.home_rectifications,
        )
        if services.follow_decision not in report_services.ON_DECIDED:
            report_services.ON_DECIDED.append(services.follow_decision)
