from rest_framework import serializers, viewsets

from .models import Division


class DivisionSerializer(serializers.ModelSerializer):
    class Meta:
        model = Division
        fields = ["id", "name", "kind", "description", "phone", "email", "is_active"]


class DivisionViewSet(viewsets.ReadOnlyModelViewSet):
    """The bureau's divisions (bureau staff)."""

    access_rule = "bureau_staff"
    serializer_class = DivisionSerializer
    queryset = Division.objects.order_by("kind", "name")
    filterset_fields = ["kind", "is_active"]
