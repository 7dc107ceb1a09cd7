from django.contrib import admin

from portal.admin import ReadOnlyAdmin

from .models import Filing, MatterType


@admin.register(MatterType)
class MatterTypeAdmin(ReadOnlyAdmin):
    """The duty matrix; edited on the portal's matter pages (``reports.services.matter_update``)."""

    list_display = ("code", "name_zh", "report_class", "lead_division", "review_days", "is_active")
    list_filter = ("report_class", "is_active", "lead_division")
    search_fields = ("code", "name_zh", "name_en")
    list_select_related = ("lead_division",)


@admin.register(Filing)
class FilingAdmin(ReadOnlyAdmin):
    """Filings move only through the workflow's transitions (``reports.services``)."""

    list_display = ("title", "organization", "matter", "state", "submitted_at", "review_due_on")
    list_filter = ("state", "matter")
    search_fields = ("title", "organization__name", "organization__credit_code")
    list_select_related = ("organization", "matter")
    date_hierarchy = "created_at"
    show_full_result_count = False
