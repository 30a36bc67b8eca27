from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import generics
from rest_framework.response import Response
from rest_framework.views import APIView

from portal import ratelimits

from . import deadlines, selectors, services
from .serializers import (
    CaseDetailSerializer,
    CaseListSerializer,
    TransitionInputSerializer,
    TransitionResultSerializer,
    TransitionSpecSerializer,
)

LIST_COLUMNS = [
    "reference",
    "state",
    "mode",
    "submitted_at",
    "received_on",
    "accepted_on",
    "promised_due",
    "statutory_due",
    "due_provisional",
    "current_step",
    "step_due",
    "concluded_on",
    "elapsed_days",
    "suspended_days",
    "limit_unit",
    "item__code",
    "item__name",
    "department__name",
]


class CaseListApi(generics.ListAPIView):
    """Cases the user may see: applicants their own, clerks and the efficiency office all, department staff
    their department's (and parallel cases they co-handle)."""

    serializer_class = CaseListSerializer

    @extend_schema(
        parameters=[
            OpenApiParameter("state", str),
            OpenApiParameter("item", str),
            OpenApiParameter("department", str),
            OpenApiParameter("overdue", bool),
            OpenApiParameter("due_soon", bool),
            OpenApiParameter("sort", str, enum=["due"]),
        ]
    )
    def get(self, request, *args, **kwargs):  # type: ignore[no-untyped-def]
        return super().get(request, *args, **kwargs)

    def get_queryset(self):  # type: ignore[no-untyped-def]
        # the list shows the item and the department only: no join of the applicant, window, clerk and holder,
        # and only the columns the list and its due-date colours read (the rest are documents and bookkeeping)
        return (
            selectors.case_list(user=self.request.user, filters=self.request.query_params.dict())
            .select_related(None)
            .select_related("item", "department")
            .only(*LIST_COLUMNS)
        )

    def paginate_queryset(self, queryset):  # type: ignore[no-untyped-def]
        page = super().paginate_queryset(queryset)
        return deadlines.annotate_times(page if page is not None else queryset, selectors.today())


class CaseDetailApi(APIView):
    @extend_schema(responses=CaseDetailSerializer)
    def get(self, request, reference: str):  # type: ignore[no-untyped-def]
        case = selectors.case_get(user=request.user, reference=reference)
        deadlines.annotate_times([case], selectors.today())
        return Response(CaseDetailSerializer(case).data)


class CaseTransitionsApi(APIView):
    @extend_schema(responses=TransitionSpecSerializer(many=True))
    def get(self, request, reference: str):  # type: ignore[no-untyped-def]
        case = selectors.case_get(user=request.user, reference=reference)
        specs = services.case_available_transitions(case=case, user=request.user)
        return Response(TransitionSpecSerializer(specs, many=True).data)


class CaseTransitionFireApi(APIView):
    @extend_schema(request=TransitionInputSerializer, responses=TransitionResultSerializer)
    def post(self, request, reference: str, name: str):  # type: ignore[no-untyped-def]
        case = selectors.case_get(user=request.user, reference=reference)
        if not hasattr(request.data, "get"):
            from portal.exceptions import ApplicationError

            raise ApplicationError(
                "请求内容应为表单或JSON对象。", extra={"non_field_errors": ["应为JSON对象。"]}
            )
        payload = request.data.get("data") if isinstance(request.data.get("data"), dict) else request.data
        data = {
            k: (
                payload.getlist(k)
                if hasattr(payload, "getlist") and len(payload.getlist(k)) > 1
                else payload.get(k)
            )
            for k in payload.keys()
            if k not in request.FILES
        }
        if request.FILES:  # the supply transition as multipart/form-data: files_<material id> fields
            ratelimits.api_check(request, ("upload", ""))
            data["files"] = services.supplied_files_from(request.FILES)
        case = services.case_transition(case=case, actor=request.user, name=name, data=data)
        return Response(
            {"reference": case.reference, "state": case.state, "state_label": case.get_state_display()}
        )
