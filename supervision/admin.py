from django.contrib import admin

from portal.admin import ReadOnlyAdmin

from .models import Rectification, RectificationEvent, SupervisionRules


@admin.register(Rectification)
class RectificationAdmin(ReadOnlyAdmin):
    list_display = ["organization", "source", "division", "state", "due_on"]
    list_filter = ["state", "source", "division"]
    search_fields = ["organization__name", "items"]


@admin.register(RectificationEvent)
class RectificationEventAdmin(ReadOnlyAdmin):
    list_display = ["rectification", "action", "actor", "created_at"]


@admin.register(SupervisionRules)
class SupervisionRulesAdmin(ReadOnlyAdmin):
    pass
