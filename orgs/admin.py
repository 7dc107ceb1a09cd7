from django.contrib import admin

from portal.admin import ReadOnlyAdmin

from .models import Organization, OrganizationUser


@admin.register(Organization)
class OrganizationAdmin(ReadOnlyAdmin):
    """Written by ``orgs.services`` (credit-code check, version) and ``duties.services``
    (liaison assignment with its permissions and history)."""

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


@admin.register(OrganizationUser)
class OrganizationUserAdmin(ReadOnlyAdmin):
    list_display = ("user", "organization", "position")
    search_fields = ("user__username", "organization__name")
    list_select_related = ("user", "organization")
