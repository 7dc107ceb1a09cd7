from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PortalConfig(AppConfig):
    name = "portal"
    verbose_name = _("Portal")

    def ready(self):
        from . import (
            calendar,  # noqa: F401  (connects the cache invalidation signals)
            generations,
            home,
        )

        generations.connect()
        home.register(
            order=60, template="portal/_home_calendar.html", data=home.unconfirmed_calendar
        )
