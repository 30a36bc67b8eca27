"""API: submit an application with its materials; read, continue (PATCH) and submit one's own draft;
read one's own application. ``{key}`` is the application's reference (``SP-…``) or, for a draft that has
none yet, its id."""

import json
from typing import Any

from django.http import Http404
from django.shortcuts import get_object_or_404
from django.urls import path
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, status
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.response import Response
from rest_framework.views import APIView

from portal.api import FieldsBoundOnceMixin, PlainRowsMixin
from portal.exceptions import ApplicationError, PermissionDeniedError
from portal.idempotency import IDEMPOTENCY_PARAMETER, idempotent
from portal.ratelimits import api_check

from ..cache import item_definition
from ..constants import DeliveryMethod, HandlingMode
from ..models import Application
from ..services.applications import application_submit
from ..services.intake_api import application_create_from_request, application_update_from_request


class ApplicationInputSerializer(FieldsBoundOnceMixin, serializers.Serializer):
    item = serializers.CharField(help_text="item code")
    mode = serializers.ChoiceField(choices=HandlingMode.choices, default=HandlingMode.PROMISED)
    form_data = serializers.JSONField(
        required=False, default=dict, help_text="answers keyed by the item's form field keys (JSON)"
    )
    contact_phone = serializers.CharField(required=False, allow_blank=True, default="")
    id_number = serializers.CharField(
        required=False,
        allow_blank=True,
        default="",
        help_text="resident ID number or unified social credit code (checked)",
    )
    commitment_signed = serializers.BooleanField(required=False, default=False)
    delivery_method = serializers.ChoiceField(
        choices=DeliveryMethod.choices,
        default=DeliveryMethod.WINDOW,
        help_text="how the result reaches the applicant: window pick-up, post (free) or electronic only",
    )
    delivery_address = serializers.CharField(
        required=False, allow_blank=True, default="", max_length=200, help_text="postal address (post only)"
    )
    submit = serializers.BooleanField(required=False, default=True, help_text="false keeps it as a draft")
    materials = serializers.DictField(
        child=serializers.FileField(),
        required=False,
        help_text="files as multipart fields named material_<id>",
    )


class ApplicationMaterialSerializer(PlainRowsMixin, serializers.Serializer):
    id = serializers.IntegerField()
    material_name = serializers.CharField()
    original_name = serializers.CharField()
    content_type = serializers.CharField()
    size = serializers.IntegerField()


# its answers built by portal.api.PlainRowsMixin: DRF's values, without DRF's per-field machinery
class ApplicationOutputSerializer(PlainRowsMixin, serializers.ModelSerializer):
    item_code = serializers.CharField(source="item.code")
    item_name = serializers.CharField(source="item.name")
    materials = ApplicationMaterialSerializer(many=True)

    class Meta:
        model = Application
        fields = [
            "id",
            "reference",
            "status",
            "item_code",
            "item_name",
            "mode",
            "channel",
            "form_data",
            "commitment_signed",
            "delivery_method",
            "delivery_address",
            "submitted_at",
            "created_at",
            "materials",
        ]


def submission_input(
    request: Any, serializer_class: type[serializers.Serializer], keys: tuple[str, ...]
) -> Any:
    """What the application and package submission APIs share: applicants only, the upload rate limit
    when files come, a form or JSON object, ``form_data`` as an object (or a JSON string of one, in
    multipart), the serializer's validation, and one file per material. Returns the validated values."""
    if not request.user.is_applicant:
        raise PermissionDeniedError("只有申请人账号可以在线申请；窗口代录请使用窗口受理页面。")
    if request.FILES:
        api_check(request, ("upload", ""))
    data = request.data
    if not hasattr(data, "get"):
        raise ApplicationError("请求内容应为表单或JSON对象。", extra={"non_field_errors": ["应为JSON对象。"]})
    raw_form = data.get("form_data", {})
    if isinstance(raw_form, str):
        try:
            raw_form = json.loads(raw_form or "{}")
        except ValueError:
            raise ApplicationError("申请表内容格式有误。", extra={"form_data": ["应为JSON对象。"]}) from None
    plain = {k: data.get(k) for k in keys if k in data}
    serializer = serializer_class(data={**plain, "form_data": raw_form})
    serializer.is_valid(raise_exception=True)
    values = serializer.validated_data
    if not isinstance(values["form_data"], dict):
        raise ApplicationError("申请表内容格式有误。", extra={"form_data": ["应为JSON对象。"]})
    return values


