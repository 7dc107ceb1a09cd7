from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from orgs.admin import NoDeleteMixin

from .models import Division, DivisionMembership, LiaisonAssignment


@admin.register(Division)
class DivisionAdmin(NoDeleteMixin, SimpleHistoryAdmin):
    list_display = ("name", "kind", "is_active")
    list_filter = ("kind", "is_active")


@admin.register(DivisionMembership)
class DivisionMembershipAdmin(SimpleHistoryAdmin):
    list_display = ("user", "division", "role")
    list_filter = ("division", "role")

    def has_add_permission(self, request):
        return False  # through the portal, which keeps the division's group in step

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(LiaisonAssignment)
class LiaisonAssignmentAdmin(SimpleHistoryAdmin):
    list_display = ("organization", "division", "started_at", "ended_at", "assigned_by")
    list_filter = ("division",)
    search_fields = ("organization__name",)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
