from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OrgsConfig(AppConfig):
    name = "orgs"
    verbose_name = _("Organizations")

    def ready(self):
        # Django's hook for registering with the portal once every model is loaded.
        from portal import clock, history, home

        from . import reminders, selectors

        clock.register(reminders.plan_organizations)
        history.register_reasons(
            {
                "contact_update": _("contact details updated"),
                "contact details updated": _("contact details updated"),
                "volume": _("bulk test data"),
            }
        )
        home.register(order=10, template="orgs/_home_org.html", data=selectors.home_my_org)
        home.register(order=80, template="orgs/_home_registry.html", data=selectors.home_registry)
