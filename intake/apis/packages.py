"""Public API of the packages (一件事, DESIGN §10): what each bundles, its one form and its one list of
materials."""

from django.db.models import QuerySet
from django.http import Http404
from django.urls import path
from drf_spectacular.utils import extend_schema
from rest_framework import generics, permissions, serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from ..models import Package, PackageField, PackageItem, PackageMaterial
from ..selectors.packages import package_get, package_published


class PackageItemSerializer(serializers.ModelSerializer):
    code = serializers.CharField(source="item.code")
    name = serializers.CharField(source="item.name")
    department = serializers.CharField(source="item.department.name")
    promised_limit = serializers.IntegerField(source="item.promised_limit")
    statutory_limit = serializers.IntegerField(source="item.statutory_limit")
    limit_unit = serializers.CharField(source="item.limit_unit")

    class Meta:
        model = PackageItem
        fields = ["code", "name", "department", "promised_limit", "statutory_limit", "limit_unit"]


class PackageListSerializer(serializers.ModelSerializer):
    items = PackageItemSerializer(many=True, source="package_items")

    class Meta:
        model = Package
        fields = ["code", "name", "items"]


class PackageFieldSerializer(serializers.ModelSerializer):
    choices = serializers.ListField(source="choice_list", child=serializers.CharField())

    class Meta:
        model = PackageField
        fields = ["key", "label", "kind", "choices", "required", "help_text"]


class PackageMaterialSerializer(serializers.ModelSerializer):
    field = serializers.SerializerMethodField(help_text="the multipart field to upload it in")
    items = serializers.SerializerMethodField(help_text="codes of the items it is filed under")

    class Meta:
        model = PackageMaterial
        fields = ["id", "field", "name", "mandatory", "note", "items"]

    def get_field(self, obj: PackageMaterial) -> str:
        return f"material_{obj.pk}"

    def get_items(self, obj: PackageMaterial) -> list[str]:
        return [pi.item.code for pi in obj.package.package_items.all() if obj.target_material(pi.item)]


class PackageDetailSerializer(PackageListSerializer):
    form_fields = PackageFieldSerializer(many=True, source="fields", help_text="the one merged form")
    materials = PackageMaterialSerializer(many=True, help_text="the one merged list of materials")

    class Meta(PackageListSerializer.Meta):
        fields = ["code", "name", "guide", "items", "form_fields", "materials"]


class PackageListApi(generics.ListAPIView):
    """Published packages (一件事): each bundles items of several departments behind one application."""

    permission_classes = [permissions.AllowAny]
    serializer_class = PackageListSerializer
    pagination_class = None

    def get_queryset(self) -> QuerySet[Package]:
        return package_published()


class PackageDetailApi(APIView):
    permission_classes = [permissions.AllowAny]

    @extend_schema(
        summary="A package's guide, items, merged form and merged materials",
        responses=PackageDetailSerializer,
    )
    def get(self, request, code: str):
        package = package_get(code=code)
        if package is None:
            raise Http404
        return Response(PackageDetailSerializer(package).data)


urlpatterns = [
    path("packages/", PackageListApi.as_view(), name="api-package-list"),
    path("packages/<str:code>/", PackageDetailApi.as_view(), name="api-package-detail"),
]
