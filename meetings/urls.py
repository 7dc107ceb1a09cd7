from django.urls import path
from django.views.generic import RedirectView

from portal.rules import RuleMixin

from . import views

app_name = "meetings"

urlpatterns = [
    path("", views.meeting_list, name="meeting_list"),
    path("new/", views.meeting_create, name="meeting_create"),
    path("<int:pk>/", views.meeting_detail, name="meeting_detail"),
    path("<int:pk>/edit/", views.meeting_edit, name="meeting_edit"),
    path("<int:pk>/cancel/", views.meeting_cancel, name="meeting_cancel"),
    path("<int:pk>/respond/", views.meeting_respond, name="meeting_respond"),
    path("<int:pk>/attendance/", views.meeting_attendance, name="meeting_attendance"),
    path("<int:pk>/meeting.ics", views.meeting_ics_download, name="meeting_ics"),
    path("<int:pk>/minutes/", views.meeting_minutes_download, name="meeting_minutes"),
    path("requests/new/", views.special_request_create, name="special_request_create"),
    path(
        "requests/<int:pk>/decline/",
        views.special_request_decline,
        name="special_request_decline",
    ),
]


class MovedPermanently(RuleMixin, RedirectView):
    """An address of the time when meetings lived under /divisions/meetings/: inbox messages,
    reminders and emails sent then still link there. GET (and HEAD) only; anyone may follow it,
    the new address applies its own rule."""

    access_rule = "public"
    permanent = True
    query_string = True
    http_method_names = ["get", "head"]


# The same routes under their old prefix, each redirecting to its new address (portal/urls.py
# mounts them at /divisions/meetings/).
legacy_urlpatterns = [
    path(
        str(p.pattern),
        MovedPermanently.as_view(pattern_name=f"{app_name}:{p.name}"),
        name=p.name,
    )
    for p in urlpatterns
]
