from django.contrib import admin

from portal.admin import ReadOnlyAdmin

from .models import Division, DivisionMembership, LiaisonAssignment


@admin.register(Division)
class DivisionAdmin(ReadOnlyAdmin):
    """Written by ``duties.services``, which keeps each division's group and its liaison
    organizations in step."""

    list_display = ("name", "kind", "is_active")
    list_filter = ("kind", "is_active")
    search_fields = ("name",)


@admin.register(DivisionMembership)
class DivisionMembershipAdmin(ReadOnlyAdmin):
    list_display = ("user", "division", "role")
    list_filter = ("division", "role")
    search_fields = ("user__username", "user__full_name")
    list_select_related = ("user", "division")


@admin.register(LiaisonAssignment)
class LiaisonAssignmentAdmin(ReadOnlyAdmin):
    list_display = ("organization", "division", "started_at", "ended_at", "assigned_by")
    list_filter = ("division",)
    search_fields = ("organization__name",)
    list_select_related = ("organization", "division", "assigned_by")
