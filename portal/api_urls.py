from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework.routers import DefaultRouter

from duties.api import DivisionViewSet
from meetings.api import MeetingViewSet
from orgs.api import OrganizationViewSet
from reports.api import AttachmentViewSet, FilingViewSet, MatterTypeViewSet
from supervision.api import (
    CreditRecordViewSet,
    ListEntryViewSet,
    RectificationViewSet,
    ViolationCaseViewSet,
)

from .api import ApiTokenViewSet, NotificationViewSet, TokenRevokeView, TokenView
from .api_base import RulePermission
from .rules import rule


class SchemaView(SpectacularAPIView):
    """The OpenAPI schema, answered like any endpoint: 401 or 403 in JSON to others."""

    access_rule = "bureau_staff"
    permission_classes = [RulePermission]


class Router(DefaultRouter):
    include_root_view = False


router = Router()
router.register("organizations", OrganizationViewSet, basename="organization")
router.register("divisions", DivisionViewSet, basename="division")
router.register("matters", MatterTypeViewSet, basename="matter")
router.register("filings", FilingViewSet, basename="filing")
router.register("attachments", AttachmentViewSet, basename="attachment")
router.register("meetings", MeetingViewSet, basename="meeting")
router.register("rectifications", RectificationViewSet, basename="rectification")
router.register("credit-list-entries", ListEntryViewSet, basename="credit-list-entry")
router.register("credit-records", CreditRecordViewSet, basename="credit-record")
router.register("violation-cases", ViolationCaseViewSet, basename="violation-case")
router.register("notifications", NotificationViewSet, basename="notification")
router.register("auth/tokens", ApiTokenViewSet, basename="api_token")

app_name = "api"

urlpatterns = [
    path("auth/token/", TokenView.as_view(), name="token"),
    path("auth/token/revoke/", TokenRevokeView.as_view(), name="token_revoke"),
    # The schema and its docs map every endpoint: for bureau staff, not for anyone who asks.
    path("schema/", SchemaView.as_view(), name="schema"),
    path(
        "docs/",
        # The split view serves its script as a file, which the Content-Security-Policy allows.
        rule("bureau_staff")(SpectacularSwaggerSplitView.as_view(url_name="api:schema")),
        name="docs",
    ),
    path("", include(router.urls)),
]
