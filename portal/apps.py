from django.apps import AppConfig
from django.contrib.admin import apps as admin_apps
from django.utils.translation import gettext_lazy as _


class PortalConfig(AppConfig):
    name = "portal"
    verbose_name = _("Portal")

    def ready(self):
        from . import generations, history, home

        generations.connect()
        history.register_reasons(
            {"password_reset": _("password reset"), "password reset": _("password reset")}
        )
        home.register(
            order=60, template="portal/_home_calendar.html", data=home.unconfirmed_calendar
        )


class PortalAdminConfig(admin_apps.AdminConfig):
    """Django's admin; once it has discovered every app's registrations, those not written for
    the portal are made read-only (``portal.admin.lock_registrations``)."""

    default = False  # "portal" itself is PortalConfig

    def ready(self):
        super().ready()
        from django.contrib import admin

        from .admin import lock_registrations

        lock_registrations(admin.site)
