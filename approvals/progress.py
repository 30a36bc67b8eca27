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
from portal.compiled_sql import compiled_rows
from portal.exceptions import ApplicationError

from .models import Case

# The columns the answer reads, in one ``values()`` row (the case, its item's and department's names, the
# application's phone); its SQL compiled once per process on PostgreSQL (``compiled_rows``, the reference
# a stand-in) and sent prepared (``bound_cursor``): the public query is the most frequent read of the
# portal, and compiling the whole case with three joined rows (≈ 120 columns) was a third of its CPU.
_COLUMNS = (
    "reference",
    "state",
    "received_on",
    "accepted_on",
    "promised_due",
    "statutory_due",
    "concluded_on",
    "item__name",
    "department__name",
    "application__contact_phone",
)
_REFERENCE_STAND_IN = "\x00progress-reference"  # no reference holds a NUL (the input guard refuses it)


def _case_row(reference: str) -> dict[str, Any] | None:
    def rows(value: str) -> Any:
        return Case.objects.filter(reference=value).order_by("pk").values(*_COLUMNS)[:1]

    found = compiled_rows(
        ("progress-lookup",),
        lambda: rows(reference),
        lambda: rows(_REFERENCE_STAND_IN),
        {_REFERENCE_STAND_IN: reference},
        needed=1,
        prepared=True,
    )
    return found[0] if found else None


def _iso(day: Any) -> str | None:
    return day.isoformat() if day else None


def lookup(*, reference: str, phone: str) -> dict[str, Any] | None:
    reference, phone = reference.strip().upper(), phone.strip()
    if not reference or not phone:
        return None
    case = _case_row(reference)
    if case is None or not hmac.compare_digest(
        (case["application__contact_phone"] or "").encode(), phone.encode()
    ):
        return None
    state = case["state"]
    return {
        "reference": case["reference"],
        "item_name": case["item__name"],
        "department": case["department__name"],
        "state": state,
        "state_label": str(_STATE_LABELS.get(state, state)),
        "submitted_on": _iso(case["received_on"]),
        "accepted_on": _iso(case["accepted_on"]),
        "promised_due": _iso(case["promised_due"]),
        "statutory_due": _iso(case["statutory_due"]),
        "concluded_on": _iso(case["concluded_on"]),
    }


# what ``case.get_state_display()`` shows: the state field's choices (lazy: in the request's language)
_STATE_LABELS = dict(Case._meta.get_field("state").flatchoices)


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
