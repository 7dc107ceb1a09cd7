from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from simple_history.admin import SimpleHistoryAdmin

from .models import CalendarDay, Notification, Reminder, User


@admin.register(User)
class UserAdmin(DjangoUserAdmin, SimpleHistoryAdmin):
    list_display = ("username", "full_name", "email", "is_bureau_admin", "is_leader", "is_active")
    fieldsets = DjangoUserAdmin.fieldsets + (
        (None, {"fields": ("full_name", "phone", "is_bureau_admin", "is_leader")}),
    )

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(CalendarDay)
class CalendarDayAdmin(SimpleHistoryAdmin):
    """Admins enter the State Council's holiday schedule for each new year here."""

    list_display = ("date", "kind", "name")
    list_filter = ("kind",)
    date_hierarchy = "date"
    search_fields = ("name",)


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


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
