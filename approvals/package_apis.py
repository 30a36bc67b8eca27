"""API of package applications (一件事一次办, DESIGN §10): apply once for a package (multipart, like
``/api/v1/applications/``) and follow it as one thing (the owner's own: each item's state and due date,
the overall state and the latest due date)."""

from django.http import Http404
from django.urls import path
from django.utils import timezone
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.response import Response
from rest_framework.views import APIView

from intake.apis.applications import one_file_per_material, submission_input
from intake.constants import DeliveryMethod
from intake.models import PackageApplication
from intake.selectors.packages import package_get
from intake.services.packages import package_apply
from portal.exceptions import ApplicationError
from portal.idempotency import IDEMPOTENCY_PARAMETER, idempotent

from .packages import package_view


class PackageApplicationInputSerializer(serializers.Serializer):
    package = serializers.CharField(help_text="package code")
    form_data = serializers.JSONField(
        required=False, default=dict, help_text="answers keyed by the package's form field keys (JSON)"
    )
    contact_phone = serializers.CharField(required=False, allow_blank=True, default="")
    id_number = serializers.CharField(
        required=False,
        allow_blank=True,
        default="",
        help_text="resident ID number or unified social credit code (checked)",
    )
    delivery_method = serializers.ChoiceField(
        choices=DeliveryMethod.choices,
        default=DeliveryMethod.WINDOW,
        help_text="how the results reach the applicant: window pick-up, post (free) or electronic only",
    )
    delivery_address = serializers.CharField(
        required=False, allow_blank=True, default="", max_length=200, help_text="postal address (post only)"
    )
    deliver_together = serializers.BooleanField(
        required=False, default=True, help_text="deliver every result together (false: each as it comes)"
    )
    materials = serializers.DictField(
        child=serializers.FileField(),
        required=False,
        help_text="files as multipart fields named material_<id> (the package material's id)",
    )


class PackageCaseSerializer(serializers.Serializer):
    reference = serializers.CharField(source="case.reference")
    item_code = serializers.CharField(source="case.item.code")
    item_name = serializers.CharField()
    department = serializers.CharField()
    state = serializers.CharField()
    state_label = serializers.CharField()
    promised_due = serializers.DateField(source="case.promised_due", allow_null=True)
    statutory_due = serializers.DateField(source="case.statutory_due", allow_null=True)
    due_date = serializers.DateField(source="due.date", allow_null=True, default=None)
    due_left = serializers.CharField(source="due.left", allow_blank=True, default="")


class PackageApplicationOutputSerializer(serializers.Serializer):
    reference = serializers.CharField(source="bundle.reference")
    package_code = serializers.CharField(source="bundle.package.code")
    package_name = serializers.CharField(source="bundle.package.name")
    submitted_at = serializers.DateTimeField(source="bundle.submitted_at")
    answer_by = serializers.DateField(
        source="answer_on", help_text="the day the window must answer (Art. 32)"
    )
    state = serializers.ChoiceField(choices=["in_progress", "all_decided", "partly_denied"])
    state_label = serializers.CharField()
    latest_due = serializers.DateField(source="latest_due.date", allow_null=True, default=None)
    delivery_method = serializers.CharField(source="bundle.delivery_method")
    deliver_together = serializers.BooleanField(source="bundle.deliver_together")
    cases = PackageCaseSerializer(many=True, source="rows")


def _output(bundle: PackageApplication) -> dict:
    view = package_view(bundle, timezone.localdate())
    return PackageApplicationOutputSerializer(view).data


class PackageApplicationCreateApi(APIView):
    parser_classes = [MultiPartParser, FormParser, JSONParser]

    @extend_schema(
        summary="Apply once for a package (一件事一次办)",
        description=(
            "One form (``form_data`` keyed by the package's form field keys), one set of uploads (one file per "
            "package material, fields ``material_<id>``), one submission: one package reference and one case "
            "per item in its own department, each with its own limits and deadlines."
        ),
        request={
            "multipart/form-data": PackageApplicationInputSerializer,
            "application/json": PackageApplicationInputSerializer,
        },
        responses={201: PackageApplicationOutputSerializer},
        parameters=[IDEMPOTENCY_PARAMETER],
    )
    @idempotent
    def post(self, request):
        keys = (
            "package",
            "contact_phone",
            "id_number",
            "delivery_method",
            "delivery_address",
            "deliver_together",
        )
        values = submission_input(request, PackageApplicationInputSerializer, keys)
        package = package_get(code=values["package"])
        if package is None:
            raise ApplicationError("没有这个一件事。", extra={"package": ["未知的一件事编码。"]})
        bundle = package_apply(
            package=package,
            applicant=request.user,
            actor=request.user,
            form_data=values["form_data"],
            files=one_file_per_material(request),
            contact_phone=values["contact_phone"] or request.user.phone,
            id_number=values["id_number"],
            delivery_method=values["delivery_method"],
            delivery_address=values["delivery_address"],
            deliver_together=values["deliver_together"],
        )
        return Response(_output(bundle), status=status.HTTP_201_CREATED)


class PackageApplicationDetailApi(APIView):
    @extend_schema(
        summary="Follow one's own package application",
        description="Each item's state and due date, the overall state and the latest due date.",
        responses=PackageApplicationOutputSerializer,
    )
    def get(self, request, reference: str):
        bundle = PackageApplication.objects.select_related("package").filter(reference=reference).first()
        if bundle is None or bundle.applicant_id != request.user.pk:
            raise Http404
        return Response(_output(bundle))


urlpatterns = [
    path(
        "package-applications/", PackageApplicationCreateApi.as_view(), name="api-package-application-create"
    ),
    path(
        "package-applications/<str:reference>/",
        PackageApplicationDetailApi.as_view(),
        name="api-package-application-detail",
    ),
]
