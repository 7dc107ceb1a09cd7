from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound
from rest_framework.response import Response

from duties import access
from portal import serializers as portal_serializers

from . import selectors, services
from .models import InvitationAnswer, Meeting, MeetingInvitation


class InvitationSerializer(portal_serializers.ModelSerializer):
    organization_name = serializers.CharField(source="organization.name", read_only=True)

    class Meta:
        model = MeetingInvitation
        fields = [
            "id",
            "organization",
            "organization_name",
            "response",
            "attendees",
            "responded_at",
            "attended",
        ]


class MeetingSerializer(portal_serializers.ModelSerializer):
    invitations = serializers.SerializerMethodField()

    class Meta:
        model = Meeting
        fields = [
            "id",
            "kind",
            "title",
            "year",
            "quarter",
            "starts_at",
            "ends_at",
            "place",
            "agenda",
            "reading",
            "status",
            "minutes",
            "cancelled_at",
            "cancel_reason",
            "version",
            "invitations",
        ]

    @extend_schema(responses=InvitationSerializer(many=True))
    def get_invitations(self, meeting) -> list:
        """Bureau staff see every invitation; an organization sees its own."""
        user = self.context["request"].user
        qs = meeting.invitations.select_related("organization")
        if "see_meeting_invitees" not in access.site_actions(user):
            qs = qs.filter(organization_id=access.acts_for(user))
        return InvitationSerializer(qs, many=True).data


class RespondSerializer(serializers.Serializer):
    response = serializers.ChoiceField(
        choices=[InvitationAnswer.ATTENDING, InvitationAnswer.DECLINED]
    )
    attendees = serializers.CharField(required=False, allow_blank=True, default="")


class MeetingViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Meetings the caller may see; organizations answer their invitations here."""

    access_rule = "authenticated"
    serializer_class = MeetingSerializer
    filterset_fields = ["kind", "status", "year", "quarter"]

    def get_queryset(self):
        return selectors.meetings_for(self.request.user)

    @extend_schema(request=RespondSerializer, responses=InvitationSerializer)
    @action(detail=True, methods=["post"])
    def respond(self, request, pk=None):
        """Confirm attendance (and who comes) or decline, for the caller's organization."""
        meeting = self.get_object()
        invitation = selectors.my_invitation(request.user, meeting)
        if invitation is None:
            raise NotFound()
        body = RespondSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        invitation = services.invitation_respond(
            actor=request.user, invitation=invitation, **body.validated_data
        )
        return Response(InvitationSerializer(invitation).data)
