from django.http import FileResponse
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiTypes, extend_schema
from rest_framework import exceptions, mixins, parsers, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.pagination import CursorPagination
from rest_framework.response import Response

from duties import access
from orgs.models import Organization

from . import selectors, services
from .matter_forms import COLUMN_FIELDS, form_for
from .models import Attachment, Filing, FilingEvent, MatterType, Opinion, Stance


class MatterTypeSerializer(serializers.ModelSerializer):
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


class EventSerializer(serializers.ModelSerializer):
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


class OpinionSerializer(serializers.ModelSerializer):
    class Meta:
        model = Opinion
        fields = ["id", "division", "state", "stance", "body", "author", "requested_at", "given_at"]


class AttachmentSerializer(serializers.ModelSerializer):
    class Meta:
        model = Attachment
        fields = ["id", "name", "size", "content_type", "internal", "uploaded_by", "uploaded_at"]


class FilingSerializer(serializers.ModelSerializer):
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
    version = serializers.IntegerField(help_text=_("The version the client saw."))
    comment = serializers.CharField(required=False, allow_blank=True, default="")


class DecideSerializer(ActionSerializer):
    positive = serializers.BooleanField(
        help_text=_("True: approved or acknowledged (by the matter's class); false: refused.")
    )


class CommentSerializer(serializers.Serializer):
    body = serializers.CharField()
    internal = serializers.BooleanField(required=False, default=False)


class OpinionInputSerializer(serializers.Serializer):
    stance = serializers.ChoiceField(choices=Stance.choices)
    body = serializers.CharField()


class SummarySerializer(serializers.Serializer):
    version = serializers.IntegerField()
    summary = serializers.CharField()


class UploadSerializer(serializers.Serializer):
    file = serializers.FileField()
    internal = serializers.BooleanField(required=False, default=False)


def _validated_fields(matter, data):
    """Validate title, dates and details with the matter's own form, as on the page."""
    # Form fields parse text, as from a page; JSON numbers and booleans are given as text.
    payload = {
        key: value if value is None or isinstance(value, str) else str(value)
        for key, value in (data.get("details") or {}).items()
    }
    for name in COLUMN_FIELDS:
        if data.get(name) is not None:
            payload[name] = data[name]
    form = form_for(matter)(data=payload)
    if not form.is_valid():
        raise exceptions.ValidationError(
            {field: [str(e) for e in errors] for field, errors in form.errors.items()}
        )
    columns, details = form.split()
    return columns, details


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
            Filing.objects.restrict(self.request.user)
            .select_related("matter")
            .order_by("-created_at", "-pk")
        )

    def perform_create(self, serializer):
        user = self.request.user
        data = serializer.validated_data
        r = access.roles(user)
        org = data.get("organization")
        if r.is_org_user:
            org = Organization.objects.get(pk=r.org_id)
        elif org is None or not access.can(user, access.VIEW, org):
            raise exceptions.ValidationError({"organization": [_("Name the organization.")]})
        matter = data["matter"]
        columns, details = _validated_fields(matter, data)
        serializer.instance = services.filing_create(
            actor=user, organization=org, matter=matter, details=details, **columns
        )

    def perform_update(self, serializer):
        filing = serializer.instance
        version = self.request.data.get("version")
        if not isinstance(version, int):
            raise exceptions.ValidationError({"version": [_("Give the version you saw.")]})
        merged = {
            "title": filing.title,
            "event_start": filing.event_start,
            "event_end": filing.event_end,
            "details": dict(filing.details),
        }
        data = serializer.validated_data
        for name in COLUMN_FIELDS:
            if name in data:
                merged[name] = data[name]
        if "details" in data:
            merged["details"].update(data["details"])
        columns, details = _validated_fields(filing.matter, merged)
        serializer.instance = services.filing_update(
            actor=self.request.user,
            filing=filing,
            expected_version=version,
            details=details,
            **columns,
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

    @extend_schema(request=ActionSerializer, responses=FilingDetailSerializer)
    @action(detail=True, methods=["post"])
    def submit(self, request, pk=None):
        return self._act(request, services.filing_submit)

    @extend_schema(request=ActionSerializer, responses=FilingDetailSerializer)
    @action(detail=True, methods=["post"])
    def resubmit(self, request, pk=None):
        return self._act(request, services.filing_resubmit)

    @extend_schema(request=ActionSerializer, responses=FilingDetailSerializer)
    @action(detail=True, methods=["post"])
    def withdraw(self, request, pk=None):
        return self._act(request, services.filing_withdraw)

    @extend_schema(request=ActionSerializer, responses=FilingDetailSerializer)
    @action(detail=True, methods=["post"], url_path="start-review")
    def start_review(self, request, pk=None):
        return self._act(request, services.filing_start_review)

    @extend_schema(request=ActionSerializer, responses=FilingDetailSerializer)
    @action(detail=True, methods=["post"], url_path="return")
    def return_(self, request, pk=None):
        return self._act(request, services.filing_return)

    @extend_schema(request=DecideSerializer, responses=FilingDetailSerializer)
    @action(detail=True, methods=["post"])
    def decide(self, request, pk=None):
        return self._act(request, services.filing_decide, DecideSerializer)

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


class AttachmentViewSet(mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Attachments of filings the caller may see; internal ones only for bureau staff."""

    access_rule = "authenticated"
    serializer_class = AttachmentSerializer

    def get_queryset(self):
        qs = Attachment.objects.filter(
            filing_id__in=Filing.objects.restrict(self.request.user).values("pk"),
            removed_at__isnull=True,
        )
        if not access.sees_internal(self.request.user):
            qs = qs.filter(internal=False)
        return qs.order_by("pk")

    @extend_schema(responses={(200, "*/*"): OpenApiTypes.BINARY})
    @action(detail=True, methods=["get"])
    def download(self, request, pk=None):
        attachment = self.get_object()
        return FileResponse(
            attachment.file.open("rb"),
            as_attachment=True,
            filename=attachment.name,
            content_type=attachment.content_type,
        )
