"""API endpoints of the portal itself: tokens and the inbox (the shared pieces: api_base).

Endpoints live in each app's ``api.py``; ``portal.api_urls`` puts them under ``/api/v1/``.
"""

from django.contrib.auth import authenticate
from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import exceptions, mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response
from rest_framework.views import APIView

from . import serializers as portal_serializers
from . import services
from .models import ApiToken, Notification
from .notifications import mark_read


class VersionSerializer(serializers.Serializer):
    version = portal_serializers.VersionField()


class TokenRequestSerializer(serializers.Serializer):
    username = serializers.CharField(max_length=150)
    password = serializers.CharField(max_length=256, trim_whitespace=False)


class TokenView(APIView):
    """Exchange a username and password for a new token, valid for ``API_TOKEN_DAYS`` days, until
    revoked, or until the user's password changes or they are deactivated."""

    access_rule = "public"
    authentication_classes = []

    @extend_schema(
        request=TokenRequestSerializer,
        responses={
            200: inline_serializer(
                "TokenResponse",
                {"token": serializers.CharField(), "expires_at": serializers.DateTimeField()},
            )
        },
        auth=[],
    )
    def post(self, request):
        body = TokenRequestSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        username = body.validated_data["username"]
        # The backend applies the lockout (portal.lockout), as for the login page and the admin.
        user = authenticate(request, username=username, password=body.validated_data["password"])
        if user is None or not user.is_active:
            raise exceptions.ValidationError(
                {"non_field_errors": [_("Please enter a correct username and password.")]}
            )
        token, key = services.token_issue(user=user)
        return Response(
            {
                "token": key,
                "expires_at": serializers.DateTimeField().to_representation(token.expires_at),
            }
        )


class TokenRevokeView(APIView):
    """Revoke the token the request carries (signed in with a session: every token of the
    caller's)."""

    access_rule = "authenticated"

    @extend_schema(request=None, responses={204: None})
    def delete(self, request):
        if isinstance(request.auth, ApiToken):
            tokens = [request.auth]
        else:
            tokens = ApiToken.objects.filter(user=request.user, revoked_at=None)
        for token in tokens:
            services.token_revoke(actor=request.user, token=token)
        return Response(status=status.HTTP_204_NO_CONTENT)


class ApiTokenSerializer(portal_serializers.ModelSerializer):
    active = serializers.SerializerMethodField(help_text=_("Whether the token opens the API now."))

    class Meta:
        model = ApiToken
        fields = [
            "id",
            "user",
            "prefix",
            "created_at",
            "expires_at",
            "last_used_at",
            "revoked_at",
            "active",
        ]

    def get_active(self, token) -> bool:
        return token.is_valid_for(token.user, timezone.now())


class ApiTokenViewSet(mixins.ListModelMixin, mixins.DestroyModelMixin, viewsets.GenericViewSet):
    """The caller's API tokens (a user manager's: everyone's, ``?user=`` to choose); DELETE
    revokes one (the row stays, marked revoked)."""

    access_rule = "authenticated"
    serializer_class = ApiTokenSerializer
    filterset_fields = ["user"]
    queryset = ApiToken.objects.none()  # for the schema; requests use get_queryset

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return ApiToken.objects.none()
        tokens = ApiToken.objects.select_related("user")
        if not services.may_manage_users(self.request.user):
            tokens = tokens.filter(user=self.request.user)
        return tokens.order_by("-created_at", "-pk")

    def perform_destroy(self, instance):
        services.token_revoke(actor=self.request.user, token=instance)


class NotificationSerializer(portal_serializers.ModelSerializer):
    class Meta:
        model = Notification
        fields = ["id", "title", "body", "url", "created_at", "read_at", "email_status"]


class NotificationViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    """The caller's own inbox."""

    access_rule = "authenticated"
    serializer_class = NotificationSerializer
    filterset_fields = {"read_at": ["isnull"]}

    queryset = Notification.objects.none()  # for the schema; requests use get_queryset

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Notification.objects.none()
        return Notification.objects.filter(recipient=self.request.user).order_by(
            "-created_at", "-pk"
        )

    @extend_schema(request=None, responses=NotificationSerializer)
    @action(detail=True, methods=["post"])
    def read(self, request, pk=None):
        notification = self.get_object()
        mark_read(user=request.user, ids=[notification.pk])
        notification.refresh_from_db()
        return Response(NotificationSerializer(notification).data)
