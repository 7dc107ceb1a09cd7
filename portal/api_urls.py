from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView
from rest_framework.routers import DefaultRouter

from duties.api import DivisionViewSet
from meetings.api import MeetingViewSet
from orgs.api import OrganizationViewSet
from reports.api import AttachmentViewSet, FilingViewSet, MatterTypeViewSet

from .api import ApiTokenViewSet, NotificationViewSet, TokenRevokeView, TokenView
from .rules import rule


class Router(DefaultRouter):
    include_root_view = False


router = Router()
router.register("organizations", OrganizationViewSet, basename="organization")
router.register("divisions", DivisionViewSet, basename="division")
router.register("matters", MatterTypeViewSet, basename="matter")
router.register("filings", FilingViewSet, basename="filing")
router.register("attachments", AttachmentViewSet, basename="attachment")
router.register("meetings", MeetingViewSet, basename="meeting")
router.register("notifications", NotificationViewSet, basename="notification")
router.register("auth/tokens", ApiTokenViewSet, basename="api_token")

app_name = "api"

urlpatterns = [
    path("auth/token/", TokenView.as_view(), name="token"),
    path("auth/token/revoke/", TokenRevokeView.as_view(), name="token_revoke"),
    path("schema/", rule("public")(SpectacularAPIView.as_view()), name="schema"),
    path(
        "docs/",
        rule("public")(SpectacularSwaggerView.as_view(url_name="api:schema")),
        name="docs",
    ),
    path("", include(router.urls)),
]
