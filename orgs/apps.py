from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OrgsConfig(AppConfig):
    name = "orgs"
    verbose_name = _("Organizations")

    def ready(self):
        # Django's hook for registering with the portal once every model is loaded.
        from portal import clock

        from . import reminders

        clock.register(reminders.plan_organizations)
