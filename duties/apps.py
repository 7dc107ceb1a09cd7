from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DutiesConfig(AppConfig):
    name = "duties"
    verbose_name = _("Divisions and duties")

    def ready(self):
        # Django's hook for registering with the portal once every model is loaded.
        from portal import rules
        from portal import services as portal_services

        from . import access

        # The portal's user accounts ask this app's rule who may manage them.
        portal_services.register_user_manager_rule(access.is_bureau_admin)
        rules.register("bureau_staff", access.is_bureau_staff)
        rules.register("bureau_admin", access.is_bureau_admin)
        rules.register("registry_editor", access.is_registry_editor)
        rules.register("calendar_keeper", access.keeps_calendar)
        rules.register("org_user", access.is_org_user)
        rules.register("leader", lambda user: access.roles(user).is_leader)
