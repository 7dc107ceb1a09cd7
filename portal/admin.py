"""The Django admin: a window on the data for support staff, not a way around the services.

Every write of a model that a service covers goes through that service (the actor's right, the
checks, the version, the history reason), so the admin shows those models read-only: viewable,
searchable, with their history, and nothing more (``ReadOnlyAdmin``). Admins registered by
other apps are made read-only the same way once the admin has discovered them
(``lock_registrations``, run by ``portal.apps.PortalAdminConfig``); a model that no service
writes and that is entered in the admin by design says so with ``edited_in_admin = True``.
"""

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.core.exceptions import PermissionDenied
from django.http import Http404
from simple_history.admin import SimpleHistoryAdmin

from .models import ApiToken, CalendarDay, Notification, Reminder, User


class ReadOnlyAdmin(SimpleHistoryAdmin):
    """Shown, searched and traced in the admin; written only by services.

    No add, change or delete, and no revert from the history: simple-history's page of a past
    version saves what is posted to it whenever the page may be seen, so it answers GET only.
    Models without simple-history keep Django's own log of admin actions as their history.
    """

    def __init__(self, model, admin_site):
        super().__init__(model, admin_site)
        self.keeps_history = hasattr(model._meta, "simple_history_manager_attribute")
        if not self.keeps_history:
            self.object_history_template = None

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def revert_disabled(self, request, obj=None):
        return True

    def history_view(self, request, object_id, extra_context=None):
        if not self.keeps_history:
            return admin.ModelAdmin.history_view(self, request, object_id, extra_context)
        return super().history_view(request, object_id, extra_context)

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        if not self.keeps_history:
            raise Http404
        if request.method not in ("GET", "HEAD"):
            raise PermissionDenied
        return super().history_form_view(request, object_id, version_id, extra_context)


def lock_registrations(site):
    """Make every admin of ``site`` that is neither a ``ReadOnlyAdmin`` nor marked
    ``edited_in_admin`` read-only (Django's groups, REST framework's tokens, ...)."""
    for model, model_admin in list(site._registry.items()):
        cls = type(model_admin)
        if isinstance(model_admin, ReadOnlyAdmin) or getattr(cls, "edited_in_admin", False):
            continue
        site.unregister(model)
        site.register(model, type(cls.__name__, (ReadOnlyAdmin, cls), {"__module__": __name__}))


@admin.register(User)
class UserAdmin(ReadOnlyAdmin, DjangoUserAdmin):
    """Users are managed on the portal's own pages (``portal.services``); superusers still log
    in here. The password hash is not shown."""

    list_display = ("username", "full_name", "email", "is_bureau_admin", "is_leader", "is_active")
    list_filter = ("is_bureau_admin", "is_leader", "is_active", "is_superuser")
    fieldsets = (
        (None, {"fields": ("username", "full_name", "email", "phone")}),
        (None, {"fields": ("is_active", "is_bureau_admin", "is_leader")}),
        (None, {"fields": ("is_staff", "is_superuser", "last_login", "date_joined")}),
    )


@admin.register(CalendarDay)
class CalendarDayAdmin(SimpleHistoryAdmin):
    """Admins enter the State Council's holiday schedule for each new year here: no service
    writes the calendar, and its history is kept."""

    edited_in_admin = True
    list_display = ("date", "kind", "name")
    list_filter = ("kind",)
    date_hierarchy = "date"
    search_fields = ("name",)


@admin.register(Reminder)
class ReminderAdmin(ReadOnlyAdmin):
    list_display = ("due_at", "kind", "recipient", "status", "sent_at")
    list_filter = ("status", "kind")
    search_fields = ("key", "recipient__username")
    list_select_related = ("recipient",)


@admin.register(Notification)
class NotificationAdmin(ReadOnlyAdmin):
    list_display = ("created_at", "recipient", "title", "read_at", "email_status")
    list_filter = ("email_status",)
    search_fields = ("title", "recipient__username")
    list_select_related = ("recipient",)


@admin.register(ApiToken)
class ApiTokenAdmin(ReadOnlyAdmin):
    """Shown only: tokens are revoked through the API and the user's page (``portal.services``)."""

    list_display = ("prefix", "user", "created_at", "expires_at", "last_used_at", "revoked_at")
    search_fields = ("prefix", "user__username")
    list_select_related = ("user",)
    exclude = ("digest", "credentials")
