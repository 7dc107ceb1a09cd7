from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from .models import Organization, OrganizationUser


class NoDeleteMixin:
    """Organizations and their links are never hard-deleted: status changes instead."""

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Organization)
class OrganizationAdmin(NoDeleteMixin, SimpleHistoryAdmin):
    list_display = (
        "name",
        "credit_code",
        "org_type",
        "management_mode",
        "status",
        "liaison_division",
    )
    list_filter = ("org_type", "management_mode", "status", "liaison_division")
    search_fields = ("name", "credit_code")
    list_select_related = ("liaison_division",)
    # The liaison division moves only through the portal's assignment page, which keeps permissions
    # and the assignment history in step.
    readonly_fields = ("liaison_division", "credit_code_confirmed_by", "version")


@admin.register(OrganizationUser)
class OrganizationUserAdmin(NoDeleteMixin, SimpleHistoryAdmin):
    list_display = ("user", "organization", "position")
    search_fields = ("user__username", "organization__name")
    raw_id_fields = ("user", "organization")
