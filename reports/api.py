from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiTypes, extend_schema
from rest_framework import exceptions, mixins, parsers, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.pagination import CursorPagination
from rest_framework.response import Response

from duties import access
from orgs.models import Organization
from portal import serializers as portal_serializers
from portal.downloads import private_file

from . import selectors, services, workflow
from .matter_forms import COLUMN_FIELDS
from .models import Attachment, Filing, FilingEvent, MatterType, Opinion, Stance


class MatterTypeSerializer(portal_serializers.ModelSerializer):
    class Meta:
        model = MatterType
        fields = [
            "id",
            "code",
            "name_zh",
            "name_en",
            "form_kind",
            "submitted_by",
            "lead_division",
            "lead_is_liaison",
            "opinion_divisions",
            "opinion_from_liaison",
            "report_class",
            "lead_time_days",
            "review_days",
            "summary_days",
            "management_modes",
            "restricted",
            "is_active",
        ]


class MatterTypeViewSet(viewsets.ReadOnlyModelViewSet):
    """The duty matrix."""

    access_rule = "authenticated"
    serializer_class = MatterTypeSerializer
    queryset = MatterType.objects.prefetch_related("opinion_divisions")
    filterset_fields = ["code", "form_kind", "submitted_by", "is_active"]


class EventSerializer(portal_serializers.ModelSerializer):
    actor = serializers.CharField(source="actor.display_name")

    class Meta:
        model = FilingEvent
        fields = [
            "id",
            "kind",
            "action",
            "from_state",
            "to_state",
            "actor",
            "division",
            "body",
            "internal",
            "created_at",
        ]


class OpinionSerializer(portal_serializers.ModelSerializer):
    class Meta:
        model = Opinion
        fields = ["id", "division", "state", "stance", "body", "author", "requested_at", "given_at"]


class AttachmentSerializer(portal_serializers.ModelSerializer):
    class Meta:
        model = Attachment
        fields = ["id", "name", "size", "content_type", "internal", "uploaded_by", "uploaded_at"]


