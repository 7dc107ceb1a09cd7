from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import extend_schema
from rest_framework import exceptions, mixins, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from duties import access
from duties import services as duty_services
from duties.models import Division, DivisionKind
from portal import serializers as portal_serializers

from . import credit_code, services
from .forms import OrganizationFilter
from .models import Organization, WorkArea


class CreditCodeField(serializers.CharField):
    """The unified social credit code, validated as on the pages (spaces and case normalized)."""

    def to_internal_value(self, data):
        value = super().to_internal_value(data)
        if not value.strip():
            return ""  # an organization in preparation may have none yet (the service decides)
        try:
            return credit_code.parse(value).code
        except Exception as exc:  # django ValidationError: its messages are the user's
            raise serializers.ValidationError(getattr(exc, "messages", [str(exc)])) from exc


class OrganizationSerializer(portal_serializers.ModelSerializer):
    credit_code = CreditCodeField(
        max_length=40,
        allow_blank=True,
        allow_null=True,
        help_text=gettext_lazy("Empty only for an organization in preparation."),
    )
    confirm_check_failure = serializers.BooleanField(
        write_only=True,
        required=False,
        default=False,
        help_text=_("Confirm a code whose check character fails, as issued."),
    )
    work_areas = serializers.ListField(
        child=serializers.ChoiceField(choices=WorkArea.choices), required=False
    )
    version = portal_serializers.VersionField(
        required=False, help_text=_("On update: the version the client saw (required).")
    )

    class Meta:
        model = Organization
        fields = [
            "id",
            "name",
            "credit_code",
            "credit_code_check_failed",
            "confirm_check_failure",
            *[f for f in services.PROFILE_FIELDS if f != "name"],
            "liaison_division",
            "version",
            "created_at",
            "updated_at",
        ]
        read_only_fields = [
            "credit_code_check_failed",
            "liaison_division",
            "created_at",
            "updated_at",
        ]


class AssignSerializer(serializers.Serializer):
    division = serializers.PrimaryKeyRelatedField(
        queryset=Division.objects.filter(kind=DivisionKind.LIAISON, is_active=True)
    )
    reason = portal_serializers.LongTextField()
    version = portal_serializers.VersionField()


class OrganizationViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    """The registry, as each user may see it. Never deleted: change ``status`` instead."""

    access_rule = "authenticated"
    serializer_class = OrganizationSerializer
    filterset_class = OrganizationFilter
    http_method_names = ["get", "post", "patch", "put", "head", "options"]

    def get_queryset(self):
        return access.visible_orgs(self.request.user).order_by("name", "pk")

    def perform_create(self, serializer):
        data = dict(serializer.validated_data)
        data.pop("version", None)
        code = data.pop("credit_code")
        confirm = data.pop("confirm_check_failure", False)
        serializer.instance = services.org_create(
            actor=self.request.user, credit_code_raw=code, confirm_check_failure=confirm, **data
        )

    def perform_update(self, serializer):
        org = serializer.instance
        data = dict(serializer.validated_data)
        version = data.pop("version", None)
        if version is None:
            raise exceptions.ValidationError({"version": [_("Give the version you saw.")]})
        confirm = data.pop("confirm_check_failure", False)
        code = data.pop("credit_code", None)
        user = self.request.user
        if access.can(user, access.EDIT, org):
            serializer.instance = services.org_update(
                actor=user,
                org=org,
                expected_version=version,
                credit_code_raw=code,
                confirm_check_failure=confirm,
                **data,
            )
        elif access.can(user, access.EDIT_CONTACT, org):
            other = (set(data) - set(services.CONTACT_FIELDS)) | (
                {"credit_code"} if code else set()
            )
            if other:
                raise exceptions.PermissionDenied(
                    _("You may change only the contact details: %(fields)s.")
                    % {"fields": ", ".join(services.CONTACT_FIELDS)}
                )
            serializer.instance = services.org_update_contacts(
                actor=user, org=org, expected_version=version, **data
            )
        else:
            raise exceptions.PermissionDenied()

    @extend_schema(request=AssignSerializer, responses=OrganizationSerializer)
    @action(detail=True, methods=["post"])
    def assign(self, request, pk=None):
        """Make a liaison division responsible for the organization (bureau admins)."""
        org = self.get_object()
        body = AssignSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        duty_services.org_assign_liaison(
            actor=request.user,
            org=org,
            division=body.validated_data["division"],
            reason=body.validated_data["reason"],
            expected_version=body.validated_data["version"],
        )
        org.refresh_from_db()
        return Response(OrganizationSerializer(org).data)
