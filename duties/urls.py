from django.urls import path

from . import meeting_views, views

app_name = "duties"

urlpatterns = [
    path("", views.division_list, name="division_list"),
    path("new/", views.division_create, name="division_create"),
    path("<int:pk>/", views.division_detail, name="division_detail"),
    path("<int:pk>/edit/", views.division_edit, name="division_edit"),
    path("<int:pk>/members/", views.membership_add, name="membership_add"),
    path("members/<int:pk>/role/", views.membership_role, name="membership_role"),
    path("members/<int:pk>/remove/", views.membership_remove, name="membership_remove"),
    path("meetings/", meeting_views.meeting_list, name="meeting_list"),
    path("meetings/new/", meeting_views.meeting_create, name="meeting_create"),
    path("meetings/<int:pk>/", meeting_views.meeting_detail, name="meeting_detail"),
    path("meetings/<int:pk>/edit/", meeting_views.meeting_edit, name="meeting_edit"),
    path("meetings/<int:pk>/cancel/", meeting_views.meeting_cancel, name="meeting_cancel"),
    path("meetings/<int:pk>/respond/", meeting_views.meeting_respond, name="meeting_respond"),
    path(
        "meetings/<int:pk>/attendance/", meeting_views.meeting_attendance, name="meeting_attendance"
    ),
    path("meetings/<int:pk>/meeting.ics", meeting_views.meeting_ics_download, name="meeting_ics"),
    path(
        "meetings/<int:pk>/minutes/", meeting_views.meeting_minutes_download, name="meeting_minutes"
    ),
    path(
        "meetings/requests/new/",
        meeting_views.special_request_create,
        name="special_request_create",
    ),
    path(
        "meetings/requests/<int:pk>/decline/",
        meeting_views.special_request_decline,
        name="special_request_decline",
    ),
]
