from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from simple_history.admin import SimpleHistoryAdmin

from .models import User


@admin.register(User)
class UserAdmin(DjangoUserAdmin, SimpleHistoryAdmin):
    list_display = ("username", "full_name", "email", "is_bureau_admin", "is_leader", "is_active")
    fieldsets = DjangoUserAdmin.fieldsets + (
        (None, {"fields": ("full_name", "phone", "is_bureau_admin", "is_leader")}),
    )

    def has_delete_permission(self, request, obj=None):
        return False
