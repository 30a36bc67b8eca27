"""Public API of the item catalogue, served from the cache (intake/cache.py)."""

from django.db.models import QuerySet
from django.http import Http404
from django.urls import path
from drf_spectacular.utils import extend_schema
from rest_framework import generics, permissions, serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from portal.accounts.models import Department

from ..cache import api_cache_control, api_condition, cached_data
from ..filters import ItemFilter
from ..models import FormField, Item, Material, Step, Theme
from ..selectors.catalogue import item_get, item_published


class ItemListSerializer(serializers.ModelSerializer):
    department = serializers.CharField(source="department.name")
    department_code = serializers.CharField(source="department.code")
    modes = serializers.ListField(child=serializers.CharField())
    themes: "serializers.SlugRelatedField[Theme]" = serializers.SlugRelatedField(
        slug_field="code", many=True, read_only=True
    )

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
    co_departments: "serializers.SlugRelatedField[Department]" = serializers.SlugRelatedField(
        slug_field="name", many=True, read_only=True
    )

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
    filterset_class = ItemFilter  # q, department, theme, mode (intake/filters.py)

    def get_queryset(self) -> QuerySet[Item]:
        return item_published()

    def list(self, request, *args, **kwargs):
        # the page of this query, built once per catalogue version (intake/cache.py)
        data = cached_data(
            request, "api:list", lambda: super(ItemListApi, self).list(request, *args, **kwargs).data
        )
        return api_cache_control(Response(data))


class ItemDetailApi(APIView):
    permission_classes = [permissions.AllowAny]

    @extend_schema(responses=ItemDetailSerializer)
    def get(self, request, code: str):
        def build():
            item = item_get(code=code)
            if item is None:
                raise Http404
            return ItemDetailSerializer(item).data

        return api_cache_control(Response(cached_data(request, "api:detail", build)))


urlpatterns = [
    # ETag/Last-Modified from the catalogue version: a repeat request is a 304 without a query
    path("items/", api_condition(ItemListApi.as_view()), name="api-item-list"),
    path("items/<str:code>/", api_condition(ItemDetailApi.as_view()), name="api-item-detail"),
]
