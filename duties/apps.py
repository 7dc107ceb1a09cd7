from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DutiesConfig(AppConfig):
    name = "duties"
    verbose_name = _("Divisions and duties")

    def ready(self):
        from portal import services as portal_services

        from . import access

        # The portal's user accounts ask this app's rule who may manage them.
        portal_services.register_user_manager_rule(access.is_bureau_admin)
