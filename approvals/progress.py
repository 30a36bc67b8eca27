"""The public progress query (办件查询): reference + the phone number on the application. Answers carry
no personal data, and a wrong pair looks exactly like an unknown reference."""

import hmac
from typing import Any

from django.urls import path
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import permissions, serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from portal import ratelimits
from portal.api import ErrorSerializer
from portal.exceptions import ApplicationError

from .models import Case


def lookup(*, reference: str, phone: str) -> dict[str, Any] | None:
    reference, phone = reference.strip().upper(), phone.strip()
    if not reference or not phone:
        return None
    case = (
        Case.objects.select_related("item", "application", "department").filter(reference=reference).first()
    )
    if case is None or not hmac.compare_digest(case.application.contact_phone.encode(), phone.encode()):
        return None
    return {
        "reference": case.reference,
        "item_name": case.item.name,
        "department": case.department.name,
        "state": case.state,
        "state_label": case.get_state_display(),
        "submitted_on": case.received_on.isoformat() if case.received_on else None,
        "accepted_on": case.accepted_on.isoformat() if case.accepted_on else None,
        "promised_due": case.promised_due.isoformat() if case.promised_due else None,
        "statutory_due": case.statutory_due.isoformat() if case.statutory_due else None,
        "concluded_on": case.concluded_on.isoformat() if case.concluded_on else None,
    }


class ProgressSerializer(serializers.Serializer):
    reference = serializers.CharField()
    item_name = serializers.CharField()
    department = serializers.CharField()
    state = serializers.CharField()
    state_label = serializers.CharField()
    submitted_on = serializers.DateField(allow_null=True)
    accepted_on = serializers.DateField(allow_null=True)
    promised_due = serializers.DateField(allow_null=True)
    statutory_due = serializers.DateField(allow_null=True)
    concluded_on = serializers.DateField(allow_null=True)


class ProgressInputSerializer(serializers.Serializer):
    reference = serializers.CharField(max_length=24)
    phone = serializers.CharField(max_length=11)


class ProgressApi(APIView):
    permission_classes = [permissions.AllowAny]
    authentication_classes: list = []
    throttle_classes: list = []  # limited by the shared counter below (portal/ratelimits.py)

    @extend_schema(
        parameters=[
            OpenApiParameter("reference", str, required=True),
            OpenApiParameter("phone", str, required=True),
        ],
        responses={
            200: ProgressSerializer,
            404: OpenApiResponse(ErrorSerializer, description="no case with this reference and phone"),
            429: OpenApiResponse(ErrorSerializer, description="too many queries from this address"),
        },
    )
    def get(self, request):
        """Kept for existing clients; the phone number then travels in the URL (and so in access logs, where
        the log filter masks it). New clients POST the same fields in the body."""
        return self._answer(request, request.query_params)

    @extend_schema(
        request=ProgressInputSerializer,
        responses={
            200: ProgressSerializer,
            404: OpenApiResponse(ErrorSerializer, description="no case with this reference and phone"),
            429: OpenApiResponse(ErrorSerializer, description="too many queries from this address"),
        },
    )
    def post(self, request):
        """The same query with the reference and the phone number in the body, never in a URL."""
        data = request.data if hasattr(request.data, "get") else {}
        return self._answer(request, data)

    def _answer(self, request, data):
        ratelimits.api_check(request, ("progress", ""))  # one counter with the page, per address
        reference, phone = data.get("reference", ""), data.get("phone", "")
        if not isinstance(reference, str) or not isinstance(phone, str):
            raise ApplicationError("请输入申报号和手机号。", extra={"reference": ["请输入文字。"]})
        missing = {
            k: ["此项为必填项。"] for k, v in (("reference", reference), ("phone", phone)) if not v.strip()
        }
        if missing:
            raise ApplicationError("请输入申报号和手机号。", extra=missing)
        result = lookup(reference=reference, phone=phone)
        if result is None:
            from rest_framework.exceptions import NotFound

            raise NotFound("未查到与该申报号和手机号相符的办件。")
        return Response(ProgressSerializer(result).data)


urlpatterns = [path("progress/", ProgressApi.as_view(), name="api-progress")]
