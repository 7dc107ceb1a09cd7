from django.urls import path

from . import views

app_name = "orgs"

urlpatterns = [
    path("", views.org_list, name="list"),
    path("new/", views.org_create, name="create"),
    path("mine/", views.my_org, name="mine"),
    path("<int:pk>/", views.org_detail, name="detail"),
    path("<int:pk>/edit/", views.org_edit, name="edit"),
    path("<int:pk>/contacts/", views.org_contacts_edit, name="contacts"),
    path("<int:pk>/assign/", views.org_assign, name="assign"),
    path("<int:pk>/users/new/", views.org_user_create, name="user_create"),
]
