"""Public API of the item catalogue."""

from django.http import Http404
from django.urls import path
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import generics, permissions, serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from ..models import FormField, Item, Material, Step
from ..selectors.catalogue import item_get, item_list


class ItemListSerializer(serializers.ModelSerializer):
    department = serializers.CharField(source="department.name")
    department_code = serializers.CharField(source="department.code")
    modes = serializers.ListField(child=serializers.CharField())
    themes = serializers.SlugRelatedField(slug_field="code", many=True, read_only=True)

    class Meta:
        model = Item
        fields = [
            "code",
            "name",
            "department",
            "department_code",
            "item_type",
            "statutory_limit",
            "promised_limit",
            "limit_unit",
            "online",
            "max_visits",
            "modes",
            "themes",
        ]


class MaterialSerializer(serializers.ModelSerializer):
    class Meta:
        model = Material
        fields = ["id", "order", "name", "form", "count", "mandatory", "deferrable", "note"]


class StepSerializer(serializers.ModelSerializer):
    class Meta:
        model = Step
        fields = ["order", "name", "role", "limit_days"]


class FormFieldSerializer(serializers.ModelSerializer):
    choices = serializers.ListField(source="choice_list", child=serializers.CharField())

    class Meta:
        model = FormField
        fields = ["key", "label", "kind", "choices", "required", "help_text"]


class ItemDetailSerializer(ItemListSerializer):
    materials = MaterialSerializer(many=True, source="current_materials")
    steps = StepSerializer(many=True, source="current_steps")
    form_fields = FormFieldSerializer(many=True, source="current_form_fields")
    co_departments = serializers.SlugRelatedField(slug_field="name", many=True, read_only=True)

    class Meta(ItemListSerializer.Meta):
        fields = ItemListSerializer.Meta.fields + [
            "legal_basis",
            "conditions",
            "fee_standard",
            "fee_basis",
            "handling_place",
            "contact_phone",
            "result_name",
            "co_departments",
            "co_department_limit",
            "materials",
            "steps",
            "form_fields",
        ]


class ItemListApi(generics.ListAPIView):
    """Published service items; search with ``q`` (Chinese substrings), filter by department, theme, mode."""

    permission_classes = [permissions.AllowAny]
    serializer_class = ItemListSerializer

    @extend_schema(
        parameters=[
            OpenApiParameter("q", str),
            OpenApiParameter("department", str),
            OpenApiParameter("theme", str),
            OpenApiParameter("mode", str),
        ]
    )
    def get(self, request, *args, **kwargs):  # type: ignore[no-untyped-def]
        return super().get(request, *args, **kwargs)

    def get_queryset(self):  # type: ignore[no-untyped-def]
        return item_list(filters=self.request.query_params.dict())


class ItemDetailApi(APIView):
    permission_classes = [permissions.AllowAny]

    @extend_schema(responses=ItemDetailSerializer)
    def get(self, request, code: str):  # type: ignore[no-untyped-def]
        item = item_get(code=code)
        if item is None:
            raise Http404
        return Response(ItemDetailSerializer(item).data)


urlpatterns = [
    path("items/", ItemListApi.as_view(), name="api-item-list"),
    path("items/<str:code>/", ItemDetailApi.as_view(), name="api-item-detail"),
]
