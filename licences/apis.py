"""The licence API: the user's own licences, a licence's PDF, and the public verification (证照核验)."""

from django.http import FileResponse
from django.urls import path
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import generics, permissions, serializers
from rest_framework.exceptions import NotFound
from rest_framework.response import Response
from rest_framework.views import APIView

from portal import ratelimits
from portal.api import ErrorSerializer
from portal.exceptions import ApplicationError, PermissionDeniedError

from . import permissions as perm
from . import selectors, services
from .models import Licence


class LicenceSerializer(serializers.ModelSerializer):
    status = serializers.SerializerMethodField()
    status_label = serializers.SerializerMethodField()
    issuing_department = serializers.CharField(source="issuing_department.name")
    case_reference = serializers.CharField(source="case.reference")
    pdf_url = serializers.SerializerMethodField()

    class Meta:
        model = Licence
        fields = [
            "number",
            "title",
            "holder_name",
            "scope",
            "fields",
            "issuing_department",
            "issued_on",
            "valid_from",
            "valid_until",
            "status",
            "status_label",
            "case_reference",
            "pdf_url",
        ]

    def get_status(self, obj: Licence) -> str:
        return obj.answer()

    def get_status_label(self, obj: Licence) -> str:
        return obj.answer_label()

    def get_pdf_url(self, obj: Licence) -> str:
        from django.urls import reverse

        return reverse("api-licence-pdf", args=[obj.number])


class LicenceListApi(generics.ListAPIView):
    """The signed-in user's own licences (我的证照), newest first."""

    serializer_class = LicenceSerializer

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Licence.objects.none()
        return selectors.licence_list_own(user=self.request.user)


def pdf_response(licence: Licence) -> FileResponse:
    import io

    data = services.licence_pdf_bytes(licence=licence)
    return FileResponse(
        io.BytesIO(data), as_attachment=True, filename=f"{licence.number}.pdf", content_type="application/pdf"
    )


class LicencePdfApi(APIView):
    @extend_schema(
        responses={
            (200, "application/pdf"): OpenApiTypes.BINARY,
            404: OpenApiResponse(ErrorSerializer, description="no such licence, or not yours to see"),
        }
    )
    def get(self, request, number: str):
        licence = selectors.licence_for_download(user=request.user, number=number)
        if licence is None:
            raise NotFound("未找到该证照。")
        return pdf_response(licence)


class ReissueInput(serializers.Serializer):
    reason = serializers.CharField(
        max_length=300, required=False, allow_blank=True, default="", help_text="换发原因，如“遗失补领”"
    )


class LicenceReissueApi(APIView):
    """补领/换发 a lost or damaged licence: the issuing department's decider or head. The new licence has a
    new number and the same contents and validity; the old one verifies as replaced (已换发)."""

    @extend_schema(
        request=ReissueInput,
        responses={
            201: LicenceSerializer,
            400: OpenApiResponse(ErrorSerializer, description="no reason given"),
            403: OpenApiResponse(ErrorSerializer, description="not the issuing department's decider or head"),
            404: OpenApiResponse(ErrorSerializer, description="no such licence, or not yours to see"),
            409: OpenApiResponse(
                ErrorSerializer, description="the licence is not in force (revoked, replaced)"
            ),
        },
    )
    def post(self, request, number: str):
        licence = selectors.licence_for_download(user=request.user, number=number)
        if licence is None:
            raise NotFound("未找到该证照。")
        if not perm.may_reissue(request.user, licence):  # before looking at the body
            raise PermissionDeniedError("您无权换发此证照。")
        data = ReissueInput(data=request.data)
        data.is_valid(raise_exception=True)
        new = services.licence_reissue(
            licence=licence, actor=request.user, reason=data.validated_data["reason"]
        )
        return Response(LicenceSerializer(new).data, status=201)


class VerifyFieldSerializer(serializers.Serializer):
    label = serializers.CharField()  # type: ignore[assignment]  # the JSON key
    value = serializers.CharField()


class VerifySerializer(serializers.Serializer):
    number = serializers.CharField()
    title = serializers.CharField()
    holder = serializers.CharField()
    scope = serializers.CharField()
    fields = VerifyFieldSerializer(many=True)  # type: ignore[assignment]  # the JSON key
    issuing_department = serializers.CharField()
    issued_on = serializers.DateField()
    valid_from = serializers.DateField()
    valid_until = serializers.DateField(allow_null=True)
    status = serializers.ChoiceField(choices=["valid", "expired", "revoked", "replaced"])
    status_label = serializers.CharField()


class LicenceVerifyApi(APIView):
    """证照核验, no sign-in: number + holder name. A wrong holder looks exactly like an unknown number."""

    permission_classes = [permissions.AllowAny]
    authentication_classes: list = []
    throttle_classes: list = []  # limited by the shared counter (portal/ratelimits.py), with the page

    @extend_schema(
        parameters=[
            OpenApiParameter("number", str, required=True, description="证照编号"),
            OpenApiParameter("holder", str, required=True, description="持证人名称"),
        ],
        responses={
            200: VerifySerializer,
            400: OpenApiResponse(ErrorSerializer, description="number or holder missing"),
            404: OpenApiResponse(ErrorSerializer, description="no licence with this number and holder"),
            429: OpenApiResponse(ErrorSerializer, description="too many queries from this address"),
        },
    )
    def get(self, request):
        ratelimits.api_check(request, ("licence-verify", ""))
        number, holder = request.query_params.get("number", ""), request.query_params.get("holder", "")
        missing = {
            k: ["此项为必填项。"] for k, v in (("number", number), ("holder", holder)) if not v.strip()
        }
        if missing:
            raise ApplicationError("请输入证照编号和持证人名称。", extra=missing)
        result = selectors.licence_verify(number=number, holder=holder)
        if result is None:
            raise NotFound("未查到与该编号和持证人相符的证照。")
        return Response(VerifySerializer(result).data)


urlpatterns = [
    path("licences/", LicenceListApi.as_view(), name="api-licences"),
    path("licences/verify/", LicenceVerifyApi.as_view(), name="api-licence-verify"),
    path("licences/<str:number>/pdf/", LicencePdfApi.as_view(), name="api-licence-pdf"),
    path("licences/<str:number>/reissue/", LicenceReissueApi.as_view(), name="api-licence-reissue"),
]
