from rest_framework import viewsets

from portal import serializers as portal_serializers
from portal.services import editable_fields

from .models import Division
from .services import division_update


class DivisionSerializer(portal_serializers.ModelSerializer):
    class Meta:
        model = Division
        fields = ["id", *editable_fields(division_update, besides=("actor", "division"))]


class DivisionViewSet(viewsets.ReadOnlyModelViewSet):
    """The bureau's divisions (bureau staff)."""

    access_rule = "bureau_staff"
    serializer_class = DivisionSerializer
    queryset = Division.objects.order_by("kind", "name")
    filterset_fields = ["kind", "is_active"]