def one_file_per_material(request: Any) -> dict[str, Any]:
    """The uploaded files by field; a field sent with several files is a Chinese 400."""
    several = [k for k in request.FILES if len(request.FILES.getlist(k)) > 1]
    if several:
        raise ApplicationError(
            "每项材料一次只能上传一个文件。",
            extra={k: ["每项材料一次只能上传一个文件。"] for k in several},
        )
    return {k: f for k, f in request.FILES.items()}


class ApplicationCreateApi(APIView):
    parser_classes = [MultiPartParser, FormParser, JSONParser]
    token_with_roles = True  # is_applicant on every call (portal/accounts/auth.py)

    @extend_schema(
        request={
            "multipart/form-data": ApplicationInputSerializer,
            "application/json": ApplicationInputSerializer,
        },
        responses={201: ApplicationOutputSerializer},
        parameters=[IDEMPOTENCY_PARAMETER],
    )
    @idempotent
    def post(self, request):
        keys = (
            "item",
            "mode",
            "contact_phone",
            "id_number",
            "commitment_signed",
            "delivery_method",
            "delivery_address",
            "submit",
        )
        values = submission_input(request, ApplicationInputSerializer, keys)
        # the item's form, materials, steps and co-departments, read once per catalogue version (the
        # catalogue cache) and reused by every check, the submission and the case's snapshot
        item = item_definition(values["item"])
        if item is None:
            raise ApplicationError("没有这个事项。", extra={"item": ["未知的事项编码。"]})
        files = one_file_per_material(request)
        application = application_create_from_request(
            item=item,
            applicant=request.user,
            actor=request.user,
            mode=values["mode"],
            form_data=values["form_data"],
            contact_phone=values["contact_phone"] or request.user.phone,
            commitment_signed=values["commitment_signed"],
            files=files,
            submit=values["submit"],
            id_number=values["id_number"],
            delivery_method=values["delivery_method"],
            delivery_address=values["delivery_address"],
        )
        return Response(ApplicationOutputSerializer(application).data, status=status.HTTP_201_CREATED)


class ApplicationUpdateSerializer(serializers.Serializer):
    """Only what is sent changes. Answers are merged into the draft's (send "" to clear one)."""

    mode = serializers.ChoiceField(choices=HandlingMode.choices, required=False)
    form_data = serializers.JSONField(
        required=False, help_text="answers to change, keyed by the item's form field keys (JSON object)"
    )
    contact_phone = serializers.CharField(required=False)
    commitment_signed = serializers.BooleanField(required=False)
    delivery_method = serializers.ChoiceField(choices=DeliveryMethod.choices, required=False)
    delivery_address = serializers.CharField(required=False, allow_blank=True, max_length=200)
    remove = serializers.ListField(
        child=serializers.IntegerField(),
        required=False,
        help_text="ids of uploaded files (materials[].id) to take out of the draft",
    )
    materials = serializers.DictField(
        child=serializers.FileField(),
        required=False,
        help_text="files to add, as multipart fields named material_<id> (one file per material per request)",
    )


def own_application(request, key: str) -> Application:
    """The signed-in applicant's own application by reference, or by id (a draft has no reference yet);
    anything else is a 404."""
    lookup = {"pk": int(key)} if key.isascii() and key.isdigit() else {"reference": key}
    application = get_object_or_404(
        Application.objects.select_related("item").prefetch_related("materials"), **lookup
    )
    if application.applicant_id != request.user.pk:
        raise Http404
    return application


