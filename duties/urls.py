from django.urls import path

from . import views

app_name = "duties"

urlpatterns = [
    path("", views.division_list, name="division_list"),
    path("new/", views.division_create, name="division_create"),
    path("<int:pk>/", views.division_detail, name="division_detail"),
    path("<int:pk>/edit/", views.division_edit, name="division_edit"),
    path("<int:pk>/members/", views.membership_add, name="membership_add"),
    path("members/<int:pk>/role/", views.membership_role, name="membership_role"),
    path("members/<int:pk>/remove/", views.membership_remove, name="membership_remove"),
]
