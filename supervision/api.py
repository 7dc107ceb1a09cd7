from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, viewsets

from duties import access

from .models import (
    CaseStep,
    CreditRecord,
    ListEntry,
    Rectification,
    RectificationEvent,
    ViolationCase,
)


class RectificationEventSerializer(serializers.ModelSerializer):
    class Meta:
        model = RectificationEvent
        fields = ["id", "action", "from_state", "to_state", "due_on", "body", "actor", "created_at"]


class RectificationSerializer(serializers.ModelSerializer):
    organization_name = serializers.CharField(source="organization.name", read_only=True)
    events = serializers.SerializerMethodField()

    class Meta:
        model = Rectification
        fields = [
            "id",
            "organization",
            "organization_name",
            "source",
            "items",
            "division",
            "state",
            "due_on",
            "rounds",
            "extension",
            "opened_at",
            "closed_at",
            "version",
            "events",
        ]

    @extend_schema(responses=RectificationEventSerializer(many=True))
    def get_events(self, rectification) -> list:
        return RectificationEventSerializer(rectification.events.all(), many=True).data


class RectificationViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    """Rectifications the caller may see: an organization its own, a division those it is
    responsible for or whose organizations it supervises, Policy, the discipline commission and
    the leading group all of them."""

    access_rule = "authenticated"
    serializer_class = RectificationSerializer
    filterset_fields = ["state", "source", "organization", "division"]

    def get_queryset(self):
        return (
            access.visible_rectifications(self.request.user)
            .select_related("organization")
            .prefetch_related("events")
            .order_by("due_on", "pk")
        )


class ListEntrySerializer(serializers.ModelSerializer):
    organization_name = serializers.CharField(source="organization.name", read_only=True)

    class Meta:
        model = ListEntry
        fields = [
            "id",
            "organization",
            "organization_name",
            "credit_list",
            "ground",
            "details",
            "state",
            "proposed_at",
            "entered_on",
            "resolved_on",
            "exited_on",
            "exit_reason",
            "version",
        ]


class ListEntryViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Credit list entries: bureau staff see every organization's, an organization its own."""

    access_rule = "authenticated"
    serializer_class = ListEntrySerializer
    filterset_fields = ["credit_list", "state", "organization"]

    def get_queryset(self):
        return (
            access.visible_list_entries(self.request.user)
            .select_related("organization")
            .order_by("-proposed_at", "-pk")
        )


class CreditRecordSerializer(serializers.ModelSerializer):
    class Meta:
        model = CreditRecord
        fields = [
            "id",
            "organization",
            "kind",
            "title",
            "details",
            "occurred_on",
            "due_by",
            "recorded_at",
            "list_entry",
        ]


class CreditRecordViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    """Credit records: bureau staff see every organization's, an organization its own."""

    access_rule = "authenticated"
    serializer_class = CreditRecordSerializer
    filterset_fields = ["kind", "organization"]

    def get_queryset(self):
        return access.visible_credit_records(self.request.user).order_by("-occurred_on", "-pk")


class CaseStepSerializer(serializers.ModelSerializer):
    class Meta:
        model = CaseStep
        fields = ["id", "on", "what", "measure", "with_civil_affairs", "addressed_to_org"]


class ViolationCaseSerializer(serializers.ModelSerializer):
    steps = serializers.SerializerMethodField()

    class Meta:
        model = ViolationCase
        fields = [
            "id",
            "organization",
            "source",
            "title",
            "facts",
            "findings",
            "state",
            "opened_at",
            "closed_at",
            "version",
            "steps",
        ]

    def to_representation(self, case):
        data = super().to_representation(case)
        if not access.is_bureau_staff(self.context["request"].user):
            # The facts and findings stay with the bureau; the organization reads what is
            # addressed to it.
            data.pop("facts")
            data.pop("findings")
        return data

    @extend_schema(responses=CaseStepSerializer(many=True))
    def get_steps(self, case) -> list:
        steps = access.case_steps_for(self.context["request"].user, case)
        return CaseStepSerializer(steps, many=True).data


class ViolationCaseViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    """Violation cases the caller may see (an organization only what is addressed to it)."""

    access_rule = "authenticated"
    serializer_class = ViolationCaseSerializer
    filterset_fields = ["state", "source", "organization"]

    def get_queryset(self):
        return access.visible_cases(self.request.user).order_by("-opened_at", "-pk")