def _json_object(raw):
    if isinstance(raw, str):
        try:
            raw = json.loads(raw or "{}")
        except ValueError:
            raise ApplicationError("申请表内容格式有误。", extra={"form_data": ["应为JSON对象。"]}) from None
    if not isinstance(raw, dict):
        raise ApplicationError("申请表内容格式有误。", extra={"form_data": ["应为JSON对象。"]})
    return raw


KEY = OpenApiParameter(
    "key",
    str,
    OpenApiParameter.PATH,
    description="the reference (SP-…), or the id of a draft (which has none yet)",
)


@extend_schema(parameters=[KEY])
class ApplicationDetailApi(APIView):
    parser_classes = [MultiPartParser, FormParser, JSONParser]

    @extend_schema(
        summary="Read one's own application or draft",
        description="By reference (``SP-…``) or, for a draft, by id.",
        responses=ApplicationOutputSerializer,
    )
    def get(self, request, key: str):
        return Response(ApplicationOutputSerializer(own_application(request, key)).data)

    @extend_schema(
        summary="Continue one's own draft",
        description=(
            "Change the draft's answers, mode, contact phone or commitment, add files per material "
            "(multipart, fields ``material_<id>``) and take out uploaded files (``remove``). All or nothing, "
            "with the same checks and messages as the application page; a submitted application is 409."
        ),
        request={
            "multipart/form-data": ApplicationUpdateSerializer,
            "application/json": ApplicationUpdateSerializer,
        },
        responses=ApplicationOutputSerializer,
    )
    def patch(self, request, key: str):
        application = own_application(request, key)
        if request.FILES:
            api_check(request, ("upload", ""))
        data = request.data
        if not hasattr(data, "get"):
            raise ApplicationError(
                "请求内容应为表单或JSON对象。", extra={"non_field_errors": ["应为JSON对象。"]}
            )
        fields = ("mode", "contact_phone", "commitment_signed", "delivery_method", "delivery_address")
        plain = {k: data.get(k) for k in fields if k in data}
        if "remove" in data:
            plain["remove"] = data.getlist("remove") if hasattr(data, "getlist") else data.get("remove")
        serializer = ApplicationUpdateSerializer(data=plain)
        serializer.is_valid(raise_exception=True)
        values = serializer.validated_data
        several = [k for k in request.FILES if len(request.FILES.getlist(k)) > 1]
        if several:
            raise ApplicationError(
                "每项材料一次只能上传一个文件。",
                extra={k: ["每项材料一次只能上传一个文件。"] for k in several},
            )
        application = application_update_from_request(
            application=application,
            actor=request.user,
            form_data=_json_object(data.get("form_data")) if "form_data" in data else None,
            mode=values.get("mode"),
            contact_phone=values.get("contact_phone"),
            commitment_signed=values.get("commitment_signed"),
            files={k: f for k, f in request.FILES.items()},
            remove=values.get("remove"),
            delivery_method=values.get("delivery_method"),
            delivery_address=values.get("delivery_address"),
        )
        return Response(ApplicationOutputSerializer(own_application(request, str(application.pk))).data)


@extend_schema(parameters=[KEY])
class ApplicationSubmitApi(APIView):
    @extend_schema(
        summary="Submit one's own draft",
        description=(
            "Checks the draft as the application page does (every required answer and material, the "
            "commitment for 告知承诺) and submits it: it gets its reference and its case is opened."
        ),
        request=None,
        responses=ApplicationOutputSerializer,
        parameters=[IDEMPOTENCY_PARAMETER],
    )
    @idempotent
    def post(self, request, key: str):
        application = application_submit(application=own_application(request, key), actor=request.user)
        return Response(ApplicationOutputSerializer(own_application(request, str(application.pk))).data)


urlpatterns = [
    path("applications/", ApplicationCreateApi.as_view(), name="api-application-create"),
    path("applications/<str:key>/", ApplicationDetailApi.as_view(), name="api-application-detail"),
    path("applications/<str:key>/submit/", ApplicationSubmitApi.as_view(), name="api-application-submit"),
]