class FilingSerializer(portal_serializers.ModelSerializer):
    matter = serializers.SlugRelatedField(slug_field="code", queryset=MatterType.objects.all())
    organization = serializers.PrimaryKeyRelatedField(
        queryset=Organization.objects.all(),
        required=False,
        help_text=_("Bureau staff name the organization; an organization user files for its own."),
    )
    details = serializers.DictField(required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        request = self.context.get("request")
        if request is not None:
            # Out of scope and nonexistent look the same: "Invalid pk".
            self.fields["organization"].queryset = access.visible_orgs(request.user)

    class Meta:
        model = Filing
        fields = [
            "id",
            "organization",
            "matter",
            "state",
            "version",
            "title",
            "details",
            "event_start",
            "event_end",
            "lead_division",
            "restricted",
            "created_at",
            "submitted_at",
            "review_due_on",
            "late_days",
            "decided_at",
            "summary_due_on",
            "summary",
            "summary_submitted_at",
        ]
        read_only_fields = [
            "state",
            "version",
            "lead_division",
            "restricted",
            "created_at",
            "submitted_at",
            "review_due_on",
            "late_days",
            "decided_at",
            "summary_due_on",
            "summary",
            "summary_submitted_at",
        ]


class FilingDetailSerializer(FilingSerializer):
    events = serializers.SerializerMethodField()
    opinions = serializers.SerializerMethodField()
    attachments = serializers.SerializerMethodField()

    class Meta(FilingSerializer.Meta):
        fields = [*FilingSerializer.Meta.fields, "events", "opinions", "attachments"]

    @extend_schema(responses=EventSerializer(many=True))
    def get_events(self, filing) -> list:
        return EventSerializer(
            selectors.timeline(self.context["request"].user, filing), many=True
        ).data

    @extend_schema(responses=OpinionSerializer(many=True))
    def get_opinions(self, filing) -> list:
        """Opinions are internal: an organization user receives an empty list."""
        if not access.sees_internal(self.context["request"].user):
            return []
        return OpinionSerializer(filing.opinions.all(), many=True).data

    @extend_schema(responses=AttachmentSerializer(many=True))
    def get_attachments(self, filing) -> list:
        return AttachmentSerializer(
            selectors.attachments(self.context["request"].user, filing), many=True
        ).data


class ActionSerializer(serializers.Serializer):
    version = portal_serializers.VersionField()
    comment = portal_serializers.LongTextField(required=False, allow_blank=True, default="")


class DecisionSerializer(ActionSerializer):
    decision = serializers.DictField(
        child=serializers.CharField(),
        required=False,
        default=dict,
        help_text=_(
            "What a positive decision names, by the matter's effect: for an annual inspection, "
            "inspection_result (pass, basic_pass or fail)."
        ),
    )


class DecideSerializer(DecisionSerializer):
    positive = serializers.BooleanField(
        help_text=_("True: approved or acknowledged (by the matter's class); false: refused.")
    )


class RestrictionSerializer(serializers.Serializer):
    version = serializers.IntegerField(help_text=_("The version the client saw."))
    restricted = serializers.BooleanField()
    reason = serializers.CharField(required=False, allow_blank=True, default="", max_length=500)


class CommentSerializer(serializers.Serializer):
    body = portal_serializers.LongTextField()
    internal = serializers.BooleanField(required=False, default=False)


class OpinionInputSerializer(serializers.Serializer):
    stance = serializers.ChoiceField(choices=Stance.choices)
    body = portal_serializers.LongTextField()


class SummarySerializer(serializers.Serializer):
    version = portal_serializers.VersionField()
    summary = portal_serializers.LongTextField()


class UploadSerializer(serializers.Serializer):
    file = serializers.FileField()
    internal = serializers.BooleanField(required=False, default=False)


class FilingPagination(CursorPagination):
    """Newest first, without counting the whole table: a cursor walks the created_at index."""

    ordering = ("-created_at", "-id")
    page_size = 25


class FilingViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    """Filings the caller may see; every transition is the same service as on the pages."""

    access_rule = "authenticated"
    pagination_class = FilingPagination
    filterset_fields = {
        "state": ["exact"],
        "matter__code": ["exact"],
        "organization": ["exact"],
        "lead_division": ["exact"],
        "review_due_on": ["lt", "lte", "gte"],
        "late_days": ["isnull"],
    }
    http_method_names = ["get", "post", "patch", "put", "head", "options"]

    def get_serializer_class(self):
        return FilingDetailSerializer if self.action == "retrieve" else FilingSerializer

    def get_queryset(self):
        return (
            access.visible_filings(self.request.user)
            .select_related("matter")
            .order_by("-created_at", "-pk")
        )

    def perform_create(self, serializer):
        user = self.request.user
        data = serializer.validated_data
        org = data.get("organization")
        if access.acts_for(user):
            org = Organization.objects.get(pk=access.acts_for(user))
        elif org is None or not access.can(user, access.VIEW, org):
            raise exceptions.ValidationError({"organization": [_("Name the organization.")]})
        serializer.instance = services.filing_create(
            actor=user,
            organization=org,
            matter=data["matter"],
            title=data.get("title"),
            event_start=data.get("event_start"),
            event_end=data.get("event_end"),
            details=data.get("details"),
        )

    def perform_update(self, serializer):
        filing = serializer.instance
        version = self.request.data.get("version")
        if isinstance(version, bool) or not isinstance(version, int):
            raise exceptions.ValidationError({"version": [_("Give the version you saw.")]})
        data = serializer.validated_data
        given = {name: data[name] for name in (*COLUMN_FIELDS, "details") if name in data}
        serializer.instance = services.filing_update(
            actor=self.request.user, filing=filing, expected_version=version, **given
        )

    def _act(self, request, service, body_class=ActionSerializer, **extra):
        filing = self.get_object()
        body = body_class(data=request.data)
        body.is_valid(raise_exception=True)
        kwargs = dict(body.validated_data)
        kwargs["expected_version"] = kwargs.pop("version")
        filing = service(actor=request.user, filing=filing, **kwargs, **extra)
        filing = self.get_queryset().get(pk=filing.pk)
        return Response(FilingDetailSerializer(filing, context={"request": request}).data)

    @extend_schema(request=DecideSerializer, responses=FilingDetailSerializer)
    @action(detail=True, methods=["post"])
    def decide(self, request, pk=None):
        """Approve or acknowledge (``positive``: true) or refuse: the same as ``approve`` and
        ``refuse``."""
        return self._act(request, services.filing_decide, DecideSerializer)

    @extend_schema(request=RestrictionSerializer, responses=FilingDetailSerializer)
    @action(detail=True, methods=["post"])
    def restriction(self, request, pk=None):
        """Restrict the filing (with a reason) or lift its restriction: the organization while
        it may edit it, the lead division until the decision."""
        return self._act(request, services.filing_set_restricted, RestrictionSerializer)

    @extend_schema(request=SummarySerializer, responses=FilingDetailSerializer)
    @action(detail=True, methods=["post"])
    def summary(self, request, pk=None):
        return self._act(request, services.summary_submit, SummarySerializer)

    @extend_schema(request=CommentSerializer, responses={201: EventSerializer})
    @action(detail=True, methods=["post"])
    def comment(self, request, pk=None):
        filing = self.get_object()
        body = CommentSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        event = services.filing_comment(actor=request.user, filing=filing, **body.validated_data)
        return Response(EventSerializer(event).data, status=201)

    @extend_schema(request=OpinionInputSerializer, responses={201: OpinionSerializer})
    @action(detail=True, methods=["post"])
    def opinion(self, request, pk=None):
        filing = self.get_object()
        body = OpinionInputSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        opinion = services.opinion_give(actor=request.user, filing=filing, **body.validated_data)
        return Response(OpinionSerializer(opinion).data, status=201)

    @extend_schema(
        request={"multipart/form-data": UploadSerializer}, responses={201: AttachmentSerializer}
    )
    @action(detail=True, methods=["post"], parser_classes=[parsers.MultiPartParser])
    def attachments(self, request, pk=None):
        filing = self.get_object()
        body = UploadSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        attachment = services.attachment_add(
            actor=request.user,
            filing=filing,
            upload=body.validated_data["file"],
            internal=body.validated_data["internal"],
        )
        return Response(AttachmentSerializer(attachment).data, status=201)


def _transition_endpoint(name):
    """The API action of the workflow's transition ``name`` (``reports.workflow``)."""

    body_class = DecisionSerializer if name == "approve" else ActionSerializer

    def endpoint(self, request, pk=None):
        return self._act(request, services.filing_transition, body_class, action=name)

    endpoint.__name__ = name
    endpoint.__doc__ = str(workflow.TRANSITIONS[name].label)
    return extend_schema(request=body_class, responses=FilingDetailSerializer)(
        action(detail=True, methods=["post"], url_path=name.replace("_", "-"))(endpoint)
    )


for _name in workflow.TRANSITIONS:
    setattr(FilingViewSet, _name, _transition_endpoint(_name))


class AttachmentViewSet(mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Attachments of filings the caller may see; internal ones only for bureau staff."""

    access_rule = "authenticated"
    serializer_class = AttachmentSerializer

    def get_queryset(self):
        qs = Attachment.objects.filter(
            filing_id__in=access.visible_filings(self.request.user).values("pk"),
            removed_at__isnull=True,
        )
        if not access.sees_internal(self.request.user):
            qs = qs.filter(internal=False)
        return qs.order_by("pk")

    @extend_schema(responses={(200, "*/*"): OpenApiTypes.BINARY})
    @action(detail=True, methods=["get"])
    def download(self, request, pk=None):
        attachment = self.get_object()
        return private_file(
            attachment.file.open("rb"),
            filename=attachment.name,
            content_type=attachment.content_type,
        )
