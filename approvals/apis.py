from typing import Any, cast

from django.db.models import QuerySet
from django.http import QueryDict
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import generics
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from portal import ratelimits
from portal.exceptions import ApplicationError
from portal.http import api_user

from . import deadlines, selectors
from .constants import CaseAction
from .filters import CaseFilter
from .models import Case
from .permissions import case_transition_check
from .serializers import (
    CaseDetailSerializer,
    CaseListSerializer,
    TransitionResultSerializer,
    transition_specs_schema,
)
from .services.correction import supplied_files_from
from .transitions import TRANSITIONS, Transition, available_transitions, transition_spec

LIST_COLUMNS = [
    "reference",
    "state",
    "mode",
    "submitted_at",
    "received_on",
    "answer_from",
    "accepted_on",
    "promised_due",
    "statutory_due",
    "due_provisional",
    "current_step",
    "step_due",
    "concluded_on",
    "ended_on",
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
    filterset_class = CaseFilter  # the filters of approvals/filters.py, documented in the schema

    def get_queryset(self) -> QuerySet[Case]:
        # the list shows the item and the department only: no join of the applicant, window, clerk and holder,
        # and only the columns the list and its due-date colours read (the rest are documents and bookkeeping)
        return (
            selectors.case_visible(user=self.request.user)
            .select_related(None)
            .select_related("item", "department")
            .only(*LIST_COLUMNS)
        )

    def paginate_queryset(self, queryset: Any) -> Any:
        page = super().paginate_queryset(queryset)
        return deadlines.annotate_times(page if page is not None else queryset, selectors.today())


class CaseDetailApi(APIView):
    @extend_schema(responses=CaseDetailSerializer)
    def get(self, request, reference: str):
        case = selectors.case_get(user=request.user, reference=reference)
        deadlines.annotate_times([case], selectors.today())
        return Response(CaseDetailSerializer(case).data)


class CaseTransitionsApi(APIView):
    """The transitions the user may fire on the case now, with each one's fields."""

    @extend_schema(responses=transition_specs_schema())
    def get(self, request: Request, reference: str) -> Response:
        case = selectors.case_get(user=request.user, reference=reference)
        specs = [transition_spec(t) for t in available_transitions(case=case, user=api_user(request))]
        return Response(specs)


class CaseTransitionApi(APIView):
    """Fire a transition (``name``) on the case. Each transition has its own operation in the schema, with
    its own fields (``…/transitions/accept/`` …); this view serves them all, and answers 400 for an unknown
    name. The fields go at the top level of a JSON object or a form, or inside ``{"data": {…}}``."""

    parser_classes = [JSONParser, FormParser, MultiPartParser]
    action = ""  # set on the per-transition views below

    @extend_schema(exclude=True)
    def post(self, request: Request, reference: str, name: str = "") -> Response:
        name = self.action or name
        case = selectors.case_get(user=request.user, reference=reference)
        transition = TRANSITIONS.get(name)
        if transition is None:
            raise ApplicationError(
                _("没有这个操作：%(name)s") % {"name": name}, extra={"name": [_("未知的操作。")]}
            )
        # the state and the user's right first (409, 403), as the service will check them again
        case_transition_check(case=case, user=request.user, action=name)
        serializer = transition.serializer(data=_fields(request))
        if not serializer.is_valid():
            raise ApplicationError(_("提交的内容有误，请修改后重试。"), extra=dict(serializer.errors))
        data = dict(serializer.validated_data)
        if transition.action == CaseAction.SUPPLY:
            if request.FILES:  # multipart/form-data: files_<material id> fields
                ratelimits.api_check(request, ("upload", ""))
            data["files"] = supplied_files_from(request.FILES)
        case = transition.fire(case=case, actor=api_user(request), data=data)
        return Response(
            {"reference": case.reference, "state": case.state, "state_label": case.get_state_display()}
        )


def _fields(request: Request) -> Any:
    """The transition's fields from the body: a JSON object or a form (without its files), or the object
    under ``data``."""
    body: Any = request.data
    if not hasattr(body, "get"):
        raise ApplicationError(
            _("请求内容应为表单或JSON对象。"), extra={"non_field_errors": [_("应为JSON对象。")]}
        )
    if isinstance(body.get("data"), dict):
        return body["data"]
    if isinstance(body, QueryDict):
        fields = QueryDict(mutable=True)
        for key in body:
            if key not in request.FILES:
                fields.setlist(key, body.getlist(key))
        return fields
    return body


def transition_view(transition: Transition) -> Any:
    """The view of one transition's own operation: same code, its own input in the schema."""

    @extend_schema(
        operation_id=f"cases_transitions_{transition.name}",
        summary=str(transition.label),
        description=f"{transition.label}（{transition.name}）: the fields at the top level of a JSON object or a "
        "form, or inside {\"data\": {…}}; a transition the case's state or the user's role does not allow "
        "answers 409 or 403 before the fields are read.",
        request={
            "application/json": transition.serializer,
            "application/x-www-form-urlencoded": transition.serializer,
            "multipart/form-data": transition.serializer,
        },
        responses=TransitionResultSerializer,
    )
    def post(self: CaseTransitionApi, request: Request, reference: str) -> Response:
        return CaseTransitionApi.post(self, request, reference)

    name = "".join(part.title() for part in transition.name.split("_"))
    view = cast(
        type[CaseTransitionApi],
        type(f"Case{name}Api", (CaseTransitionApi,), {"action": transition.name, "post": post}),
    )
    return view.as_view()
