from django.contrib import admin
from django.urls import include, path

from meetings.urls import legacy_urlpatterns as legacy_meeting_urls

from . import views

admin.site.site_header = admin.site.site_title = "局管社会组织管理服务平台"

handler400 = "portal.views.bad_request"
handler403 = "portal.views.permission_denied"
handler404 = "portal.views.page_not_found"
handler500 = "portal.views.server_error"

urlpatterns = [
    path("", views.home, name="home"),
    path("healthz/", views.healthz, name="healthz"),
    path("login/", views.LoginView.as_view(), name="login"),
    path("logout/", views.LogoutView.as_view(), name="logout"),
    path("i18n/setlang/", views.set_language, name="set_language"),
    path("users/", views.user_list, name="user_list"),
    path("users/new/", views.user_create, name="user_create"),
    path("users/<int:pk>/", views.user_detail, name="user_detail"),
    path("users/<int:pk>/sign-out/", views.user_sign_out, name="user_sign_out"),
    path("calendar/", views.calendar_edit, name="calendar"),
    path("calendar/<int:pk>/remove/", views.calendar_remove, name="calendar_remove"),
    path("inbox/", views.inbox, name="inbox"),
    path("inbox/read/", views.inbox_read, name="inbox_read"),
    path("orgs/", include("orgs.urls")),
    path("filings/", include("reports.urls")),
    path("divisions/meetings/", include((legacy_meeting_urls, "meetings_moved"))),
    path("divisions/", include("duties.urls")),
    path("meetings/", include("meetings.urls")),
    path("supervision/", include("supervision.urls")),
    path("api/v1/", include("portal.api_urls")),
    path("django-admin/", admin.site.urls),
]
